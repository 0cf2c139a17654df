"""Boundary corpus, framing: what a caller's bytes can make the gateway write on an upstream
connection. Raw-socket probes against a strict recording upstream (exact bytes received, its own
parser) and an h11 upstream (what a conventional parser makes of the same bytes).

Covers: request smuggling through TRACE bodies and capture of another principal's request
across a pooled connection (1); TRACE echoing the injected credential (2); trailers (5); HTTP/1.0
keep-alive callers (9); an upstream 101 (10); pipelining (11); CONNECT, Host, `#fragment`, odd
Transfer-Encoding (13); and the framing of every request sent upstream."""

from __future__ import annotations

import re
import time

import pytest

from harness.boundary import (
    ATTACKER, BOUNDARY_ENV, CALLER_TOKENS, NEXUS_TOKEN, VICTIM, H11Upstream, RecordingUpstream, assert_refused,
    boundary_principals, chunked, chunked_answer, close_delimited_answer, exchange, expect_upstream_clean, json_body, problem,
    request_bytes, scim_error, switching_protocols_answer)
from harness.gateway import HTTP_CREDENTIAL, LANGBOARD_KEY, WORKER
from harness.net import ConnectionEnded, RawHTTP, wait_until

AUTH = ("Authorization", WORKER["Authorization"])
CHUNKED_BODY = [b"hello ", b"chunked ", b"world"]
RESPONSE_CHUNKS = [b"first chunk\n", b"second chunk\n", b"last\n"]
CLOSE_DELIMITED = b"close-delimited body\n" * 50

#: An incomplete request: its Content-Length would swallow whatever the upstream reads next.
SMUGGLED = (b"POST /steal HTTP/1.1\r\nHost: upstream\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 600\r\n\r\nstolen=")
#: A complete request.
SECOND_REQUEST = b"GET /smuggled HTTP/1.1\r\nHost: upstream\r\nX-Smuggled: 1\r\n\r\n"


@pytest.fixture(scope="module")
def rec():
    with RecordingUpstream("rec", routes={
        "/base/resp/chunked": chunked_answer(RESPONSE_CHUNKS),
        "/base/resp/close": close_delimited_answer(CLOSE_DELIMITED),
        "/base/resp/switch": switching_protocols_answer,
    }) as upstream:
        yield upstream


@pytest.fixture(scope="module")
def recho():
    with RecordingUpstream("recho", echo=True) as upstream:
        yield upstream


@pytest.fixture(scope="module")
def h11up():
    with H11Upstream("h11") as upstream:
        yield upstream


@pytest.fixture(scope="module")
def gateway(rec, recho, h11up, module_gateways):
    return module_gateways([
        {"name": "rec", "kind": "http", "executor_url": f"{rec.base}/base",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}},
        {"name": "pool1", "kind": "http", "executor_url": f"{recho.base}/p",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}, "limits": {"max_connections": 1}},
        {"name": "h11", "kind": "langboard", "executor_url": h11up.base,
         "auth": {"api_key": "env://E2E_LANGBOARD_KEY"}, "limits": {"max_connections": 1}},
        {"name": "lb", "kind": "langboard", "executor_url": f"{rec.base}/lb",
         "auth": {"api_key": "env://E2E_LANGBOARD_KEY"}},
        {"name": "sw", "kind": "http", "executor_url": f"{rec.base}/base",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}, "limits": {"max_connections": 1}},
        {"name": "nx", "kind": "nexus", "connector_mode": "scim", "scim_base_url": f"{rec.base}/scim/v2",
         "auth": {"token": "env://E2E_NEXUS_TOKEN"}},
    ], env=BOUNDARY_ENV, principals=boundary_principals("rec"))


@pytest.fixture(autouse=True)
def fresh(rec, recho, h11up):
    for upstream in (rec, recho, h11up):
        upstream.clear()
    yield
    expect_upstream_clean(rec, recho, h11up)


