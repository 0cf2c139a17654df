"""Issue 4, Langboard: `/executor/langboard/<path>` to the executor URL + path with `X-Api-Key`
injected and truthful `X-Real-IP`/`X-Forwarded-For` (or the configured egress address), against a
real nginx standing in for Langboard over TLS (private CA, SNI and Host langboard.internal), which
checks the key and the per-key IP allow-list exactly as Langboard does; and `/scim/langboard/<path>`
under `connector_mode: scim_projected` to Langboard's own SCIM provider with its static Bearer."""

from __future__ import annotations

import json
import socket
import ssl

import pytest

from harness.certs import SERVER_NAME
from harness.gateway import WORKER, WORKER_TOKEN
from harness.langboard_nginx import API_KEY, SCIM_BEARER, LangboardNginx
from harness.net import LOOPBACK, RawHTTP

EGRESS = "203.0.113.7"         # in the key's allow-list
EGRESS_NOT_ALLOWED = "198.51.100.9"
SPOOFED = [("X-Real-IP", "6.6.6.6"), ("X-Forwarded-For", "6.6.6.6, 7.7.7.7")]
ENV = {"E2E_LB_KEY": API_KEY, "E2E_LB_WRONG_KEY": "sk-e2e-not-the-key", "E2E_LB_SCIM": SCIM_BEARER}


@pytest.fixture(scope="module")
def langboard(tmp_path_factory, pki):
    server = LangboardNginx(prefix=tmp_path_factory.mktemp("langboard-nginx"), pki=pki)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(langboard, pki, module_gateways):
    def board(name: str, key: str = "env://E2E_LB_KEY", **extra) -> dict:
        return {"name": name, "kind": "langboard", "executor_url": langboard.url, "host_header": SERVER_NAME,
                "verify_tls": True, "ca_file": str(pki.ca), "tls_server_name": SERVER_NAME,
                "auth": {"api_key": key, **extra.pop("auth", {})}, **extra}

    return module_gateways([
        board("langboard"),
        board("langboard-wrong-key", key="env://E2E_LB_WRONG_KEY"),
        board("langboard-egress", forwarded_for="egress", egress_address=EGRESS),
        board("langboard-egress-other", forwarded_for="egress", egress_address=EGRESS_NOT_ALLOWED),
        board("langboard-scim", connector_mode="scim_projected", auth={"scim_token": "env://E2E_LB_SCIM"}),
    ], env=ENV)


def call(gateway, target: str, headers=(), method: str = "GET"):
    with RawHTTP(gateway.port) as conn:
        conn.request(method, target, [*WORKER.items(), *headers])
        return conn.read_response(method)


def echo(response) -> dict:
    assert response.status == 200, (response.status, response.body)
    return json.loads(response.body)


def direct(langboard, target: str, headers: list[tuple[str, str]]) -> tuple[int, bytes]:
    """A request straight to the stand-in (TLS with SNI langboard.internal, verified with the CA)."""
    context = ssl.create_default_context(cafile=str(langboard.pki.ca))
    with socket.create_connection((LOOPBACK, langboard.port), timeout=10) as raw_sock:
        with context.wrap_socket(raw_sock, server_hostname=SERVER_NAME) as tls:
            lines = [f"GET {target} HTTP/1.1", f"Host: {SERVER_NAME}", "Connection: close",
                     *(f"{k}: {v}" for k, v in headers)]
            tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def test_the_stand_in_enforces_key_and_allow_list_like_langboard(langboard):
    assert direct(langboard, "/api/projects", [("X-Real-IP", "127.0.0.1")])[0] == 401
    assert direct(langboard, "/api/projects", [("X-Api-Key", API_KEY), ("X-Real-IP", "6.6.6.6")])[0] == 403
    assert direct(langboard, "/api/projects", [("X-Api-Key", API_KEY), ("X-Real-IP", "127.0.0.1")])[0] == 200
    assert direct(langboard, "/health", [])[0] == 204


def test_key_injected_and_true_caller_address_forwarded(gateway):
    seen = echo(call(gateway, "/executor/langboard/api/board/projects?page=2&q=a%20b",
                     [*SPOOFED, ("X-Api-Key", "sk-caller-supplied")]))
    assert seen["where"] == "api"
    assert seen["x_api_key"] == API_KEY
    assert seen["x_real_ip"] == "127.0.0.1"
    assert seen["x_forwarded_for"] == "127.0.0.1"
    assert seen["request_uri"] == "/api/board/projects?page=2&q=a%20b"
    assert seen["host"] == SERVER_NAME
    assert seen["sni"] == SERVER_NAME
    assert seen["authorization"] == ""  # the caller's gateway token never leaves the gateway
    assert WORKER_TOKEN not in json.dumps(seen) and "sk-caller-supplied" not in json.dumps(seen)


def test_public_health_is_reached(gateway):
    assert call(gateway, "/executor/langboard/health").status == 204


def test_wrong_configured_key_gets_langboards_401_passed_through(gateway):
    response = call(gateway, "/executor/langboard-wrong-key/api/board/projects")
    assert response.status == 401
    assert json.loads(response.body) == {"detail": "Invalid API key"}  # Langboard's answer, not the gateway's
    assert "problem+json" not in (response.header("content-type") or "")


def test_egress_mode_sends_the_configured_address(gateway):
    seen = echo(call(gateway, "/executor/langboard-egress/api/board/projects", SPOOFED))
    assert seen["x_real_ip"] == EGRESS
    assert seen["x_forwarded_for"] == EGRESS
    assert seen["x_api_key"] == API_KEY


def test_egress_address_outside_the_keys_allow_list_is_refused_by_langboard(gateway):
    response = call(gateway, "/executor/langboard-egress-other/api/board/projects", SPOOFED)
    assert response.status == 403
    assert EGRESS_NOT_ALLOWED in json.loads(response.body)["detail"]


def test_scim_projected_reaches_langboards_scim_provider_with_its_bearer(gateway):
    target = "/scim/langboard-scim/Users?filter=userName%20eq%20%22ada%22&count=5"
    seen = echo(call(gateway, target, [("Accept", "application/scim+json")]))
    assert seen["where"] == "scim"
    assert seen["request_uri"] == "/scim/v2/Users?filter=userName%20eq%20%22ada%22&count=5"
    assert seen["authorization"] == f"Bearer {SCIM_BEARER}"
    assert seen["host"] == SERVER_NAME
    assert WORKER_TOKEN not in json.dumps(seen)
