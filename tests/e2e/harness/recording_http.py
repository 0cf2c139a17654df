"""A small threaded HTTP/1.1 server for the fake upstreams of the connector proofs (OpenAI-
compatible, Daytona-shaped, SCIM-scripted): it records every request exactly as it arrived
(method, raw target, headers in order, body, peer, arrival time) and hands it to a route
function that writes the answer (JSON, SSE streamed chunk by chunk, or anything else)."""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

from .net import LOOPBACK

#: The User-Agent of the gateway's health probes.
HEALTH_PROBE_AGENT = "fractalops-gateway-health/"


@dataclass
class Seen:
    """One request as the upstream received it."""

    method: str
    target: str  # the raw request target, byte for byte as sent (no decoding)
    headers: list[tuple[str, str]]
    body: bytes
    peer: str
    at: float  # time.monotonic() when the head was read
    server: str = ""  # the name of the server that saw it

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> str:
        return urlsplit(self.target).query

    def params(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)

    def raw_text(self) -> str:
        """Head and body as one text, to search for values that must not be there."""
        head = "\r\n".join([f"{self.method} {self.target}", *(f"{k}: {v}" for k, v in self.headers)])
        return head + "\r\n\r\n" + self.body.decode("utf-8", "replace")


class Reply:
    """What a route function uses to answer (wraps the request handler)."""

    def __init__(self, handler: BaseHTTPRequestHandler):
        self._handler = handler
        self.started = False

    def json(self, status: int, value, headers: list[tuple[str, str]] = (),
             content_type: str = "application/json") -> None:
        self.bytes(status, json.dumps(value).encode(), [("Content-Type", content_type), *headers])

    def bytes(self, status: int, body: bytes, headers: list[tuple[str, str]] = ()) -> None:
        h = self._handler
        h.send_response(status)
        for name, value in headers:
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD" and status not in (204, 304):
            h.wfile.write(body)
        self.started = True

    def empty(self, status: int, headers: list[tuple[str, str]] = ()) -> None:
        h = self._handler
        h.send_response(status)
        for name, value in headers:
            h.send_header(name, value)
        if status not in (204, 304):
            h.send_header("Content-Length", "0")
        h.end_headers()
        self.started = True

    # -- chunked streaming (SSE): each chunk is written and flushed on its own

    def start_chunked(self, status: int, headers: list[tuple[str, str]]) -> None:
        h = self._handler
        h.send_response(status)
        for name, value in headers:
            h.send_header(name, value)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        h.wfile.flush()
        self.started = True

    def chunk(self, data: bytes) -> None:
        if data:
            self._handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self._handler.wfile.flush()

    def end_chunked(self) -> None:
        self._handler.wfile.write(b"0\r\n\r\n")
        self._handler.wfile.flush()


Route = Callable[[Seen, Reply], None]


class RecordingHTTPServer:
    """Serves `route(seen, reply)` on 127.0.0.1:<free port> in a background thread; every
    request is appended to `requests` before the route runs. stop() closes everything."""

    def __init__(self, route: Route, name: str = "upstream"):
        self.route = route
        self.name = name
        self.requests: list[Seen] = []
        self.probes: list[Seen] = []
        self.lock = threading.Lock()
        self.marks: dict[str, float] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = f"e2e-{name}"
            sys_version = ""

            def log_message(self, *args) -> None:  # quiet
                pass

            def _serve(self) -> None:
                length = self.headers.get("Content-Length")
                body = b""
                if length:
                    body = self.rfile.read(int(length))
                elif "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    body = self._read_chunked()
                seen = Seen(method=self.command, target=self.path, headers=list(self.headers.items()),
                            body=body, peer=self.client_address[0], at=time.monotonic(), server=outer.name)
                with outer.lock:
                    # The gateway's own health probes run on their schedule, not the test's: kept
                    # apart so `requests[-1]` is always the test's last call.
                    if (self.headers.get("User-Agent") or "").startswith(HEALTH_PROBE_AGENT):
                        outer.probes.append(seen)
                    else:
                        outer.requests.append(seen)
                reply = Reply(self)
                try:
                    outer.route(seen, reply)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                    return
                except Exception as error:  # a bug in a route: answer 599 so the test sees it
                    if not reply.started:
                        reply.bytes(599, f"route error: {error!r}".encode(), [("Content-Type", "text/plain")])
                    raise

            def _read_chunked(self) -> bytes:
                out = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return out
                    out += self.rfile.read(size)
                    self.rfile.readline()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address) -> None:
                if not isinstance(sys.exc_info()[1], OSError):  # a peer that went away is no news
                    super().handle_error(request, client_address)

        self.httpd = Server((LOOPBACK, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def mark(self, name: str) -> None:
        with self.lock:
            self.marks[name] = time.monotonic()

    def seen(self, predicate: Callable[[Seen], bool] = lambda s: True) -> list[Seen]:
        with self.lock:
            return [s for s in self.requests if predicate(s)]

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
            self.marks.clear()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "RecordingHTTPServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
