#!/usr/bin/env python3
"""Stand-ins for the upstreams of the bundled connectors.yaml, for `scripts/demo` only.

DEMO CODE. These are a few dozen lines per upstream, shaped like the real services just enough to
show what the gateway does in front of them. They are never on the path of `gateway serve` outside
the demo and belong in no production inventory. Python standard library only.

One process, one threaded HTTP/1.1 server per upstream, all on 127.0.0.1 (`demo.py` writes the
configuration: ports, certificate files and the fake keys of examples/demo.env):

- langboard (TLS, certificate for langboard.internal): `GET /health` 204; everything else wants
  the demo `X-Api-Key` (401 otherwise) and echoes the request it received as JSON.
- nexus (TLS, certificate for nexus.internal): a SCIM 2.0 provider at `/scim/v2` with the demo
  Bearer token; it writes its own absolute URLs (`meta.location`, `$ref`, `Location`), so the
  gateway's rewriting shows.
- daytona: the API under `/api` (`GET /api/health` public, `GET /api/sandbox[/<id>]` with the
  Bearer key, each sandbox naming its `toolboxProxyUrl`), and its toolbox on a port of its own.
- cliproxy (TLS, self-signed, like a lab instance): OpenAI-shaped `/v1/models` and
  `/v1/chat/completions`, which streams SSE chunk by chunk when asked; `/healthz` public.
- status-page: `/api/healthz` public; everything else wants `X-Status-Token` and echoes.

Prints `ready` on standard output once every server listens; stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import json
import signal
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
SCIM_JSON = "application/scim+json"
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
STREAM_WORDS = ["Hello", " from", " the", " CLIProxy", " stand-in"]
STREAM_PAUSE = 0.4  # seconds between SSE chunks: slow enough to watch them arrive


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the gateway's upstream pool expects
    server_version = "demo-stand-in"
    timeout = 120  # an idle pooled connection is closed after this

    def do_GET(self):
        # The body is read first, whatever the answer: a keep-alive connection must not be left
        # holding the rest of a request.
        self.payload = self._read_body()
        self.server.app(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format, *args):
        sys.stderr.write(f"{self.server.name}: {format % args}\n")

    # -- the request

    @property
    def path_only(self) -> str:
        return urlsplit(self.path).path

    def body(self) -> bytes:
        return self.payload

    def _read_body(self) -> bytes:
        if self.command == "HEAD":
            return b""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def bearer(self) -> str | None:
        value = self.headers.get("Authorization") or ""
        return value[len("Bearer "):] if value.startswith("Bearer ") else None

    def echo(self) -> dict:
        """What arrived, headers in arrival order (repeated ones joined)."""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        seen = {"stand_in": self.server.name, "method": self.command, "path": self.path, "headers": headers}
        body = self.body()
        if body:
            seen["body"] = body.decode("utf-8", "replace")
        return seen

    # -- answers

    def send(self, status: int, body: bytes = b"", content_type: str | None = None, headers=()) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def json(self, status: int, value, content_type: str = "application/json", headers=()) -> None:
        self.send(status, (json.dumps(value, indent=2) + "\n").encode(), content_type, headers)

    def start_chunked(self, status: int, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


class StandIn(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, name: str, port: int, app, tls: ssl.SSLContext | None = None):
        self.name, self.app, self.tls = name, app, tls
        super().__init__((LOOPBACK, port), Handler)

    def finish_request(self, request, client_address):
        if self.tls is None:
            return super().finish_request(request, client_address)
        request.settimeout(10)  # the handshake
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            sys.stderr.write(f"{self.name}: TLS handshake with {client_address[0]} failed: {error}\n")
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    return context


# -- Langboard: X-Api-Key, echo


def langboard(config: dict):
    def app(h: Handler) -> None:
        if h.path_only == "/health":
            h.send(204)
        elif h.headers.get("X-Api-Key") != config["api_key"]:
            h.json(401, {"detail": "Invalid API key"})
        else:
            h.json(200, h.echo())
    return app


# -- Nexus: a small SCIM provider naming its own absolute URLs


def nexus(config: dict):
    base = f"https://{LOOPBACK}:{config['port']}/scim/v2"
    lock = threading.Lock()
    user_id, group_id = "2819c223-7f76-453a-919d-413861904646", "e9e30dba-f08f-4109-8486-d5c6a331660a"
    users = {user_id: {"userName": "bjensen@example.com", "displayName": "Babs Jensen", "active": True}}

    def user(uid: str) -> dict:
        return {"schemas": [USER_SCHEMA], "id": uid, **users[uid],
                "groups": [{"value": group_id, "display": "Tour Guides", "$ref": f"{base}/Groups/{group_id}"}],
                "meta": {"resourceType": "User", "location": f"{base}/Users/{uid}"}}

    def group() -> dict:
        return {"schemas": [GROUP_SCHEMA], "id": group_id, "displayName": "Tour Guides",
                "members": [{"value": uid, "display": users[uid]["displayName"], "$ref": f"{base}/Users/{uid}"}
                            for uid in users],
                "meta": {"resourceType": "Group", "location": f"{base}/Groups/{group_id}"}}

    def error(h: Handler, status: int, detail: str) -> None:
        h.json(status, {"schemas": [SCIM_ERROR], "status": str(status), "detail": detail}, SCIM_JSON)

    def app(h: Handler) -> None:
        if h.bearer() != config["token"]:
            return error(h, 401, "the Bearer token is missing or wrong")
        path = h.path_only
        if not path.startswith("/scim/v2/"):
            return error(h, 404, f"no SCIM endpoint at {path}")
        resource = path[len("/scim/v2/"):].strip("/").split("/")
        with lock:
            if resource == ["ServiceProviderConfig"]:
                h.json(200, {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                             "patch": {"supported": False}, "bulk": {"supported": False},
                             "filter": {"supported": False}, "changePassword": {"supported": False},
                             "sort": {"supported": False}, "etag": {"supported": False},
                             "authenticationSchemes": [{"type": "oauthbearertoken", "name": "Bearer token"}],
                             "meta": {"resourceType": "ServiceProviderConfig",
                                      "location": f"{base}/ServiceProviderConfig"}}, SCIM_JSON)
            elif resource == ["Users"] and h.command == "GET":
                found = [user(uid) for uid in users]
                h.json(200, {"schemas": [LIST_SCHEMA], "totalResults": len(found), "startIndex": 1,
                             "itemsPerPage": len(found), "Resources": found}, SCIM_JSON)
            elif resource == ["Users"] and h.command == "POST":
                sent = json.loads(h.body() or b"{}")
                if not sent.get("userName"):
                    return error(h, 400, "userName is required")
                uid = str(uuid.uuid4())
                users[uid] = {"userName": sent["userName"], "displayName": sent.get("displayName", sent["userName"]),
                              "active": sent.get("active", True)}
                h.json(201, user(uid), SCIM_JSON, [("Location", f"{base}/Users/{uid}")])
            elif len(resource) == 2 and resource[0] == "Users" and resource[1] in users and h.command == "GET":
                h.json(200, user(resource[1]), SCIM_JSON)
            elif resource == ["Groups", group_id] and h.command == "GET":
                h.json(200, group(), SCIM_JSON)
            else:
                error(h, 404, f"no {h.command} {path} here")
    return app


# -- Daytona: the API and its toolbox


def daytona(config: dict):
    toolbox = f"http://{LOOPBACK}:{config['toolbox_port']}/toolbox"
    sandbox = {"id": "demo-sandbox", "name": "demo-sandbox", "state": "started", "cpu": 1, "memory": 1, "disk": 3,
               "target": "demo", "toolboxProxyUrl": toolbox}

    def app(h: Handler) -> None:
        path = h.path_only
        if path == "/api/health":
            h.json(200, {"status": "ok"})
        elif h.bearer() != config["api_key"]:
            h.json(401, {"statusCode": 401, "message": "Invalid API key", "error": "Unauthorized"})
        elif path == "/api/sandbox" and h.command == "GET":
            h.json(200, [sandbox])
        elif path == "/api/sandbox/demo-sandbox" and h.command == "GET":
            h.json(200, sandbox)
        else:
            h.json(404, {"statusCode": 404, "message": f"Cannot {h.command} {path}", "error": "Not Found"})
    return app


def daytona_toolbox(config: dict):
    def app(h: Handler) -> None:
        if h.bearer() != config["api_key"]:
            h.json(401, {"statusCode": 401, "message": "Invalid API key", "error": "Unauthorized"})
        else:
            h.json(200, h.echo())
    return app


# -- CLIProxy: OpenAI-shaped, SSE


def cliproxy(config: dict):
    def error(h: Handler, status: int, message: str, code: str) -> None:
        h.json(status, {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}})

    def stream(h: Handler, model: str) -> None:
        h.start_chunked(200, "text/event-stream")
        created = int(time.time())
        for index, word in enumerate(STREAM_WORDS):
            if index:
                time.sleep(STREAM_PAUSE)
            delta = {"role": "assistant", "content": word} if index == 0 else {"content": word}
            event = {"id": "chatcmpl-demo", "object": "chat.completion.chunk", "created": created, "model": model,
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            h.chunk(f"data: {json.dumps(event)}\n\n".encode())
        time.sleep(STREAM_PAUSE)
        h.chunk(b"data: [DONE]\n\n")
        h.chunk(b"")

    def app(h: Handler) -> None:
        path = h.path_only
        if path == "/healthz":
            return h.json(200, {"status": "ok"})
        management = path.startswith("/v0/management/")
        if h.bearer() != config["management_key" if management else "api_key"]:
            return error(h, 401, "Invalid API key", "invalid_api_key")
        if management:
            h.json(200, {"management": True, **h.echo()})
        elif path == "/v1/models" and h.command == "GET":
            h.json(200, {"object": "list", "data": [
                {"id": "demo-model", "object": "model", "created": 1700000000, "owned_by": "demo"}]})
        elif path == "/v1/chat/completions" and h.command == "POST":
            request = json.loads(h.body() or b"{}")
            model = request.get("model", "demo-model")
            if request.get("stream"):
                return stream(h, model)
            text = "".join(STREAM_WORDS)
            h.json(200, {"id": "chatcmpl-demo", "object": "chat.completion", "created": int(time.time()),
                         "model": model, "choices": [{"index": 0, "finish_reason": "stop",
                                                      "message": {"role": "assistant", "content": text}}]})
        else:
            error(h, 404, f"no route {path}", "not_found")
    return app


# -- a generic HTTP integration (the `http` kind): X-Status-Token, echo


def status_page(config: dict):
    def app(h: Handler) -> None:
        if h.path_only == "/api/healthz":
            h.json(200, {"status": "ok"})
        elif h.headers.get("X-Status-Token") != config["token"]:
            h.json(401, {"error": "missing or wrong X-Status-Token"})
        else:
            h.json(200, h.echo())
    return app


def build(config: dict) -> list[StandIn]:
    """Every stand-in, listening; OSError names the one whose port is taken."""
    plan = [
        ("langboard", config["langboard"]["port"], langboard(config["langboard"]), config["langboard"]),
        ("nexus", config["nexus"]["port"], nexus(config["nexus"]), config["nexus"]),
        ("daytona", config["daytona"]["port"], daytona(config["daytona"]), None),
        ("daytona-toolbox", config["daytona"]["toolbox_port"], daytona_toolbox(config["daytona"]), None),
        ("cliproxy", config["cliproxy"]["port"], cliproxy(config["cliproxy"]), config["cliproxy"]),
        ("status-page", config["status-page"]["port"], status_page(config["status-page"]), None),
    ]
    servers = []
    for name, port, app, tls in plan:
        try:
            servers.append(StandIn(name, port, app, tls_context(tls["cert"], tls["key"]) if tls else None))
        except OSError as error:
            for server in servers:
                server.server_close()
            raise OSError(f"the {name} stand-in cannot listen on {LOOPBACK}:{port}: {error.strerror or error}")
    return servers


def main() -> int:
    parser = argparse.ArgumentParser(description="The demo's stand-in upstreams (demo code; started by scripts/demo).")
    parser.add_argument("--config", required=True, help="JSON written by demo.py")
    args = parser.parse_args()
    with open(args.config) as file:
        config = json.load(file)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    try:
        servers = build(config)
    except OSError as error:
        print(f"standins: {error}", file=sys.stderr)
        return 1
    threads = [threading.Thread(target=server.serve_forever, name=server.name, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    print("ready", flush=True)
    while not stop.wait(1):
        pass
    for server in servers:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
