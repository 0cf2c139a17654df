"""Benchmark the gateway against nginx and HAProxy as reverse proxies (see bench/run).

Every target proxies to the same upstream nginx on loopback. Runs are interleaved (one target
after another, round after round) so drift on the shared machine hits every target alike, and
the medians over rounds are reported. CPU per request is the proxy's own user+system time
(from /proc) divided by the requests wrk completed.
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from loopback import free_port, wait_port

ROUNDS = int(os.environ.get("ROUNDS", "3"))
# Threads of each proxy under test: nginx worker processes, HAProxy nbthread and the gateway's
# gateway.threads (the upstream nginx keeps one worker). 1 compares the cost per request.
THREADS = int(os.environ.get("THREADS", "1"))
DURATION = int(os.environ.get("DURATION", "10"))
TOKEN = "bench-token-not-a-secret"
GATEWAY = os.environ["GATEWAY_BIN"]
# Another build of the gateway (e.g. the previous commit's) measured in the same interleaved
# rounds, for the cost of a change: its ratios are printed as `gateway / baseline`.
BASELINE = os.environ.get("GATEWAY_BASELINE_BIN")
# TRACING=1: also a gateway with tracing on at 100% sampling (gateway.telemetry), exporting to a
# collector that accepts and discards the spans (a location of the upstream nginx): `traced`,
# with its ratio to the gateway without tracing and the spans it dropped.
TRACING = os.environ.get("TRACING") == "1"
# TRACE_RATIO=0.1: the traced gateway samples that share of the requests (parentbased_traceidratio;
# wrk sends no traceparent) instead of all of them.
TRACE_RATIO = os.environ.get("TRACE_RATIO")
# PROFILE=small|post|1MiB: instead of the rounds, record the gateway with `perf record -g` while
# wrk runs that case, and print the top symbols by self time (bench/profile).
PROFILE = os.environ.get("PROFILE")
# COUNTS=1: instead of the rounds, count what the gateway (and the baseline) do per request
# with uprobes (perf stat): the Swift runtime's retains and releases, malloc and memcpy calls.
# Unlike CPU time, counts do not move with the machine's load (bench/counts).
COUNTS = os.environ.get("COUNTS") == "1"
# FLOOR_BIN=<nio-floor binary> (bench/run with FLOOR=1 builds it from bench/floor): also two
# reverse proxies reduced to SwiftNIO alone, `nio-relay` (bytes copied, no HTTP), `nio-frame`
# (bytes copied, each head scanned once and its body counted) and `nio-codec` (NIO's HTTP/1
# codecs both sides, parts handed across): what NIO costs before any gateway logic.
FLOOR = os.environ.get("FLOOR_BIN")
TICKS = os.sysconf("SC_CLK_TCK")
# The 2 KiB JSON POST of the "post" case.
POST_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "post.lua")


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except FileNotFoundError:
            pass
    return total / TICKS


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


class Stack:
    def __init__(self, work):
        self.work = work
        self.procs = []

    def start(self, args, **kwargs):
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, **kwargs)
        self.procs.append(proc)
        return proc

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def nginx_conf(prefix, body, workers=1):
    return f"""
worker_processes {workers};
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    {body}
}}
"""


def main():
    work = tempfile.mkdtemp(prefix="gateway-bench-")
    os.chmod(work, 0o755)  # nginx workers run as an unprivileged user
    stack = Stack(work)
    try:
        run(work, stack)
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(work, stack):
    up_port, nginx_port, haproxy_port, gateway_port = (free_port() for _ in range(4))
    os.makedirs(f"{work}/up/www", exist_ok=True)
    with open(f"{work}/up/www/small", "w") as f:
        f.write("hello from the upstream\n")
    with open(f"{work}/up/www/1m", "wb") as f:
        f.write(os.urandom(1 << 20))

    up_conf = f"{work}/up/nginx.conf"
    with open(up_conf, "w") as f:
        f.write(nginx_conf(f"{work}/up", f"""
    server {{
        listen 127.0.0.1:{up_port} backlog=4096;
        location / {{ root {work}/up/www; }}
        location = /post {{ client_max_body_size 1m; return 200 '{{"ok":true}}\n'; }}
        location = /v1/traces {{ client_max_body_size 64m; default_type application/x-protobuf; return 200 ''; }}
    }}"""))
    os.makedirs(f"{work}/proxy", exist_ok=True)
    proxy_conf = f"{work}/proxy/nginx.conf"
    with open(proxy_conf, "w") as f:
        f.write(nginx_conf(f"{work}/proxy", f"""
    upstream up {{ server 127.0.0.1:{up_port}; keepalive 128; }}
    server {{
        listen 127.0.0.1:{nginx_port} backlog=4096;
        location / {{
            proxy_pass http://up;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_buffering on;
        }}
    }}""", workers=THREADS))
    haproxy_cfg = f"{work}/haproxy.cfg"
    with open(haproxy_cfg, "w") as f:
        f.write(f"""
