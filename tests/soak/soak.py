#!/usr/bin/env python3
"""Soak and fault suite: steady load through the gateway to several real upstreams while they fail.

Upstreams (all on 127.0.0.1, ports picked at run time):
  steady    nginx, plain HTTP; never faulted: any error on it fails the soak
  rotating  the same nginx over TLS (private CA); its certificate is rotated to another leaf of
            the CA (must be seamless), and for a while replaced by a self-signed one (502 `tls`)
  flaky     a second nginx, SIGKILLed (master and worker) and restarted every cycle
  python    the soak's own upstream (soak_upstream.py): answers slowly (some past the connector's
            1 s first-byte timeout: 504 `timeout`), hashes uploads, resets mid-body (the caller's
            response is aborted); SIGKILLed and restarted every cycle
The gateway is reloaded (SIGHUP) twice a cycle; every other cycle the second reload is invalid
and must be refused while the old configuration keeps serving.

Every response is checked: a 200 must carry the whole body (length and SHA-256); an error must be
the documented one for what was failing at that moment (problem+json with the right status and
`type`), and only while that fault was active. Afterwards the gateway must still be up, its
reload counters must match, and its open descriptors and resident memory must be back within a
small margin of the values measured after the warm-up.

    tests/soak/soak.py --duration 60 [--workers 16] [--report soak-report.json]

Needs the built gateway (GATEWAY_BIN or .build/debug/gateway), nginx and openssl; `scripts/soak`
runs it with the suite's virtual environment.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e"))

from harness.certs import SERVER_NAME, KeyPair, issue_leaf, make_pki  # noqa: E402
from harness.gateway import WORKER, inventory, start_gateway, to_yaml  # noqa: E402
from harness.net import LOOPBACK, free_port, wait_for_port  # noqa: E402
from harness.nginx_process import NginxProcess, http_preamble, main_context  # noqa: E402

sys.path.insert(0, str(HERE))
from soak_upstream import slow_body  # noqa: E402

CYCLE = 20.0
FIRST_BYTE_TIMEOUT = "1s"
#: Error kinds whose status the gateway documents (docs/data-path.md, "Errors").
STATUS_OF_KIND = {"refused": 502, "reset": 502, "tls": 502, "dns": 502, "timeout": 504}
#: Allowed growth after the soak, against the value after the warm-up.
FD_MARGIN = 4
RSS_MARGIN_BYTES = 8 * 1024 * 1024
RSS_MARGIN_RATIO = 0.10


# -- upstreams


BLOBS = {"16k": 16 * 1024, "256k": 256 * 1024, "1m": 1024 * 1024}


def blob(name: str) -> bytes:
    return random.Random(name).randbytes(BLOBS[name])


def nginx_config(prefix: Path, servers: str) -> str:
    return main_context(prefix) + f"""
