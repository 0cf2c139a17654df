"""Starting the built gateway on a generated inventory and env file, and reading what it logs."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[3]

WORKER_TOKEN = "e2e-worker-token-7d1f3a"
LIMITED_TOKEN = "e2e-limited-token-41c9b2"
LANGBOARD_KEY = "sk-e2e-langboard-key-93ab"
HTTP_CREDENTIAL = "e2e-http-credential-5e2c"

ENV = {
    "E2E_WORKER_TOKEN": WORKER_TOKEN,
    "E2E_LIMITED_TOKEN": LIMITED_TOKEN,
    "E2E_LANGBOARD_KEY": LANGBOARD_KEY,
    "E2E_HTTP_CREDENTIAL": HTTP_CREDENTIAL,
}

WORKER = {"Authorization": f"Bearer {WORKER_TOKEN}"}
LIMITED = {"Authorization": f"Bearer {LIMITED_TOKEN}"}

_serial = count(1)


def gateway_binary() -> Path:
    path = Path(os.environ.get("GATEWAY_BIN") or REPO / ".build/debug/gateway")
    if not path.is_file():
        raise RuntimeError(f"gateway binary {path} not found: run `swift build` first (or set GATEWAY_BIN)")
    return path


# -- inventory


def to_yaml(value, indent: int = 0) -> str:
    """A small block-style YAML emitter: strings are double-quoted (JSON strings are YAML
    strings), booleans and integers are plain."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:\n{to_yaml(item, indent + 2)}")
            else:
                lines.append(f"{pad}{key}: {to_yaml(item)}")
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]"
        lines = []
        for item in value:
            if isinstance(item, dict) and item:
                body = to_yaml(item, indent + 2)
                lines.append(f"{pad}- {body[indent + 2:]}")
            else:
                lines.append(f"{pad}- {to_yaml(item)}")
        return "\n".join(lines)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def inventory(connectors: list[dict], principals: list[dict] | None = None, **gateway) -> dict:
    """An inventory with the e2e principals: `worker` may use every connector, `limited` only
    the first one listed (unless `principals` is given)."""
    if principals is None:
        principals = [
            {"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["*"]},
            {"name": "limited", "token": "env://E2E_LIMITED_TOKEN", "connectors": [connectors[0]["name"]]},
        ]
    # One event loop, so that a connector's `max_connections` is one pool's (the default is one
    # loop per core, each with its own pool).
    settings = {"listen": "127.0.0.1:0", "drain_timeout": "10s", "access_log": True, "threads": 1, **gateway}
    settings["principals"] = principals
    return {"gateway": settings, "connector_inventory": connectors}


# -- the process


ACCESS_RE = re.compile(r"^\S+ info gateway: (?P<meta>.*) \[GatewayCore\] access$")


def parse_access_line(line: str) -> dict[str, str] | None:
    match = ACCESS_RE.match(line.rstrip("\n"))
    if not match:
        return None
    fields = {}
    for token in match.group("meta").split(" "):
        name, sep, value = token.partition("=")
        if sep:
            fields[name] = value
    return fields


@dataclass
class Gateway:
    process: subprocess.Popen
    port: int
    directory: Path
    stderr_path: Path
    host: str = "127.0.0.1"
    stopped: bool = field(default=False)
    stdout_seen: bytes = field(default=b"")

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.address}{path}"

    def executor(self, connector: str, path: str = "/") -> str:
        return self.url(f"/executor/{connector}{path}")

    def wait_stdout(self, pattern: bytes, timeout: float = 10.0) -> re.Match:
        """Reads stdout until `pattern` (a regex) matches what was printed since the start
        line, e.g. the `listening on` line of a listener a reload moved."""
        deadline = time.monotonic() + timeout
        while not (match := re.search(pattern, self.stdout_seen)):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"stdout never matched {pattern!r}: {self.stdout_seen!r}\n{self.stderr()[-3000:]}")
            ready, _, _ = select.select([self.process.stdout], [], [], min(remaining, 0.5))
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    raise AssertionError(f"stdout closed before {pattern!r}: {self.stdout_seen!r}")
                self.stdout_seen += chunk
        return match

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def access_lines(self) -> list[dict[str, str]]:
        return [fields for line in self.stderr().splitlines() if (fields := parse_access_line(line))]

    def wait_access(self, request_id: str, timeout: float = 5.0) -> dict[str, str]:
        """The access line of `request_id` (it is written when the response ends)."""
        deadline = time.monotonic() + timeout
        while True:
            for fields in self.access_lines():
                if fields.get("gateway.request_id") == request_id:
                    return fields
            if time.monotonic() > deadline:
                raise AssertionError(f"no access line for request id {request_id} in:\n{self.stderr()[-4000:]}")
            time.sleep(0.02)

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")

    def alive(self) -> bool:
        return self.process.poll() is None

    def terminate(self) -> None:
        """SIGTERM (graceful drain); the caller waits for the exit."""
        self.process.send_signal(signal.SIGTERM)

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout:
            self.process.stdout.close()
        self.stopped = True
        return self.process.returncode