def settle(*upstreams) -> None:
    for upstream in upstreams:
        upstream.quiet()


# -- 1. request smuggling


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
@pytest.mark.parametrize("payload", [SECOND_REQUEST, SMUGGLED], ids=["complete", "incomplete"])
def test_trace_with_a_body_holding_a_second_request_is_refused_405(gateway, rec, framing, payload):
    if framing == "content-length":
        data = request_bytes("TRACE", "/executor/rec/t", [AUTH, ("Content-Length", str(len(payload)))], payload)
    else:
        data = request_bytes("TRACE", "/executor/rec/t", [AUTH, ("Transfer-Encoding", "chunked")], chunked(payload))
    outcome = exchange(gateway.port, data)
    assert_refused(outcome, 405)
    assert problem(outcome.response)["status"] == 405
    settle(rec)
    assert rec.requests() == []
    assert not rec.seen_anywhere(b"/smuggled") and not rec.seen_anywhere(b"/steal")


@pytest.mark.parametrize("upstream_name", ["rec", "h11"])
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_post_whose_body_holds_a_second_request_reaches_the_upstream_as_one_request(
        gateway, rec, h11up, upstream_name, framing):
    upstream = rec if upstream_name == "rec" else h11up
    connector = "rec" if upstream_name == "rec" else "h11"
    body = SECOND_REQUEST + SMUGGLED
    if framing == "content-length":
        head = [AUTH, ("Content-Length", str(len(body)))]
        wire = body
    else:
        head = [AUTH, ("Transfer-Encoding", "chunked")]
        wire = chunked(SECOND_REQUEST, SMUGGLED)
    with RawHTTP(gateway.port, timeout=10) as conn:
        conn.send(request_bytes("POST", f"/executor/{connector}/one", head, wire))
        first = conn.read_response()
        # the same caller connection carries the next request, answered for itself
        conn.send(request_bytes("GET", f"/executor/{connector}/next", [AUTH]))
        second = conn.read_response()
    assert first.status == 200 and second.status == 200, (first.raw_head, second.raw_head)
    settle(upstream)
    seen = upstream.requests()
    base = "/base" if connector == "rec" else ""
    assert [(r.method, r.path) for r in seen] == [("POST", f"{base}/one"), ("GET", f"{base}/next")]
    assert seen[0].body == body
    assert seen[0].framing == framing
    if framing == "content-length":
        assert seen[0].header_values("content-length") == [str(len(body))]
    if upstream_name == "h11":
        echoed = json_body(first)
        assert echoed["method"] == "POST" and echoed["body"] == body.decode("latin-1")
        assert json_body(second)["target"] == "/next"


