"""Boundary corpus, limits: slow, idle, many and large callers cannot hold the gateway's memory,
its connections or an upstream connection, and refused requests are not read to the end.

Covers items 6 (300 MiB SCIM JSON body the gateway would buffer), 7 (connection cap, header-read
and idle timeouts, a slow request body holding the only upstream connection), 8 (4,000 headers,
linear work) and 13 (a 401/403 to a large upload answers and closes at once). The gateway's
`limits:` are set small where a test waits for them; bounds are generous (a debug build on two
shared cores): two to three times a timeout, 100 MiB of resident memory for a 300 MiB body."""

from __future__ import annotations

import select
import socket
import threading
import time

import pytest

from harness.boundary import (
    BOUNDARY_ENV, CALLER_TOKENS, VICTIM, PeakRSS, RecordingUpstream, boundary_principals, cpu_seconds, exchange,
    readable_within, request_bytes, scim_error)
from harness.gateway import LIMITED, WORKER
from harness.net import LOOPBACK, ConnectionEnded, RawHTTP, wait_until

AUTH = ("Authorization", WORKER["Authorization"])
MIB = 1 << 20


@pytest.fixture(scope="module")
def rec():
    with RecordingUpstream("rec") as upstream:
        yield upstream


def connectors(rec) -> list[dict]:
    return [
        {"name": "rec", "kind": "http", "executor_url": f"{rec.base}/base",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}},
        {"name": "other", "kind": "http", "executor_url": f"{rec.base}/other",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}},
        {"name": "slow", "kind": "http", "executor_url": f"{rec.base}/slow",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}, "limits": {"max_connections": 1}},
        {"name": "nx", "kind": "nexus", "connector_mode": "scim", "scim_base_url": f"{rec.base}/scim/v2",
         "auth": {"token": "env://E2E_NEXUS_TOKEN"}},
    ]


@pytest.fixture(scope="module")
def gateway(rec, module_gateways):
    """Default limits."""
    return module_gateways(connectors(rec), env=BOUNDARY_ENV, principals=boundary_principals("rec"))


@pytest.fixture
def limited_gateway(rec, start_gateway):
    """A gateway of its own with `limits` (the gateway section's) for one test."""
    def start(**limits):
        return start_gateway(connectors(rec), env=BOUNDARY_ENV, principals=boundary_principals("rec"), limits=limits)
    return start


@pytest.fixture(autouse=True)
def fresh(rec):
    rec.clear()
    yield
    for token in CALLER_TOKENS:
        assert not rec.seen_anywhere(token), "a caller token reached the upstream"


def livez_seconds(gateway, timeout: float = 10) -> float:
    started = time.monotonic()
    with RawHTTP(gateway.port, timeout=timeout) as conn:
        conn.send(request_bytes("GET", "/livez", []))
        assert conn.read_response().status == 200
    return time.monotonic() - started


# -- 6. bounded buffering of SCIM JSON bodies


SCIM_HEAD = [AUTH, ("Content-Type", "application/scim+json")]


def test_scim_json_body_declared_above_the_buffer_cap_is_refused_413_at_once(gateway, rec):
    with PeakRSS(gateway) as rss, RawHTTP(gateway.port, timeout=10) as conn:
        started = time.monotonic()
        conn.send(request_bytes("POST", "/scim/nx/Users", [*SCIM_HEAD, ("Content-Length", str(300 * MIB))]))
        try:
            for _ in range(8):
                if readable_within(conn.sock, 0):
                    break
                conn.send(b'{"schemas":[' + b" " * (MIB - 12))
        except OSError:
            pass  # closed after the 413: read it
        response = conn.read_response("POST")
        assert response.status == 413, response.raw_head
        assert time.monotonic() - started < 5
        assert scim_error(response)["status"] == "413"
        assert (response.header("connection") or "").lower() == "close"
        assert conn.at_eof(3)
    assert rss.growth < 100 * MIB, f"resident memory grew {rss.growth / MIB:.0f} MiB"
    rec.quiet()
    assert rec.requests() == []