http {{{http_preamble(prefix)}
    access_log off;
    sendfile on;
    keepalive_timeout 2s;
    keepalive_requests 100000;
{servers}
}}
"""


class SoakNginx:
    """nginx serving /blob/<name> on a plain port, and on a TLS port when `tls` is set (its
    certificate is the file pair under `prefix/tls`, swapped by `present()`)."""

    def __init__(self, prefix: Path, tls: KeyPair | None = None):
        self.prefix = prefix
        self.runner = NginxProcess(prefix, f"nginx ({prefix.name})")
        self.plain = free_port()
        self.tls = free_port() if tls else 0
        (prefix / "files/blob").mkdir(parents=True, exist_ok=True)
        for name in BLOBS:
            (prefix / "files/blob" / name).write_bytes(blob(name))
        locations = f"location /blob/ {{ root {prefix}/files; default_type application/octet-stream; }}"
        servers = f"    server {{ listen {LOOPBACK}:{self.plain}; {locations} }}\n"
        if tls:
            (prefix / "tls").mkdir(exist_ok=True)
            self.present(tls, reload=False)
            servers += (f"    server {{ listen {LOOPBACK}:{self.tls} ssl; server_name {SERVER_NAME};"
                        f" ssl_certificate {prefix}/tls/server.pem; ssl_certificate_key {prefix}/tls/server.key;"
                        f" {locations} }}\n")
        self.config = nginx_config(prefix, servers)

    @property
    def ports(self) -> list[int]:
        return [port for port in (self.plain, self.tls) if port]

    def start(self) -> None:
        self.runner.start(self.config, self.ports)

    def stop(self) -> None:
        self.runner.stop()

    def present(self, pair: KeyPair, reload: bool = True) -> None:
        """Serves `pair` from now on (nginx re-reads certificates on SIGHUP)."""
        shutil.copyfile(pair.key, self.prefix / "tls/server.key")
        shutil.copyfile(pair.cert, self.prefix / "tls/server.pem")
        if reload:
            self.runner.reload()
            time.sleep(0.3)


class PythonUpstream:
    def __init__(self, directory: Path):
        self.port = free_port()
        self.log = directory / "python-upstream.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "soak_upstream.py"), str(self.port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(self.log, "ab"))
        wait_for_port(self.port, 15, alive=lambda: self.process.poll() is None)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self.kill()


# -- the load


@dataclass(frozen=True)
class Call:
    name: str
    upstream: str
    method: str
    path: str
    #: What a healthy upstream gives: "ok" (a 200 with `expect`), or an error kind.
    outcome: str = "ok"
    expect: bytes | None = None
    body: bytes | None = None


def make_call(rng: random.Random) -> Call:
    roll = rng.random()
    if roll < 0.25:
        return Call("steady", "steady", "GET", "/executor/steady/blob/16k", expect=blob("16k"))
    if roll < 0.30:
        return Call("steady-1m", "steady", "GET", "/executor/steady/blob/1m", expect=blob("1m"))
    if roll < 0.48:
        return Call("flaky", "flaky", "GET", "/executor/flaky/blob/256k", expect=blob("256k"))
    if roll < 0.66:
        return Call("rotating", "rotating", "GET", "/executor/rotating/blob/16k", expect=blob("16k"))
    if roll < 0.75:
        return Call("slow", "python", "GET", f"/executor/python/slow?ms={rng.randint(10, 200)}", expect=slow_body())
    if roll < 0.765:
        return Call("slow-past-deadline", "python", "GET", f"/executor/python/slow?ms={rng.randint(1300, 1500)}",
                    outcome="timeout")
    if roll < 0.94:
        payload = rng.randbytes(rng.randint(1, 512) * 1024)
        return Call("upload", "python", "POST", "/executor/python/sha256", body=payload,
                    expect=hashlib.sha256(payload).hexdigest().encode())
    return Call("reset-mid-body", "python", "GET", "/executor/python/reset", outcome="aborted")


@dataclass
class Result:
    call: Call
    outcome: str
    started: float
    ended: float
    detail: str = ""


def classify_error(response: http.client.HTTPResponse, body: bytes) -> tuple[str, str]:
    """The documented kind of a gateway error response, or `undocumented` with why."""
    content_type = response.getheader("Content-Type", "")
    if not content_type.startswith("application/problem+json"):
        return "undocumented", f"{response.status} with Content-Type {content_type!r}: {body[:200]!r}"
    try:
        problem = json.loads(body)
    except ValueError:
        return "undocumented", f"{response.status} problem+json that does not parse: {body[:200]!r}"
    match = re.fullmatch(r"urn:fractalops:gateway:([a-z-]+)", str(problem.get("type", "")))
    kind = match.group(1).replace("-", "_") if match else ""
    if STATUS_OF_KIND.get(kind) != response.status or problem.get("status") != response.status:
        return "undocumented", f"{response.status} {problem}"
    if not response.getheader("X-Request-Id"):
        return "undocumented", f"{response.status} {kind} without X-Request-Id"
    return kind, problem.get("title", "")


class Load:
    """`workers` threads, each with one keep-alive connection to the gateway, sending calls back
    to back and recording every result."""

    def __init__(self, port: int, workers: int, seed: int):
        self.port = port
        self.workers = workers
        self.seed = seed
        self.results: list[Result] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.stopping.clear()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.workers)]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)
            if thread.is_alive():
                raise RuntimeError("a load thread did not finish within 60 s of the stop")

    def _run(self, index: int) -> None:
        rng = random.Random(self.seed * 1000 + index)
        conn: http.client.HTTPConnection | None = None
        local: list[Result] = []
        while not self.stopping.is_set():
            call = make_call(rng)
            if conn is None:
                conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
            result, keep = self._one(conn, call)
            # Keep what the verdict needs, not the payloads (an upload is up to 512 KiB).
            result.call = dataclasses.replace(call, body=None, expect=None)
            local.append(result)
            if not keep:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with self.lock:
            self.results.extend(local)

    @staticmethod
    def _one(conn: http.client.HTTPConnection, call: Call) -> tuple[Result, bool]:
        started = time.monotonic()
        headers = dict(WORKER)
        if call.body is not None:
            headers["Content-Type"] = "application/octet-stream"
        try:
            conn.request(call.method, call.path, body=call.body, headers=headers)
            response = conn.getresponse()
        except (http.client.HTTPException, OSError) as error:
            return Result(call, "dropped", started, time.monotonic(), f"no response: {error!r}"), False
        try:
            body = response.read()
        except (http.client.IncompleteRead, OSError) as error:
            # The documented end of a response whose upstream failed after it started.
            detail = f"{response.status}, body cut short: {type(error).__name__}"
            return Result(call, "aborted", started, time.monotonic(), detail), False
        ended = time.monotonic()
        keep = not response.will_close
        if response.status == 200:
            if body == call.expect:
                return Result(call, "ok", started, ended), keep
            return Result(call, "truncated", started, ended,
                          f"200 with {len(body)} bytes, sha256 {hashlib.sha256(body).hexdigest()[:16]}"), keep
        kind, detail = classify_error(response, body)
        return Result(call, kind, started, ended, detail), keep


# -- faults


@dataclass
class Window:
    upstream: str
    kinds: frozenset[str]
    start: float
    end: float = float("inf")


@dataclass
class Faults:
    windows: list[Window] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, upstream: str, kinds: set[str]) -> Window:
        window = Window(upstream, frozenset(kinds), time.monotonic())
        with self.lock:
            self.windows.append(window)
        return window

    @staticmethod
    def close(window: Window, grace: float) -> None:
        window.end = time.monotonic() + grace

    def allows(self, result: Result) -> bool:
        with self.lock:
            return any(w.upstream == result.call.upstream and result.outcome in w.kinds
                       and result.started <= w.end and result.ended >= w.start for w in self.windows)


class Reloads:
    """Rewrites the gateway's inventory and sends SIGHUP; checks the counters move."""

    def __init__(self, gateway, connectors: list[dict], settings: dict):
        self.gateway = gateway
        self.connectors = connectors
        self.settings = settings
        self.applied = 0
        self.refused = 0
        self.extra = False
        self.problems: list[str] = []

    def write(self, connectors: list[dict]) -> None:
        path = self.gateway.directory / "connectors.yaml"
        path.write_text(to_yaml(inventory(connectors, **self.settings)) + "\n")

    def counters(self) -> dict[str, int]:
        conn = http.client.HTTPConnection(LOOPBACK, self.gateway.port, timeout=10)
        try:
            conn.request("GET", "/metrics")
            text = conn.getresponse().read().decode()
        finally:
            conn.close()
        return {result: int(value) for result, value in
                re.findall(r'^gateway_config_reloads_total\{result="(\w+)"\} (\d+)$', text, re.M)}

    def _await(self, applied: int, refused: int) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            counters = self.counters()
            if counters.get("applied") == applied and counters.get("refused") == refused:
                return
            time.sleep(0.1)
        self.problems.append(f"reload counters {self.counters()} never reached applied={applied} refused={refused}")

    def valid(self) -> None:
        """Adds or removes the `extra` connector; afterwards it answers (or is unknown)."""
        self.extra = not self.extra
        extra = [{**self.connectors[0], "name": "extra"}] if self.extra else []
        self.write(self.connectors + extra)
        self.gateway.process.send_signal(signal.SIGHUP)
        self.applied += 1
        self._await(self.applied, self.refused)
        conn = http.client.HTTPConnection(LOOPBACK, self.gateway.port, timeout=10)
        try:
            conn.request("GET", "/executor/extra/blob/16k", headers=WORKER)
            status = conn.getresponse().status
        finally:
            conn.close()
        if status != (200 if self.extra else 404):
            self.problems.append(f"after reload {self.applied} /executor/extra answered {status}")

    def invalid(self) -> None:
        self.write(self.connectors + [{**self.connectors[0], "name": "broken", "connector_mode": "scimm"}])
        self.gateway.process.send_signal(signal.SIGHUP)
        self.refused += 1
        self._await(self.applied, self.refused)