@pytest.mark.parametrize("connector,upstream_name", [("pool1", "recho"), ("h11", "h11")])
def test_smuggling_never_captures_another_principals_request(gateway, recho, h11up, connector, upstream_name):
    """The attacker tries to leave an incomplete request (SMUGGLED) on the one pooled upstream
    connection (max_connections 1) so that the victim's next request becomes its body; then it
    reads back what it can. Neither the victim's request nor its token ever ends up inside
    another request, and the attacker never reads them."""
    upstream = recho if upstream_name == "recho" else h11up
    base = "/p" if connector == "pool1" else ""
    attempts = [
        ("TRACE", "content-length", 405), ("TRACE", "chunked", 405),
        ("POST", "content-length", 200), ("POST", "chunked", 200),
        ("GET", "content-length", 200), ("DELETE", "content-length", 200),
    ]
    for index, (method, framing, expected) in enumerate(attempts):
        if framing == "content-length":
            data = request_bytes(method, f"/executor/{connector}/attack-{index}",
                                 [ATTACKER, ("Content-Length", str(len(SMUGGLED)))], SMUGGLED)
        else:
            data = request_bytes(method, f"/executor/{connector}/attack-{index}",
                                 [ATTACKER, ("Transfer-Encoding", "chunked")], chunked(SMUGGLED))
        attack = exchange(gateway.port, data, method=method, close_wait=0)
        assert attack.response is not None and attack.response.status == expected, (method, framing, attack)

        secret = f"victim-secret-{index}"
        victim = exchange(gateway.port, request_bytes(
            "GET", f"/executor/{connector}/victim-{index}?n={index}", [VICTIM, ("X-Victim-Secret", secret)]),
            timeout=8, close_wait=0)
        assert victim.response is not None, f"the victim got no answer after {method} {framing}"
        assert victim.response.status == 200, (method, framing, victim.response.raw_head)
        echoed = json_body(victim.response)
        assert echoed["target"] == f"{base}/victim-{index}?n={index}", (method, framing, echoed)

        readback = exchange(gateway.port, request_bytes("GET", f"/executor/{connector}/read-back", [ATTACKER]),
                            timeout=8, close_wait=0)
        assert readback.response is not None and readback.response.status == 200
        assert secret.encode() not in readback.response.body
        assert b"/victim-" not in readback.response.body
        for token in CALLER_TOKENS:
            assert token.encode() not in readback.response.body

    settle(upstream)
    seen = upstream.requests()
    assert not [r for r in seen if r.path.endswith("/steal") or r.method == "TRACE"], [r.head_text() for r in seen]
    for index in range(len(attempts)):
        secret = f"victim-secret-{index}"
        carriers = [r for r in seen if secret.encode() in r.everything()]
        assert len(carriers) == 1, f"{secret} in {len(carriers)} upstream requests"
        assert carriers[0].path == f"{base}/victim-{index}"
        assert secret.encode() not in carriers[0].body
        assert carriers[0].header_values("x-victim-secret") == [secret]
    for request in seen:
        assert b"victim" not in request.body, request.head_text()


# -- 2. TRACE and CONNECT


@pytest.mark.parametrize("method", ["TRACE", "CONNECT"])
@pytest.mark.parametrize("route", ["/executor/h11/echo-me", "/executor/rec/x", "/scim/nx/Users"])
def test_trace_and_connect_are_refused_405_and_the_connection_closed(gateway, rec, h11up, method, route):
    outcome = exchange(gateway.port, request_bytes(method, route, [AUTH]), method=method)
    assert_refused(outcome, 405)
    if route.startswith("/scim/"):
        assert scim_error(outcome.response)["status"] == "405"
    else:
        assert problem(outcome.response)["status"] == 405
    for secret in (LANGBOARD_KEY, HTTP_CREDENTIAL, NEXUS_TOKEN):
        assert secret.encode() not in outcome.response.body
    settle(rec, h11up)
    assert rec.requests() == [] and h11up.requests() == []


def test_connect_in_authority_form_reaches_no_upstream(gateway, rec, h11up):
    outcome = exchange(gateway.port, request_bytes("CONNECT", f"127.0.0.1:{rec.port}", [AUTH],
                                                   host=f"127.0.0.1:{rec.port}"), method="CONNECT", timeout=3,
                       close_wait=0)
    # not a machine route: any refusal will do (or none: no answer, closed), never a tunnel
    if outcome.response is not None:
        assert 400 <= outcome.response.status < 500, outcome.response.raw_head
    settle(rec, h11up)
    assert rec.requests() == [] and h11up.requests() == []


@pytest.mark.parametrize("method", ["M-SEARCH", "PROPFIND", "PURGE", "MKCOL"])
def test_an_extension_method_reaches_the_upstream_unchanged(gateway, rec, method):
    """Not a numbered item: the method the upstream gets is the caller's, byte for byte (NIO's
    encoder writes M-SEARCH as MSEARCH)."""
    outcome = exchange(gateway.port, request_bytes(method, "/executor/rec/method", [AUTH]), close_wait=0)
    assert outcome.response is not None and outcome.response.status == 200, outcome
    (seen,) = rec.wait_requests(1)
    assert seen.method == method, seen.raw[:100]


