"""deploy/lxc: the platform's LXC runtime layout (/opt/fractalops/releases/<id>, the `current`
symlink switched atomically, the shared env), installed into a temporary root; the systemd unit
verified by `systemd-analyze verify`, and its ExecStart line run: it serves, and SIGHUP (what
`systemctl reload` sends) reloads."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from harness.gateway import REPO, gateway_binary
from harness.net import free_port

INSTALL = REPO / "deploy/lxc/install.sh"


def install(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(INSTALL), "--root", str(root), "--no-systemctl", *args],
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def current(root: Path) -> str:
    return os.readlink(root / "opt/fractalops/current")


@pytest.fixture
def root(tmp_path):
    return tmp_path / "root"


def test_releases_switch_atomically_keep_the_shared_env_and_roll_back(root):
    install(root, "--binary", str(gateway_binary()), "--release", "r1")
    base = root / "opt/fractalops"
    assert current(root) == "releases/r1"
    assert os.access(base / "releases/r1/bin/gateway", os.X_OK)
    assert (base / "releases/r1/connectors.yaml").read_text() == (REPO / "connectors.yaml").read_text()
    assert (base / "releases/r1/examples/ca/internal-ca.pem").is_file(), "relative ca_file paths keep working"
    shared = base / "shared/.env"
    shared.write_text(shared.read_text() + "FRACTALOPS_GATEWAY_THREADS=1\n")

    install(root, "--binary", str(gateway_binary()), "--release", "r2")
    assert current(root) == "releases/r2"
    assert "FRACTALOPS_GATEWAY_THREADS=1" in shared.read_text(), "the shared env is never overwritten"
    assert not (base / "current.new").exists()

    install(root, "--rollback")
    assert current(root) == "releases/r1"
    oldest = install(root, "--rollback", check=False)
    assert oldest.returncode == 1 and "oldest release" in oldest.stderr
    assert current(root) == "releases/r1"


def test_a_release_whose_configuration_does_not_load_never_goes_live(root, tmp_path):
    install(root, "--binary", str(gateway_binary()), "--release", "good")
    broken = tmp_path / "broken.yaml"
    broken.write_text((REPO / "connectors.yaml").read_text().replace("kind: langboard", "kind: langbord"))
    result = install(root, "--binary", str(gateway_binary()), "--inventory", str(broken), "--release", "bad", check=False)
    assert result.returncode != 0
    assert "kind.unknown" in result.stdout + result.stderr
    assert current(root) == "releases/good"
    assert not (root / "opt/fractalops/releases/bad").exists(), "a refused release leaves nothing behind"


def test_the_unit_verifies_and_its_command_serves_and_reloads(root):
    install(root, "--binary", str(gateway_binary()), "--release", "r1")
    unit = root / "etc/systemd/system/fractalops-gateway.service"
    verify = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    text = unit.read_text()
    assert "ExecReload=/bin/kill -HUP $MAINPID" in text
    assert re.search(r"^TimeoutStopSec=45s$", text, re.M), "longer than the 30 s drain"

    # The unit's own command line, on the shared env (demo secrets, a free port).
    port = free_port()
    shared = root / "opt/fractalops/shared/.env"
    shared.write_text(shared.read_text() + (REPO / "examples/demo.env").read_text()
                      + f"FRACTALOPS_GATEWAY_LISTEN=127.0.0.1:{port}\n")
    command = shlex.split(re.search(r"^ExecStart=(.+)$", text, re.M).group(1))
    assert command[0] == str(root / "opt/fractalops/current/bin/gateway")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRACTALOPS_")}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert requests.get(f"http://127.0.0.1:{port}/livez", timeout=2).status_code == 200
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and process.poll() is None, "the unit's command did not serve"
                time.sleep(0.1)
        process.send_signal(signal.SIGHUP)  # systemctl reload
        deadline = time.monotonic() + 15
        while 'gateway_config_reloads_total{result="applied"} 1' not in requests.get(
                f"http://127.0.0.1:{port}/metrics", timeout=2).text:
            assert time.monotonic() < deadline, "SIGHUP did not reload"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=40)
