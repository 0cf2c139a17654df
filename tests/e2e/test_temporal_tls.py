"""Issue 14, point 4 (`transport: tcp`): the Temporal TCP listener terminates TLS (`listen_tls`) and admits only a
client certificate of a principal allowed on `temporal`, then re-originates TLS to the frontend
with the connector's CA, TLS name and client certificate. The frontend is the real Temporal dev
server behind a TLS terminator that requires the gateway's client certificate. The `temporalio`
SDK, with TLS and a client certificate, runs a workflow through the listener; without a
certificate, or with one of a principal not allowed on `temporal`, the SDK reports the refusal."""

from __future__ import annotations

import asyncio
import signal
import socket
import ssl
import threading
import time

import pytest
import requests
from temporalio.client import Client, TLSConfig, WorkflowExecutionStatus

from harness.certs import issue_client, issue_leaf
from harness.gateway import inventory, nginx_connector, to_yaml, wait_for_health_report
from harness.net import LOOPBACK, free_port, wait_for_port
from harness.temporal_server import TemporalDevServer
from harness.tls_front import TLSFront
from test_temporal import run_workflow

GATEWAY_NAME = "gateway.internal"
FRONTEND_NAME = "temporal.internal"


@pytest.fixture(scope="module")
def certs(pki):
    return {
        "listener": issue_leaf(pki, "tcp-listener", dns=GATEWAY_NAME),
        "frontend": issue_leaf(pki, "tcp-frontend", dns=FRONTEND_NAME),
        "gateway-client": issue_client(pki, "tcp-gateway-client", cn="connector-gateway"),
        "worker": issue_client(pki, "tcp-worker", cn="worker-1", uri="spiffe://fractalops/worker/temporal-1"),
        "limited": issue_client(pki, "tcp-limited", cn="limited-1", uri="spiffe://fractalops/limited/1"),
    }


@pytest.fixture(scope="module")
def frontend(tmp_path_factory, pki, certs):
    server = TemporalDevServer(tmp_path_factory.mktemp("temporal-tls"))
    try:
        server.wait_ready()
        front = TLSFront(("127.0.0.1", server.port), str(certs["frontend"].cert), str(certs["frontend"].key), str(pki.ca))
    except Exception:
        server.stop()
        raise
    yield front
    front.stop()
    server.stop()


def start_listener(module_gateways, frontend, nginx, pki, certs, transport: str, extra_principals=()):
    """The Temporal connector with TLS on its listener (certificates of the test CA asked for)
    and TLS again to the frontend with the gateway's own client certificate."""
    port = free_port()
    gateway = module_gateways([
        {"name": "temporal", "kind": "temporal", "executor_address": frontend.address, "listen": f"{LOOPBACK}:{port}",
         "transport": transport, "tls": True, "ca_file": str(pki.ca), "tls_server_name": FRONTEND_NAME,
         "client_cert_file": str(certs["gateway-client"].cert), "client_key_file": str(certs["gateway-client"].key),
         "listen_tls": {"cert_file": str(certs["listener"].cert), "key_file": str(certs["listener"].key),
                        "client_ca_file": str(pki.ca)}},
        nginx_connector(nginx, "lb"),
    ], principals=[
        {"name": "worker", "connectors": ["temporal"], "certificate": {"uri_san": "spiffe://fractalops/worker/*"}},
        {"name": "limited", "connectors": ["lb"], "certificate": {"uri_san": "spiffe://fractalops/limited/*"}},
        *extra_principals,
    ], drain_timeout="1s", health={"cert_expiry_warning_days": 0})  # the session's certificates live 2 days
    wait_for_port(port, 15, alive=gateway.alive)
    return gateway, f"{LOOPBACK}:{port}"


@pytest.fixture(scope="module")
def listener(frontend, nginx, pki, certs, module_gateways):
    return start_listener(module_gateways, frontend, nginx, pki, certs, "tcp")


def tls(pki, client=None) -> TLSConfig:
    return TLSConfig(
        server_root_ca_cert=pki.ca.read_bytes(), domain=GATEWAY_NAME,
        client_cert=client.cert.read_bytes() if client else None,
        client_private_key=client.key.read_bytes() if client else None)


def test_the_sdk_with_a_client_certificate_runs_a_workflow_through_tls_terminated_and_reoriginated(
        listener, frontend, pki, certs):
    gateway, address = listener
    result, info = asyncio.run(run_workflow(address, "tls", tls=tls(pki, certs["worker"])))
    assert result == "Hello, tls! (from activity compose_greeting)"
    assert info["status"] == WorkflowExecutionStatus.COMPLETED
    # The frontend saw the gateway's client certificate, never the caller's.
    assert "connector-gateway" in frontend.client_subjects
    assert "worker-1" not in frontend.client_subjects
    assert "tcp connection admitted" in gateway.stderr() and "gateway.principal=worker" in gateway.stderr()


async def connect(address: str, config: TLSConfig) -> Client:
    return await asyncio.wait_for(Client.connect(address, namespace="default", tls=config), timeout=30)


def test_without_a_client_certificate_the_connection_is_refused_and_the_sdk_says_so(listener, pki):
    gateway, address = listener
    with pytest.raises(Exception) as refused:
        asyncio.run(connect(address, tls(pki)))
    assert not isinstance(refused.value, asyncio.TimeoutError), "the SDK hung instead of reporting the refusal"
    # TLS 1.3: the client's side of the handshake is done before the gateway refuses; its first
    # call meets the gateway's alert (CertificateRequired), or a broken pipe or a closed
    # connection when the close wins: the SDK's wording varies, its failure to connect does not.
    assert "Failed client connect" in str(refused.value)
    assert "tcp connection refused" in gateway.stderr() and "the TLS handshake failed" in gateway.stderr()