def test_chunked_scim_json_body_of_300_mib_is_cut_at_the_buffer_cap(gateway, rec):
    chunk = b"%x\r\n" % MIB + b" " * MIB + b"\r\n"
    sent = 0
    with PeakRSS(gateway) as rss, RawHTTP(gateway.port, timeout=15) as conn:
        conn.send(request_bytes("POST", "/scim/nx/Users", [*SCIM_HEAD, ("Transfer-Encoding", "chunked")]))
        try:
            while sent < 300 * MIB and not readable_within(conn.sock, 0):
                conn.send(chunk)
                sent += MIB
                if rss.growth > 150 * MIB:
                    break  # the gateway buffers it all: stop before the machine suffers
            if sent >= 300 * MIB:
                conn.send(b"0\r\n\r\n")
        except OSError:
            pass  # closed after the 413: read it
        try:
            response = conn.read_response("POST")
        except ConnectionEnded as ended:
            raise AssertionError(f"no answer after {sent / MIB:.0f} MiB, connection ended by {ended.how}")
        assert response.status == 413, (response.status, f"after {sent / MIB:.0f} MiB")
        assert scim_error(response)["status"] == "413"
        assert (response.header("connection") or "").lower() == "close"
        assert conn.at_eof(3)
    assert rss.growth < 100 * MIB, f"resident memory grew {rss.growth / MIB:.0f} MiB (sent {sent / MIB:.0f} MiB)"
    assert sent < 300 * MIB, "the whole body was read"
    rec.quiet()
    assert rec.requests() == []


def test_max_buffered_body_bytes_is_a_gateway_limit(limited_gateway, rec):
    gateway = limited_gateway(max_buffered_body_bytes=64 * 1024)
    small = b'{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' + b"a" * 10_000 + b'"}'
    large = b'{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' + b"a" * 100_000 + b'"}'
    refused = exchange(gateway.port, request_bytes("POST", "/scim/nx/Users", [
        *SCIM_HEAD, ("Content-Length", str(len(large)))], large), method="POST")
    assert refused.response is not None and refused.response.status == 413, refused
    assert refused.closed
    chunked_large = b"%x\r\n" % len(large) + large + b"\r\n0\r\n\r\n"
    refused = exchange(gateway.port, request_bytes("POST", "/scim/nx/Users", [
        *SCIM_HEAD, ("Transfer-Encoding", "chunked")], chunked_large), method="POST")
    assert refused.response is not None and refused.response.status == 413, refused
    assert refused.closed
    accepted = exchange(gateway.port, request_bytes("POST", "/scim/nx/Users", [
        *SCIM_HEAD, ("Content-Length", str(len(small)))], small), method="POST", close_wait=0)
    assert accepted.response is not None and accepted.response.status == 200, accepted
    (seen,) = rec.wait_requests(1)
    assert seen.path == "/scim/v2/Users" and seen.body == small
    assert seen.header_values("content-length") == [str(len(small))]


# -- 7. connection cap, header-read and idle timeouts


def test_a_connection_over_the_cap_gets_503_and_is_closed(limited_gateway):
    gateway = limited_gateway(max_client_connections=20)
    held = []
    try:
        for _ in range(20):
            conn = RawHTTP(gateway.port, timeout=10)
            held.append(conn)
            conn.send(request_bytes("GET", "/livez", []))
            assert conn.read_response().status == 200
        over = socket.create_connection((LOOPBACK, gateway.port), timeout=10)
        try:
            if not readable_within(over, 1.0):
                over.sendall(request_bytes("GET", "/livez", []))
            data = b""
            while chunk := over.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
        finally:
            over.close()
        assert data.startswith(b"HTTP/1.1 503"), data[:200]
        # one of the held connections goes away: a new one is served again
        held.pop().close()

        def served() -> bool:
            try:
                with RawHTTP(gateway.port, timeout=5) as conn:
                    conn.send(request_bytes("GET", "/livez", []))
                    return conn.read_response().status == 200
            except (ConnectionEnded, OSError):
                return False
        assert wait_until(served, 5, interval=0.2)
    finally:
        for conn in held:
            conn.close()


