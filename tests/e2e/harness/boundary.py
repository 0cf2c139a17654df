"""Upstreams and helpers of the boundary corpus (test_boundary_*.py): what a caller can make the
gateway send, byte for byte.

- `RecordingUpstream` parses requests itself, strictly (one Content-Length, or `chunked` alone,
  well-formed chunks and trailers, CRLF only, no bytes between messages), so a second request
  hidden in a body, a body without framing or a stray byte shows up as its own request or as a
  parse failure. It records every request (method, target, headers in order, body, trailers,
  framing, the exact bytes, the upstream connection it came on) and the raw byte stream of every
  connection, and answers 200 with a small JSON body (or a routed answer: chunked, close-
  delimited, 101, ...), keep-alive.
- `H11Upstream` records the same way but parses with h11 (the parser inside uvicorn) and echoes
  what that conventional parser made of the bytes as a JSON body.

Both keep the gateway's own health probes (their User-Agent) apart from the test's requests.
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote_to_bytes

import h11

from .gateway import LIMITED_TOKEN, WORKER_TOKEN
from .net import LOOPBACK, ConnectionEnded, RawHTTP, RawResponse, wait_until
from .recording_http import HEALTH_PROBE_AGENT
from .upstreams import TCPUpstream

# -- principals and secrets of the corpus

ATTACKER_TOKEN = "e2e-attacker-token-5b7e1c"
VICTIM_TOKEN = "e2e-victim-token-c39d04"
OPERATOR_TOKEN = "e2e-boundary-operator-token-71fa"
CLIPROXY_API_KEY = "sk-e2e-boundary-api-key-2d4f"
CLIPROXY_MANAGEMENT_KEY = "e2e-boundary-management-key-8c61"
NEXUS_TOKEN = "e2e-boundary-nexus-token-0e93"

BOUNDARY_ENV = {
    "E2E_ATTACKER_TOKEN": ATTACKER_TOKEN,
    "E2E_VICTIM_TOKEN": VICTIM_TOKEN,
    "E2E_OPERATOR_TOKEN": OPERATOR_TOKEN,
    "E2E_CLIPROXY_KEY": CLIPROXY_API_KEY,
    "E2E_CLIPROXY_MGMT": CLIPROXY_MANAGEMENT_KEY,
    "E2E_NEXUS_TOKEN": NEXUS_TOKEN,
}

ATTACKER = ("Authorization", f"Bearer {ATTACKER_TOKEN}")
VICTIM = ("Authorization", f"Bearer {VICTIM_TOKEN}")
OPERATOR = ("Authorization", f"Bearer {OPERATOR_TOKEN}")


def boundary_principals(limited_to: str) -> list[dict]:
    """worker (every connector), limited (only `limited_to`), attacker and victim (every
    connector, different tokens), operator (every connector, permission `manage`)."""
    return [
        {"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["*"]},
        {"name": "limited", "token": "env://E2E_LIMITED_TOKEN", "connectors": [limited_to]},
        {"name": "attacker", "token": "env://E2E_ATTACKER_TOKEN", "connectors": ["*"]},
        {"name": "victim", "token": "env://E2E_VICTIM_TOKEN", "connectors": ["*"]},
        {"name": "operator", "token": "env://E2E_OPERATOR_TOKEN", "connectors": ["*"], "permissions": ["manage"]},
    ]


#: Every caller token of the corpus: none may ever reach an upstream.
CALLER_TOKENS = [WORKER_TOKEN, LIMITED_TOKEN, ATTACKER_TOKEN, VICTIM_TOKEN, OPERATOR_TOKEN]


# -- what an upstream saw


def fold_name(name: str) -> str:
    """A header name as a CGI/WSGI-style server may read it: lower case, `_` as `-`."""
    return name.lower().replace("_", "-")


@dataclass
class UpstreamRequest:
    """One request as an upstream parsed it."""

    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes
    trailers: list[tuple[str, str]]
    #: "content-length", "chunked" or "none": how the body was framed.
    framing: str
    #: The exact bytes of this request (head and framed body); None from the h11 upstream.
    raw: bytes | None
    connection: int
    seq: int
    probe: bool
    at: float
    server: str

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def folded_values(self, name: str) -> list[str]:
        """Values of every header whose name equals `name` with `_` read as `-`."""
        want = fold_name(name)
        return [value for key, value in self.headers if fold_name(key) == want]

    def head_text(self) -> str:
        return "\r\n".join([f"{self.method} {self.target} {self.version}", *(f"{k}: {v}" for k, v in self.headers)])

    def everything(self) -> bytes:
        """Head, body and trailers as bytes, to search for values that must not be there."""
        if self.raw is not None:
            return self.raw
        trailers = "".join(f"{k}: {v}\r\n" for k, v in self.trailers)
        return (self.head_text() + "\r\n\r\n").encode("latin-1") + self.body + trailers.encode("latin-1")


@dataclass
class ParseFailure:
    """Bytes the strict parser (or h11) refused: never expected from the gateway."""

    connection: int
    reason: str
    data: bytes
    server: str


@dataclass
class ConnectionRecord:
    index: int
    opened_at: float
    raw: bytearray = field(default_factory=bytearray)
    closed_at: float | None = None
    #: Request lines of the heads read on this connection (also of requests never completed).
    heads: list[str] = field(default_factory=list)
    #: () -> the bytes received but not (yet) part of a complete request
    unparsed: Callable[[], bytes] = field(default=lambda: b"")


@dataclass
class Answer:
    """What an upstream sends for a request, and what it does next: `keep` (keep-alive, parse
    the next request), `close` (close after sending) or `hold` (stop parsing; record whatever
    else arrives until the peer closes)."""

    data: bytes
    then: str = "keep"


Responder = Callable[[UpstreamRequest], Answer]


def http_answer(status: str, body: bytes, headers: list[tuple[str, str]] = (), head_only: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head_only else body)


def request_json(request: UpstreamRequest) -> dict:
    return {"server": request.server, "seq": request.seq, "connection": request.connection,
            "method": request.method, "target": request.target, "version": request.version,
            "headers": [list(pair) for pair in request.headers], "body": request.body.decode("latin-1"),
            "trailers": [list(pair) for pair in request.trailers], "framing": request.framing}


def default_answer(echo: bool) -> Responder:
    """200 with {server, seq, connection, method} (nothing the caller sent beyond its method),
    or with the whole request when `echo`."""

    def respond(request: UpstreamRequest) -> Answer:
        if echo:
            value = request_json(request)
        else:
            value = {"server": request.server, "seq": request.seq, "connection": request.connection,
                     "method": request.method}
        body = json.dumps(value).encode()
        return Answer(http_answer("200 OK", body, [("Content-Type", "application/json"),
                                                   ("X-Upstream-Seq", str(request.seq))],
                                  head_only=request.method == "HEAD"))

    return respond


class _Recorder:
    """The accept loop, connection records and request list both upstreams share."""

    name = "upstream"

    def __init__(self, name: str, responder: Responder | None, routes: dict[str, Responder] | None, echo: bool):
        self.name = name
        self.responder = responder or default_answer(echo)
        self.routes = dict(routes or {})
        self.lock = threading.Lock()
        self._requests: list[UpstreamRequest] = []
        self.failures: list[ParseFailure] = []
        self.connections: list[ConnectionRecord] = []
        self._seq = 0
        self.tcp = TCPUpstream(self._accepted)
        self.port = self.tcp.port

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    # -- recording

    def _accepted(self, conn: socket.socket, _tcp: TCPUpstream) -> None:
        conn.settimeout(300)  # longer than any test; stop() unblocks it sooner
        with self.lock:
            record = ConnectionRecord(index=len(self.connections), opened_at=time.monotonic())
            self.connections.append(record)
        try:
            self.serve(conn, record)
        except (OSError, socket.timeout):
            pass
        finally:
            record.closed_at = record.closed_at or time.monotonic()

    def serve(self, conn: socket.socket, record: ConnectionRecord) -> None:
        raise NotImplementedError

    def _recv(self, conn: socket.socket, record: ConnectionRecord) -> bytes:
        data = conn.recv(1 << 16)
        if data:
            with self.lock:
                record.raw += data
        else:
            record.closed_at = time.monotonic()
        return data

    def _hold(self, conn: socket.socket, record: ConnectionRecord) -> None:
        while self._recv(conn, record):
            pass

    def _add(self, request: UpstreamRequest) -> None:
        with self.lock:
            self._seq += 1
            request.seq = self._seq
            self._requests.append(request)

    def _fail(self, record: ConnectionRecord, reason: str, data: bytes) -> None:
        with self.lock:
            self.failures.append(ParseFailure(record.index, reason, bytes(data[:4096]), self.name))

    def _answer(self, request: UpstreamRequest) -> Answer:
        for prefix, responder in self.routes.items():
            if request.path.startswith(prefix):
                return responder(request)
        return self.responder(request)

    # -- what the tests read

    def requests(self, include_probes: bool = False) -> list[UpstreamRequest]:
        with self.lock:
            return [r for r in self._requests if include_probes or not r.probe]

    def probes(self) -> list[UpstreamRequest]:
        with self.lock:
            return [r for r in self._requests if r.probe]

    def stream(self, index: int) -> bytes:
        with self.lock:
            return bytes(self.connections[index].raw)

    def streams(self) -> list[bytes]:
        with self.lock:
            return [bytes(c.raw) for c in self.connections]

    def seen_anywhere(self, needle: str | bytes) -> bool:
        """True when `needle` is in any byte any connection delivered since clear()."""
        if isinstance(needle, str):
            needle = needle.encode("latin-1")
        return any(needle in raw for raw in self.streams())

    def unparsed(self) -> dict[int, bytes]:
        """Bytes each open connection delivered that are not (yet) a complete request: a stray
        body without framing, or half a request. Empty when every byte was accounted for."""
        with self.lock:
            records = [r for r in self.connections if r.closed_at is None]
        return {r.index: data for r in records if (data := r.unparsed())}

    def clear(self) -> None:
        """Forgets requests, failures and the bytes seen so far (connections stay counted)."""
        with self.lock:
            self._requests.clear()
            self.failures.clear()
            for record in self.connections:
                record.raw = bytearray()
                record.heads.clear()

    def wait_requests(self, count: int, timeout: float = 5.0, include_probes: bool = False) -> list[UpstreamRequest]:
        wait_until(lambda: len(self.requests(include_probes)) >= count, timeout)
        return self.requests(include_probes)

    def quiet(self, period: float = 0.1, timeout: float = 5.0) -> None:
        """Waits until no byte arrived for `period` seconds (bounded)."""
        deadline = time.monotonic() + timeout
        last = -1
        while time.monotonic() < deadline:
            total = sum(len(s) for s in self.streams())
            if total == last:
                return
            last = total
            time.sleep(period)

    def stop(self) -> None:
        self.tcp.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# -- the strict parser

TCHAR = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
MAX_HEAD = 256 * 1024


class _Strict(Exception):
    pass


class _Reader:
    def __init__(self, upstream: "RecordingUpstream", conn: socket.socket, record: ConnectionRecord):
        self.upstream, self.conn, self.record = upstream, conn, record
        self.buffer = b""
        self.consumed = bytearray()  # the bytes of the request being read

    def fill(self) -> bool:
        data = self.upstream._recv(self.conn, self.record)
        if not data:
            return False
        self.buffer += data
        return True

    def line(self, limit: int = MAX_HEAD) -> bytes:
        while b"\n" not in self.buffer:
            if len(self.buffer) > limit:
                raise _Strict("line too long")
            if not self.fill():
                raise EOFError
        index = self.buffer.index(b"\n")
        if index == 0 or self.buffer[index - 1:index] != b"\r":
            raise _Strict("bare LF")
        out, self.buffer = self.buffer[:index - 1], self.buffer[index + 1:]
        self.consumed += out + b"\r\n"
        if b"\r" in out:
            raise _Strict("bare CR")
        return out

    def exact(self, count: int) -> bytes:
        while len(self.buffer) < count:
            if not self.fill():
                raise EOFError
        out, self.buffer = self.buffer[:count], self.buffer[count:]
        self.consumed += out
        return out


def _fields(lines: list[bytes]) -> list[tuple[str, str]]:
    fields = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            raise _Strict(f"obs-fold {line[:60]!r}")
        name, colon, value = line.partition(b":")
        if not colon or not TCHAR.match(name):
            raise _Strict(f"bad field line {line[:60]!r}")
        fields.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
    return fields


class RecordingUpstream(_Recorder):
    """The strict recording upstream (see the module docstring). `routes` maps a path prefix
    (as the upstream sees it) to a responder; everything else gets the default answer."""

    def __init__(self, name: str = "recording", responder: Responder | None = None,
                 routes: dict[str, Responder] | None = None, echo: bool = False):
        super().__init__(name, responder, routes, echo)

    def serve(self, conn: socket.socket, record: ConnectionRecord) -> None:
        reader = _Reader(self, conn, record)
        record.unparsed = lambda: bytes(reader.consumed) + reader.buffer
        while True:
            reader.consumed = bytearray()
            try:
                if not reader.buffer and not reader.fill():
                    return
                request = self._read_request(reader, record)
            except EOFError:
                if reader.buffer or reader.consumed:
                    self._fail(record, "connection ended inside a request", bytes(reader.consumed) + reader.buffer)
                return
            except _Strict as error:
                self._fail(record, str(error), bytes(reader.consumed) + reader.buffer)
                self._hold(conn, record)
                return
            reader.consumed = bytearray()
            self._add(request)
            answer = self._answer(request)
            conn.sendall(answer.data)
            if answer.then == "close":
                conn.shutdown(socket.SHUT_WR)
                self._hold(conn, record)
                return
            if answer.then == "hold":
                self._hold(conn, record)
                return

    def _read_request(self, reader: _Reader, record: ConnectionRecord) -> UpstreamRequest:
        request_line = reader.line()
        parts = request_line.split(b" ")
        if len(parts) != 3 or not TCHAR.match(parts[0]) or not re.fullmatch(rb"HTTP/1\.[01]", parts[2]) \
                or not parts[1]:
            raise _Strict(f"bad request line {request_line[:100]!r}")
        method, target, version = (p.decode("latin-1") for p in parts)
        with self.lock:
            record.heads.append(request_line.decode("latin-1"))
        lines = []
        size = len(request_line)
        while (line := reader.line()) != b"":
            size += len(line)
            if size > MAX_HEAD:
                raise _Strict("head too large")
            lines.append(line)
        headers = _fields(lines)
        te = [v for k, v in headers if k.lower() == "transfer-encoding"]
        cl = [v for k, v in headers if k.lower() == "content-length"]
        trailers: list[tuple[str, str]] = []
        if te:
            if cl:
                raise _Strict("both Content-Length and Transfer-Encoding")
            if len(te) != 1 or te[0].lower() != "chunked":
                raise _Strict(f"Transfer-Encoding {te!r}")
            framing, body, trailers = "chunked", *self._read_chunked(reader)
        elif cl:
            if len(cl) != 1 or not re.fullmatch(r"[0-9]{1,15}", cl[0]):
                raise _Strict(f"Content-Length {cl!r}")
            framing, body = "content-length", reader.exact(int(cl[0]))
        else:
            framing, body = "none", b""
        agent = next((v for k, v in headers if k.lower() == "user-agent"), "")
        return UpstreamRequest(
            method=method, target=target, version=version, headers=headers, body=body, trailers=trailers,
            framing=framing, raw=bytes(reader.consumed), connection=record.index, seq=0,
            probe=agent.startswith(HEALTH_PROBE_AGENT), at=time.monotonic(), server=self.name)

    @staticmethod
    def _read_chunked(reader: _Reader) -> tuple[bytes, list[tuple[str, str]]]:
        body = bytearray()
        while True:
            line = reader.line(4096)
            size_text = line.split(b";", 1)[0]
            if not re.fullmatch(rb"[0-9A-Fa-f]{1,15}", size_text):
                raise _Strict(f"bad chunk size line {line[:40]!r}")
            size = int(size_text, 16)
            if size == 0:
                break
            body += reader.exact(size)
            if reader.exact(2) != b"\r\n":
                raise _Strict("chunk data not followed by CRLF")
        lines = []
        while (line := reader.line()) != b"":
            lines.append(line)
        return bytes(body), _fields(lines)


class H11Upstream(_Recorder):
    """The same recording API over h11; echoes what h11 parsed (method, target, headers with
    their original spelling, body, trailers) as JSON, keep-alive when h11 allows it."""

    def __init__(self, name: str = "h11", responder: Responder | None = None,
                 routes: dict[str, Responder] | None = None, echo: bool = True):
        super().__init__(name, responder, routes, echo)

    def serve(self, conn: socket.socket, record: ConnectionRecord) -> None:
        parser = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        current: dict | None = None
        record.unparsed = lambda: (b"<request in progress>" if current is not None else b"") + parser.trailing_data[0]
        while True:
            try:
                event = parser.next_event()
            except h11.RemoteProtocolError as error:
                self._fail(record, f"h11: {error}", bytes(record.raw[-4096:]))
                self._hold(conn, record)
                return
            if event is h11.NEED_DATA:
                data = self._recv(conn, record)
                parser.receive_data(data)
                if not data and parser.their_state is not h11.DONE and current is not None:
                    self._fail(record, "connection ended inside a request", b"")
                    return
                continue
            if isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
                return
            if isinstance(event, h11.Request):
                headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers.raw_items()]
                current = {"method": event.method.decode("latin-1"), "target": event.target.decode("latin-1"),
                           "version": "HTTP/" + event.http_version.decode(), "headers": headers, "body": bytearray()}
                with self.lock:
                    record.heads.append(f"{current['method']} {current['target']} {current['version']}")
            elif isinstance(event, h11.Data) and current is not None:
                current["body"] += event.data
            elif isinstance(event, h11.EndOfMessage) and current is not None:
                headers = current["headers"]
                names = {k.lower() for k, _ in headers}
                framing = "chunked" if "transfer-encoding" in names else (
                    "content-length" if "content-length" in names else "none")
                agent = next((v for k, v in headers if k.lower() == "user-agent"), "")
                request = UpstreamRequest(
                    method=current["method"], target=current["target"], version=current["version"],
                    headers=headers, body=bytes(current["body"]),
                    trailers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers.raw_items()],
                    framing=framing, raw=None, connection=record.index, seq=0,
                    probe=agent.startswith(HEALTH_PROBE_AGENT), at=time.monotonic(), server=self.name)
                current = None
                self._add(request)
                answer = self._answer(request)
                # The answer is written as raw bytes; h11 is told it was a complete response.
                conn.sendall(answer.data)
                if answer.then != "keep" or parser.their_state is h11.MUST_CLOSE:
                    if answer.then == "close":
                        conn.shutdown(socket.SHUT_WR)
                    self._hold(conn, record)
                    return
                parser.send(h11.Response(status_code=200, headers=[("Content-Length", "0")]))
                parser.send(h11.EndOfMessage())
                try:
                    parser.start_next_cycle()
                except h11.LocalProtocolError:
                    self._hold(conn, record)
                    return


def expect_upstream_clean(*upstreams: "_Recorder") -> None:
    """After a probe: each upstream read every byte the gateway sent as whole requests (nothing
    it could not parse, nothing left over) and no caller's token ever reached it."""
    for upstream in upstreams:
        upstream.quiet(period=0.05)
        assert upstream.failures == [], f"{upstream.name} could not parse what the gateway sent: {upstream.failures}"
        assert upstream.unparsed() == {}, f"{upstream.name} got bytes that are no request: {upstream.unparsed()}"
        for token in CALLER_TOKENS:
            assert not upstream.seen_anywhere(token), f"a caller token reached {upstream.name}"