# -- framing of what is sent upstream


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("framing", ["none", "content-length", "empty-content-length", "chunked"])
def test_upstream_framing_is_exactly_the_callers(gateway, rec, method, framing):
    body = b"".join(CHUNKED_BODY)
    headers = [AUTH]
    if framing == "content-length":
        headers.append(("Content-Length", str(len(body))))
        wire = body
    elif framing == "empty-content-length":
        headers.append(("Content-Length", "0"))
        wire = body = b""
    elif framing == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
        wire = chunked(*CHUNKED_BODY)
    else:
        wire = body = b""
    with RawHTTP(gateway.port, timeout=10) as conn:
        conn.send(request_bytes(method, "/executor/rec/framing", headers, wire))
        response = conn.read_response(method)
        conn.send(request_bytes("GET", "/executor/rec/after", [AUTH]))
        after = conn.read_response()
    assert response.status == 200 and after.status == 200, (response.raw_head, after.raw_head)
    settle(rec)
    seen = rec.requests()
    assert [(r.method, r.path) for r in seen] == [(method, "/base/framing"), ("GET", "/base/after")]
    request = seen[0]
    assert request.body == body
    head, _, rest = request.raw.partition(b"\r\n\r\n")
    lengths = request.header_values("content-length")
    encodings = request.header_values("transfer-encoding")
    if framing in ("content-length", "empty-content-length"):
        assert lengths == [str(len(body))] and encodings == [], head
        assert rest == body
    elif framing == "chunked":
        assert encodings == ["chunked"] and lengths == [], head
        assert rest.endswith(b"0\r\n\r\n") and request.framing == "chunked"
    else:
        assert lengths == [] and encodings == [], head
        assert rest == b""
    # nothing after this request's framing but the next request on that connection (if any)
    stream = rec.stream(request.connection)
    following = stream[stream.index(request.raw) + len(request.raw):]
    assert following == b"" or re.match(rb"[A-Z]+ /", following), following[:200]


@pytest.mark.parametrize("encoding", ["gzip, chunked", "identity"])
def test_transfer_encoding_other_than_chunked_is_refused_501(gateway, rec, encoding):
    data = request_bytes("POST", "/executor/rec/te", [AUTH, ("Transfer-Encoding", encoding)], chunked(b"abc"))
    outcome = exchange(gateway.port, data)
    assert_refused(outcome, 501)
    settle(rec)
    assert rec.requests() == []


@pytest.mark.parametrize("headers", [
    [("Content-Length", "5"), ("Transfer-Encoding", "chunked")],
    [("Transfer-Encoding", "chunked"), ("Content-Length", "5")],
    [("Content-Length", "+5")],
    [("Content-Length", "-5")],
    [("Content-Length", "5, 6")],
    [("Content-Length", "5"), ("Content-Length", "6")],
    [("Content-Length", "0x5")],
    [("Content-Length", "5 5")],
], ids=["cl-te", "te-cl", "plus", "minus", "list", "duplicate", "hex", "space"])
def test_conflicting_or_invalid_framing_is_refused_before_the_upstream(gateway, rec, headers):
    data = request_bytes("POST", "/executor/rec/bad-framing", [AUTH, *headers], b"5\r\nhello\r\n0\r\n\r\n")
    outcome = exchange(gateway.port, data)
    assert outcome.response is not None, outcome
    assert 400 <= outcome.response.status < 500, outcome.response.raw_head
    assert outcome.response.header("x-upstream-seq") is None
    settle(rec)
    assert rec.requests() == []


# -- 13. Host and fragments