def test_two_thousand_idle_sockets_are_closed_after_the_idle_timeout(limited_gateway):
    gateway = limited_gateway(client_idle_timeout="2s", header_read_timeout="2s")
    sockets: list[socket.socket] = []
    opened: dict[int, float] = {}
    closed: dict[int, float] = {}
    answered: dict[int, bytes] = {}
    try:
        for _ in range(2000):
            sock = socket.create_connection((LOOPBACK, gateway.port), timeout=10)
            sockets.append(sock)
            opened[sock.fileno()] = time.monotonic()
        assert livez_seconds(gateway) < 1.5, "the gateway stalls with 2,000 idle connections"
        poller = select.poll()
        for sock in sockets:
            poller.register(sock, select.POLLIN | select.POLLHUP | select.POLLERR)
        by_fd = {sock.fileno(): sock for sock in sockets}
        deadline = time.monotonic() + 8
        while len(closed) < len(sockets) and time.monotonic() < deadline:
            for fd, _ in poller.poll(200):
                try:
                    data = by_fd[fd].recv(65536)
                except ConnectionResetError:
                    data = b""
                if data:
                    answered[fd] = answered.get(fd, b"") + data
                    continue
                closed[fd] = time.monotonic()
                poller.unregister(fd)
    finally:
        for sock in sockets:
            sock.close()
    assert len(closed) == 2000, f"{2000 - len(closed)} idle connections still open 8 s after the last was opened"
    earliest = min(closed[fd] - opened[fd] for fd in closed)
    assert earliest > 1.0, f"an idle connection was closed after {earliest:.2f}s (timeout 2 s)"
    for data in answered.values():  # silently, or with a 408 (header_read_timeout), nothing else
        assert data.startswith(b"HTTP/1.1 408"), data[:200]


def test_a_head_trickled_one_byte_per_second_gets_408_and_is_closed(limited_gateway, rec):
    gateway = limited_gateway(header_read_timeout="2s")
    head = request_bytes("GET", "/executor/rec/trickle", [AUTH, ("X-Slow", "a" * 40)])
    with RawHTTP(gateway.port, timeout=10) as conn:
        started = time.monotonic()
        for index in range(len(head) - 4):  # never the final CRLF CRLF
            try:
                conn.send(head[index:index + 1])
            except OSError:
                break
            if readable_within(conn.sock, 1.0) or time.monotonic() - started > 10:
                break
        try:
            response = conn.read_response()
        except ConnectionEnded as ended:
            raise AssertionError(f"no answer to a head trickled for {time.monotonic() - started:.1f}s ({ended.how})")
        elapsed = time.monotonic() - started
        assert response.status == 408, response.raw_head
        assert 1.5 < elapsed < 6, f"408 after {elapsed:.1f}s (header_read_timeout 2 s)"
        assert (response.header("connection") or "").lower() == "close"
        assert conn.at_eof(3)
    rec.quiet()
    assert rec.requests() == []


def test_an_idle_keep_alive_connection_is_closed_silently(limited_gateway, rec):
    gateway = limited_gateway(client_idle_timeout="2s", header_read_timeout="10s")
    with RawHTTP(gateway.port, timeout=10) as conn:
        conn.send(request_bytes("GET", "/executor/rec/once", [AUTH]))
        assert conn.read_response().status == 200
        answered = time.monotonic()
        assert readable_within(conn.sock, 8), "an idle connection was still open after 8 s (client_idle_timeout 2 s)"
        elapsed = time.monotonic() - answered
        try:
            data = conn.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        assert data == b"", f"the gateway said {data[:200]!r} on an idle connection"
        assert 1.5 < elapsed < 6, f"closed after {elapsed:.1f}s idle (client_idle_timeout 2 s)"


