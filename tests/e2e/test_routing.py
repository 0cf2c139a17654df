"""Acceptance 1 (Host routing through a real nginx vhost) and 7 (routes: unknown connector,
ui_only connector, /livez, /readyz, /metrics)."""

import re

import pytest
import requests

from harness.gateway import WORKER, nginx_connector

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def gateway(nginx, module_gateways):
    return module_gateways([
        nginx_connector(nginx, "routed"),                       # Host: langboard.internal
        {"name": "unrouted", "kind": "http", "executor_url": f"http://127.0.0.1:{nginx.http}"},
        {"name": "board-ui", "kind": "langboard", "connector_mode": "ui_only",
         "public_url": "https://langboard.example.com"},
    ])


def test_host_header_reaches_the_named_vhost(gateway):
    response = requests.get(gateway.executor("routed", "/hello"), headers=WORKER, timeout=10)
    assert response.status_code == 200
    assert response.text == "hello from langboard.internal\n"


def test_without_host_header_nginx_answers_421_and_it_is_passed_through(gateway, nginx):
    response = requests.get(gateway.executor("unrouted", "/hello"), headers=WORKER, timeout=10)
    assert response.status_code == 421
    # nginx's own answer (its default_server), not a gateway-made error
    assert response.text.startswith("misdirected: this server only answers langboard.internal")
    assert PROBLEM not in response.headers.get("content-type", "")


def test_same_vhost_echo_sees_the_configured_host(gateway):
    routed = requests.get(gateway.executor("routed", "/echo/x"), headers=WORKER, timeout=10)
    assert "host=langboard.internal\n" in routed.text


def test_unknown_connector_is_404_naming_the_known_ones(gateway):
    response = requests.get(gateway.executor("routd", "/hello"), headers=WORKER, timeout=10)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["type"].endswith("unknown-connector")
    assert problem["status"] == 404
    assert problem["connector"] == "routd"
    assert problem["request_id"] == response.headers["x-request-id"]
    for known in ("routed", "unrouted", "board-ui"):
        assert known in problem["detail"]
    assert "Did you mean 'routed'?" in problem["detail"]


def test_ui_only_connector_is_404_no_machine_route_saying_why(gateway):
    response = requests.get(gateway.executor("board-ui", "/api/projects"), headers=WORKER, timeout=10)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["type"] == "urn:fractalops:gateway:no-machine-route"
    assert problem["connector"] == "board-ui"
    assert "ui_only" in problem["detail"]
    assert "no machine route" in problem["detail"]


@pytest.mark.parametrize("path,body", [("/livez", {"status": "ok"}), ("/readyz", None)])
def test_liveness_and_readiness(gateway, path, body):
    response = requests.get(gateway.url(path), timeout=10)
    assert response.status_code == 200
    if body is not None:
        assert response.json() == body
    else:
        assert response.json()["status"] == "ready"


def test_metrics_count_requests_by_connector(gateway):
    before = _requests_total(gateway, "routed")
    for _ in range(3):
        assert requests.get(gateway.executor("routed", "/hello"), headers=WORKER, timeout=10).status_code == 200
    response = requests.get(gateway.url("/metrics"), timeout=10)
    assert response.status_code == 200
    assert "# TYPE gateway_requests_total counter" in response.text
    assert _requests_total(gateway, "routed") == before + 3


def _requests_total(gateway, connector: str) -> float:
    text = requests.get(gateway.url("/metrics"), timeout=10).text
    pattern = re.compile(
        r'^gateway_requests_total\{connector="' + re.escape(connector) + r'",method="GET",status_class="2xx"\} (\S+)$',
        re.M)
    match = pattern.search(text)
    return float(match.group(1)) if match else 0.0
