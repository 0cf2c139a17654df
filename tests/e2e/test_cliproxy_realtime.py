"""CLIProxy's Realtime API over a WebSocket tunnel (issue 13): the `openai` SDK's Realtime client
(`openai[realtime]`, i.e. the `websockets` client) connects to `/executor/cliproxy/v1/realtime`
with the worker's token as its API key; the gateway swaps it for the connector's key, and an
OpenAI-shaped Realtime upstream (a real `websockets` server speaking the Realtime event shapes)
that refuses any other key exchanges a session update and a response with it."""

from __future__ import annotations

import json

import openai
import pytest
from websockets.exceptions import ConnectionClosed

from harness.gateway import WORKER_TOKEN
from harness.openai_upstream import API_KEY
from harness.websocket_server import WebSocketServer

MODEL = "e2e-realtime"


class RealtimeUpstream(WebSocketServer):
    """`GET /v1/realtime?model=...` upgrades when `Authorization: Bearer <API_KEY>` comes with it
    (401 otherwise); then `session.created`, `session.updated` for each `session.update`, and
    `response.created`, one text delta and `response.done` for each `response.create`."""

    def __init__(self):
        self.handshakes = []
        self.received = []

        async def check(connection, request):
            if "upgrade" not in request.headers.get("Connection", "").lower():
                return connection.respond(200, "ok\n")  # the gateway's health probe (/healthz)
            self.handshakes.append({"path": request.path, "authorization": request.headers.get("Authorization")})
            if not request.path.startswith("/v1/realtime?"):
                return connection.respond(404, "no such endpoint\n")
            if request.headers.get("Authorization") != f"Bearer {API_KEY}":
                return connection.respond(401, "wrong or missing API key\n")
            return None

        async def realtime(websocket):
            session = {"type": "realtime", "id": "sess_e2e", "object": "realtime.session", "model": MODEL,
                       "instructions": ""}
            counter = 0

            async def send(event):
                nonlocal counter
                counter += 1
                await websocket.send(json.dumps({"event_id": f"event_{counter}", **event}))

            await send({"type": "session.created", "session": session})
            try:
                async for message in websocket:
                    event = json.loads(message)
                    self.received.append(event)
                    if event["type"] == "session.update":
                        session = {**session, **event["session"]}
                        await send({"type": "session.updated", "session": session})
                    elif event["type"] == "response.create":
                        response = {"id": "resp_e2e", "object": "realtime.response", "status": "in_progress", "output": []}
                        await send({"type": "response.created", "response": response})
                        await send({"type": "response.output_text.delta", "response_id": "resp_e2e", "item_id": "item_e2e",
                                    "output_index": 0, "content_index": 0, "delta": "hello through the gateway"})
                        await send({"type": "response.done", "response": {**response, "status": "completed"}})
            except ConnectionClosed:
                pass

        super().__init__(realtime, process_request=check)


@pytest.fixture(scope="module")
def upstream():
    server = RealtimeUpstream()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(upstream, module_gateways):
    return module_gateways([
        {"name": "cliproxy", "kind": "cliproxy", "executor_url": f"http://127.0.0.1:{upstream.port}",
         "auth": {"api_key": "env://E2E_CLIPROXY_KEY"}},
    ], env={"E2E_CLIPROXY_KEY": API_KEY})


def test_the_openai_realtime_client_exchanges_a_session_update_and_a_response(gateway, upstream):
    client = openai.OpenAI(base_url=gateway.url("/executor/cliproxy/v1"), api_key=WORKER_TOKEN, max_retries=0)
    with client.realtime.connect(model=MODEL) as connection:
        assert connection.recv().type == "session.created"
        connection.session.update(session={"type": "realtime", "instructions": "answer in one word"})
        updated = connection.recv()
        assert updated.type == "session.updated"
        assert updated.session.instructions == "answer in one word"
        connection.response.create()
        events = []
        while not events or events[-1].type != "response.done":
            events.append(connection.recv())
        assert [event.type for event in events] == ["response.created", "response.output_text.delta", "response.done"]
        assert events[1].delta == "hello through the gateway"
    assert upstream.handshakes[-1] == {"path": f"/v1/realtime?model={MODEL}", "authorization": f"Bearer {API_KEY}"}
    assert [event["type"] for event in upstream.received[-2:]] == ["session.update", "response.create"]


def test_a_worker_token_the_gateway_does_not_know_is_refused_before_the_upstream(gateway, upstream):
    seen = len(upstream.handshakes)
    client = openai.OpenAI(base_url=gateway.url("/executor/cliproxy/v1"), api_key="not-a-principal", max_retries=0)
    with pytest.raises(Exception) as refused:
        with client.realtime.connect(model=MODEL) as connection:
            connection.recv()
    assert "401" in str(refused.value)
    assert len(upstream.handshakes) == seen