def test_a_slow_request_body_gets_408_and_frees_the_only_upstream_connection(limited_gateway, rec):
    """1 byte every 2 s against request_body_timeout 2 s (min rate 500 bytes/s), on a connector
    with max_connections 1: the gateway answers 408, closes the upstream connection that carried
    the partial request, and the next principal's request succeeds at once."""
    gateway = limited_gateway(request_body_timeout="2s", request_body_min_rate=500)
    with RawHTTP(gateway.port, timeout=10) as conn:
        conn.send(request_bytes("POST", "/executor/slow/upload", [AUTH, ("Content-Length", "1000")]))
        started = time.monotonic()
        for _ in range(6):
            try:
                conn.send(b"x")
            except OSError:
                break
            if readable_within(conn.sock, 2.0):
                break
        try:
            response = conn.read_response("POST")
        except ConnectionEnded as ended:
            raise AssertionError(f"no answer to a body trickled for {time.monotonic() - started:.1f}s ({ended.how})")
        elapsed = time.monotonic() - started
        assert response.status == 408, response.raw_head
        assert 1.5 < elapsed < 6, f"408 after {elapsed:.1f}s (request_body_timeout 2 s)"
        assert conn.at_eof(3)
    carriers = [c for c in rec.connections if any(" /slow/upload " in h for h in c.heads)]
    for carrier in carriers:
        assert wait_until(lambda: carrier.closed_at is not None, 3), \
            "the upstream connection of the slow body stayed open"

    started = time.monotonic()
    victim = exchange(gateway.port, request_bytes("POST", "/executor/slow/after", [VICTIM, ("Content-Length", "5")],
                                                  b"hello"), method="POST", timeout=8, close_wait=0)
    assert victim.response is not None and victim.response.status == 200, victim
    assert time.monotonic() - started < 3
    (after,) = [r for r in rec.requests() if r.path == "/slow/after"]
    assert after.body == b"hello"
    assert after.connection not in [c.index for c in carriers]


# -- 8. linear header work


PROXY_HEADERS = [(f"Proxy-{n}", "x") for n in range(4000)]


def test_four_thousand_proxy_headers_cost_little_gateway_cpu(gateway, rec):
    data = request_bytes("GET", "/executor/rec/many-headers", [AUTH, *PROXY_HEADERS])
    assert 55_000 < len(data) < 64 * 1024
    before = cpu_seconds(gateway.pid)
    outcome = exchange(gateway.port, data, timeout=30, close_wait=0)
    spent = cpu_seconds(gateway.pid) - before
    assert outcome.response is not None and outcome.response.status == 200, outcome
    assert spent < 1.0, f"the gateway spent {spent:.2f}s of CPU on one request with 4,000 headers"
    assert [r.path for r in rec.wait_requests(1)] == ["/base/many-headers"]


def test_parallel_header_heavy_requests_do_not_stall_livez(gateway, rec):
    data = request_bytes("GET", "/executor/rec/many-headers", [AUTH, *PROXY_HEADERS])
    statuses: list[int | None] = []
    sent = threading.Barrier(5, timeout=30)

    def heavy():
        with RawHTTP(gateway.port, timeout=30) as conn:
            conn.send(data)
            sent.wait()
            try:
                statuses.append(conn.read_response().status)
            except ConnectionEnded:
                statuses.append(None)

    threads = [threading.Thread(target=heavy) for _ in range(4)]
    for thread in threads:
        thread.start()
    sent.wait()
    slowest = max(livez_seconds(gateway) for _ in range(3))
    for thread in threads:
        thread.join(timeout=60)
    assert slowest < 1.5, f"/livez took {slowest:.2f}s while 4 header-heavy requests were in flight"
    assert statuses == [200] * 4


# -- 13. a refused upload is not read


@pytest.mark.parametrize("principal,connector,status", [
    (None, "rec", 401),
    (("Authorization", "Bearer not-a-token"), "rec", 401),
    (("Authorization", LIMITED["Authorization"]), "other", 403),
], ids=["no-token", "bad-token", "forbidden"])
def test_a_refused_large_upload_is_answered_and_closed_without_reading_the_body(gateway, rec, principal, connector,
                                                                                 status):
    headers = [("Content-Length", str(100_000_000)), ("Content-Type", "application/octet-stream")]
    if principal:
        headers.insert(0, principal)
    with RawHTTP(gateway.port, timeout=10) as conn:
        conn.send(request_bytes("PUT", f"/executor/{connector}/upload", headers, b"u" * 65536))
        response = conn.read_response("PUT")
        assert response.status == status, response.raw_head
        assert (response.header("connection") or "").lower() == "close", response.raw_head
        assert conn.at_eof(3), "the gateway kept reading the upload it refused"
    rec.quiet()
    assert rec.requests() == []
