"""Issue 4, Nexus SCIM: `/scim/nexus/<path>` to the SCIM base with the injected Bearer token,
proven against a real SCIM server (`scim2-server`) with the `scim2-tester` conformance suite run
through `scim2-cli`, directly and through the gateway, in both `url_rewrite` modes; and against a
scripted SCIM upstream for the byte-level contract (raw query, ETag headers, which URLs are
rewritten where, what the upstream receives).

The caller must never see the upstream's base URL: every exchange of the conformance run goes
through a recording relay, and no response header or body the caller got may name it."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from harness.gateway import WORKER, WORKER_TOKEN
from harness.net import LOOPBACK, RawHTTP, free_port
from harness.scim_server import (
    ERROR_SCHEMA, GROUP_SCHEMA, SCIM_JSON, SCIM_TOKEN, USER_SCHEMA, ScimServer, run_conformance, scripted_scim)
from harness.tee_relay import TeeRelay

ENV = {"E2E_NEXUS_TOKEN": SCIM_TOKEN, "E2E_NEXUS_WRONG_TOKEN": "not-the-scim-token"}
CALLER_HOST = "scim-caller.test:9443"  # the Host a raw caller uses: the gateway base is built from it
PUBLIC_URL = "https://scim.gateway.example.test"
#: The number of checks scim2-tester 0.5.2 runs against scim2-server 0.8.3 (both pinned).
EXPECTED_CHECKS = 135


def nexus(base: str, name: str = "nexus", token: str = "env://E2E_NEXUS_TOKEN", **extra) -> dict:
    return {"name": name, "kind": "nexus", "connector_mode": "scim", "scim_base_url": base,
            "auth": {"token": token}, **extra}


# -- peers and gateways


@pytest.fixture(scope="module")
def scim(tmp_path_factory):
    server = ScimServer(tmp_path_factory.mktemp("scim2-server"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def scripted():
    server = scripted_scim()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def rewrite_gw(scim, module_gateways):
    """Real server, url_rewrite: rewrite (the default); its base names /v2, as the server does."""
    return module_gateways([
        nexus(scim.base),
        nexus(scim.base, name="nexus-wrong-token", token="env://E2E_NEXUS_WRONG_TOKEN"),
        nexus(f"http://{LOOPBACK}:{free_port()}/scim/v2", name="nexus-down"),
    ], env=ENV)


@pytest.fixture(scope="module")
def forwarded_gw(scim, module_gateways):
    """Real server, url_rewrite: forwarded_headers. The SCIM base is the server's root: with
    X-Forwarded-Prefix /scim/nexus the server names /scim/nexus/v2/..., which the gateway maps
    to <root>/v2/..., a URL the server serves."""
    return module_gateways([nexus(scim.root, url_rewrite="forwarded_headers")], env=ENV)


@pytest.fixture(scope="module")
def scripted_gw(scripted, module_gateways):
    return module_gateways([nexus(f"{scripted.base}/scim/v2")], env=ENV)


@pytest.fixture(scope="module")
def scripted_forwarded_gw(scripted, module_gateways):
    return module_gateways([nexus(f"{scripted.base}/scim/v2", url_rewrite="forwarded_headers")], env=ENV)


@pytest.fixture(scope="module")
def scripted_public_gw(scripted, module_gateways):
    return module_gateways([nexus(f"{scripted.base}/scim/v2")], env=ENV, public_url=PUBLIC_URL)


@pytest.fixture(scope="module")
def direct_conformance(scim):
    result = run_conformance(scim.base, scim.auth())
    assert result.returncode == 0, result.output[-4000:]
    return result


# -- helpers


def raw(gateway, method: str, target: str, headers=(), body: bytes | None = None, host: str = CALLER_HOST):
    """One request with exactly these headers and this Host (plus the worker's token)."""
    headers = [*WORKER.items(), *headers]
    if body is not None:
        headers.append(("Content-Length", str(len(body))))
    with RawHTTP(gateway.port) as conn:
        conn.send(RawHTTP.head_bytes(method, target, headers, host=host) + (body or b""))
        return conn.read_response(method)


def scim_body(value) -> bytes:
    return json.dumps(value).encode()


def walk_urls(value, path: str = "$"):
    """(json path, value) of every meta.location, $ref and Bulk `location` in a SCIM body."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}"
            if key in ("$ref", "location") and isinstance(item, str):
                yield here, item
            else:
                yield from walk_urls(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_urls(item, f"{path}[{index}]")


def assert_scim_error(response, status: int) -> dict:
    content_type = response.header("content-type") if hasattr(response, "header") else response.headers.get("content-type")
    body = response.body if hasattr(response, "body") else response.content
    assert response.status == status if hasattr(response, "status") else response.status_code == status
    assert content_type and content_type.split(";")[0].strip() in (SCIM_JSON, "application/json"), content_type
    error = json.loads(body)
    assert error["schemas"] == [ERROR_SCHEMA], error
    assert error["status"] == str(status), error
    return error


def leaks(relay: TeeRelay, needle: str) -> list[str]:
    """Every place (response head or body) of the relayed exchanges that contains `needle`."""
    found = []
    for exchange in relay.exchanges():
        if exchange.response is None:
            continue
        request_line = exchange.request.start_line
        for name, value in exchange.response.headers():
            if needle in value:
                found.append(f"{request_line} -> header {name}: {value}")
        body = exchange.response.body.decode("utf-8", "replace")
        if needle in body:
            index = body.index(needle)
            found.append(f"{request_line} -> body ...{body[max(0, index - 80):index + 80]}...")
    return found


# -- conformance: the real server, directly and through the gateway


def test_conformance_directly_is_complete(direct_conformance):
    counts = direct_conformance.counts()
    assert counts == {"SUCCESS": EXPECTED_CHECKS}, direct_conformance.summary() + "\n" + direct_conformance.failures()


@pytest.mark.parametrize("mode", ["rewrite", "forwarded_headers"])
def test_conformance_through_the_gateway_matches_direct_and_never_shows_the_upstream_base(
        mode, scim, rewrite_gw, forwarded_gw, direct_conformance):
    gateway = rewrite_gw if mode == "rewrite" else forwarded_gw
    with TeeRelay(gateway.port) as relay:
        public_base = f"http://{LOOPBACK}:{relay.port}/scim/nexus"
        through = run_conformance(public_base, WORKER)
        exchanges = relay.exchanges()
        leaked = leaks(relay, scim.authority)
    assert through.checks == direct_conformance.checks, (
        f"through the gateway ({mode}): {through.summary()}\ndirectly: {direct_conformance.summary()}\n"
        f"{through.failures()}")
    assert through.returncode == 0
    assert len(exchanges) >= EXPECTED_CHECKS
    assert not leaked, f"the caller saw the upstream's base {scim.root} ({mode}):\n" + "\n".join(leaked[:20])
    # and it saw the gateway's own base instead, in bodies and Location headers
    seen_base = public_base if mode == "rewrite" else f"{public_base}/v2"
    bodies = [e.response.body.decode("utf-8", "replace") for e in exchanges if e.response is not None]
    locations = [e.response.header("location") for e in exchanges if e.response is not None]
    assert any(f'"{seen_base}/Users/' in body for body in bodies)
    assert any(location and location.startswith(f"{seen_base}/") for location in locations)


# -- the real server, rewrite mode: one resource's life through the gateway


def test_user_and_group_lifecycle_through_the_gateway(scim, rewrite_gw):
    gw = f"http://{rewrite_gw.address}/scim/nexus"  # requests sends Host: 127.0.0.1:<port>
    headers = {**WORKER, "Content-Type": SCIM_JSON, "Accept": SCIM_JSON}
    name = f"alice-{uuid.uuid4().hex[:8]}"
    external = f"{gw}/external/{name}"  # looks like a gateway URL: externalId is never rewritten

    created = requests.post(f"{gw}/Users", headers=headers, timeout=10, data=scim_body(
        {"schemas": [USER_SCHEMA], "userName": name, "externalId": external}))
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith(SCIM_JSON)
    user = created.json()
    uid = user["id"]
    assert created.headers["location"] == f"{gw}/Users/{uid}"
    assert user["meta"]["location"] == f"{gw}/Users/{uid}"
    assert user["externalId"] == external
    assert scim.authority not in created.text and scim.authority not in str(created.headers)

    # what the server stored: its own URLs, and the externalId exactly as sent
    direct = requests.get(f"{scim.base}/Users/{uid}", headers=scim.auth(), timeout=10)
    assert direct.json()["externalId"] == external
    assert direct.json()["id"] == uid

    # ETag / If-None-Match / If-Match reach the server untouched
    fetched = requests.get(f"{gw}/Users/{uid}", headers=WORKER, timeout=10)
    assert fetched.status_code == 200
    assert fetched.headers["etag"] == direct.headers["etag"]
    etag = fetched.headers["etag"]
    not_modified = requests.get(f"{gw}/Users/{uid}", headers={**WORKER, "If-None-Match": etag}, timeout=10)
    assert not_modified.status_code == 304
    stale = requests.put(f"{gw}/Users/{uid}", headers={**headers, "If-Match": 'W/"stale"'}, timeout=10,
                         data=scim_body({"schemas": [USER_SCHEMA], "userName": name, "displayName": "x"}))
    assert stale.status_code == 412, stale.text
    patched = requests.patch(f"{gw}/Users/{uid}", headers={**headers, "If-Match": etag}, timeout=10, data=scim_body(
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
         "Operations": [{"op": "Replace", "path": "displayName", "value": "Alice"}]}))
    assert patched.status_code == 204, patched.text  # scim2-server answers a PATCH without a body
    assert patched.headers["etag"] != etag
    assert patched.headers["location"] == f"{gw}/Users/{uid}"
    after = requests.get(f"{gw}/Users/{uid}", headers=WORKER, timeout=10)
    assert after.json()["displayName"] == "Alice"
    assert after.headers["etag"] == patched.headers["etag"]

    # a filter with spaces and quotes; the Resources[] locations are the gateway's
    listed = requests.get(f"{gw}/Users?filter=userName%20eq%20%22{name}%22", headers=WORKER, timeout=10)
    assert listed.status_code == 200
    resources = listed.json()["Resources"]
    assert [r["id"] for r in resources] == [uid]
    assert resources[0]["meta"]["location"] == f"{gw}/Users/{uid}"

    # a request body naming the gateway's URL reaches the server with the server's own URL
    group = requests.post(f"{gw}/Groups", headers=headers, timeout=10, data=scim_body(
        {"schemas": [GROUP_SCHEMA], "displayName": f"team-{name}",
         "members": [{"value": uid, "$ref": f"{gw}/Users/{uid}"}]}))
    assert group.status_code == 201, group.text
    gid = group.json()["id"]
    assert group.json()["members"][0]["$ref"] == f"{gw}/Users/{uid}"
    assert group.headers["location"] == f"{gw}/Groups/{gid}"
    stored = requests.get(f"{scim.base}/Groups/{gid}", headers=scim.auth(), timeout=10).json()
    assert stored["members"][0]["$ref"] == f"{scim.base}/Users/{uid}"
    assert stored["id"] == gid

    # Bulk: every operation's location is the gateway's
    bulk = requests.post(f"{gw}/Bulk", headers=headers, timeout=10, data=scim_body(
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "b1",
             "data": {"schemas": [USER_SCHEMA], "userName": f"bulk-{name}"}},
            {"method": "DELETE", "path": f"/Groups/{gid}"}]}))
    assert bulk.status_code == 200, bulk.text
    operations = bulk.json()["Operations"]
    assert operations[0]["location"].startswith(f"{gw}/Users/")
    assert scim.authority not in bulk.text

    for path in (f"/Users/{uid}", operations[0]["location"][len(gw):]):
        deleted = requests.delete(f"{gw}{path}", headers=WORKER, timeout=10)
        assert deleted.status_code == 204, deleted.text


def test_forwarded_headers_mode_lets_the_server_name_the_gateway(scim, forwarded_gw):
    gw = f"http://{forwarded_gw.address}/scim/nexus"
    headers = {**WORKER, "Content-Type": SCIM_JSON}
    created = requests.post(f"{gw}/Users", headers=headers, timeout=10, data=scim_body(
        {"schemas": [USER_SCHEMA], "userName": f"fwd-{uuid.uuid4().hex[:8]}"}))
    assert created.status_code == 201, created.text
    uid = created.json()["id"]
    # the server built this URL itself from X-Forwarded-Host/Proto/Prefix (its base names /v2)
    location = created.headers["location"]
    assert location == f"{gw}/v2/Users/{uid}"
    assert created.json()["meta"]["location"] == location
    again = requests.get(location, headers=WORKER, timeout=10)
    assert again.status_code == 200 and again.json()["id"] == uid
    assert scim.authority not in created.text + again.text + str(created.headers) + str(again.headers)
    assert requests.delete(location, headers=WORKER, timeout=10).status_code == 204


# -- the scripted upstream: byte-level contract, rewrite mode


def test_token_injected_content_type_raw_query_and_etag_headers_untouched(scripted, scripted_gw):
    scripted.clear()
    target = ("/scim/nexus/Users?filter=userName%20eq%20%22bjensen%22%20and%20name.familyName%20sw%20%22J%22"
              "&attributes=userName,meta.location&sortBy=userName&count=2+3&x=%2F%3F%25")
    response = raw(scripted_gw, "GET", target, [
        ("Accept", SCIM_JSON), ("If-None-Match", 'W/"abc"'), ("If-Match", '"xyz", W/"q"')])
    assert response.status == 200, response.body
    seen = scripted.requests[-1]
    assert seen.target == "/scim/v2" + target[len("/scim/nexus"):]
    assert seen.header("authorization") == f"Bearer {SCIM_TOKEN}"
    assert seen.header_values("authorization") == [f"Bearer {SCIM_TOKEN}"]
    assert seen.header("accept") == SCIM_JSON
    assert seen.header("if-none-match") == 'W/"abc"'
    assert seen.header("if-match") == '"xyz", W/"q"'
    assert WORKER_TOKEN not in seen.raw_text()
    assert response.header("content-type") == SCIM_JSON


def test_created_resource_location_and_body_urls_are_the_gateways(scripted, scripted_gw):
    scripted.clear()
    gw = f"http://{CALLER_HOST}/scim/nexus"
    up = f"{scripted.base}/scim/v2"
    body = {"schemas": [USER_SCHEMA], "userName": "bjensen", "id": "client-chosen",
            "externalId": f"{gw}/Users/ext-1",  # looks like a gateway URL: untouched
            "groups": [{"value": "g1", "$ref": f"{gw}/Groups/g1"}],
            "meta": {"location": f"{gw}/Users/u-new"}}
    response = raw(scripted_gw, "POST", "/scim/nexus/Users", [("Content-Type", SCIM_JSON)], scim_body(body))
    assert response.status == 201, response.body
    # what the upstream received: URLs under the gateway base turned into its own, nothing else
    sent = scripted.requests[-1]
    assert sent.header("content-type") == SCIM_JSON
    received = sent.json()
    assert received["groups"][0]["$ref"] == f"{up}/Groups/g1"
    assert received["meta"]["location"] == f"{up}/Users/u-new"
    assert received["externalId"] == f"{gw}/Users/ext-1"
    assert received["id"] == "client-chosen"
    assert received["userName"] == "bjensen"
    # what the caller got back
    assert response.header("location") == f"{gw}/Users/u-new"
    assert response.header("etag") == 'W/"v1"'
    assert response.header("content-type") == SCIM_JSON
    user = json.loads(response.body)
    assert user["meta"]["location"] == f"{gw}/Users/u-new"
    assert user["groups"][0]["$ref"] == f"{gw}/Groups/g1"
    assert user["id"] == "u-new"
    assert user["externalId"] == f"{up}/Users/u-new"  # the upstream's externalId, exactly as it sent it


def test_a_body_arriving_after_its_head_is_rewritten_and_sent_on_a_new_upstream_connection(scripted, start_gateway):
    """The usual client shape (httpx, the SCIM CLI): head and body in separate writes, on a gateway
    whose pool holds no connection yet, so the rewritten request goes out on a fresh one."""
    gateway = start_gateway([nexus(f"{scripted.base}/scim/v2")], env=ENV)
    gw = f"http://{CALLER_HOST}/scim/nexus"
    body = scim_body({"schemas": [GROUP_SCHEMA], "displayName": "late body",
                      "members": [{"value": "u1", "$ref": f"{gw}/Users/u1"}]})
    with RawHTTP(gateway.port, timeout=5) as conn:
        conn.send(RawHTTP.head_bytes("POST", "/scim/nexus/Groups", [
            *WORKER.items(), ("Content-Type", SCIM_JSON), ("Content-Length", str(len(body)))], host=CALLER_HOST))
        time.sleep(0.05)
        conn.send(body)
        response = conn.read_response("POST")
    assert response.status == 204
    sent = scripted.requests[-1]
    assert sent.json()["members"][0]["$ref"] == f"{scripted.base}/scim/v2/Users/u1"
    assert int(sent.header("content-length")) == len(sent.body)


def test_list_and_group_bodies_have_every_url_rewritten(scripted, scripted_gw):
    gw = f"http://{CALLER_HOST}/scim/nexus"
    listed = raw(scripted_gw, "GET", "/scim/nexus/Users")
    group = raw(scripted_gw, "GET", "/scim/nexus/Groups/g1")
    for response in (listed, group):
        assert response.status == 200
        urls = list(walk_urls(json.loads(response.body)))
        assert urls
        for where, url in urls:
            assert url.startswith(f"{gw}/"), (where, url)
    listed_body = json.loads(listed.body)
    assert [r["meta"]["location"] for r in listed_body["Resources"]] == [f"{gw}/Users/u1", f"{gw}/Users/u2"]
    assert [r["id"] for r in listed_body["Resources"]] == ["u1", "u2"]
    assert [m["$ref"] for m in json.loads(group.body)["members"]] == [f"{gw}/Users/u1", f"{gw}/Users/u2"]
    assert group.header("etag") == 'W/"g7"'
    assert str(scripted.port) not in group.body.decode()


def test_bulk_response_locations_are_rewritten(scripted, scripted_gw):
    gw = f"http://{CALLER_HOST}/scim/nexus"
    up = f"{scripted.base}/scim/v2"
    request = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [
        {"method": "PATCH", "path": "/Groups/g1", "data": {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": "u9", "$ref": f"{gw}/Users/u9"}]}]}}]}
    response = raw(scripted_gw, "POST", "/scim/nexus/Bulk", [("Content-Type", SCIM_JSON)], scim_body(request))
    assert response.status == 200, response.body
    operations = json.loads(response.body)["Operations"]
    assert operations[0]["location"] == f"{gw}/Users/u9"
    assert operations[0]["response"]["meta"]["location"] == f"{gw}/Users/u9"
    assert operations[1]["location"] == f"{gw}/Groups/g1"
    sent = scripted.requests[-1].json()
    assert sent["Operations"][0]["data"]["Operations"][0]["value"][0]["$ref"] == f"{up}/Users/u9"


def test_public_url_names_the_gateway_base_when_set(scripted, scripted_public_gw):
    scripted.clear()
    gw = f"{PUBLIC_URL}/scim/nexus"
    response = raw(scripted_public_gw, "POST", "/scim/nexus/Users", [("Content-Type", SCIM_JSON)],
                   scim_body({"schemas": [USER_SCHEMA], "userName": "p", "groups": [{"value": "g1", "$ref": f"{gw}/Groups/g1"}]}))
    assert response.status == 201, response.body
    assert response.header("location") == f"{gw}/Users/u-new"
    assert json.loads(response.body)["meta"]["location"] == f"{gw}/Users/u-new"
    assert scripted.requests[-1].json()["groups"][0]["$ref"] == f"{scripted.base}/scim/v2/Groups/g1"


# -- the scripted upstream, forwarded_headers mode: X-Forwarded-*, nothing rewritten


def test_forwarded_headers_mode_sends_the_callers_base_and_rewrites_nothing(scripted, scripted_forwarded_gw):
    scripted.clear()
    up = f"{scripted.base}/scim/v2"
    body = {"schemas": [USER_SCHEMA], "userName": "f", "groups": [{"value": "g1", "$ref": f"http://{CALLER_HOST}/scim/nexus/Groups/g1"}]}
    response = raw(scripted_forwarded_gw, "POST", "/scim/nexus/Users", [("Content-Type", SCIM_JSON)], scim_body(body))
    assert response.status == 201, response.body
    seen = scripted.requests[-1]
    assert seen.header("x-forwarded-host") == CALLER_HOST
    assert seen.header("x-forwarded-proto") == "http"
    assert seen.header("x-forwarded-prefix") == "/scim/nexus"
    assert seen.header("authorization") == f"Bearer {SCIM_TOKEN}"
    assert seen.json() == body  # the request body is passed as it was
    # the upstream's own URLs come back as it wrote them (it is trusted to build them itself)
    assert response.header("location") == f"{up}/Users/u-new"
    assert json.loads(response.body)["meta"]["location"] == f"{up}/Users/u-new"


# -- gateway-made errors on /scim routes are SCIM error JSON


def test_unknown_connector_is_a_scim_error(rewrite_gw):
    assert_scim_error(raw(rewrite_gw, "GET", "/scim/nexsu/Users"), 404)


def test_missing_token_is_a_scim_401(rewrite_gw):
    with RawHTTP(rewrite_gw.port) as conn:
        conn.request("GET", "/scim/nexus/Users", [("Accept", SCIM_JSON)])
        response = conn.read_response()
    assert_scim_error(response, 401)


def test_upstream_down_is_a_scim_502(rewrite_gw):
    error = assert_scim_error(raw(rewrite_gw, "GET", "/scim/nexus-down/Users"), 502)
    assert "nexus-down" in json.dumps(error)


def test_upstream_401_for_a_wrong_configured_token_is_passed_through(rewrite_gw):
    response = raw(rewrite_gw, "GET", "/scim/nexus-wrong-token/Users")
    error = assert_scim_error(response, 401)
    assert error["detail"].startswith("Authorization failure")  # the server's own words


# -- Nexus in the other modes: the SCIM route and the probe follow the SCIM base


def report_of(gateway) -> dict:
    """The first full health report (bounded wait)."""
    deadline = time.monotonic() + 15
    while True:
        answer = requests.get(gateway.url("/health/connectors"), timeout=5)
        if answer.status_code == 200:
            return {entry["name"]: entry for entry in answer.json()["connectors"]}
        assert time.monotonic() < deadline, "no health report within 15 s"
        time.sleep(0.05)


def test_nexus_in_hybrid_and_scim_projected_serves_scim_and_probes_the_scim_base(scim, nginx, start_gateway):
    executor = f"http://{LOOPBACK}:{nginx.http}"
    gateway = start_gateway([
        {**nexus(scim.base, name="hybrid"), "connector_mode": "hybrid"},
        {**nexus(scim.base, name="projected"), "connector_mode": "scim_projected"},
        {**nexus(scim.base, name="with-executor"), "connector_mode": "hybrid", "executor_url": executor,
         "host_header": "langboard.internal"},
    ], env=ENV)
    for name in ("hybrid", "projected", "with-executor"):
        answer = requests.get(gateway.url(f"/scim/{name}/ServiceProviderConfig"), headers=WORKER, timeout=10)
        assert answer.status_code == 200, (name, answer.text)
        assert "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig" in answer.json()["schemas"]
    # Without an executor_url there is no executor route; with one it goes to the executor.
    missing = requests.get(gateway.url("/executor/hybrid/hello"), headers=WORKER, timeout=10)
    assert missing.status_code == 404, missing.text
    hello = requests.get(gateway.url("/executor/with-executor/hello"), headers=WORKER, timeout=10)
    assert hello.status_code == 200 and hello.text == "hello from langboard.internal\n"
    report = report_of(gateway)
    for name in ("hybrid", "projected", "with-executor"):
        assert report[name]["state"] == "ok", (name, report[name]["reason"])
        assert report[name]["probe"]["request"] == f"GET {scim.base}/ServiceProviderConfig", report[name]["probe"]
