"""Loopback helpers: free ports, waiting for a listener, and a raw HTTP/1.1 client that shows
exactly what arrived (including a truncated body or a reset), which the usual clients hide."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port the kernel says is free now (bind port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float, alive=lambda: True) -> None:
    """Polls until something accepts on 127.0.0.1:port (bounded), or raises."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            if not alive():
                raise RuntimeError(f"the process meant to listen on {port} exited")
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {LOOPBACK}:{port} after {timeout}s")
            time.sleep(0.02)


@dataclass
class RawResponse:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    #: True when the body ended where its framing says it ends (Content-Length reached, last
    #: chunk read, or no body expected); False when the connection ended first.
    complete: bool
    #: How the connection ended when the body was incomplete: "eof", "reset" or "timeout".
    ended_by: str | None = None
    chunked: bool = False
    content_length: int | None = None
    raw_head: bytes = b""

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in reversed(self.headers):
            if key.lower() == name:
                return value
        return None

    def header_names(self) -> set[str]:
        return {key.lower() for key, _ in self.headers}


class ConnectionEnded(Exception):
    def __init__(self, how: str):
        super().__init__(how)
        self.how = how


@dataclass
class RawHTTP:
    """One client connection speaking HTTP/1.1 by hand, keep-alive by default."""

    port: int
    host: str = LOOPBACK
    timeout: float = 15.0
    sock: socket.socket = field(init=False)
    buffer: bytes = field(init=False, default=b"")

    def __post_init__(self) -> None:
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "RawHTTP":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- sending

    @staticmethod
    def head_bytes(method: str, target: str, headers: list[tuple[str, str]], host: str = "gateway.test") -> bytes:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request(self, method: str, target: str, headers: list[tuple[str, str]] = (), body: bytes | None = None) -> None:
        headers = list(headers)
        if body is not None:
            headers.append(("Content-Length", str(len(body))))
        self.send(self.head_bytes(method, target, headers) + (body or b""))

    # -- receiving

    def _fill(self) -> None:
        try:
            data = self.sock.recv(1 << 16)
        except ConnectionResetError:
            raise ConnectionEnded("reset")
        except socket.timeout:
            raise ConnectionEnded("timeout")
        if not data:
            raise ConnectionEnded("eof")
        self.buffer += data

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            self._fill()
        index = self.buffer.index(marker) + len(marker)
        out, self.buffer = self.buffer[:index], self.buffer[index:]
        return out

    def _read_exact(self, count: int) -> bytes:
        while len(self.buffer) < count:
            self._fill()
        out, self.buffer = self.buffer[:count], self.buffer[count:]
        return out

    def read_head(self) -> RawResponse:
        """Reads a response head (skipping 1xx answers); the body is left unread."""
        while True:
            head = self._read_until(b"\r\n\r\n")
            status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
            _, status, *reason = status_line.split(" ", 2)
            if not (100 <= int(status) < 200) or int(status) == 101:
                break
        headers = []
        for line in header_lines:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        response = RawResponse(int(status), reason[0] if reason else "", headers, b"", True, raw_head=head)
        response.chunked = "chunked" in (response.header("transfer-encoding") or "").lower()
        length = response.header("content-length")
        response.content_length = int(length) if length is not None else None
        return response

    def read_chunk(self) -> bytes:
        """One chunk of a chunked body; b"" for the last chunk (its trailer section is read)."""
        size_line = self._read_until(b"\r\n")
        size = int(size_line.split(b";")[0].strip(), 16)
        if size == 0:
            self._read_until(b"\r\n")  # no trailers expected: the empty line
            return b""
        data = self._read_exact(size)
        if self._read_exact(2) != b"\r\n":
            raise AssertionError("bad chunk framing")
        return data

    def read_response(self, method: str = "GET") -> RawResponse:
        """Reads one response. A connection that ends inside the head raises ConnectionEnded;
        one that ends inside the body gives a response with complete=False."""
        response = self.read_head()
        if method == "HEAD" or response.status in (204, 304):
            return response
        body = bytearray()
        try:
            if response.chunked:
                while chunk := self.read_chunk():
                    body += chunk
            elif response.content_length is not None:
                body += self._read_exact(response.content_length)
            else:
                body += self._read_to_end()
        except ConnectionEnded as ended:
            response.complete = False
            response.ended_by = ended.how
            if not response.chunked:
                body += self.buffer
                self.buffer = b""
        response.body = bytes(body)
        return response

    def _read_to_end(self) -> bytes:
        while True:
            try:
                self._fill()
            except ConnectionEnded as ended:
                if ended.how == "eof":
                    out, self.buffer = self.buffer, b""
                    return out
                raise

    def at_eof(self, wait: float = 2.0) -> bool:
        """True when the peer closed the connection (EOF or reset) within `wait` seconds."""
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(1)
            if data:
                self.buffer += data
                return False
            return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(self.timeout)


def wait_until(predicate, timeout: float, interval: float = 0.01) -> bool:
    """Polls `predicate` until it is true or `timeout` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            return result
        time.sleep(interval)
    return result