def start_gateway(base: Path, config: dict, env: dict[str, str] | None = None, timeout: float = 30,
                  args: list[str] | None = None, override_listen: bool = True) -> Gateway:
    """`args` are extra `gateway serve` arguments (e.g. ["--log-format", "json"]). With
    `override_listen` false the inventory's `gateway.listen` is used (not `--listen`), so a
    reload can move it."""
    directory = base / f"gateway-{next(_serial)}"
    directory.mkdir(parents=True)
    inventory_path = directory / "connectors.yaml"
    inventory_path.write_text(to_yaml(config) + "\n")
    env_path = directory / "gateway.env"
    env_path.write_text("".join(f"{name}={value}\n" for name, value in {**ENV, **(env or {})}.items()))
    stderr_path = directory / "stderr.log"
    # The process environment wins over env files: keep the caller's FRACTALOPS_* out of it.
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("FRACTALOPS_")}
    process = subprocess.Popen(
        [str(gateway_binary()), "serve", "--inventory", str(inventory_path), "--env-file", str(env_path),
         *(["--listen", "127.0.0.1:0"] if override_listen else []), *(args or [])],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=open(stderr_path, "wb"), env=child_env)
    # Readiness: the `listening on` line on stdout, bounded.
    deadline = time.monotonic() + timeout
    output = b""
    while b"\n" not in output:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or process.poll() is not None:
            break
        ready, _, _ = select.select([process.stdout], [], [], min(remaining, 0.5))
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            output += chunk
    match = re.search(rb"gateway: listening on 127\.0\.0\.1:(\d+)\n", output)
    if not match:
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError(
            f"the gateway did not become ready (exit {process.returncode}); stdout: {output!r}\n"
            f"stderr:\n{stderr_path.read_text(errors='replace')}\ninventory:\n{inventory_path.read_text()}")
    return Gateway(process=process, port=int(match.group(1)), directory=directory, stderr_path=stderr_path,
                   stdout_seen=output[match.end():])


class GatewayLauncher:
    """Starts gateways under one folder and stops every one it started."""

    def __init__(self, base: Path):
        self.base = base
        self.started: list[Gateway] = []

    def __call__(self, connectors: list[dict], env: dict[str, str] | None = None,
                 args: list[str] | None = None, override_listen: bool = True, **kwargs) -> Gateway:
        config = inventory(connectors, **kwargs)
        gateway = start_gateway(self.base, config, env, args=args, override_listen=override_listen)
        self.started.append(gateway)
        return gateway

    def stop_all(self) -> None:
        for gateway in self.started:
            gateway.stop()


def nginx_connector(nginx, name: str, **extra) -> dict:
    """A connector (kind http unless `extra` says otherwise) reaching nginx's langboard.internal
    vhost over plain HTTP."""
    return {"name": name, "kind": "http", "executor_url": f"http://127.0.0.1:{nginx.http}",
            "host_header": "langboard.internal", **extra}


def run_health_command(directory: Path, connectors: list[dict], env: dict | None = None, args: list[str] = (),
                       **gateway) -> subprocess.CompletedProcess:
    """`gateway health` on a generated inventory and env file, as an operator runs it."""
    directory.mkdir(parents=True, exist_ok=True)
    inventory_path = directory / "connectors.yaml"
    inventory_path.write_text(to_yaml(inventory(connectors, **gateway)) + "\n")
    env_path = directory / "gateway.env"
    env_path.write_text("".join(f"{name}={value}\n" for name, value in {**ENV, **(env or {})}.items()))
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("FRACTALOPS_")}
    return subprocess.run(
        [str(gateway_binary()), "health", "--inventory", str(inventory_path), "--env-file", str(env_path), *args],
        capture_output=True, text=True, timeout=60, env=child_env, stdin=subprocess.DEVNULL)


def wait_for_health_report(gateway, seconds: float = 15):
    """Waits (bounded) until the gateway's first round of health checks is done; returns it."""
    deadline = time.monotonic() + seconds
    while True:
        answer = requests.get(gateway.url("/health/connectors"), timeout=5)
        if answer.status_code == 200:
            return gateway
        assert answer.status_code == 503 and answer.json()["status"] == "pending", answer.text
        assert time.monotonic() < deadline, f"no health report within {seconds} s"
        time.sleep(0.05)