@pytest.mark.parametrize("data", [
    b"GET /executor/rec/no-host HTTP/1.1\r\nAuthorization: " + WORKER["Authorization"].encode() + b"\r\n\r\n",
    b"GET /executor/rec/two-hosts HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nAuthorization: "
    + WORKER["Authorization"].encode() + b"\r\n\r\n",
    b"GET /executor/rec/two-hosts HTTP/1.1\r\nHost: a.test\r\nhost: a.test\r\nAuthorization: "
    + WORKER["Authorization"].encode() + b"\r\n\r\n",
    request_bytes("GET", "/executor/rec/frag#x", [AUTH]),
    request_bytes("GET", "/executor/rec/frag?q=1#x", [AUTH]),
    request_bytes("GET", "/executor/rec/frag#/../../admin", [AUTH]),
], ids=["no-host", "two-hosts", "two-hosts-same", "fragment", "fragment-after-query", "fragment-with-dots"])
def test_missing_or_duplicate_host_and_fragments_are_refused_400(gateway, rec, data):
    outcome = exchange(gateway.port, data)
    assert outcome.response is not None, outcome
    assert outcome.response.status == 400, outcome.response.raw_head
    assert outcome.response.header("x-upstream-seq") is None
    settle(rec)
    assert rec.requests() == []


def test_http10_without_host_is_forwarded(gateway, rec):
    outcome = exchange(gateway.port, request_bytes("GET", "/executor/rec/old", [AUTH], version="HTTP/1.0", host=None))
    assert outcome.response is not None and outcome.response.status == 200
    assert [r.path for r in rec.wait_requests(1)] == ["/base/old"]


# -- 5. trailers


FORBIDDEN_TRAILERS = [
    "X-Api-Key", "X_Api_Key", "Authorization", "X-Forwarded-For", "X_Forwarded_For", "X-Real-IP", "Forwarded",
    "X-Forwarded-Host", "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "TE", "Upgrade",
    "Proxy-Authorization",
]


@pytest.mark.parametrize("name", FORBIDDEN_TRAILERS)
def test_trailers_pass_the_header_filter(gateway, rec, name):
    value = f"trailer-smuggled-{name.lower()}"
    data = request_bytes("POST", "/executor/lb/trailers", [AUTH, ("Transfer-Encoding", "chunked")],
                         chunked(b"payload", trailers=[(name, value), ("X-Checksum", "abc123")]))
    outcome = exchange(gateway.port, data, method="POST", close_wait=0)
    assert outcome.response is not None, outcome
    settle(rec)
    if outcome.response.status == 400:  # refused by the parser: then nothing went upstream
        assert rec.requests() == []
        return
    assert outcome.response.status == 200, outcome.response.raw_head
    (request,) = rec.requests()
    assert request.body == b"payload" and request.framing == "chunked"
    assert not rec.seen_anywhere(value), f"trailer {name} reached the upstream: {request.raw!r}"
    folded = name.lower().replace("_", "-")
    assert not [k for k, _ in request.trailers if k.lower().replace("_", "-") == folded]
    assert request.folded_values("x-api-key") == [LANGBOARD_KEY]
    assert request.header_values("x-forwarded-for") == ["127.0.0.1"]


def test_a_harmless_trailer_may_pass_and_the_body_is_intact(gateway, rec):
    data = request_bytes("POST", "/executor/lb/trailers", [AUTH, ("Transfer-Encoding", "chunked")],
                         chunked(*CHUNKED_BODY, trailers=[("X-Checksum", "abc123")]))
    outcome = exchange(gateway.port, data, method="POST", close_wait=0)
    assert outcome.response is not None and outcome.response.status == 200
    (request,) = rec.wait_requests(1)
    assert request.body == b"".join(CHUNKED_BODY)
    assert request.trailers in ([], [("X-Checksum", "abc123")]), request.trailers


# -- 9. HTTP/1.0 keep-alive callers


