"""Acceptance 5: faults, each produced by a real condition: refused, DNS, TLS, first-byte and
idle timeouts, body limit, a reset mid-response, an upstream answering before it read the
request body, and pooled keep-alive connections the upstream closed. After each, the gateway is
still up and answers."""

import json
import threading
import time

import pytest
import requests

from harness import upstreams
from harness.certs import SERVER_NAME
from harness.gateway import WORKER, nginx_connector
from harness.net import RawHTTP, free_port

PROBLEM = "application/problem+json"
MIB = 1 << 20

FAULT_UPSTREAMS = {
    "first-byte": upstreams.never_answers,
    "idle-length": upstreams.stalls_mid_body(chunked=False),
    "idle-chunked": upstreams.stalls_mid_body(chunked=True),
    "resetting": upstreams.resets_mid_body,
    "early-401": upstreams.answers_401_before_body,
    "closer": upstreams.closes_after_answer,
    "stale-fin": upstreams.drops_reused(use_reset=False),
    "stale-rst": upstreams.drops_reused(use_reset=True),
}


@pytest.fixture(scope="module")
def fault_upstreams():
    started = {name: upstreams.TCPUpstream(handler) for name, handler in FAULT_UPSTREAMS.items()}
    yield started
    for upstream in started.values():
        upstream.stop()


@pytest.fixture(scope="module")
def gateway(nginx, fault_upstreams, module_gateways):
    def python(name, **extra):
        return {"name": name, "kind": "http", "executor_url": f"http://127.0.0.1:{fault_upstreams[name].port}",
                **extra}

    return module_gateways([
        nginx_connector(nginx, "web"),
        {"name": "refused", "kind": "http", "executor_url": f"http://127.0.0.1:{free_port()}"},
        {"name": "dns", "kind": "http", "executor_url": "http://no-such-host.invalid:8080"},
        {"name": "tls", "kind": "http", "executor_url": f"https://127.0.0.1:{nginx.tls_self}",
         "tls_server_name": SERVER_NAME},
        python("first-byte", limits={"first_byte_timeout": "500ms"}),
        python("idle-length", limits={"idle_timeout": "500ms"}),
        python("idle-chunked", limits={"idle_timeout": "500ms"}),
        nginx_connector(nginx, "capped", limits={"max_body_bytes": 1024}),
        python("resetting"),
        python("early-401"),
        python("closer"),
        python("stale-fin"),
        python("stale-rst"),
    ])


@pytest.fixture(autouse=True)
def gateway_survives(gateway):
    yield
    assert gateway.alive(), "the gateway exited:\n" + gateway.stderr()[-4000:]
    assert requests.get(gateway.url("/livez"), timeout=5).status_code == 200
    response = requests.get(gateway.executor("web", "/hello"), headers=WORKER, timeout=10)
    assert response.status_code == 200


