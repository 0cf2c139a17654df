"""Issue 4, Daytona: `/executor/daytona/<path>` to the executor with `Authorization: Bearer <api_key>`;
the `toolboxProxyUrl` the API returns rewritten to the gateway's toolbox route, which carries the
SDK's in-sandbox calls to the toolbox proxy with the same key and the toolbox's own Host (never the
fixed host_header). Proven with the real `daytona` SDK, authenticated to the gateway with the
principal token, against a Daytona-shaped upstream built from `daytona-api-client`'s models that
refuses any call without the injected key."""

from __future__ import annotations

import json

import pytest
import requests
from daytona import Daytona, DaytonaError

from harness.daytona_upstream import API_KEY, DaytonaUpstream
from harness.gateway import WORKER, WORKER_TOKEN
from harness.net import RawHTTP

API_HOST = "daytona-api.internal"  # the fixed Host of the API; never sent to the toolbox


@pytest.fixture(scope="module")
def upstream():
    server = DaytonaUpstream()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(upstream, module_gateways):
    return module_gateways([
        {"name": "daytona", "kind": "daytona", "executor_url": upstream.api.base, "host_header": API_HOST,
         "toolbox_proxy_url": upstream.toolbox_url, "auth": {"api_key": "env://E2E_DAYTONA_KEY"}},
    ], env={"E2E_DAYTONA_KEY": API_KEY})


@pytest.fixture
def sdk_env(monkeypatch, gateway):
    for name in ("DAYTONA_JWT_TOKEN", "DAYTONA_ORGANIZATION_ID", "DAYTONA_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAYTONA_API_URL", gateway.url("/executor/daytona/api"))
    monkeypatch.setenv("DAYTONA_API_KEY", WORKER_TOKEN)
    monkeypatch.setenv("DAYTONA_TARGET", "e2e")


def test_sdk_create_list_get_exec_delete_through_the_gateway(sdk_env, gateway, upstream):
    toolbox_route = gateway.url("/executor/daytona/toolbox")
    daytona = Daytona()

    sandbox = daytona.create(timeout=30)
    assert sandbox.state == "started"
    # the API answered `creating` and the SDK polled until `started`
    polls = upstream.api.seen(lambda s: s.method == "GET" and s.path == f"/api/sandbox/{sandbox.id}")
    assert len(polls) >= 2
    # the SDK was handed the gateway's toolbox route, never the upstream's toolbox URL
    assert sandbox.toolbox_proxy_url == toolbox_route

    listed = {s.id: s for s in daytona.list()}
    assert sandbox.id in listed
    assert listed[sandbox.id].toolbox_proxy_url == toolbox_route

    fetched = daytona.get(sandbox.id)
    assert fetched.state == "started"
    assert fetched.toolbox_proxy_url == toolbox_route

    executed = sandbox.process.exec("echo hello through the gateway")
    assert executed.exit_code == 0
    assert executed.result == "hello through the gateway\n"

    daytona.delete(sandbox)
    assert upstream.api.seen(lambda s: s.method == "DELETE" and s.path == f"/api/sandbox/{sandbox.id}")

    # the in-sandbox call reached the toolbox server through the gateway's toolbox route: with the
    # key only the gateway holds, the toolbox URL's own Host, at the toolbox's own path
    executes = upstream.toolbox.seen(lambda s: s.path.endswith("/process/execute"))
    assert len(executes) == 1
    execute = executes[0]
    assert execute.method == "POST"
    assert execute.target == f"/toolbox/{sandbox.id}/process/execute"
    assert execute.header_values("authorization") == [f"Bearer {API_KEY}"]
    assert execute.header("host") == f"127.0.0.1:{upstream.toolbox.port}"
    assert execute.json()["command"] == "echo hello through the gateway"
    assert f"/executor/daytona/toolbox/{sandbox.id}/process/execute" in gateway.stderr()

    # every API call carried the injected key and the fixed Host; no upstream saw the principal token
    api_calls = upstream.api.seen(lambda s: s.path.startswith("/api/sandbox"))
    assert {s.method for s in api_calls} >= {"POST", "GET", "DELETE"}
    for seen in api_calls:
        assert seen.header_values("authorization") == [f"Bearer {API_KEY}"], (seen.method, seen.target)
        assert seen.header("host") == API_HOST
    for seen in upstream.requests():
        assert WORKER_TOKEN not in seen.raw_text(), (seen.server, seen.method, seen.target)


def test_the_upstream_refuses_the_principal_token_itself(monkeypatch, upstream):
    """The fake really checks the key: the SDK pointed straight at it with the principal token fails."""
    monkeypatch.setenv("DAYTONA_API_URL", f"{upstream.api.base}/api")
    monkeypatch.setenv("DAYTONA_API_KEY", WORKER_TOKEN)
    monkeypatch.setenv("DAYTONA_TARGET", "e2e")
    with pytest.raises(DaytonaError):
        Daytona().create(timeout=10)


def test_toolbox_route_is_the_toolbox_url_with_the_key_and_its_own_host(gateway, upstream):
    """A call straight to the toolbox route (as a preview/toolbox client would make it)."""
    response = requests.post(gateway.url("/executor/daytona/toolbox/no-such-sandbox/process/execute?x=1"),
                             headers={**WORKER, "Host": "caller.example"}, json={"command": "echo x"}, timeout=10)
    assert response.status_code == 404  # the toolbox's own answer: it knows no such sandbox
    seen = upstream.toolbox.requests[-1]
    assert seen.target == "/toolbox/no-such-sandbox/process/execute?x=1"
    assert seen.header_values("authorization") == [f"Bearer {API_KEY}"]
    assert seen.header("host") == f"127.0.0.1:{upstream.toolbox.port}"


def test_toolbox_url_in_any_json_answer_names_the_gateway_base_the_caller_used(gateway, upstream):
    """The dedicated endpoint answers `{"url": <toolbox proxy URL>}`: the caller gets the gateway's
    toolbox route under the Host it used, with the rest of the URL kept."""
    with RawHTTP(gateway.port) as conn:
        conn.send(RawHTTP.head_bytes("GET", "/executor/daytona/api/sandbox/any-id/toolbox-proxy-url",
                                     list(WORKER.items()), host="daytona-caller.test:8443"))
        response = conn.read_response()
    assert response.status == 200, response.body
    assert json.loads(response.body) == {"url": "http://daytona-caller.test:8443/executor/daytona/toolbox"}
    assert str(upstream.toolbox.port) not in response.body.decode()
