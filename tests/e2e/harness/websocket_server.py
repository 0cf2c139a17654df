"""A `websockets` server on 127.0.0.1 in a thread of its own, for the WebSocket suites:
`WebSocketServer(handler, process_request)` serves until `stop()`; `port` is where it listens.
`EchoServer` is the echo upstream that checks the gateway's injected credential."""

import asyncio
import threading

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from harness.gateway import HTTP_CREDENTIAL


class WebSocketServer:
    def __init__(self, handler, process_request=None, max_size=2**20, **options):
        """`options` go to `websockets.asyncio.server.serve` (e.g. `select_subprotocol`)."""
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(handler, process_request, max_size, ready, options),
                                       daemon=True)
        self.thread.start()
        assert ready.wait(10), "the WebSocket server did not start"

    def _run(self, handler, process_request, max_size, ready, options):
        asyncio.set_event_loop(self.loop)

        async def main():
            # No keepalive pings: a loaded test (100 tunnels of 16 MiB) must not time them out.
            async with serve(handler, "127.0.0.1", 0, process_request=process_request, max_size=max_size,
                             ping_interval=None, **options) as server:
                self.port = server.sockets[0].getsockname()[1]
                self.stopping = asyncio.Event()
                ready.set()
                await self.stopping.wait()

        self.loop.run_until_complete(main())

    def stop(self):
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(10)


class EchoServer(WebSocketServer):
    """Echoes every message; a text message `close <code>` makes it close with that code.
    Refuses (401) a handshake without `Authorization: Bearer <HTTP_CREDENTIAL>`; records each
    handshake's headers (not the gateway's health probes) and the close codes and reasons it received."""

    def __init__(self):
        self.handshakes = []
        self.closes = []
        self.reasons = []

        async def check(connection, request):
            if "upgrade" not in request.headers.get("Connection", "").lower():
                return connection.respond(200, "not a handshake (the gateway's health probe)\n")
            self.handshakes.append({name.lower(): value for name, value in request.headers.raw_items()} | {":path": request.path})
            if request.headers.get("Authorization") != f"Bearer {HTTP_CREDENTIAL}":
                return connection.respond(401, "wrong or missing credential\n")
            return None

        async def echo(websocket):
            try:
                async for message in websocket:
                    if isinstance(message, str) and message.startswith("close "):
                        await websocket.close(int(message.split()[1]), "asked to")
                        return
                    await websocket.send(message)
            except ConnectionClosed:
                pass
            self.closes.append(websocket.close_code)
            self.reasons.append(websocket.close_reason)

        super().__init__(echo, process_request=check, max_size=None)
