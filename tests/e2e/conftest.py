"""Session infrastructure of the end-to-end suites: certificates, one nginx, gateways.

Everything listens on 127.0.0.1, on ports picked at run time; every process started here is
stopped by its PID at teardown, also when a test fails."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness.certs import make_pki  # noqa: E402
from harness.gateway import GatewayLauncher, gateway_binary  # noqa: E402
from harness.nginx import Nginx  # noqa: E402


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    gateway_binary()  # fail early and clearly without a build
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def pki(workdir):
    return make_pki(workdir / "pki")


@pytest.fixture(scope="session")
def nginx(workdir, pki):
    server = Nginx(prefix=workdir / "nginx", pki=pki)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_gateways(tmp_path_factory):
    """Starts gateways shared by one test module: launcher(connectors, env=..., **gateway)."""
    launcher = GatewayLauncher(tmp_path_factory.mktemp("gw-module"))
    yield launcher
    launcher.stop_all()


@pytest.fixture
def start_gateway(tmp_path):
    """Starts a gateway for one test: start_gateway(connectors, env=..., **gateway) -> Gateway."""
    launcher = GatewayLauncher(tmp_path)
    yield launcher
    launcher.stop_all()

