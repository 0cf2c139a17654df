"""The soak's own HTTP/1.1 upstream, run as a separate process so the soak can kill and restart it:

  GET  /slow?ms=N   answers after N milliseconds with `slow_body()`
  POST /sha256      answers with the hex SHA-256 of the request body (Content-Length framed)
  GET  /reset       announces a 1 MB body, sends 64 KiB of it, then resets the connection

Keep-alive connections idle for 2 s are closed, so the gateway's pooled connections wind down
when the load stops (the soak compares open descriptors before and after).

    python3 soak_upstream.py PORT
"""

from __future__ import annotations

import hashlib
import socket
import socketserver
import struct
import sys
import time
from urllib.parse import parse_qs, urlsplit

IDLE_SECONDS = 2.0
RESET_ANNOUNCED = 1_000_000
RESET_SENT = 64 * 1024


def slow_body() -> bytes:
    return b"".join(b"slow line %05d of the soak upstream\n" % i for i in range(128))


def response(status: str, body: bytes, content_type: str = "text/plain") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


class Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(IDLE_SECONDS)
        pending = b""
        try:
            while True:
                while b"\r\n\r\n" not in pending:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    pending += chunk
                head, _, pending = pending.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
                length = int(headers.get("content-length", "0"))
                while len(pending) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    pending += chunk
                body, pending = pending[:length], pending[length:]
                url = urlsplit(target)
                if method == "GET" and url.path == "/slow":
                    time.sleep(int(parse_qs(url.query).get("ms", ["0"])[0]) / 1000)
                    conn.sendall(response("200 OK", slow_body()))
                elif method == "POST" and url.path == "/sha256":
                    conn.sendall(response("200 OK", hashlib.sha256(body).hexdigest().encode()))
                elif method == "GET" and url.path == "/reset":
                    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                                 f"Content-Length: {RESET_ANNOUNCED}\r\n\r\n".encode() + b"r" * RESET_SENT)
                    time.sleep(0.02)
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    conn.close()  # RST now (socketserver would send a FIN first)
                    return
                else:
                    conn.sendall(response("404 Not Found", b"no such soak route\n"))
        except (socket.timeout, ConnectionError, OSError):
            return


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128


if __name__ == "__main__":
    with Server(("127.0.0.1", int(sys.argv[1])), Handler) as server:
        print("ready", flush=True)
        server.serve_forever(poll_interval=0.2)
