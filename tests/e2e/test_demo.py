"""`scripts/demo` as a user runs it: started on free ports, its printed tour parsed and every
command in it run with `bash -c` and its output checked; every connector ok in the health report
and on /status in headless Chromium; then Ctrl-C (SIGINT to its process group, as a terminal
sends it) leaves no process of the demo running and every port it used free. A second run
without the Temporal dev server shows that connector unconfigured with its reason, and a port
already taken stops the demo before it starts anything."""

from __future__ import annotations

import json
import os
import random
import re
import select
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from harness.gateway import REPO, gateway_binary
from harness.net import LOOPBACK
from harness.status_page import StatusDOM, chromium

#: The gateway on the port base, the stand-ins and the Temporal listener and frontend after it.
PORTS = 9
DEMO_ENV = dict(line.split("=", 1) for line in (REPO / "examples/demo.env").read_text().splitlines()
                if line and not line.startswith("#"))
WORKER_TOKEN = DEMO_ENV["FRACTALOPS_GATEWAY_WORKER_TOKEN"]
CONNECTORS = {"langboard", "nexus", "daytona", "cliproxy", "temporal", "status-page"}
USER_ID = "2819c223-7f76-453a-919d-413861904646"


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
            return True
        except OSError:
            return False


def free_port_base(count: int = PORTS) -> int:
    """A base with `count` free ports after it, below the kernel's ephemeral range (so no client
    socket of another suite lands there meanwhile)."""
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(20000, 32000 - count)
        if all(port_free(base + offset) for offset in range(count)):
            return base
    raise RuntimeError("no run of free ports found")


# -- the process tree and its listening sockets, from /proc


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time) of a running process; None when gone (or a zombie)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return (None if fields[0] == "Z" else (int(fields[1]), fields[19]))


