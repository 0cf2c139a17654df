"""Daytona's toolbox PTY over WebSocket through the gateway (issue 13): a toolbox-shaped server
serves `GET /toolbox/<sandbox>/process/pty/<session>/connect` as a real PTY (Python's `pty`
running /bin/sh) and refuses a handshake without the Daytona API key; a `websockets` client
goes through `/executor/daytona/toolbox/...` (the toolbox route, prefix stripped, one of the
kind's default WebSocket paths) with its gateway token only, types `echo hello` and reads
`hello` back. The Daytona Python SDK 0.226.1 pinned here has a PTY API
(`process.create_pty_session`/`connect_pty_session`, over httpx-ws with an exit-control
subprotocol and a connection handshake message); driving it needs a toolbox that speaks that
control protocol too, which this stand-in does not yet: here the `websockets` client is the
caller."""

import asyncio
import os
import pty
import subprocess

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from harness.gateway import WORKER, WORKER_TOKEN
from harness.websocket_server import WebSocketServer

API_KEY = "e2e-daytona-pty-key-93c1"


class PTYToolbox(WebSocketServer):
    """A toolbox-shaped WebSocket server: each connection to .../process/pty/<id>/connect gets
    its own /bin/sh on a PTY; bytes both ways as binary messages."""

    def __init__(self):
        self.handshakes = []  # (path, Authorization) of each toolbox request, not the health probes

        async def check(connection, request):
            if request.path.startswith("/toolbox/"):
                self.handshakes.append((request.path, request.headers.get("Authorization")))
            if request.headers.get("Authorization") != f"Bearer {API_KEY}":
                return connection.respond(401, "missing or wrong API key\n")
            if "/process/pty/" not in request.path or not request.path.endswith("/connect"):
                return connection.respond(404, "no such toolbox endpoint\n")
            return None

        async def shell(websocket):
            master, slave = pty.openpty()
            process = subprocess.Popen(["/bin/sh"], stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                                       env={"PATH": "/usr/bin:/bin", "PS1": "$ "})
            os.close(slave)
            loop = asyncio.get_running_loop()
            output = asyncio.Queue()
            loop.add_reader(master, lambda: output.put_nowait(os.read(master, 4096)))

            async def to_client():
                while True:
                    await websocket.send(await output.get())

            sender = asyncio.create_task(to_client())
            try:
                async for message in websocket:
                    os.write(master, message if isinstance(message, bytes) else message.encode())
            finally:
                sender.cancel()
                loop.remove_reader(master)
                process.kill()
                process.wait()
                os.close(master)

        super().__init__(shell, process_request=check)


@pytest.fixture(scope="module")
def toolbox():
    server = PTYToolbox()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(toolbox, module_gateways):
    return module_gateways([
        {"name": "daytona", "kind": "daytona", "executor_url": f"http://127.0.0.1:{toolbox.port}",
         "toolbox_proxy_url": f"http://127.0.0.1:{toolbox.port}/toolbox", "auth": {"api_key": "env://E2E_PTY_KEY"}},
    ], env={"E2E_PTY_KEY": API_KEY})


def pty_url(gateway, path):
    return gateway.executor("daytona", path).replace("http://", "ws://")


def test_typing_in_a_sandbox_terminal_through_the_gateway(gateway, toolbox):
    with connect(pty_url(gateway, "/toolbox/sandbox-1/process/pty/session-1/connect"), additional_headers=WORKER) as ws:
        ws.send(b"echo hello\n")
        seen = b""
        # The terminal echoes what was typed, then the shell answers (its prompt may come
        # first, on the same line): `hello` shows twice.
        while seen.count(b"hello") < 2:
            seen += ws.recv(timeout=10)
    assert toolbox.handshakes[-1] == ("/toolbox/sandbox-1/process/pty/session-1/connect", f"Bearer {API_KEY}")
    assert WORKER_TOKEN not in str(toolbox.handshakes)


def test_toolbox_paths_that_are_not_websocket_endpoints_refuse_the_upgrade(gateway, toolbox):
    before = len(toolbox.handshakes)
    with pytest.raises(InvalidStatus) as refused:
        connect(pty_url(gateway, "/toolbox/sandbox-1/files/download"), additional_headers=WORKER)
    assert refused.value.response.status_code == 501
    assert len(toolbox.handshakes) == before
