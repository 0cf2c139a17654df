"""Small upstreams in plain sockets for conditions nginx cannot produce: a slow SSE stream, an
upstream that never answers, one that stalls or resets mid-body, one that answers before reading
the request body, one that drops keep-alive connections it advertised."""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from .net import LOOPBACK


@dataclass
class Recorded:
    """What an upstream saw: request heads, connections accepted, and named moments
    (monotonic times, or counts such as `drops`)."""

    heads: list[bytes] = field(default_factory=list)
    connections: int = 0
    events: dict[str, float] = field(default_factory=dict)


class TCPUpstream:
    """Accepts on 127.0.0.1:<free port> and runs `handler(conn, upstream)` per connection in a
    thread. stop() closes the listener and every connection."""

    def __init__(self, handler: Callable[[socket.socket, "TCPUpstream"], None]):
        self.handler = handler
        self.record = Recorded()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.conns: list[socket.socket] = []
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((LOOPBACK, 0))
        self.listener.listen(64)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self.lock:
                self.conns.append(conn)
                self.record.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        try:
            self.handler(conn, self)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def mark(self, name: str) -> None:
        self.record.events.setdefault(name, time.monotonic())

    def hold(self, seconds: float = 120) -> None:
        """Blocks until stop() (or `seconds`)."""
        self.stopping.wait(seconds)

    def stop(self) -> None:
        self.stopping.set()
        try:
            self.listener.close()
        except OSError:
            pass
        with self.lock:
            for conn in self.conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                try:
                    conn.close()
                except OSError:
                    pass

    def __enter__(self) -> "TCPUpstream":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def read_head(conn: socket.socket, upstream: TCPUpstream, pending: bytes = b"") -> tuple[bytes, bytes] | None:
    """Reads one request head; returns (head, bytes after it) or None at EOF."""
    data = pending
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    index = data.index(b"\r\n\r\n") + 4
    with upstream.lock:
        upstream.record.heads.append(data[:index])
    return data[:index], data[index:]


def response(status: str, body: bytes = b"", headers: list[tuple[str, str]] = (), keep_alive: bool = True) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def reset(conn: socket.socket) -> None:
    """Closes with SO_LINGER 0: the peer gets a RST, not a FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


# -- handlers


def never_answers(conn, upstream):
    """Accepts and reads the request, then says nothing until the test ends."""
    if read_head(conn, upstream) is not None:
        upstream.mark("request")
    upstream.hold()


def stalls_mid_body(chunked: bool):
    """Sends the head and part of the body, then goes silent (the connection stays open)."""

    def handler(conn, upstream):
        if read_head(conn, upstream) is None:
            return
        if chunked:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"10\r\n" + b"a" * 16 + b"\r\n")
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n" + b"a" * 100)
        upstream.mark("stalled")
        upstream.hold()

    return handler


RESET_TOTAL = 1_000_000
RESET_SENT = 64 * 1024


def resets_mid_body(conn, upstream):
    """Announces a Content-Length body, sends part of it, then resets the connection."""
    if read_head(conn, upstream) is None:
        return
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {RESET_TOTAL}\r\n\r\n"
                 .encode() + b"r" * RESET_SENT)
    time.sleep(0.3)
    upstream.mark("reset")
    reset(conn)


EARLY_BODY = b'{"error":"invalid api key"}'


def answers_401_before_body(conn, upstream):
    """Answers 401 as soon as the head of a (large) request arrived, without reading its body,
    and keeps the connection open."""
    if read_head(conn, upstream) is None:
        return
    upstream.mark("answered")
    conn.sendall(response("401 Unauthorized", EARLY_BODY,
                          [("Content-Type", "application/json"), ("WWW-Authenticate", 'ApiKey realm="e2e"')]))
    upstream.hold(30)


def closes_after_answer(conn, upstream):
    """Answers one request advertising keep-alive, then closes the connection at once."""
    if read_head(conn, upstream) is None:
        return
    conn.sendall(response("200 OK", b"fresh\n", [("Keep-Alive", "timeout=60")]))
    conn.shutdown(socket.SHUT_WR)


def drops_reused(use_reset: bool):
    """Answers the first request on a connection advertising keep-alive; when a second request
    arrives on it, closes (FIN, or RST when `use_reset`) without answering: the race of an
    upstream closing an idle keep-alive connection just as it is reused, made deterministic."""

    def handler(conn, upstream):
        got = read_head(conn, upstream)
        if got is None:
            return
        conn.sendall(response("200 OK", b"fresh\n", [("Keep-Alive", "timeout=60")]))
        data = got[1] or conn.recv(65536)
        if data:
            with upstream.lock:
                upstream.record.events["drops"] = upstream.record.events.get("drops", 0) + 1
        if use_reset:
            reset(conn)
        else:
            conn.shutdown(socket.SHUT_RDWR)

    return handler


SSE_EVENTS = 3
SSE_PAUSE = 1.5


def sse_stream(conn, upstream):
    """text/event-stream, chunked: `data: n` events with pauses between them."""
    if read_head(conn, upstream) is None:
        return
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    for n in range(SSE_EVENTS):
        if n:
            time.sleep(SSE_PAUSE)
        event = f"data: {n}\n\n".encode()
        conn.sendall(f"{len(event):x}\r\n".encode() + event + b"\r\n")
        upstream.mark(f"event{n}")
    conn.sendall(b"0\r\n\r\n")
    upstream.mark("end")
    upstream.hold(5)


def slow_answer(seconds: float):
    """Answers 200 after `seconds` (marks `request` when the request arrived, `answered` when
    it starts answering)."""

    def handler(conn, upstream):
        got = read_head(conn, upstream)
        if got is None:
            return
        # Only a caller's request counts, not the gateway's own health probe (GET /).
        probe = got[0].startswith(b"GET / ")
        if not probe:
            upstream.mark("request")
        time.sleep(seconds)
        if not probe:
            upstream.mark("answered")  # before sending: the caller may see the answer at once
        conn.sendall(response("200 OK", b"slow answer\n", keep_alive=False))

    return handler


def capture(conn, upstream):
    """Records each request head (and drains a Content-Length body), answers 200 with it."""
    pending = b""
    while True:
        got = read_head(conn, upstream, pending)
        if got is None:
            return
        head, pending = got
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(pending) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            pending += chunk
        pending = pending[length:]
        conn.sendall(response("200 OK", head, [("Content-Type", "text/plain")]))
