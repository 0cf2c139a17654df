-- The "post" case of bench/bench.py: a 2 KiB JSON body, as a machine sync sends it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"items":[' .. string.rep('"abcdefghijklmnop",', 107) .. '"end"]}'
