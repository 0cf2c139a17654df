"""Acceptance 6: inbound principals (401, 403), the access/audit line of each request, and a
graceful SIGTERM that lets a slow request in flight finish."""

import threading
import time

import pytest
import requests

from harness import upstreams
from harness.gateway import LIMITED, WORKER, WORKER_TOKEN, nginx_connector
from harness.net import wait_until

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def gateway(nginx, module_gateways):
    # `limited` may use only the first connector
    return module_gateways([nginx_connector(nginx, "open", runtime_asset={"id": "open-api", "role": "executor"}),
                            nginx_connector(nginx, "restricted")])


def assert_problem(response, status, kind, connector):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["type"] == f"urn:fractalops:gateway:{kind}"
    assert problem["status"] == status
    assert problem["connector"] == connector
    assert problem["request_id"] == response.headers["x-request-id"]
    return problem


def test_no_token_is_401_with_www_authenticate(gateway):
    response = requests.get(gateway.executor("open", "/hello"), timeout=10)
    assert_problem(response, 401, "unauthenticated", "open")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("authorization", [
    "Bearer not-the-token", f"Bearer {WORKER_TOKEN}x", f"Bearer {WORKER_TOKEN[:-1]}", f"Basic {WORKER_TOKEN}",
    WORKER_TOKEN,
])
def test_wrong_token_is_401(gateway, authorization):
    response = requests.get(gateway.executor("open", "/hello"), headers={"Authorization": authorization}, timeout=10)
    assert_problem(response, 401, "unauthenticated", "open")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_principal_not_allowed_on_the_connector_is_403(gateway):
    assert requests.get(gateway.executor("open", "/hello"), headers=LIMITED, timeout=10).status_code == 200
    response = requests.get(gateway.executor("restricted", "/hello"), headers=LIMITED, timeout=10)
    problem = assert_problem(response, 403, "forbidden", "restricted")
    assert "'limited'" in problem["detail"] and "'restricted'" in problem["detail"]
    assert requests.get(gateway.executor("restricted", "/hello"), headers=WORKER, timeout=10).status_code == 200


def test_access_line_has_principal_connector_method_redacted_path_status_bytes_and_request_id(gateway, nginx):
    body = bytes(range(256)) * 4 + b"p" * 210  # 1234 bytes
    name = f"audit-{time.monotonic_ns()}.bin"
    # nginx's WebDAV PUT reads the whole body before it answers, so every byte crosses
    put = requests.put(gateway.executor("open", f"/dav/{name}?key=sk-live-secret&page=2"),
                       data=body, headers={**WORKER, "X-Request-ID": "e2e-audit-put"}, timeout=10)
    assert put.status_code == 201
    got = requests.get(gateway.executor("open", f"/dav/{name}?token=t0k&x=1"),
                       headers={**WORKER, "X-Request-ID": "e2e-audit-get"}, timeout=10)
    assert got.status_code == 200 and got.content == body

    line = gateway.wait_access("e2e-audit-put")
    assert line["gateway.principal"] == "worker"
    assert line["gateway.connector"] == "open"
    assert line["http.method"] == "PUT"
    assert line["http.target"] == f"/executor/open/dav/{name}?key=REDACTED&page=2"
    assert line["http.status"] == "201"
    assert line["gateway.bytes_in"] == "1234"
    assert line["gateway.bytes_out"] == str(len(put.content))
    assert line["gateway.peer"] == "127.0.0.1"
    assert line["gateway.runtime_asset.id"] == "open-api" and line["gateway.runtime_asset.role"] == "executor"

    line = gateway.wait_access("e2e-audit-get")
    assert line["gateway.principal"] == "worker"
    assert line["http.method"] == "GET"
    assert line["http.target"] == f"/executor/open/dav/{name}?token=REDACTED&x=1"
    assert line["http.status"] == "200"
    assert line["gateway.bytes_in"] == "0"
    assert line["gateway.bytes_out"] == "1234"

    stderr = gateway.stderr()
    assert "sk-live-secret" not in stderr and "t0k" not in stderr
    assert WORKER_TOKEN not in stderr
    (nginx.dav_root / "dav" / name).unlink(missing_ok=True)


def test_refused_callers_are_in_the_access_log(gateway):
    response = requests.get(gateway.executor("restricted", "/hello"),
                            headers={**LIMITED, "X-Request-ID": "e2e-audit-403"}, timeout=10)
    assert response.status_code == 403
    line = gateway.wait_access("e2e-audit-403")
    assert line["gateway.principal"] == "limited"
    assert line["gateway.connector"] == "restricted"
    assert line["http.status"] == "403"

    response = requests.get(gateway.executor("open", "/hello"), headers={"X-Request-ID": "e2e-audit-401"}, timeout=10)
    assert response.status_code == 401
    line = gateway.wait_access("e2e-audit-401")
    assert line["gateway.principal"] == "-"
    assert line["http.status"] == "401"


def test_sigterm_lets_a_slow_request_finish_and_exits_0(start_gateway):
    with upstreams.TCPUpstream(upstreams.slow_answer(1.5)) as slow:
        gateway = start_gateway([{"name": "slow", "kind": "http", "executor_url": f"http://127.0.0.1:{slow.port}"}])
        result = {}

        def call():
            try:
                response = requests.get(gateway.executor("slow", "/report"), headers=WORKER, timeout=20)
                result["status"], result["body"] = response.status_code, response.text
            except Exception as error:  # reported below
                result["error"] = error

        client = threading.Thread(target=call, daemon=True)
        client.start()
        assert wait_until(lambda: "request" in slow.record.events, 10), "the request never reached the upstream"
        terminated = time.monotonic()
        gateway.terminate()
        client.join(20)
        assert not client.is_alive()
        assert result.get("status") == 200, result
        assert result["body"] == "slow answer\n"
        assert slow.record.events["answered"] > terminated  # it really was in flight at SIGTERM
        assert gateway.process.wait(timeout=15) == 0
        stderr = gateway.stderr()
        assert "draining" in stderr
        assert "drained: every request in flight finished" in stderr
