"""An OpenAI-compatible upstream standing in for CLIProxyAPI (written from the OpenAI API's shapes
as the `openai` SDK parses them), recording every request.

- Every route but `GET /healthz` wants `Authorization: Bearer <API_KEY>` (401 otherwise), and
  `/v0/management/*` wants `Authorization: Bearer <MANAGEMENT_KEY>` (401 otherwise).
- `GET /v1/models`; `POST /v1/chat/completions` (model `e2e-rate-limited` answers 429 with an
  OpenAI error body; `stream: true` answers SSE chunks `CHUNK_PAUSE` seconds apart, each send
  time recorded as mark `chunk<n>`, `stream-end` after `[DONE]`).
- `POST /v1beta/models/<model>:streamGenerateContent` answers a short Gemini-style SSE stream.
- Anything else under `/v1/` or `/v0/management/` answers 200 with a JSON echo of the request.
"""

from __future__ import annotations

import json
import time

from .recording_http import RecordingHTTPServer, Reply, Seen

API_KEY = "sk-e2e-cliproxy-api-key-6a2d"
MANAGEMENT_KEY = "e2e-cliproxy-management-key-9f13"
MODEL = "e2e-model"
RATE_LIMITED_MODEL = "e2e-rate-limited"
STREAM_WORDS = ["alpha", "beta", "gamma"]
CHUNK_PAUSE = 1.0


def _error(reply: Reply, status: int, message: str, kind: str, code: str | None = None, headers=()) -> None:
    reply.json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}}, headers)


def _echo(seen: Seen) -> dict:
    return {"method": seen.method, "target": seen.target, "headers": seen.headers,
            "body": seen.body.decode("utf-8", "replace")}


def openai_upstream() -> RecordingHTTPServer:
    holder: dict[str, RecordingHTTPServer] = {}

    def route(seen: Seen, reply: Reply) -> None:
        server = holder["server"]
        path = seen.path
        if path == "/healthz":
            reply.json(200, {"status": "ok"})
            return
        expected = MANAGEMENT_KEY if path.startswith("/v0/management/") else API_KEY
        if seen.header_values("authorization") != [f"Bearer {expected}"]:
            _error(reply, 401, "Invalid API key", "invalid_request_error", "invalid_api_key")
            return
        if path.startswith("/v0/management/"):
            reply.json(200, {"management": True, **_echo(seen)})
        elif seen.method == "GET" and path == "/v1/models":
            reply.json(200, {"object": "list", "data": [
                {"id": MODEL, "object": "model", "created": 1700000000, "owned_by": "e2e"},
                {"id": "e2e-other", "object": "model", "created": 1700000001, "owned_by": "e2e"}]})
        elif seen.method == "POST" and path == "/v1/chat/completions":
            request = seen.json()
            if request.get("model") == RATE_LIMITED_MODEL:
                _error(reply, 429, "Rate limit reached for e2e-rate-limited", "rate_limit_error",
                       "rate_limit_exceeded", [("Retry-After", "20")])
            elif request.get("stream"):
                _stream_chat(server, request, reply)
            else:
                last = request["messages"][-1]["content"]
                reply.json(200, {
                    "id": "chatcmpl-e2e-1", "object": "chat.completion", "created": int(time.time()),
                    "model": request["model"],
                    "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                 "message": {"role": "assistant", "content": f"echo: {last}"}}],
                    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}})
        elif seen.method == "POST" and ":" in path and path.startswith("/v1beta/models/"):
            reply.start_chunked(200, [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
            for word in STREAM_WORDS:
                reply.chunk(("data: " + json.dumps({"candidates": [{"content": {"parts": [{"text": word}]}}]})
                             + "\r\n\r\n").encode())
            reply.end_chunked()
        elif path.startswith("/v1/") or path.startswith("/v1beta/"):
            reply.json(200, _echo(seen))
        else:
            _error(reply, 404, f"no route {path}", "invalid_request_error")

    def _stream_chat(server: RecordingHTTPServer, request: dict, reply: Reply) -> None:
        reply.start_chunked(200, [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        created = int(time.time())
        for index, word in enumerate(STREAM_WORDS):
            if index:
                time.sleep(CHUNK_PAUSE)
            chunk = {"id": "chatcmpl-e2e-stream", "object": "chat.completion.chunk", "created": created,
                     "model": request["model"],
                     "choices": [{"index": 0, "delta": {"role": "assistant", "content": word} if index == 0
                                  else {"content": word}, "finish_reason": None, "logprobs": None}]}
            reply.chunk(f"data: {json.dumps(chunk)}\n\n".encode())
            server.mark(f"chunk{index}")
        time.sleep(CHUNK_PAUSE)
        final = {"id": "chatcmpl-e2e-stream", "object": "chat.completion.chunk", "created": created,
                 "model": request["model"], "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        server.mark("stream-end")  # before the last write: the caller may see it at once
        reply.chunk(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())
        reply.end_chunked()

    server = RecordingHTTPServer(route, name="openai-upstream")
    holder["server"] = server
    return server