class FaultSchedule(threading.Thread):
    """Runs the cycle until `until` (monotonic), then leaves every upstream healthy."""

    def __init__(self, until: float, flaky: SoakNginx, tls: SoakNginx, python: PythonUpstream,
                 certificates: dict[str, KeyPair], reloads: Reloads, faults: Faults):
        super().__init__(daemon=True)
        self.until = until
        self.flaky, self.tls, self.python = flaky, tls, python
        self.certificates = certificates
        self.reloads = reloads
        self.faults = faults
        self.error: BaseException | None = None

    def at(self, moment: float) -> bool:
        """Sleeps until `moment`; false when the soak ends first."""
        delay = moment - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        return time.monotonic() < self.until

    def run(self) -> None:
        try:
            self._cycles()
        except BaseException as error:  # reported by the main thread
            self.error = error

    def _cycles(self) -> None:
        cycle = 0
        start = time.monotonic()
        while True:
            base = start + cycle * CYCLE
            if not self.at(base + 1.0):
                return
            self.kill_and_restart("flaky", self.flaky.runner.kill, self.flaky.start, down=2.0)
            if not self.at(base + 5.0):
                return
            rotated = "rotated" if cycle % 2 == 0 else "original"
            self.tls.present(self.certificates[rotated])
            self.faults.counts[f"certificate rotated ({rotated} leaf, same CA)"] += 1
            if not self.at(base + 7.0):
                return
            self.reloads.valid()
            if not self.at(base + 9.0):
                return
            window = self.faults.open("rotating", {"tls"})
            self.tls.present(self.certificates["untrusted"])
            self.faults.counts["certificate replaced by an untrusted one"] += 1
            self.at(base + 12.0)
            self.tls.present(self.certificates[rotated])
            self.faults.close(window, grace=2.0)
            if not self.at(base + 13.0):
                return
            self.kill_and_restart("python", self.python.kill, self.python.start, down=1.5)
            if not self.at(base + 17.0):
                return
            if cycle % 2 == 1:
                self.reloads.invalid()
            else:
                self.reloads.valid()
            cycle += 1

    def kill_and_restart(self, upstream: str, kill, start, down: float) -> None:
        window = self.faults.open(upstream, {"refused", "reset", "aborted"})
        kill()
        self.faults.counts[f"{upstream} killed (SIGKILL) and restarted"] += 1
        time.sleep(down)
        start()
        self.faults.close(window, grace=1.0)


