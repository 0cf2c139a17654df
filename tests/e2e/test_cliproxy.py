"""Issue 4, CLIProxy: `/executor/cliproxy/<path>` to the executor with `Authorization: Bearer
<api_key>`, every other key carrier of the caller removed, SSE streamed chunk by chunk, and
`/v0/management/*` only for principals with `manage`, with the management key and a truthful
X-Forwarded-For. Proven with the real `openai` SDK against an OpenAI-compatible upstream that
rejects any call without the injected key."""

from __future__ import annotations

import json
import time

import openai
import pytest

from harness.gateway import WORKER, WORKER_TOKEN
from harness.net import RawHTTP
from harness.openai_upstream import (
    API_KEY, CHUNK_PAUSE, MANAGEMENT_KEY, MODEL, RATE_LIMITED_MODEL, STREAM_WORDS, openai_upstream)

OPERATOR_TOKEN = "e2e-operator-token-2c8e51"
OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
ENV = {"E2E_CLIPROXY_KEY": API_KEY, "E2E_CLIPROXY_MGMT": MANAGEMENT_KEY, "E2E_OPERATOR_TOKEN": OPERATOR_TOKEN}
PRINCIPALS = [
    {"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["*"]},
    {"name": "operator", "token": "env://E2E_OPERATOR_TOKEN", "connectors": ["cliproxy"], "permissions": ["manage"]},
]


@pytest.fixture(scope="module")
def upstream():
    server = openai_upstream()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(upstream, module_gateways):
    return module_gateways([
        {"name": "cliproxy", "kind": "cliproxy", "executor_url": upstream.base,
         "auth": {"api_key": "env://E2E_CLIPROXY_KEY", "management_key": "env://E2E_CLIPROXY_MGMT"}},
    ], env=ENV, principals=PRINCIPALS)


@pytest.fixture
def client(gateway):
    sdk = openai.OpenAI(base_url=gateway.url("/executor/cliproxy/v1"), api_key=WORKER_TOKEN, max_retries=0,
                        timeout=30)
    yield sdk
    sdk.close()


def only_injected_key(seen, key: str = API_KEY) -> None:
    assert seen.header_values("authorization") == [f"Bearer {key}"], seen.headers
    assert WORKER_TOKEN not in seen.raw_text()
    assert OPERATOR_TOKEN not in seen.raw_text()


# -- the openai SDK through the gateway


def test_sdk_lists_models(client, upstream):
    upstream.clear()
    models = client.models.list()
    assert [m.id for m in models.data] == [MODEL, "e2e-other"]
    seen = upstream.requests[-1]
    assert (seen.method, seen.target) == ("GET", "/v1/models")
    only_injected_key(seen)


def test_sdk_chat_completion(client, upstream):
    upstream.clear()
    completion = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hello"}])
    assert completion.choices[0].message.content == "echo: hello"
    assert completion.usage.total_tokens == 5
    seen = upstream.requests[-1]
    assert seen.target == "/v1/chat/completions"
    assert seen.json()["messages"] == [{"role": "user", "content": "hello"}]
    only_injected_key(seen)


def test_sdk_streamed_chat_arrives_chunk_by_chunk(client, upstream):
    upstream.clear()
    started = time.monotonic()
    stream = client.chat.completions.create(model=MODEL, stream=True,
                                            messages=[{"role": "user", "content": "stream please"}])
    words, arrivals = [], []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            words.append(chunk.choices[0].delta.content)
            arrivals.append(time.monotonic())
    finished = time.monotonic()
    marks = dict(upstream.marks)
    assert words == STREAM_WORDS
    # the upstream pauses CHUNK_PAUSE between chunks: the whole answer takes ~3 pauses ...
    assert marks["stream-end"] - marks["chunk0"] >= 2.5 * CHUNK_PAUSE
    # ... and each chunk reached the SDK as soon as the upstream wrote it, not at the end
    for index, arrived in enumerate(arrivals):
        assert arrived - marks[f"chunk{index}"] < 0.5 * CHUNK_PAUSE, (index, arrived - marks[f"chunk{index}"])
    assert arrivals[0] < marks["stream-end"] - 2 * CHUNK_PAUSE
    assert arrivals[0] - started < 0.5 * CHUNK_PAUSE + 1.0
    assert finished - started >= 2.5 * CHUNK_PAUSE
    only_injected_key(upstream.requests[-1])


def test_sdk_sees_a_429_as_rate_limit_error(client, upstream):
    with pytest.raises(openai.RateLimitError) as raised:
        client.chat.completions.create(model=RATE_LIMITED_MODEL, messages=[{"role": "user", "content": "x"}])
    error = raised.value
    assert error.status_code == 429
    assert error.code == "rate_limit_exceeded"
    assert "Rate limit reached" in error.message
    assert error.response.headers.get("retry-after") == "20"


def test_sdk_call_without_the_injected_key_is_what_the_upstream_rejects(upstream):
    """The upstream really checks: the principal token sent straight to it is refused."""
    direct = openai.OpenAI(base_url=f"{upstream.base}/v1", api_key=WORKER_TOKEN, max_retries=0, timeout=10)
    with pytest.raises(openai.AuthenticationError):
        direct.models.list()
    direct.close()


# -- what the upstream receives


def raw(gateway, method: str, target: str, headers=(), body: bytes | None = None, principal=WORKER):
    with RawHTTP(gateway.port) as conn:
        conn.request(method, target, [*principal.items(), *headers], body)
        return conn.read_response(method)


CALLER_CARRIERS = [("X-Api-Key", "caller-x-api-key"), ("X-Goog-Api-Key", "caller-goog-key")]


def test_caller_key_carriers_are_stripped_and_the_rest_passes_byte_for_byte(gateway, upstream):
    upstream.clear()
    target = ("/executor/cliproxy/v1/messages?monkey=1&key=caller-query-key&alt=json"
              "&auth_token=caller-query-token&keys=2&q=a%20b%2Cc+d")
    response = raw(gateway, "POST", target, [
        *CALLER_CARRIERS, ("Anthropic-Version", "2023-06-01"), ("User-Agent", "e2e-agent/1.0 (cli)"),
        ("Content-Type", "application/json")], body=b'{"model":"claude-e2e","max_tokens":1}')
    assert response.status == 200, response.body
    seen = upstream.requests[-1]
    assert seen.target == "/v1/messages?monkey=1&alt=json&keys=2&q=a%20b%2Cc+d"
    only_injected_key(seen)
    assert seen.header("x-api-key") is None
    assert seen.header("x-goog-api-key") is None
    assert seen.header("anthropic-version") == "2023-06-01"
    assert seen.header("user-agent") == "e2e-agent/1.0 (cli)"
    assert seen.body == b'{"model":"claude-e2e","max_tokens":1}'
    assert "caller-" not in seen.raw_text()


def test_a_query_holding_only_a_key_reaches_the_upstream_without_it(gateway, upstream):
    upstream.clear()
    assert raw(gateway, "GET", "/executor/cliproxy/v1/models?key=caller-only-key").status == 200
    seen = upstream.requests[-1]
    assert seen.path == "/v1/models" and seen.query == ""
    assert "caller-only-key" not in seen.raw_text()


def test_gemini_path_with_a_literal_colon_streams_untouched(gateway, upstream):
    upstream.clear()
    target = "/executor/cliproxy/v1beta/models/gemini-e2e:streamGenerateContent?alt=sse"
    response = raw(gateway, "POST", target + "&key=caller-query-key", [CALLER_CARRIERS[1],
                   ("Content-Type", "application/json")], body=b'{"contents":[]}')
    assert response.status == 200, response.body
    assert response.header("content-type") == "text/event-stream"
    events = [json.loads(line[len("data: "):]) for line in response.body.decode().splitlines() if line.startswith("data: ")]
    assert [e["candidates"][0]["content"]["parts"][0]["text"] for e in events] == STREAM_WORDS
    seen = upstream.requests[-1]
    assert seen.target == "/v1beta/models/gemini-e2e:streamGenerateContent?alt=sse"
    only_injected_key(seen)
    assert seen.header("x-goog-api-key") is None


# -- management routes


def test_management_route_is_forbidden_without_the_manage_permission(gateway, upstream):
    upstream.clear()
    response = raw(gateway, "GET", "/executor/cliproxy/v0/management/config")
    assert response.status == 403, response.body
    assert (response.header("content-type") or "").startswith("application/problem+json")
    assert upstream.seen(lambda s: s.path.startswith("/v0/management/")) == []


def test_management_route_carries_the_management_key_and_a_truthful_forwarded_for(gateway, upstream):
    upstream.clear()
    response = raw(gateway, "GET", "/executor/cliproxy/v0/management/config?x=1",
                   [("X-Forwarded-For", "6.6.6.6"), ("X-Real-IP", "6.6.6.6"), *CALLER_CARRIERS],
                   principal=OPERATOR)
    assert response.status == 200, response.body
    assert json.loads(response.body)["management"] is True
    seen = upstream.requests[-1]
    assert seen.target == "/v0/management/config?x=1"
    only_injected_key(seen, MANAGEMENT_KEY)
    assert seen.header_values("x-forwarded-for") == ["127.0.0.1"]
    assert "6.6.6.6" not in seen.raw_text()
    assert "caller-" not in seen.raw_text()


def test_operator_on_the_model_api_gets_the_api_key_not_the_management_key(gateway, upstream):
    upstream.clear()
    assert raw(gateway, "GET", "/executor/cliproxy/v1/models", principal=OPERATOR).status == 200
    only_injected_key(upstream.requests[-1], API_KEY)
    assert MANAGEMENT_KEY not in upstream.requests[-1].raw_text()