def assert_problem(response, status: int, kind: str, connector: str, *phrases: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["type"] == f"urn:fractalops:gateway:{kind}"
    assert problem["status"] == status
    assert problem["connector"] == connector
    assert problem["request_id"] == response.headers["x-request-id"]
    assert f"'{connector}'" in problem["detail"]
    for phrase in phrases:
        assert phrase in problem["detail"], problem["detail"]
    return problem


def get(gateway, connector, path="/x", **kwargs):
    return requests.get(gateway.executor(connector, path), headers=WORKER, timeout=15, **kwargs)


def test_connection_refused_is_502(gateway):
    assert_problem(get(gateway, "refused"), 502, "refused", "refused", "refused the connection")


def test_dns_failure_is_502(gateway):
    assert_problem(get(gateway, "dns"), 502, "dns", "dns", "no-such-host.invalid", "could not be resolved")


def test_tls_failure_is_502_naming_the_cause(gateway):
    assert_problem(get(gateway, "tls"), 502, "tls", "tls", "not trusted")


def test_first_byte_timeout_is_504(gateway, fault_upstreams):
    started = time.monotonic()
    response = get(gateway, "first-byte")
    elapsed = time.monotonic() - started
    assert_problem(response, 504, "timeout", "first-byte", "500 ms", "first_byte_timeout")
    assert "request" in fault_upstreams["first-byte"].record.events  # it really got the request
    assert 0.45 <= elapsed < 5, elapsed


def test_idle_timeout_mid_body_aborts_the_client_connection(gateway):
    with RawHTTP(gateway.port, timeout=6) as conn:
        started = time.monotonic()
        conn.request("GET", "/executor/idle-length/x", list(WORKER.items()))
        response = conn.read_response()
        elapsed = time.monotonic() - started
    assert response.status == 200
    assert response.content_length == 1000
    assert not response.complete
    assert response.ended_by in ("eof", "reset"), (
        f"the caller's connection stayed open after limits.idle_timeout (500 ms): still open after {elapsed:.1f}s")
    assert len(response.body) == 100
    assert 0.45 <= elapsed < 5, elapsed


def test_idle_timeout_mid_chunked_body_never_looks_complete(gateway):
    with RawHTTP(gateway.port, timeout=6) as conn:
        conn.request("GET", "/executor/idle-chunked/x", list(WORKER.items()))
        response = conn.read_response()
    assert response.status == 200
    assert response.chunked
    assert not response.complete  # no last chunk: the truncation shows
    assert response.ended_by in ("eof", "reset"), (
        "the caller's connection stayed open after limits.idle_timeout (500 ms)")
    assert response.body == b"a" * 16


def test_body_over_max_body_bytes_by_content_length_is_413(gateway):
    with RawHTTP(gateway.port) as conn:
        conn.send(RawHTTP.head_bytes("PUT", "/executor/capped/dav/capped-cl.bin",
                                     [*WORKER.items(), ("Content-Length", "4096")]))
        response = conn.read_response()
        assert response.status == 413
        assert response.header("content-type").startswith(PROBLEM)
        assert response.header("connection") == "close"
        assert conn.at_eof()
    problem = json.loads(response.body)
    assert problem["type"] == "urn:fractalops:gateway:limit"
    assert problem["connector"] == "capped"
    assert problem["request_id"] == response.header("x-request-id")
    assert "'capped'" in problem["detail"] and "1024" in problem["detail"] and "max_body_bytes" in problem["detail"]


def test_chunked_body_over_max_body_bytes_is_413_and_never_lands(gateway, nginx):
    with RawHTTP(gateway.port) as conn:
        # 1.5 KiB of chunks in one write (the gateway closes after its 413: later writes of ours
        # would only meet a closed socket); the last chunk is never sent.
        conn.send(RawHTTP.head_bytes("PUT", "/executor/capped/dav/capped-chunked.bin",
                                     [*WORKER.items(), ("Transfer-Encoding", "chunked")])
                  + (b"200\r\n" + b"c" * 512 + b"\r\n") * 3)
        response = conn.read_response()
        assert response.status == 413
        assert response.header("content-type").startswith(PROBLEM)
        assert b'"connector":"capped"' in response.body
        assert response.header("x-request-id").encode() in response.body
        assert conn.at_eof()
    time.sleep(0.2)  # let nginx see the aborted upload
    assert not (nginx.dav_root / "dav" / "capped-chunked.bin").exists()


def test_reset_mid_response_aborts_the_client_connection(gateway, fault_upstreams):
    with RawHTTP(gateway.port) as conn:
        conn.request("GET", "/executor/resetting/x", list(WORKER.items()))
        response = conn.read_response()
    assert response.status == 200
    assert response.content_length == upstreams.RESET_TOTAL
    assert not response.complete
    assert response.ended_by in ("eof", "reset")
    assert len(response.body) <= upstreams.RESET_SENT
    assert "reset" in fault_upstreams["resetting"].record.events


def upload_with_early_answer(conn: RawHTTP, target: str, total: int):
    """Sends a large chunked upload from a thread while reading the answer on the same
    connection; the whole upload must go through (the gateway drops what the upstream did not
    read) so that the connection can carry the next request."""
    conn.send(RawHTTP.head_bytes("PUT" if "/small/" in target else "POST", target,
                                 [*WORKER.items(), ("Transfer-Encoding", "chunked"),
                                  ("Content-Type", "application/octet-stream")]))
    errors = []
    piece = b"10000\r\n" + b"u" * 0x10000 + b"\r\n"

    def sender():
        try:
            for _ in range(total // 0x10000):
                conn.sock.sendall(piece)
            conn.sock.sendall(b"0\r\n\r\n")
        except OSError as error:
            errors.append(error)

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    response = conn.read_response()
    thread.join(60)
    assert not thread.is_alive(), "the rest of the upload was never read"
    assert not errors, f"the upload failed: {errors}"
    return response


def test_upstream_answering_401_before_the_body_and_the_connection_is_reused(gateway, fault_upstreams):
    with RawHTTP(gateway.port, timeout=30) as conn:
        response = upload_with_early_answer(conn, "/executor/early-401/upload", 32 * MIB)
        assert response.status == 401
        assert response.complete
        assert response.body == upstreams.EARLY_BODY
        assert response.header("www-authenticate") == 'ApiKey realm="e2e"'
        assert (response.header("connection") or "").lower() != "close"
        # the SAME client connection carries the next request
        conn.request("GET", "/executor/web/hello", list(WORKER.items()))
        second = conn.read_response()
    assert "answered" in fault_upstreams["early-401"].record.events
    assert second.status == 200
    assert second.body == b"hello from langboard.internal\n"


def test_nginx_413_before_the_body_and_the_connection_is_reused(gateway, nginx):
    with RawHTTP(gateway.port, timeout=30) as conn:
        response = upload_with_early_answer(conn, "/executor/web/small/too-big.bin", 16 * MIB)
        assert response.status == 413
        assert response.complete
        assert b"413 Request Entity Too Large" in response.body  # nginx's page, passed through
        assert response.header("content-type") == "text/html"
        conn.request("GET", "/executor/web/hello", list(WORKER.items()))
        second = conn.read_response()
    assert second.status == 200
    assert second.body == b"hello from langboard.internal\n"
    assert not (nginx.dav_root / "small" / "too-big.bin").exists()


def test_keep_alive_connections_closed_after_each_answer_never_give_502(gateway, fault_upstreams):
    statuses = []
    with requests.Session() as session:
        for _ in range(40):
            statuses.append(session.get(gateway.executor("closer", "/x"), headers=WORKER, timeout=10).status_code)
    assert statuses == [200] * 40
    assert fault_upstreams["closer"].record.connections >= 2


@pytest.mark.parametrize("connector", ["stale-fin", "stale-rst"])
def test_pooled_connection_closed_on_reuse_is_retried_not_502(gateway, fault_upstreams, connector):
    upstream = fault_upstreams[connector]
    statuses = []
    with requests.Session() as session:
        for _ in range(10):
            response = session.get(gateway.executor(connector, "/x"), headers=WORKER, timeout=10)
            statuses.append((response.status_code, response.text))
    assert statuses == [(200, "fresh\n")] * 10
    # the race really happened: reused connections were dropped and the requests still succeeded
    assert upstream.record.events.get("drops", 0) >= 5
    assert upstream.record.connections >= 10