global
    nbthread {THREADS}
    maxconn 8192
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    http-reuse always
    option forwardfor
frontend fe
    bind 127.0.0.1:{haproxy_port}
    default_backend be
backend be
    server up 127.0.0.1:{up_port}
""")
    inventory = f"{work}/connectors.yaml"
    baseline_port = free_port()
    with open(inventory, "w") as f:
        f.write(f"""
gateway:
  listen: 127.0.0.1:{gateway_port}
  access_log: false
  threads: {THREADS}
  principals:
    - name: bench
      token: env://BENCH_TOKEN
      connectors: [up]
connector_inventory:
  - name: up
    kind: http
    executor_url: http://127.0.0.1:{up_port}
    runtime_asset: {{id: bench-upstream, role: executor}}
""")

    traced_port = free_port()
    traced_inventory = f"{work}/traced.yaml"
    with open(inventory) as plain, open(traced_inventory, "w") as f:
        f.write(plain.read().replace("gateway:\n", f"""gateway:
  telemetry:
    otlp_endpoint: http://127.0.0.1:{up_port}
    sampler: {"always_on" if TRACE_RATIO is None else "parentbased_traceidratio"}
    sampler_arg: {TRACE_RATIO or 1}
    schedule_delay: 200ms
""", 1))

    upstream = stack.start(["nginx", "-p", f"{work}/up", "-c", up_conf])
    wait_port(up_port)
    nginx = stack.start(["nginx", "-p", f"{work}/proxy", "-c", proxy_conf])
    wait_port(nginx_port)
    haproxy = stack.start(["haproxy", "-f", haproxy_cfg, "-db"])
    wait_port(haproxy_port)
    env = dict(os.environ, BENCH_TOKEN=TOKEN)
    gateway = stack.start([GATEWAY, "serve", "--inventory", inventory], env=env)
    wait_port(gateway_port)
    traced = None
    if TRACING:
        traced = stack.start([GATEWAY, "serve", "--inventory", traced_inventory, "--listen", f"127.0.0.1:{traced_port}"], env=env)
        wait_port(traced_port)
    baseline = None
    if BASELINE:
        baseline = stack.start([BASELINE, "serve", "--inventory", inventory, "--listen", f"127.0.0.1:{baseline_port}"], env=env)
        wait_port(baseline_port)

    floors = {}
    if FLOOR:
        for mode in ("relay", "frame", "codec"):
            port = free_port()
            floors[f"nio-{mode}"] = (f"http://127.0.0.1:{port}", [stack.start([FLOOR, mode, str(port), str(up_port)]).pid])
            wait_port(port)

    targets = {
        "direct": (f"http://127.0.0.1:{up_port}", [upstream.pid] + children(upstream.pid)),
        "nginx": (f"http://127.0.0.1:{nginx_port}", [nginx.pid] + children(nginx.pid)),
        "haproxy": (f"http://127.0.0.1:{haproxy_port}", [haproxy.pid]),
        "gateway": (f"http://127.0.0.1:{gateway_port}/executor/up", [gateway.pid]),
    }
    targets.update(floors)
    if baseline:
        targets["baseline"] = (f"http://127.0.0.1:{baseline_port}/executor/up", [baseline.pid])
    if traced:
        targets["traced"] = (f"http://127.0.0.1:{traced_port}/executor/up", [traced.pid])
    if os.environ.get("TARGETS"):  # TARGETS=nginx,gateway,baseline measures only those (an A/B run)
        wanted = os.environ["TARGETS"].split(",")
        targets = {name: target for name, target in targets.items() if name in wanted or name == "gateway"}
    cases = [("small", "/small", 64), ("post", "/post", 32), ("1MiB", "/1m", 8)]
    if PROFILE is None and os.environ.get("CASES"):  # CASES=small,post measures only those
        cases = [c for c in cases if c[0] in os.environ["CASES"].split(",")]
    results = {(case, name): [] for case, _, _ in cases for name in targets}

    # Warm-up: fill keep-alive pools and caches.
    for name, (base, _) in targets.items():
        wrk(base + "/small", 64, 2)

    if COUNTS:
        return counts(targets, cases)

    if PROFILE:
        case, path, connections = next(c for c in cases if c[0] == PROFILE)
        # PROFILE_TARGET=nio-codec (with FLOOR_BIN) records that process instead of the gateway.
        return profile(work, targets[os.environ.get("PROFILE_TARGET", "gateway")], case, path, connections)

    for round_number in range(1, ROUNDS + 1):
        for case, path, connections in cases:
            for name, (base, pids) in targets.items():
                before = cpu_seconds(pids)
                stats = wrk(base + path, connections, DURATION, script=POST_SCRIPT if case == "post" else None)
                stats["cpu_us"] = (cpu_seconds(pids) - before) / max(stats["requests"], 1) * 1e6
                results[(case, name)].append(stats)
                print(f"round {round_number} {case:5} {name:8} {stats['rps']:10.0f} req/s "
                      f"{stats['mbps']:8.1f} MB/s p50 {stats['p50']:7.2f} ms p99 {stats['p99']:7.2f} ms "
                      f"cpu {stats['cpu_us']:6.1f} us/req", file=sys.stderr, flush=True)

    report(results, cases, targets)
    if traced:
        metrics = subprocess.run(["curl", "-s", f"http://127.0.0.1:{traced_port}/metrics"], capture_output=True, text=True).stdout
        dropped = [line for line in metrics.splitlines() if line.startswith("gateway_trace_spans_dropped_total")]
        print("traced gateway: " + ", ".join(dropped))


def profile(work, target, case, path, connections):
    """perf record of the gateway (call graphs) while wrk runs `case`; prints the top symbols."""
    base, (pid,) = target
    data = os.environ.get("PERF_DATA") or f"{work}/perf.data"  # PERF_DATA keeps it for perf report
    # DWARF unwinding: Swift's release builds keep no frame pointers, so -g alone shows no callers.
    perf = subprocess.Popen(["perf", "record", "--call-graph", "dwarf,16384", "-F", "299", "-o", data, "-p", str(pid)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    stats = wrk(base + path, connections, DURATION, script=POST_SCRIPT if case == "post" else None)
    perf.send_signal(signal.SIGINT)
    perf.wait(timeout=30)
    report = subprocess.run(
        ["perf", "report", "-i", data, "--no-children", "--sort", "dso,symbol", "--stdio", "--percent-limit", "0.8",
         "-g", "none"], capture_output=True, text=True, check=True).stdout
    by_dso = subprocess.run(
        ["perf", "report", "-i", data, "--no-children", "--sort", "dso", "--stdio", "--percent-limit", "1", "-g", "none"],
        capture_output=True, text=True, check=True).stdout
    retain_callers = subprocess.run(
        ["perf", "report", "-i", data, "--no-children", "--symbols", "swift_retain,swift_release", "--sort", "symbol",
         "--stdio", "-g", "caller,0.5,callee,function,percent", "--max-stack", "4", "--percent-limit", "1"],
        capture_output=True, text=True).stdout
    print(f"perf profile of {os.environ.get('PROFILE_TARGET', 'the gateway')}, {case} (c={connections}), {stats['rps']:.0f} req/s under perf")
    print("\nself time by module, the Swift runtime's and libc's counted to their first caller outside them:")
    for module, share in attribute_by_module(data):
        print(f"    {share:6.2f}%  {module}")
    for title, text, width in (("self time by library", by_dso, 100), ("self time by symbol", report, 160),
                               ("who retains and releases (callers, 3 frames)", retain_callers, 160)):
        print(f"\n{title}:")
        for line in text.splitlines():
            if line.strip() and not line.startswith("#"):
                print(line.rstrip()[:width])


def counts(targets, cases):
    """Per request: retains, releases, run-time exclusivity checks, malloc and memcpy calls of each
    gateway build (uprobes)."""
    events = probes()
    labels = list(dict.fromkeys(label for label, _ in events))
    names = [name for name in ("gateway", "baseline") if name in targets]
    print("Per request (wrk -c4, 3 s):")
    print("| case | target | requests | " + " | ".join(labels) + " |")
    print("|---|---|---:|" + "---:|" * len(labels))
    for case, path, _ in cases:
        if case == "1MiB":
            continue
        for name in names:
            base, (pid,) = targets[name]
            out = subprocess.run(
                ["perf", "stat", "-x", ",", *sum((["-e", event] for _, event in events), []), "-p", str(pid), "--",
                 "wrk", "-t1", "-c4", "-d3s", "-H", f"Authorization: Bearer {TOKEN}",
                 *(["-s", POST_SCRIPT] if case == "post" else []), base + path],
                capture_output=True, text=True, check=True)
            requests = int(re.search(r"(\d+) requests in", out.stdout).group(1))
            values = {line.split(",")[2]: int(line.split(",")[0]) for line in out.stderr.splitlines()
                      if line.count(",") >= 2 and line.split(",")[0].isdigit()}
            per = [sum(values.get(event, 0) for other, event in events if other == label) / max(requests, 1) for label in labels]
            print(f"| {case} | {name} | {requests} | " + " | ".join(f"{value:.1f}" for value in per) + " |")


def probes():
    """The uprobes `counts` reads (added once; perf keeps them until `perf probe -d`)."""
    libraries = subprocess.run(["ldd", GATEWAY], capture_output=True, text=True, check=True).stdout
    path = {name: re.search(rf"\s{re.escape(name)}\S* => (\S+)", libraries).group(1) for name in ("libswiftCore", "libc.so")}
    wanted = [("retains", "libswiftCore", "swift_retain"), ("releases", "libswiftCore", "swift_release"),
              ("exclusivity checks", "libswiftCore", "swift_beginAccess"), ("mallocs", "libc.so", "malloc")]
    # memcpy is an ifunc: every implementation it may resolve to (memmove shares their code), summed.
    wanted += [("memcpys", "libc.so", f"__memcpy_{variant}_unaligned_erms") for variant in ("avx512", "evex", "avx", "sse2")]
    existing = subprocess.run(["perf", "probe", "-l"], capture_output=True, text=True).stdout
    events = []
    for label, library, symbol in wanted:
        group = "probe_" + os.path.basename(path[library]).split(".")[0]
        event = f"{group}:{symbol}"
        if event not in existing:
            added = subprocess.run(["perf", "probe", "-q", "-x", path[library], "--add", symbol], capture_output=True, text=True)
            if added.returncode != 0:
                continue  # not in this libc
        events.append((label, event))
    return events


def attribute_by_module(data):
    """Shares of the samples in `data` by the module of their leaf frame, where a leaf in the
    Swift runtime or libc (retain/release, exclusivity checks, malloc) is counted to the first
    frame outside them: who pays for the refcounting, not that it is paid."""
    script = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,dso"], capture_output=True, text=True).stdout
    counts, total = {}, 0
    for block in script.split("\n\n"):
        frames = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not frames:
            continue
        total += 1
        module = "other"
        for frame in frames:
            if "kernel" in frame:
                module = "kernel"
                break
            if "libswiftCore" in frame or "libc.so" in frame or "ld-linux" in frame:
                continue
            mangled = re.search(r"\$s(\d+)([A-Za-z0-9_]+)", frame)
            if mangled:
                module = mangled.group(2)[:int(mangled.group(1))]
                break
            if "llhttp" in frame:
                module = "llhttp"
                break
        counts[module] = counts.get(module, 0) + 1
    return sorted(((m, 100 * c / max(total, 1)) for m, c in counts.items()), key=lambda x: -x[1])[:8]


def wrk(url, connections, duration, script=None):
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-H", f"Authorization: Bearer {TOKEN}",
         *(["-s", script] if script else []), url],
        capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    scale = {"B": 1e-6, "KB": 1e-3, "MB": 1, "GB": 1e3}[transfer.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} non-2xx responses\n{out}")
    return {"requests": requests, "rps": rps, "mbps": float(transfer.group(1)) * scale,
            "p50": latency(out, "50%"), "p99": latency(out, "99%")}


def latency(out, label):
    match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 1e-3, "ms": 1, "s": 1e3}[unit]


def report(results, cases, targets):
    median = lambda case, name, key: statistics.median(r[key] for r in results[(case, name)])
    print()
    print(f"Medians of {ROUNDS} interleaved rounds, {DURATION} s each, wrk -t1 on the same machine.")
    print()
    print("| body | target | req/s | MB/s | p50 ms | p99 ms | CPU us/req |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for case, _, connections in cases:
        for name in targets:
            print(f"| {case} (c={connections}) | {name} | {median(case, name, 'rps'):.0f} | {median(case, name, 'mbps'):.1f} "
                  f"| {median(case, name, 'p50'):.2f} | {median(case, name, 'p99'):.2f} | {median(case, name, 'cpu_us'):.1f} |")
    print()
    ratio = lambda case, name, key, other: median(case, name, key) / median(case, other, key)
    measured = [case for case, _, _ in cases]
    for other in (name for name in ("nginx", "haproxy") if name in targets):
        for case in (c for c in ("small", "post") if c in measured):
            print(f"gateway / {other:7}  {case:5}: CPU per request {ratio(case, 'gateway', 'cpu_us', other):.2f}x (target <= 1.3), "
                  f"req/s {ratio(case, 'gateway', 'rps', other):.2f}x (target >= 0.75), "
                  f"p99 {ratio(case, 'gateway', 'p99', other):.2f}x (target <= 1.5)")
        if "1MiB" in measured:
            print(f"gateway / {other:7}  1MiB : MB/s {ratio('1MiB', 'gateway', 'mbps', other):.2f}x (target >= 1.0)")
    for floor in (name for name in targets if name.startswith("nio-")):
        for case in measured:
            print(f"{floor} / nginx  {case:5}: CPU per request {ratio(case, floor, 'cpu_us', 'nginx'):.2f}x, "
                  f"req/s {ratio(case, floor, 'rps', 'nginx'):.2f}x; gateway / {floor}: CPU per request "
                  f"{ratio(case, 'gateway', 'cpu_us', floor):.2f}x")
    if "traced" in targets:
        for case in measured:
            print(f"traced / gateway  {case:5}: CPU per request {ratio(case, 'traced', 'cpu_us', 'gateway'):.3f}x, "
                  f"req/s {ratio(case, 'traced', 'rps', 'gateway'):.3f}x, p99 {ratio(case, 'traced', 'p99', 'gateway'):.3f}x")
    if "baseline" in targets:
        for case in measured:
            # Per-round ratios: the two builds ran seconds apart, so a round's ratio is freer of
            # this shared machine's drift than the ratio of the medians.
            rounds = sorted(g["cpu_us"] / b["cpu_us"] for g, b in zip(results[(case, "gateway")], results[(case, "baseline")]))
            quartiles = f"{rounds[len(rounds) // 4]:.3f}-{rounds[(3 * len(rounds)) // 4]:.3f}"
            print(f"gateway / baseline {case:5}: CPU per request {ratio(case, 'gateway', 'cpu_us', 'baseline'):.3f}x, "
                  f"per round median {statistics.median(rounds):.3f}x (quartiles {quartiles}), "
                  f"req/s {ratio(case, 'gateway', 'rps', 'baseline'):.3f}x, MB/s {ratio(case, 'gateway', 'mbps', 'baseline'):.3f}x")

if __name__ == "__main__":
    main()
