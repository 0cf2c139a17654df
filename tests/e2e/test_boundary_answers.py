"""Boundary corpus, upstream answers: what an upstream's bytes can make the gateway send to a
caller. The gateway reads answers in place (its own head and chunk scanners, held to llhttp);
these raw-socket probes play a hostile or broken upstream behind a recording upstream and check
that a caller gets exactly one answer per request, that an answer the gateway cannot frame
exactly is a 502 and never leaves its connection in the pool, and that bytes an upstream adds
after an answer never reach the next caller, another principal's above all."""

from __future__ import annotations

import json

import pytest

from harness.boundary import (
    ATTACKER, BOUNDARY_ENV, VICTIM, Answer, RecordingUpstream, UpstreamRequest, boundary_principals, exchange,
    expect_upstream_clean, problem, request_bytes)
from harness.net import RawHTTP

#: A complete second answer, as an upstream might slip one in after the first to be read as the
#: answer to whoever's request comes next on the pooled connection.
FORGED = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n"
          b'{"forged": "answer"}')


def raw(data: bytes, then: str = "keep"):
    def respond(_request: UpstreamRequest) -> Answer:
        return Answer(data, then)
    return respond


#: Answers whose head has no exact reading: each is a 502 and its connection is closed.
MALFORMED = {
    "two-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 20\r\n\r\nok",
    "length-and-chunked": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    "gzip-coding": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok",
    "bare-lf": b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
    "folded-field": b"HTTP/1.1 200 OK\r\nX-A: 1\r\n Content-Length: 2\r\nContent-Length: 2\r\n\r\nok",
    "not-http": b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
}

#: Chunked bodies with no exact reading: the head may be on its way, so the caller's connection
#: is cut (a truncated answer never looks complete) and the upstream's is closed.
MALFORMED_BODIES = {
    "chunk-extension": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=\"a\r\n0\"\r\nok\r\n0\r\n\r\n",
    "chunk-overrun": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokAB\r\n0\r\n\r\n",
    "length-in-trailers": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nContent-Length: 99\r\n\r\n",
}


@pytest.fixture(scope="module")
def rec():
    routes = {f"/base/bad/{name}": raw(data) for name, data in {**MALFORMED, **MALFORMED_BODIES}.items()}
    routes.update({
        "/base/forged": raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + FORGED),
        "/base/head-with-body": raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        "/base/trailers": raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, X-Hop\r\n"
                              b"X-Hop: secret-hop\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 5d41\r\n\r\n"),
    })
    with RecordingUpstream("answers", routes=routes) as upstream:
        yield upstream


@pytest.fixture(scope="module")
def gateway(rec, module_gateways):
    # One upstream connection at most: the next request, whoever sends it, gets the pooled one.
    return module_gateways([
        {"name": "one", "kind": "http", "executor_url": f"{rec.base}/base",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}, "limits": {"max_connections": 1}},
    ], env=BOUNDARY_ENV, principals=boundary_principals("one"))


@pytest.fixture(autouse=True)
def fresh(rec):
    rec.clear()
    yield
    expect_upstream_clean(rec)


def answered_by_upstream(response) -> dict:
    assert response is not None and response.status == 200, response and response.raw_head
    return json.loads(response.body)


def test_a_forged_second_answer_never_reaches_the_next_caller(gateway, rec):
    first = exchange(gateway.port, request_bytes("GET", "/executor/one/forged", [ATTACKER]), close_wait=0)
    assert first.response is not None and first.response.status == 200, first
    assert first.response.body == b"ok"
    after = exchange(gateway.port, request_bytes("GET", "/executor/one/after", [VICTIM]), close_wait=0)
    body = answered_by_upstream(after.response)
    assert "forged" not in body, "the victim got the answer the attacker's upstream slipped in"
    forged, victims = rec.requests()
    assert (forged.path, victims.path) == ("/base/forged", "/base/after")
    assert victims.connection != forged.connection, "the connection the forged bytes arrived on was pooled again"


@pytest.mark.parametrize("name", list(MALFORMED))
def test_an_answer_without_one_exact_reading_is_502_and_its_connection_closed(gateway, rec, name):
    outcome = exchange(gateway.port, request_bytes("GET", f"/executor/one/bad/{name}", [ATTACKER]), close_wait=0)
    assert outcome.response is not None, outcome
    assert outcome.response.status == 502, (outcome.response.raw_head, outcome.response.body[:300])
    details = problem(outcome.response)
    assert details["type"] == "urn:fractalops:gateway:upstream-protocol", details
    assert b"forged" not in outcome.response.body and b"ok" != outcome.response.body
    after = exchange(gateway.port, request_bytes("GET", "/executor/one/after", [VICTIM]), close_wait=0)
    answered_by_upstream(after.response)
    broken, fresh_one = rec.requests()
    assert fresh_one.connection != broken.connection, "the broken connection was reused"


@pytest.mark.parametrize("name", list(MALFORMED_BODIES))
def test_a_body_without_one_exact_reading_cuts_the_answer_and_closes_its_connection(gateway, rec, name):
    outcome = exchange(gateway.port, request_bytes("GET", f"/executor/one/bad/{name}", [ATTACKER]), close_wait=3)
    assert outcome.closed, "the caller's connection stayed open after a broken body"
    assert outcome.response is None or not outcome.response.complete, outcome.response
    after = exchange(gateway.port, request_bytes("GET", "/executor/one/after", [VICTIM]), close_wait=0)
    answered_by_upstream(after.response)
    broken, fresh_one = rec.requests()
    assert fresh_one.connection != broken.connection, "the broken connection was reused"


def test_the_answer_to_a_head_is_its_head_and_the_caller_stays_in_step(gateway, rec):
    with RawHTTP(gateway.port, timeout=8) as conn:
        conn.send(request_bytes("HEAD", "/executor/one/head-with-body", [ATTACKER]))
        head = conn.read_response("HEAD")
        assert head.status == 200 and head.body == b"", head.raw_head
        conn.send(request_bytes("GET", "/executor/one/next", [ATTACKER]))
        try:
            following = conn.read_response("GET")
        except ValueError as error:  # not a status line: bytes of the HEAD's answer came first
            raise AssertionError(f"the answer after the HEAD's is out of step: {error}; left {conn.buffer[:80]!r}")
        body = answered_by_upstream(following)
        assert body["method"] == "GET", "the HEAD's stray body was read as the next answer"
    head_request, next_request = rec.requests()
    assert next_request.connection != head_request.connection, "bytes after the HEAD's answer left it in the pool"


def test_a_chunked_answer_reaches_the_caller_with_its_trailers_and_without_hop_by_hop_fields(gateway, rec):
    with RawHTTP(gateway.port, timeout=8) as conn:
        conn.send(request_bytes("GET", "/executor/one/trailers", [ATTACKER]))
        response = conn.read_head()
        assert response.status == 200, response.raw_head
        assert response.header("transfer-encoding") == "chunked"
        assert b"X-Hop" not in response.raw_head and b"secret-hop" not in response.raw_head, response.raw_head
        assert response.header("x-request-id"), response.raw_head
        # The upstream's chunks and trailer section, byte for byte.
        assert conn._read_until(b"\r\n\r\n") == b"5\r\nhello\r\n0\r\nX-Checksum: 5d41\r\n\r\n"
        conn.send(request_bytes("GET", "/executor/one/next", [ATTACKER]))
        answered_by_upstream(conn.read_response("GET"))
    first, second = rec.requests()
    assert second.connection == first.connection, "a clean answer's connection goes back to the pool"