# -- canned upstream answers


def chunked_answer(chunks: list[bytes], then: str = "keep") -> Responder:
    def respond(_request: UpstreamRequest) -> Answer:
        body = b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks) + b"0\r\n\r\n"
        return Answer(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" + body, then)
    return respond


def close_delimited_answer(body: bytes) -> Responder:
    """A response without Content-Length or chunking: its end is the connection's end."""
    def respond(_request: UpstreamRequest) -> Answer:
        return Answer(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + body, "close")
    return respond


def switching_protocols_answer(_request: UpstreamRequest) -> Answer:
    """101 to a request that asked for no upgrade, then bytes of 'another protocol'; the
    connection stays open until the gateway closes it."""
    return Answer(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                  b"\x81\x05hello", "hold")


# -- requests on the wire


def request_bytes(method: str, target: str, headers: list[tuple[str, str]] = (), body: bytes = b"",
                  version: str = "HTTP/1.1", host: str | None = "gateway.test") -> bytes:
    """A request exactly as given: the Host line first (unless None), then `headers` in order,
    then `body` as is (the caller writes any framing header itself)."""
    lines = [f"{method} {target} {version}"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(*chunks: bytes, trailers: list[tuple[str, str]] = ()) -> bytes:
    out = b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks if c)
    return out + b"0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in trailers).encode("latin-1") + b"\r\n"


@dataclass
class Outcome:
    response: RawResponse | None
    #: True when the gateway closed the connection after the response (within the wait).
    closed: bool
    #: How the connection ended when no response came: "eof", "reset" or "timeout".
    ended_by: str | None = None

    @property
    def status(self) -> int | None:
        return self.response.status if self.response else None


def exchange(port: int, data: bytes, method: str = "GET", timeout: float = 10.0, close_wait: float = 3.0) -> Outcome:
    """Sends `data` on a new connection, reads one response, then waits up to `close_wait`
    seconds for the gateway to close the connection."""
    with RawHTTP(port, timeout=timeout) as conn:
        try:
            conn.send(data)
        except OSError:
            pass  # the gateway may have answered and closed already: read what it said
        try:
            response = conn.read_response(method)
        except ConnectionEnded as ended:
            return Outcome(None, True, ended.how)
        return Outcome(response, conn.at_eof(close_wait) if close_wait else False)


def problem(response: RawResponse) -> dict:
    assert (response.header("content-type") or "").startswith("application/problem+json"), response.raw_head
    return json.loads(response.body)


def scim_error(response: RawResponse) -> dict:
    assert (response.header("content-type") or "").startswith("application/scim+json"), response.raw_head
    document = json.loads(response.body)
    assert document["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"], document
    return document


def assert_refused(outcome: Outcome, status: int, closed: bool = True) -> None:
    """The gateway answered `status` itself (and closed the connection when `closed`)."""
    assert outcome.response is not None, f"no response (connection ended by {outcome.ended_by})"
    response = outcome.response
    assert response.status == status, (response.status, response.raw_head, response.body[:300])
    assert response.header("x-upstream-seq") is None, "the answer came from the upstream"
    if closed:
        assert (response.header("connection") or "").lower() == "close", response.raw_head
        assert outcome.closed, "the gateway kept the connection open"


def json_body(response: RawResponse) -> dict:
    return json.loads(response.body)


# -- paths


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4."""
    out: list[str] = []
    inp = path
    while inp:
        if inp.startswith("../"):
            inp = inp[3:]
        elif inp.startswith("./"):
            inp = inp[2:]
        elif inp.startswith("/./"):
            inp = inp[2:]
        elif inp == "/.":
            inp = "/"
        elif inp.startswith("/../"):
            inp = inp[3:]
            if out:
                out.pop()
        elif inp == "/..":
            inp = "/"
            if out:
                out.pop()
        elif inp in (".", ".."):
            inp = ""
        else:
            start = 1 if inp.startswith("/") else 0
            end = inp.find("/", start)
            end = len(inp) if end < 0 else end
            out.append(inp[:end])
            inp = inp[end:]
    return "".join(out)


def upstream_view(path: str) -> bytes:
    """What an upstream may make of a path: percent-decoded once, `\\` read as `/`, dot segments
    removed (as bytes; NUL kept so a caller can look for it)."""
    decoded = unquote_to_bytes(path).replace(b"\\", b"/")
    return remove_dot_segments(decoded.decode("latin-1")).encode("latin-1")


def under_base(path: str, base: str) -> bool:
    view = upstream_view(path)
    base_bytes = base.encode()
    return (view == base_bytes or view.startswith(base_bytes.rstrip(b"/") + b"/")) and b"\x00" not in view


# -- the gateway process


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PeakRSS:
    """Samples a gateway's VmRSS every 20 ms in a thread; `peak` is the largest seen."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.start = gateway.rss_bytes()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            try:
                self.peak = max(self.peak, self.gateway.rss_bytes())
            except (OSError, AssertionError):
                return

    @property
    def growth(self) -> int:
        return self.peak - self.start

    def __enter__(self) -> "PeakRSS":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        try:
            self.peak = max(self.peak, self.gateway.rss_bytes())
        except (OSError, AssertionError):
            pass



def readable_within(sock: socket.socket, seconds: float) -> bool:
    ready, _, _ = select.select([sock], [], [], max(0.0, seconds))
    return bool(ready)


def fuzz_seed() -> int:
    """BOUNDARY_FUZZ_SEED, or a fresh seed (printed by the test, so a failure can be replayed)."""
    text = os.environ.get("BOUNDARY_FUZZ_SEED")
    return int(text, 0) if text else random.SystemRandom().randrange(1 << 32)