def test_a_certificate_of_a_principal_not_allowed_on_temporal_is_refused(listener, pki, certs):
    gateway, address = listener
    with pytest.raises(Exception) as refused:
        asyncio.run(connect(address, tls(pki, certs["limited"])))
    assert not isinstance(refused.value, asyncio.TimeoutError), "the SDK hung instead of reporting the refusal"
    assert "Failed client connect" in str(refused.value)
    assert "principal 'limited', which may not use connector 'temporal'" in gateway.stderr()


def test_the_grpc_health_probe_presents_the_connectors_client_certificate(listener, frontend):
    gateway, _ = listener
    wait_for_health_report(gateway)
    report = requests.get(gateway.url("/health/connectors/temporal"), timeout=5).json()
    assert report["state"] == "ok", report
    assert frontend.refused == 0  # every connection to the frontend carried the gateway's certificate


# -- the listener's pair on reload, against a raw echo upstream (plain TCP after termination)


class EchoServer:
    def __init__(self):
        self.listener = socket.create_server((LOOPBACK, 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    @staticmethod
    def _echo(conn):
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    def stop(self):
        self.listener.close()


def tls_echo(port: int, pki, payload: bytes):
    """Opens a TLS connection to the listener; returns (peer serial, the connection) after an echo."""
    context = ssl.create_default_context(cafile=str(pki.ca))
    conn = context.wrap_socket(socket.create_connection((LOOPBACK, port), timeout=10), server_hostname=GATEWAY_NAME)
    conn.sendall(payload)
    assert conn.recv(65536) == payload
    return conn.getpeercert()["serialNumber"], conn


def test_a_reload_gives_new_connections_the_new_pair_and_keeps_open_ones(start_gateway, pki):
    first = issue_leaf(pki, "tcp-reload-1", dns=GATEWAY_NAME)
    second = issue_leaf(pki, "tcp-reload-2", dns=GATEWAY_NAME)
    echo = EchoServer()
    port = free_port()

    def connectors(pair):
        return [{"name": "temporal", "kind": "temporal", "executor_address": f"{LOOPBACK}:{echo.port}",
                 "listen": f"{LOOPBACK}:{port}", "transport": "tcp",
                 "listen_tls": {"cert_file": str(pair.cert), "key_file": str(pair.key)}}]

    try:
        gateway = start_gateway(connectors(first), principals=[])
        wait_for_port(port, 15, alive=gateway.alive)
        serial_before, open_conn = tls_echo(port, pki, b"before")
        (gateway.directory / "connectors.yaml").write_text(to_yaml(inventory(connectors(second), principals=[])) + "\n")
        gateway.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "configuration reloaded" not in gateway.stderr():
            assert time.monotonic() < deadline, gateway.stderr()[-3000:]
            time.sleep(0.05)
        serial_after, new_conn = tls_echo(port, pki, b"after")
        assert serial_after != serial_before
        open_conn.sendall(b"still open")
        assert open_conn.recv(65536) == b"still open"
        open_conn.close()
        new_conn.close()
    finally:
        echo.stop()


# -- transport: grpc over TLS: the certificate or the token names the principal of every call


@pytest.fixture(scope="module")
def grpc_listener(frontend, nginx, pki, certs, module_gateways):
    return start_listener(module_gateways, frontend, nginx, pki, certs, "grpc", extra_principals=[
        {"name": "token-worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["temporal"]}])


def grpc_call_lines(gateway) -> list[str]:
    return [line for line in gateway.stderr().splitlines() if line.endswith("[GatewayCore] grpc call")]


def test_grpc_over_tls_a_client_certificate_is_the_principal_of_every_call(grpc_listener, frontend, pki, certs):
    gateway, address = grpc_listener
    result, info = asyncio.run(run_workflow(address, "grpc-tls", tls=tls(pki, certs["worker"])))
    assert result == "Hello, grpc-tls! (from activity compose_greeting)"
    assert info["status"] == WorkflowExecutionStatus.COMPLETED
    started = [line for line in grpc_call_lines(gateway) if "rpc.method=StartWorkflowExecution" in line]
    assert started and "gateway.principal=worker" in started[-1] and "gateway.auth=certificate" in started[-1]
    # re-originated with the gateway's own client certificate
    assert "worker-1" not in frontend.client_subjects


def test_grpc_over_tls_a_token_without_a_certificate_is_enough(grpc_listener, pki):
    from harness.gateway import WORKER_TOKEN
    gateway, address = grpc_listener
    result, _ = asyncio.run(run_workflow(address, "token", tls=tls(pki), api_key=WORKER_TOKEN))
    assert result == "Hello, token! (from activity compose_greeting)"
    assert any("gateway.principal=token-worker" in line and "gateway.auth=token" in line for line in grpc_call_lines(gateway))


def test_grpc_over_tls_refusals_are_grpc_statuses(grpc_listener, pki, certs):
    _, address = grpc_listener
    with pytest.raises(RuntimeError, match=r"PermissionDenied.*'limited' may not use connector 'temporal'"):
        asyncio.run(connect(address, tls(pki, certs["limited"])))
    with pytest.raises(RuntimeError, match=r"Unauthenticated"):
        asyncio.run(connect(address, tls(pki)))
