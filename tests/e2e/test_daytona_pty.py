"""Daytona's toolbox PTY over WebSocket through the gateway (issue 13): a toolbox-shaped server
serves `GET /toolbox/<sandbox>/process/pty/<session>/connect` as a real PTY (Python's `pty`
running /bin/sh) and refuses a handshake without the Daytona API key. Two callers go through
`/executor/daytona/toolbox/...` (the toolbox route, prefix stripped, one of the kind's default
WebSocket paths) with their gateway token only: a `websockets` client that types `echo hello`
and reads `hello` back, and the Daytona Python SDK 0.226.1's PTY API
(`sandbox.process.connect_pty_session`, over httpx-ws), which offers the
`X-Daytona-Pty-Exit-Control` subprotocol, waits for the daemon's `{"type": "control", "status":
"connected"}` message and reads the exit code from the close frame's JSON reason, as the
toolbox daemon (daytonaio/daytona, apps/daemon/pkg/toolbox/process/pty) sends them."""

import asyncio
import json
import os
import pty
import subprocess

import pytest
from daytona import Daytona
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from harness.daytona_upstream import API_KEY, DaytonaUpstream
from harness.gateway import WORKER, WORKER_TOKEN
from harness.websocket_server import WebSocketServer

EXIT_CONTROL = "X-Daytona-Pty-Exit-Control"


class PTYToolbox(WebSocketServer):
    """A toolbox-shaped WebSocket server: each connection to .../process/pty/<id>/connect gets
    its own /bin/sh on a PTY; bytes both ways as binary messages. A client that offers the
    exit-control subprotocol gets the control message first and, when the shell exits, a close
    frame 1000 whose reason is `{"exitCode": N}`."""

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

        def select_subprotocol(connection, offered):
            return EXIT_CONTROL if EXIT_CONTROL in offered else None

        async def shell(websocket):
            master, slave = pty.openpty()
            process = subprocess.Popen(["/bin/sh"], stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                                       env={"PATH": "/usr/bin:/bin", "PS1": "$ "})
            os.close(slave)
            loop = asyncio.get_running_loop()
            output = asyncio.Queue()

            def readable():
                try:
                    output.put_nowait(os.read(master, 4096) or None)
                except OSError:  # EIO: the shell exited and the terminal closed
                    output.put_nowait(None)
                    loop.remove_reader(master)

            loop.add_reader(master, readable)

            async def to_client():
                if websocket.subprotocol == EXIT_CONTROL:
                    await websocket.send(json.dumps({"type": "control", "status": "connected"}))
                while (chunk := await output.get()) is not None:
                    await websocket.send(chunk)
                code = await asyncio.to_thread(process.wait)
                await websocket.close(1000, json.dumps({"exitCode": code}))

            sender = asyncio.create_task(to_client())
            try:
                async for message in websocket:
                    os.write(master, message if isinstance(message, bytes) else message.encode())
            finally:
                await asyncio.wait([sender], timeout=5)
                sender.cancel()
                loop.remove_reader(master)
                if process.poll() is None:
                    process.kill()
                process.wait()
                os.close(master)

        super().__init__(shell, process_request=check, select_subprotocol=select_subprotocol)


@pytest.fixture(scope="module")
def toolbox():
    server = PTYToolbox()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(toolbox):
    server = DaytonaUpstream(toolbox_url=f"http://127.0.0.1:{toolbox.port}/toolbox")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(api, toolbox, module_gateways):
    """The Daytona API is the Daytona-shaped upstream; the toolbox is the PTY server (same key)."""
    return module_gateways([
        {"name": "daytona", "kind": "daytona", "executor_url": api.api.base,
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


def test_the_daytona_sdk_pty_session_through_the_gateway(gateway, toolbox, monkeypatch):
    for name in ("DAYTONA_JWT_TOKEN", "DAYTONA_ORGANIZATION_ID", "DAYTONA_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAYTONA_API_URL", gateway.url("/executor/daytona/api"))
    monkeypatch.setenv("DAYTONA_API_KEY", WORKER_TOKEN)
    monkeypatch.setenv("DAYTONA_TARGET", "e2e")
    sandbox = Daytona().create(timeout=30)
    assert sandbox.toolbox_proxy_url == gateway.url("/executor/daytona/toolbox")

    handle = sandbox.process.connect_pty_session("sdk-session")
    try:
        assert handle.is_connected()
        handle.send_input("echo hello\n")
        seen = b""
        for chunk in handle:
            seen += chunk
            if seen.count(b"hello") >= 2:
                break
        handle.send_input("exit 3\n")
        result = handle.wait(timeout=15)
        assert result.exit_code == 3
    finally:
        handle.disconnect()
    path, authorization = toolbox.handshakes[-1]
    assert path == f"/toolbox/{sandbox.id}/process/pty/sdk-session/connect"
    assert authorization == f"Bearer {API_KEY}"
    assert WORKER_TOKEN not in str(toolbox.handshakes)
