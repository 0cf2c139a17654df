"""Running a real nginx on a generated configuration under a private prefix: the shared start
(configuration checked with `nginx -t` first, readiness on its ports), fast stop, kill and
reload. The servers themselves (`nginx.py`, `langboard_nginx.py`, the soak's upstreams) only
write their `http { server ... }` blocks."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterable

from .net import wait_for_port


def main_context(prefix: Path, worker_connections: int = 256) -> str:
    """The top of every generated nginx.conf: one worker, files under `prefix`; the caller
    appends `http {{ {http_preamble(prefix)} ... }}`."""
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections {worker_connections}; }}
"""


def http_preamble(prefix: Path) -> str:
    return f"""
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
"""


class NginxProcess:
    """One nginx master (in its own process group, so kill() takes its worker too)."""

    def __init__(self, prefix: Path, what: str = "nginx"):
        self.prefix = prefix
        self.what = what
        self.process: subprocess.Popen | None = None

    @property
    def conf(self) -> Path:
        return self.prefix / "nginx.conf"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, config: str | None, ports: Iterable[int]) -> None:
        """Writes `config` (None: keep the one written before), checks it, starts nginx and waits
        for every port."""
        (self.prefix / "tmp").mkdir(parents=True, exist_ok=True)
        if config is not None:
            self.conf.write_text(config)
        base = ["nginx", "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.prefix / "error.log")]
        check = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the {self.what} configuration:\n{check.stderr}")
        self.process = subprocess.Popen(
            [*base, "-g", "daemon off;"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.prefix / "stderr.log", "ab"), start_new_session=True)
        try:
            for port in ports:
                wait_for_port(port, 15, alive=self.alive)
        except Exception:
            self.stop()
            raise RuntimeError(f"{self.what} did not start: " + self.error_log())

    def reload(self) -> None:
        """SIGHUP: nginx re-reads its configuration and certificates, starts new workers and lets
        the old ones finish what they serve."""
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)

    def kill(self) -> None:
        """SIGKILL to master and worker at once: connections die mid-flight."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            # The worker is gone with its group; give the kernel a moment to release the ports.
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM: nginx's fast shutdown (the master stops its worker)."""
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def error_log(self) -> str:
        text = ""
        for name in ("stderr.log", "error.log"):
            path = self.prefix / name
            if path.exists():
                text += path.read_text(errors="replace")
        return text