@pytest.mark.parametrize("kind,expected", [("chunked", b"".join(RESPONSE_CHUNKS)), ("close", CLOSE_DELIMITED)])
def test_http10_keep_alive_caller_gets_a_delimited_response(gateway, rec, kind, expected):
    with RawHTTP(gateway.port, timeout=8) as conn:
        conn.send(request_bytes("GET", f"/executor/rec/resp/{kind}", [AUTH, ("Connection", "keep-alive")],
                                version="HTTP/1.0"))
        response = conn.read_head()
        assert response.status == 200, response.raw_head
        assert response.header("transfer-encoding") is None, f"chunked to an HTTP/1.0 caller: {response.raw_head!r}"
        length = response.header("content-length")
        if length is not None:
            body = conn._read_exact(int(length))
            assert body == expected
            # the connection stays: an HTTP/1.0 caller keeps it only when told so
            assert (response.header("connection") or "").lower() == "keep-alive", response.raw_head
            return
        # no length: the connection's end is the body's end, and the caller must be told so
        assert (response.header("connection") or "").lower() == "close", \
            f"neither a length nor connection: close: {response.raw_head!r}"
        try:
            body = conn._read_to_end()
        except ConnectionEnded as ended:
            raise AssertionError(f"the body never ended ({ended.how}): the gateway did not close the connection")
        assert body == expected


# -- 10. an upstream 101


def test_upstream_101_to_a_plain_request_is_502_and_its_connection_is_not_reused(gateway, rec):
    outcome = exchange(gateway.port, request_bytes("GET", "/executor/sw/resp/switch", [AUTH]), close_wait=0)
    assert outcome.response is not None, outcome
    assert outcome.response.status == 502, outcome.response.raw_head
    assert outcome.response.header("upgrade") is None
    assert b"hello" not in outcome.response.body
    started = time.monotonic()
    after = exchange(gateway.port, request_bytes("GET", "/executor/sw/after", [AUTH]), timeout=5, close_wait=0)
    assert after.response is not None and after.response.status == 200, after
    assert time.monotonic() - started < 3
    seen = rec.requests()
    switched = [r for r in seen if r.path == "/base/resp/switch"]
    followed = [r for r in seen if r.path == "/base/after"]
    assert len(switched) == 1 and len(followed) == 1
    assert followed[0].connection != switched[0].connection, "the 101 connection was reused"
    assert wait_until(lambda: rec.connections[switched[0].connection].closed_at is not None, 5), \
        "the gateway kept the 101 upstream connection open"


# -- 11. pipelining


@pytest.mark.parametrize("order", ["get-post", "post-get", "get-chunked", "post-post"])
def test_pipelined_requests_with_bodies_reach_the_upstream_and_answer_in_order(gateway, rec, order):
    get = request_bytes("GET", "/executor/rec/pipe-get", [AUTH])
    post = request_bytes("POST", "/executor/rec/pipe-post", [AUTH, ("Content-Length", "11")], b"hello world")
    post2 = request_bytes("POST", "/executor/rec/pipe-post2", [AUTH, ("Content-Length", "5")], b"again")
    chunky = request_bytes("POST", "/executor/rec/pipe-chunked", [AUTH, ("Transfer-Encoding", "chunked")],
                           chunked(b"hello ", b"world"))
    sequence = {"get-post": [get, post], "post-get": [post, get], "get-chunked": [get, chunky],
                "post-post": [post, post2]}[order]
    expected = {"get-post": [("GET", "/base/pipe-get", b""), ("POST", "/base/pipe-post", b"hello world")],
                "post-get": [("POST", "/base/pipe-post", b"hello world"), ("GET", "/base/pipe-get", b"")],
                "get-chunked": [("GET", "/base/pipe-get", b""), ("POST", "/base/pipe-chunked", b"hello world")],
                "post-post": [("POST", "/base/pipe-post", b"hello world"),
                              ("POST", "/base/pipe-post2", b"again")]}[order]
    with RawHTTP(gateway.port, timeout=8) as conn:
        conn.send(b"".join(sequence))
        responses = [conn.read_response(), conn.read_response()]
    assert [r.status for r in responses] == [200, 200]
    assert [json_body(r)["method"] for r in responses] == [method for method, _, _ in expected]
    seen = rec.requests()
    assert [(r.method, r.path, r.body) for r in seen] == expected
    assert [json_body(r)["seq"] for r in responses] == [r.seq for r in seen]