def judge(results: list[Result], faults: Faults, began: float) -> list[str]:
    """One line per result that is neither what a healthy upstream gives for its call nor an
    outcome allowed by a fault window of its upstream that overlaps it."""
    violations = []
    for result in results:
        if result.outcome == result.call.outcome or faults.allows(result):
            continue
        violations.append(f"{result.call.name} {result.call.method} {result.call.path[:60]}: "
                          f"{result.outcome} at +{result.started - began:.2f}s ({result.detail})")
    return violations


# -- the process


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def settle(pid: int, quiet: float = 3.0, limit: float = 30.0) -> tuple[int, int]:
    """Waits until the descriptor count has not changed for `quiet` seconds (idle keep-alive
    connections closing), then returns (descriptors, resident bytes)."""
    deadline = time.monotonic() + limit
    last, since = descriptors(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = descriptors(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return descriptors(pid), rss(pid)


def mib(value: int) -> str:
    return f"{value / 1024 / 1024:.1f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load under faults (default 60)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of fault-free load before the baseline")
    parser.add_argument("--workers", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the request mix")
    parser.add_argument("--report", type=Path, help="also write the report as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, configurations)")
    args = parser.parse_args()
    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so every process started here is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    work = Path(tempfile.mkdtemp(prefix="gateway-soak-"))
    started: list = []
    try:
        pki = make_pki(work / "pki")
        certificates = {"original": pki.ca_leaf, "rotated": issue_leaf(pki, "rotated"),
                        "untrusted": pki.self_signed}
        steady = SoakNginx(work / "nginx-steady", tls=certificates["original"])
        flaky = SoakNginx(work / "nginx-flaky")
        python = PythonUpstream(work)
        for upstream in (steady, flaky, python):
            upstream.start()
            started.append(upstream)

        connectors = [
            {"name": "steady", "kind": "http", "executor_url": f"http://{LOOPBACK}:{steady.plain}"},
            {"name": "rotating", "kind": "http", "executor_url": f"https://{LOOPBACK}:{steady.tls}",
             "tls_server_name": SERVER_NAME, "ca_file": str(pki.ca)},
            {"name": "flaky", "kind": "http", "executor_url": f"http://{LOOPBACK}:{flaky.plain}"},
            {"name": "python", "kind": "http", "executor_url": f"http://{LOOPBACK}:{python.port}",
             "limits": {"first_byte_timeout": FIRST_BYTE_TIMEOUT}},
        ]
        settings = {"access_log": False, "health": {"interval": "1h"}}
        gateway = start_gateway(work, inventory(connectors, **settings))
        started.append(gateway)
        pid = gateway.pid

        warmup = Load(gateway.port, args.workers, seed=args.seed + 7919)
        warmup.start()
        time.sleep(args.warmup)
        warmup.stop()
        warm_bad = [r for r in warmup.results if r.outcome != r.call.outcome]
        fd_before, rss_before = settle(pid)

        faults = Faults()
        reloads = Reloads(gateway, connectors, settings)
        load = Load(gateway.port, args.workers, seed=args.seed)
        began = time.monotonic()
        schedule = FaultSchedule(began + args.duration, flaky, steady, python, certificates, reloads, faults)
        load.start()
        schedule.start()
        # Samples every 5 s under load: a leak shows as a climb, not just as the end value.
        samples: list[tuple[float, int, int]] = []
        while (remaining := began + args.duration - time.monotonic()) > 0:
            time.sleep(min(5.0, remaining))
            samples.append((round(time.monotonic() - began, 1), descriptors(pid), rss(pid)))
        load.stop()
        elapsed = time.monotonic() - began
        schedule.join(60)
        if schedule.is_alive():
            raise RuntimeError("the fault schedule did not finish within 60 s of the end")
        if schedule.error:
            raise schedule.error
        fd_after, rss_after = settle(pid)
        alive = gateway.alive()
        final = Load._one(http.client.HTTPConnection(LOOPBACK, gateway.port, timeout=10),
                          Call("steady", "steady", "GET", "/executor/steady/blob/16k", expect=blob("16k")))[0] \
            if alive else None

        # -- verdict
        by_kind: Counter = Counter()
        by_call: dict[str, Counter] = defaultdict(Counter)
        for result in load.results:
            by_kind[result.outcome] += 1
            by_call[result.call.name][result.outcome] += 1
        violations = judge(load.results, faults, began)
        for result in warm_bad:
            violations.append(f"warm-up {result.call.name}: {result.outcome} ({result.detail})")
        if not alive:
            violations.append(f"the gateway exited (status {gateway.process.poll()})")
        elif final is None or final.outcome != "ok":
            violations.append(f"a request after the soak failed: {final and final.detail}")
        violations += reloads.problems
        if fd_after > fd_before + FD_MARGIN:
            violations.append(f"open descriptors {fd_before} -> {fd_after} (allowed +{FD_MARGIN})")
        rss_limit = rss_before * (1 + RSS_MARGIN_RATIO) + RSS_MARGIN_BYTES
        if rss_after > rss_limit:
            violations.append(f"resident memory {mib(rss_before)} -> {mib(rss_after)} (allowed up to {mib(rss_limit)})")

        report = {
            "duration_s": round(elapsed, 1), "workers": args.workers, "requests": len(load.results),
            "requests_per_s": round(len(load.results) / elapsed, 1),
            "outcomes": dict(sorted(by_kind.items())),
            "by_call": {name: dict(sorted(counts.items())) for name, counts in sorted(by_call.items())},
            "faults": dict(sorted(faults.counts.items())),
            "reloads": {"applied": reloads.applied, "refused": reloads.refused},
            "descriptors": {"before": fd_before, "after": fd_after},
            "rss_bytes": {"before": rss_before, "after": rss_after},
            "under_load": [{"t_s": t, "descriptors": fds, "rss_bytes": resident} for t, fds, resident in samples],
            "gateway_alive": alive, "violations": violations,
        }
        print_report(report, gateway)
        if args.report:
            args.report.write_text(json.dumps(report, indent=2) + "\n")
        return 1 if violations else 0
    finally:
        for part in reversed(started):
            part.stop()
        if args.keep:
            print(f"soak: work folder kept at {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def print_report(report: dict, gateway) -> None:
    print(f"soak: {report['requests']} requests in {report['duration_s']} s "
          f"({report['requests_per_s']}/s, {report['workers']} connections)")
    print("soak: outcomes: " + ", ".join(f"{kind} {count}" for kind, count in report["outcomes"].items()))
    for name, counts in report["by_call"].items():
        print(f"soak:   {name:<20} " + ", ".join(f"{kind} {count}" for kind, count in counts.items()))
    print("soak: faults: " + "; ".join(f"{what} x{count}" for what, count in report["faults"].items()))
    print(f"soak: reloads: {report['reloads']['applied']} applied, {report['reloads']['refused']} refused")
    fd, rss_bytes = report["descriptors"], report["rss_bytes"]
    print(f"soak: open descriptors {fd['before']} -> {fd['after']}; "
          f"resident memory {mib(rss_bytes['before'])} -> {mib(rss_bytes['after'])}")
    if report["under_load"]:
        resident = [sample["rss_bytes"] for sample in report["under_load"]]
        half = len(resident) // 2
        print(f"soak: under load (every 5 s): resident memory {mib(min(resident))} to {mib(max(resident))}, "
              f"first half peak {mib(max(resident[:half] or resident))}, second half peak {mib(max(resident[half:]))}; "
              f"open descriptors up to {max(sample['descriptors'] for sample in report['under_load'])}")
    if report["violations"]:
        print(f"soak: FAILED, {len(report['violations'])} violations (first 30):")
        for line in report["violations"][:30]:
            print(f"soak:   {line}")
        print("soak: gateway stderr (last 3000 characters):\n" + gateway.stderr()[-3000:])
    else:
        print("soak: passed: every failure was the documented one while its fault was active, "
              "no success was truncated, descriptors and memory back within the margin")


if __name__ == "__main__":
    sys.exit(main())