def descendants(root: int) -> dict[int, str]:
    """pid -> start time of every process below `root`."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            parents[int(entry.name)] = stat
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, started) in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = started
                frontier.append(pid)
    return found


def listening_ports(pids) -> set[int]:
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


# -- the demo


@dataclass
class Tour:
    commands: list[tuple[str, str]]  # (comment, command)
    temporal: str | None
    status_url: str
    text: str


@dataclass
class Demo:
    process: subprocess.Popen
    base: int
    stderr_path: Path
    output: str = ""
    tour: Tour | None = field(default=None)

    @classmethod
    def start(cls, directory: Path, *args: str) -> "Demo":
        base = free_port_base()
        stderr_path = directory / "demo.stderr"
        env = {name: value for name, value in os.environ.items() if not name.startswith("FRACTALOPS_")}
        env["GATEWAY_BIN"] = str(gateway_binary())
        process = subprocess.Popen(
            ["bash", "scripts/demo", "--port-base", str(base), *args], cwd=REPO, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=open(stderr_path, "wb"),
            start_new_session=True)  # its own group, like a shell's foreground job
        return cls(process, base, stderr_path)

    @property
    def gateway(self) -> str:
        return f"http://{LOOPBACK}:{self.base}"

    def read_until(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while not (match := re.search(pattern, self.output, re.M)):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"the demo never printed {pattern!r}:\n{self.output}\n{self.stderr()}"
            if select.select([self.process.stdout], [], [], min(remaining, 0.5))[0]:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                assert chunk, f"the demo ended before {pattern!r}:\n{self.output}\n{self.stderr()}"
                self.output += chunk.decode()
        return match

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def read_tour(self, timeout: float = 120) -> Tour:
        self.read_until(r"^Stop: .*$", timeout)
        lines = self.output.splitlines()
        commands = [(lines[index - 1], line) for index, line in enumerate(lines) if line.startswith("curl ")]
        temporal = next((line for line in lines if re.match(r"^\S*temporal workflow start ", line)), None)
        status = re.search(r"^Status page.*: (http://\S+/status)$", self.output, re.M)
        assert status, self.output
        self.tour = Tour(commands, temporal, status.group(1), self.output)
        return self.tour

    def interrupt(self, timeout: float = 60) -> str:
        """Ctrl-C: SIGINT to the demo's process group; returns what it printed until it exited."""
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=timeout)
        self.output += self.process.stdout.read().decode()
        self.process.stdout.close()
        return self.output

    def kill(self) -> None:
        """Teardown after a failed test: the demo stops its children on SIGTERM too."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if not self.process.stdout.closed:
            self.process.stdout.close()


def run_line(command: str, timeout: float = 30) -> str:
    """One tour line, pasted into a shell."""
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=timeout,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{command}\nexit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def lower_keys(headers: dict) -> dict:
    return {name.lower(): value for name, value in headers.items()}


def status_cards(url: str, profile: Path) -> StatusDOM:
    dumped = chromium("--dump-dom", url, user_data=profile)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = StatusDOM()
    dom.feed(dumped.stdout)
    return dom


def assert_stops_cleanly(demo: Demo) -> None:
    """SIGINT as a terminal sends it: the demo exits 0, no process it started remains, and every
    port it or its children listened on is free."""
    children = descendants(demo.process.pid)
    names = {command_name(pid) for pid in children}
    assert "gateway" in names and any(name.startswith("python") for name in names), names
    ports = listening_ports([demo.process.pid, *children])
    planned = {demo.base + offset for offset in range(PORTS)}
    assert ports, "the demo's processes listen on nothing"

    output = demo.interrupt()
    assert demo.process.returncode == 0, f"{output}\n{demo.stderr()}"
    assert "demo: stopped; nothing the demo started is running or listening." in output
    alive = {pid: command_name(pid) for pid, started in children.items() if (_stat(pid) or (0, ""))[1] == started}
    assert not alive, f"still running after Ctrl-C: {alive}"
    busy = sorted(port for port in ports | planned if not port_free(port))
    assert not busy, f"still in use after Ctrl-C: {busy}"


# -- the demo with every upstream, Temporal included


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    started = Demo.start(tmp_path_factory.mktemp("demo"))
    try:
        started.read_tour()
        yield started
    finally:
        started.kill()


def command(demo: Demo, number: int) -> tuple[str, str]:
    comment, line = demo.tour.commands[number - 1]
    assert comment.startswith(f"# {number}. "), comment
    return comment, line


def test_the_tour_is_five_commented_curl_lines_a_status_url_and_how_to_stop(demo):
    tour = demo.tour
    assert len(tour.commands) == 5, tour.text
    for number, (comment, line) in enumerate(tour.commands, start=1):
        assert comment.startswith(f"# {number}. ") and len(comment) > 20, comment
        assert f"{demo.gateway}/" in line
    assert tour.status_url == f"{demo.gateway}/status"
    assert "Stop: Ctrl-C" in tour.text
    assert "Health: 6 ok (6 connectors)." in tour.text
    assert tour.temporal, "the Temporal CLI of .venv-e2e was not used"


def test_1_credential_injected_and_caller_token_dropped(demo):
    comment, line = command(demo, 1)
    assert "X-Api-Key" in comment and WORKER_TOKEN in line
    output = run_line(line)
    echo = json.loads(output)
    headers = lower_keys(echo["headers"])
    assert echo["stand_in"] == "langboard"
    assert headers["x-api-key"] == DEMO_ENV["FRACTALOPS_DEMO_LANGBOARD_API_KEY"]
    assert "authorization" not in headers
    assert WORKER_TOKEN not in output
    assert headers["host"] == "langboard.internal"
    assert headers["x-forwarded-for"] == LOOPBACK


def test_2_host_set_from_the_inventory(demo):
    comment, line = command(demo, 2)
    assert "Host: status.internal" in comment
    echo = json.loads(run_line(line))
    headers = lower_keys(echo["headers"])
    assert echo["stand_in"] == "status-page"
    assert headers["host"] == "status.internal"
    assert echo["path"] == "/api/incidents"
    assert headers["x-status-token"] == DEMO_ENV["FRACTALOPS_DEMO_STATUS_PAGE_TOKEN"]
    assert "authorization" not in headers


def test_3_scim_urls_rewritten_to_the_gateways(demo):
    comment, line = command(demo, 3)
    upstream = re.search(r"not the stand-in's (https://\S+)", comment).group(1)
    assert upstream.endswith("/scim/v2")
    output = run_line(line)
    user = json.loads(output)
    assert user["id"] == USER_ID
    assert user["meta"]["location"] == f"{demo.gateway}/scim/nexus/Users/{USER_ID}"
    assert user["groups"][0]["$ref"].startswith(f"{demo.gateway}/scim/nexus/Groups/")
    assert upstream not in output and f":{demo.base + 2}" not in output


def test_4_sse_arrives_chunk_by_chunk(demo):
    comment, line = command(demo, 4)
    assert "SSE" in comment
    process = subprocess.Popen(["bash", "-c", line], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    arrivals: list[tuple[float, str]] = []
    pending = b""
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not select.select([process.stdout], [], [], 1)[0]:
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            while b"\n" in pending:
                raw, pending = pending.split(b"\n", 1)
                if raw.startswith(b"data: "):
                    arrivals.append((time.monotonic(), raw[6:].decode()))
    finally:
        process.kill()
        process.wait()
    assert arrivals and arrivals[-1][1] == "[DONE]", arrivals
    events = [json.loads(data) for _, data in arrivals[:-1]]
    assert len(events) >= 3
    assert "".join(event["choices"][0]["delta"]["content"] for event in events) == "Hello from the CLIProxy stand-in"
    # Streamed, not buffered: the first event was there long before the end (0.4 s per chunk).
    assert arrivals[-1][0] - arrivals[0][0] > 1.2, [round(at - arrivals[0][0], 2) for at, _ in arrivals]
    assert len({round(at, 1) for at, _ in arrivals}) >= 4


def test_5_a_principal_without_the_connector_gets_403_problem_json(demo):
    comment, line = command(demo, 5)
    assert "403" in comment
    output = run_line(line)
    head, _, body = output.replace("\r\n", "\n").partition("\n\n")
    assert head.startswith("HTTP/1.1 403"), output
    assert re.search(r"^content-type: application/problem\+json", head, re.M | re.I), head
    problem = json.loads(body)
    assert problem["status"] == 403 and problem["type"] == "urn:fractalops:gateway:forbidden"
    assert problem["connector"] == "daytona"


def test_temporal_workflow_starts_through_the_gateway_listener(demo):
    assert f"--address {LOOPBACK}:{demo.base + 7} " in demo.tour.temporal
    output = run_line(demo.tour.temporal, timeout=60)
    assert "Running execution" in output and "demo-tour" in output, output


def test_every_connector_is_ok_in_the_report_and_in_a_real_browser(demo, tmp_path):
    report = requests.get(f"{demo.gateway}/health/connectors", timeout=5).json()
    states = {connector["name"]: (connector["state"], connector["reason"]) for connector in report["connectors"]}
    assert set(states) == CONNECTORS
    assert all(state == "ok" for state, _ in states.values()), states
    dom = status_cards(demo.tour.status_url, tmp_path / "profile")
    assert set(dom.cards) == CONNECTORS
    for name, card in dom.cards.items():
        assert (card["name"].strip(), card["badge"].strip(), card["attr_state"]) == (name, "ok", "ok"), card
        assert card["reason"].strip()
    # The platform's canonical selector on every card (connectors.yaml's runtime_asset).
    assert dom.cards["langboard"]["runtime_asset"].strip() == "langboard-api (executor)"


def test_ctrl_c_stops_every_process_and_frees_every_port(demo):
    """Last in the module: it ends the shared demo."""
    assert_stops_cleanly(demo)


# -- without Temporal; with a port taken


def test_without_temporal_the_connector_is_unconfigured_with_its_reason(tmp_path):
    demo = Demo.start(tmp_path, "--no-temporal")
    try:
        tour = demo.read_tour(timeout=60)
        assert re.search(r"^demo: Temporal skipped: .+; the temporal connector is disabled", tour.text, re.M)
        assert tour.temporal is None and len(tour.commands) == 5
        assert "Health: 5 ok, 1 unconfigured (6 connectors)." in tour.text
        dom = status_cards(tour.status_url, tmp_path / "profile")
        assert set(dom.cards) == CONNECTORS
        temporal = dom.cards.pop("temporal")
        assert (temporal["badge"].strip(), temporal["attr_state"]) == ("unconfigured", "unconfigured")
        assert "disabled" in temporal["reason"], temporal
        assert "FRACTALOPS_TEMPORAL_ENABLED from" in temporal["reason"], "the reason names where enabled: false came from"
        assert {card["badge"].strip() for card in dom.cards.values()} == {"ok"}
        assert port_free(demo.base + 7)  # a disabled connector's listener is not bound
        assert_stops_cleanly(demo)
    finally:
        demo.kill()


def test_a_port_in_use_stops_the_demo_before_it_starts_anything(tmp_path):
    base = free_port_base()
    with socket.socket() as taken:
        taken.bind((LOOPBACK, base + 3))
        taken.listen()
        env = {name: value for name, value in os.environ.items() if not name.startswith("FRACTALOPS_")}
        env["GATEWAY_BIN"] = str(gateway_binary())
        result = subprocess.run(["bash", "scripts/demo", "--port-base", str(base), "--no-temporal"], cwd=REPO,
                                env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"port {base + 3} (daytona) is in use" in result.stderr
    assert "--port-base" in result.stderr
    assert all(port_free(base + offset) for offset in range(PORTS) if offset != 3)
