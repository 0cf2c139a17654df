"""A TCP relay that records both directions: a client (an SDK, a CLI) talks to the relay, the relay
talks to the gateway, and afterwards the test reads every HTTP exchange the client saw, decoded
(chunked bodies joined), to assert on all of them, not only on those the client chose to show."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from .net import LOOPBACK
from .upstreams import TCPUpstream


@dataclass
class Message:
    head: str  # start line and header lines
    body: bytes

    @property
    def start_line(self) -> str:
        return self.head.split("\r\n", 1)[0]

    def headers(self) -> list[tuple[str, str]]:
        out = []
        for line in self.head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            out.append((name.strip(), value.strip()))
        return out

    def header(self, name: str) -> str | None:
        for key, value in self.headers():
            if key.lower() == name.lower():
                return value
        return None


def _read_body(data: bytes, pos: int, headers: list[tuple[str, str]], has_body: bool) -> tuple[bytes, int]:
    lowered = {k.lower(): v for k, v in headers}
    if not has_body:
        return b"", pos
    if "chunked" in lowered.get("transfer-encoding", "").lower():
        body = b""
        while True:
            end = data.index(b"\r\n", pos)
            size = int(data[pos:end].split(b";")[0].strip(), 16)
            pos = end + 2
            if size == 0:
                while True:  # trailers, then the empty line
                    end = data.index(b"\r\n", pos)
                    line, pos = data[pos:end], end + 2
                    if not line:
                        return body, pos
            body += data[pos:pos + size]
            pos += size + 2
    if "content-length" in lowered:
        length = int(lowered["content-length"])
        return data[pos:pos + length], pos + length
    return data[pos:], len(data)  # until the connection closed


def parse_stream(data: bytes, requests: bool, methods: list[str] | None = None) -> list[Message]:
    """Splits one direction of a connection into HTTP/1.1 messages. For responses, `methods`
    (the requests' methods in order) tells which responses have no body (HEAD)."""
    out: list[Message] = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            break
        head = data[pos:end].decode("latin-1")
        pos = end + 4
        message = Message(head, b"")
        if requests:
            has_body = True
        else:
            status = int(message.start_line.split(" ")[1])
            if 100 <= status < 200:
                continue
            method = methods[len(out)] if methods and len(out) < len(methods) else "GET"
            has_body = method != "HEAD" and status not in (204, 304)
        headers = message.headers()
        if requests and not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in headers):
            has_body = False
        message.body, pos = _read_body(data, pos, headers, has_body)
        out.append(message)
    return out


@dataclass
class Exchange:
    request: Message
    response: Message | None


class TeeRelay(TCPUpstream):
    """Accepts like a `TCPUpstream`; each connection is joined to the target and both directions
    are recorded."""

    def __init__(self, target_port: int, target_host: str = LOOPBACK):
        self.target = (target_host, target_port)
        self.connections: list[tuple[bytearray, bytearray]] = []  # (client->gateway, gateway->client)
        super().__init__(self._relay)

    def _relay(self, client: socket.socket, _upstream: TCPUpstream) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            return
        upstream.settimeout(None)
        up, down = bytearray(), bytearray()
        with self.lock:
            self.connections.append((up, down))
            self.conns.append(upstream)  # closed by stop() with the client sockets
        back = threading.Thread(target=self._pump, args=(upstream, client, down), daemon=True)
        back.start()
        self._pump(client, upstream, up)
        back.join()
        upstream.close()

    def _pump(self, source: socket.socket, sink: socket.socket, record: bytearray) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                with self.lock:
                    record += data
                sink.sendall(data)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def exchanges(self) -> list[Exchange]:
        with self.lock:
            snapshot = [(bytes(up), bytes(down)) for up, down in self.connections]
        out = []
        for up, down in snapshot:
            requests = parse_stream(up, requests=True)
            responses = parse_stream(down, requests=False, methods=[r.start_line.split(" ")[0] for r in requests])
            for index, request in enumerate(requests):
                out.append(Exchange(request, responses[index] if index < len(responses) else None))
        return out

    def downstream_bytes(self) -> bytes:
        with self.lock:
            return b"".join(bytes(down) for _, down in self.connections)
