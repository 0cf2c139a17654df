"""A `websockets` server on 127.0.0.1 in a thread of its own, for the WebSocket suites:
`WebSocketServer(handler, process_request)` serves until `stop()`; `port` is where it listens."""

import asyncio
import threading

from websockets.asyncio.server import serve


class WebSocketServer:
    def __init__(self, handler, process_request=None, max_size=2**20):
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(handler, process_request, max_size, ready), daemon=True)
        self.thread.start()
        assert ready.wait(10), "the WebSocket server did not start"

    def _run(self, handler, process_request, max_size, ready):
        asyncio.set_event_loop(self.loop)

        async def main():
            async with serve(handler, "127.0.0.1", 0, process_request=process_request, max_size=max_size) as server:
                self.port = server.sockets[0].getsockname()[1]
                self.stopping = asyncio.Event()
                ready.set()
                await self.stopping.wait()

        self.loop.run_until_complete(main())

    def stop(self):
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(10)
