"""Acceptance 3: what the upstream sees. nginx echoes the request headers it received; a raw
upstream records the whole request head for what nginx's variables cannot show."""

import re

import pytest
import requests

from harness import upstreams
from harness.gateway import HTTP_CREDENTIAL, LANGBOARD_KEY, WORKER, WORKER_TOKEN, nginx_connector
from harness.net import RawHTTP
from harness.nginx import parse_echo

HOP_BY_HOP = [
    ("Connection", "keep-alive, X-Hop"),
    ("X-Hop", "1"),
    ("TE", "trailers"),
    ("Proxy-Authorization", "Basic eDp4"),
    ("Keep-Alive", "timeout=5"),
]
SPOOFED = [("X-Forwarded-For", "6.6.6.6"), ("X-Real-IP", "6.6.6.6"), ("Forwarded", "for=6.6.6.6")]


@pytest.fixture(scope="module")
def capture_upstream():
    with upstreams.TCPUpstream(upstreams.capture) as upstream:
        yield upstream


@pytest.fixture(scope="module")
def gateway(nginx, capture_upstream, module_gateways):
    return module_gateways([
        nginx_connector(nginx, "board", kind="langboard", auth={"api_key": "env://E2E_LANGBOARD_KEY"}),
        nginx_connector(nginx, "generic", auth={"credential": "env://E2E_HTTP_CREDENTIAL"}),
        {"name": "raw", "kind": "langboard", "executor_url": f"http://127.0.0.1:{capture_upstream.port}",
         "auth": {"api_key": "env://E2E_LANGBOARD_KEY"}},
    ])


def echo(gateway, connector, target="/echo/h", extra=()):
    """Sends a raw request (headers exactly as given) and parses nginx's echo."""
    with RawHTTP(gateway.port) as conn:
        conn.request("GET", f"/executor/{connector}{target}", [*WORKER.items(), *extra])
        response = conn.read_response()
    assert response.status == 200, response.body
    return response, parse_echo(response.body.decode())


def test_forwarding_headers_are_overwritten_with_the_true_peer(gateway):
    _, seen = echo(gateway, "board", extra=SPOOFED)
    assert seen["x_forwarded_for"] == "127.0.0.1"
    assert seen["x_real_ip"] == "127.0.0.1"
    assert "6.6.6.6" not in "".join(seen.values())


def test_langboard_key_is_injected_and_the_gateway_token_is_not_forwarded(gateway):
    response, seen = echo(gateway, "board", extra=[("X-Api-Key", "caller-supplied-key")])
    assert seen["x_api_key"] == LANGBOARD_KEY
    assert seen["authorization"] == ""
    assert WORKER_TOKEN not in response.body.decode()
    assert "caller-supplied-key" not in response.body.decode()


def test_http_kind_injects_a_bearer_credential_instead_of_the_callers(gateway):
    response, seen = echo(gateway, "generic")
    assert seen["authorization"] == f"Bearer {HTTP_CREDENTIAL}"
    assert WORKER_TOKEN not in response.body.decode()


def test_hop_by_hop_headers_do_not_reach_nginx(gateway):
    _, seen = echo(gateway, "board", extra=HOP_BY_HOP)
    assert seen["x_hop"] == ""
    assert seen["te"] == ""
    assert seen["keep_alive"] == ""
    assert seen["proxy_authorization"] == ""
    assert "x-hop" not in seen["connection"].lower()


def test_raw_upstream_head_has_no_hop_by_hop_no_spoof_no_caller_credential(gateway, capture_upstream):
    with RawHTTP(gateway.port) as conn:
        conn.request("GET", "/executor/raw/head?probe=1",
                     [*WORKER.items(), *HOP_BY_HOP, *SPOOFED, ("X-Api-Key", "caller-supplied-key"),
                      ("X-Custom", "kept")])
        response = conn.read_response()
    assert response.status == 200
    head = response.body.decode("latin-1")
    request_line, *lines = head.rstrip("\r\n").split("\r\n")
    assert request_line == "GET /head?probe=1 HTTP/1.1"
    names = [line.split(":", 1)[0].strip().lower() for line in lines]
    values = dict((line.split(":", 1)[0].strip().lower(), line.split(":", 1)[1].strip()) for line in lines)
    for name in ("x-hop", "te", "keep-alive", "proxy-authorization", "forwarded", "authorization"):
        assert name not in names, head
    assert "x-hop" not in values.get("connection", "").lower()
    assert names.count("x-api-key") == 1 and values["x-api-key"] == LANGBOARD_KEY
    assert names.count("x-forwarded-for") == 1 and values["x-forwarded-for"] == "127.0.0.1"
    assert names.count("x-real-ip") == 1 and values["x-real-ip"] == "127.0.0.1"
    assert values["x-custom"] == "kept"
    assert WORKER_TOKEN not in head and "6.6.6.6" not in head and "caller-supplied-key" not in head


def test_request_id_is_propagated_when_sent(gateway):
    response, seen = echo(gateway, "board", extra=[("X-Request-ID", "e2e-req-0001")])
    assert seen["x_request_id"] == "e2e-req-0001"
    assert response.header("x-request-id") == "e2e-req-0001"


def test_request_id_is_generated_when_not_sent(gateway):
    first, seen_first = echo(gateway, "board")
    second, seen_second = echo(gateway, "board")
    assert re.fullmatch(r"[0-9a-f]{32}", seen_first["x_request_id"])
    assert first.header("x-request-id") == seen_first["x_request_id"]
    assert second.header("x-request-id") == seen_second["x_request_id"]
    assert seen_first["x_request_id"] != seen_second["x_request_id"]


def test_traceparent_is_passed_through(gateway):
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    _, seen = echo(gateway, "board", extra=[("traceparent", traceparent)])
    assert seen["traceparent"] == traceparent


def test_raw_path_and_query_reach_nginx_byte_for_byte(gateway):
    raw = "/echo/a%20b/c:d?x=1+2&q=%22y%22"
    _, seen = echo(gateway, "board", target=raw)
    assert seen["request_uri"] == raw


def test_requests_library_sees_the_same(gateway):
    """The same through an ordinary client, which adds its own Connection/Accept headers."""
    response = requests.get(gateway.executor("generic", "/echo/lib"), timeout=10,
                            headers={**WORKER, "X-Forwarded-For": "6.6.6.6"})
    seen = parse_echo(response.text)
    assert seen["x_forwarded_for"] == "127.0.0.1"
    assert seen["authorization"] == f"Bearer {HTTP_CREDENTIAL}"
