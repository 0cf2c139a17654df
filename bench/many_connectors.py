"""An inventory of 1,000 connectors costs no more per request than an inventory of one
(bench/many-connectors).

Writes an inventory of N connectors (default 1,000, all on one upstream nginx on loopback),
times `gateway validate` and the start-up of `gateway serve` (until /livez answers), then
measures small GETs through the last connector of that inventory and through a one-connector
inventory, interleaved, and prints both with their CPU per request. Exits 1 when validate or the
start-up take 1 s or more, or when a request costs more than 10% more with N connectors.
Everything runs on 127.0.0.1 and stops by itself.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import bench
from loopback import free_port, wait_port

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
ROUNDS = int(os.environ.get("ROUNDS", "3"))
DURATION = int(os.environ.get("DURATION", "5"))


def inventory(path, port, upstream_port, count):
    lines = [
        "gateway:",
        f"  listen: 127.0.0.1:{port}",
        "  access_log: false",
        "  threads: 1",
        "  health: {interval: 1h}",
        "  principals:",
        "    - {name: bench, token: env://BENCH_TOKEN, connectors: ['*']}",
        "connector_inventory:",
    ]
    for index in range(count):
        lines += [f"  - name: c{index:04d}", "    kind: http", f"    executor_url: http://127.0.0.1:{upstream_port}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def wait_livez(port, started, timeout=30):
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=0.5) as answer:
                if answer.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"the gateway on {port} did not answer /livez within {timeout} s")


def main():
    work = tempfile.mkdtemp(prefix="gateway-many-")
    os.chmod(work, 0o755)
    stack = bench.Stack(work)
    try:
        return run(work, stack)
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(work, stack):
    upstream_port, one_port, many_port = free_port(), free_port(), free_port()
    os.makedirs(f"{work}/up/www", exist_ok=True)
    with open(f"{work}/up/www/small", "w") as f:
        f.write("hello from the upstream\n")
    with open(f"{work}/up/nginx.conf", "w") as f:
        f.write(bench.nginx_conf(f"{work}/up", f"server {{ listen 127.0.0.1:{upstream_port}; root {work}/up/www; }}"))
    stack.start(["nginx", "-p", f"{work}/up", "-c", f"{work}/up/nginx.conf"])
    wait_port(upstream_port)

    one, many = f"{work}/one.yaml", f"{work}/many.yaml"
    inventory(one, one_port, upstream_port, 1)
    inventory(many, many_port, upstream_port, COUNT)
    env = dict(os.environ, BENCH_TOKEN=bench.TOKEN)

    started = time.monotonic()
    subprocess.run([bench.GATEWAY, "validate", "--inventory", many], env=env, check=True, capture_output=True)
    validate_seconds = time.monotonic() - started

    gateways = {}
    startup_seconds = None
    for name, path, port in (("1 connector", one, one_port), (f"{COUNT} connectors", many, many_port)):
        started = time.monotonic()
        process = stack.start([bench.GATEWAY, "serve", "--inventory", path], env=env)
        seconds = wait_livez(port, started)
        if path == many:
            startup_seconds = seconds
        last = f"c{(1 if path == one else COUNT) - 1:04d}"
        gateways[name] = (f"http://127.0.0.1:{port}/executor/{last}/small", [process.pid])
        bench.wrk(gateways[name][0], 64, 2)  # warm-up

    results = {name: [] for name in gateways}
    for _ in range(ROUNDS):
        for name, (url, pids) in gateways.items():
            before = bench.cpu_seconds(pids)
            stats = bench.wrk(url, 64, DURATION)
            stats["cpu_us"] = (bench.cpu_seconds(pids) - before) / max(stats["requests"], 1) * 1e6
            results[name].append(stats)

    print(f"validate of {COUNT} connectors: {validate_seconds:.2f} s (target < 1 s)")
    print(f"start-up of {COUNT} connectors (until /livez answers): {startup_seconds:.2f} s (target < 1 s)")
    print()
    print(f"| inventory | req/s | p99 ms | CPU us/req |  (medians of {ROUNDS} rounds, {DURATION} s, small GET, c=64)")
    print("|---|---:|---:|---:|")
    cpu = {}
    for name, runs in results.items():
        cpu[name] = statistics.median(r["cpu_us"] for r in runs)
        print(f"| {name} | {statistics.median(r['rps'] for r in runs):.0f} | "
              f"{statistics.median(r['p99'] for r in runs):.2f} | {cpu[name]:.1f} |")
    ratio = cpu[f"{COUNT} connectors"] / cpu["1 connector"]
    print(f"\nCPU per request, {COUNT} connectors / 1 connector: {ratio:.2f}x (target <= 1.10)")
    ok = validate_seconds < 1 and startup_seconds < 1 and ratio <= 1.10
    print("many-connectors: " + ("all targets met" if ok else "a target was missed"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
