"""Boundary corpus, paths and credentials: a request target can never leave the connector's
executor base, permission prefixes are matched on the canonical path, the query's key carriers
are removed by decoded name, and an upstream connection carries one credential only.

Against the real nginx (its /echo location as a connector's base, with /admin/secret outside
it; its /v0/management/ location as a CLIProxy management API) and a strict recording upstream.
Covers items 3 (base path escape), 4 (management permission on the raw path), 1 (management key
theft through a shared pool) and 13 (CLIProxy `?%6bey=`/`?auth%5Ftoken=`)."""

from __future__ import annotations

import threading

import pytest

from harness.boundary import (
    BOUNDARY_ENV, CLIPROXY_API_KEY, CLIPROXY_MANAGEMENT_KEY, OPERATOR, RecordingUpstream,
    boundary_principals, exchange, expect_upstream_clean, json_body, request_bytes)
from harness.gateway import HTTP_CREDENTIAL, WORKER
from harness.net import RawResponse, wait_until
from harness.nginx import parse_echo

AUTH = ("Authorization", WORKER["Authorization"])


@pytest.fixture(scope="module")
def rec():
    with RecordingUpstream("rec", echo=True) as upstream:
        yield upstream


@pytest.fixture(scope="module")
def gateway(nginx, rec, module_gateways):
    return module_gateways([
        {"name": "rec", "kind": "http", "executor_url": f"{rec.base}/base",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}},
        {"name": "echo", "kind": "http", "executor_url": f"http://127.0.0.1:{nginx.http}/echo",
         "host_header": "langboard.internal", "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}},
        {"name": "cli-nginx", "kind": "cliproxy", "executor_url": f"http://127.0.0.1:{nginx.http}",
         "host_header": "langboard.internal",
         "auth": {"api_key": "env://E2E_CLIPROXY_KEY", "management_key": "env://E2E_CLIPROXY_MGMT"}},
        {"name": "cli", "kind": "cliproxy", "executor_url": rec.base,
         "auth": {"api_key": "env://E2E_CLIPROXY_KEY", "management_key": "env://E2E_CLIPROXY_MGMT"}},
    ], env=BOUNDARY_ENV, principals=boundary_principals("rec"))


@pytest.fixture(autouse=True)
def fresh(rec):
    rec.clear()
    yield
    expect_upstream_clean(rec)


def refused_before_the_upstream(response: RawResponse, rec: RecordingUpstream, status: int) -> None:
    """The gateway answered `status` itself and nothing reached the recording upstream."""
    assert response.status == status, (response.status, response.body[:300])
    assert response.header("x-upstream-seq") is None
    rec.quiet()
    assert rec.requests() == []


def get(gateway, target: str, principal=AUTH) -> RawResponse:
    outcome = exchange(gateway.port, request_bytes("GET", target, [principal]), close_wait=0)
    assert outcome.response is not None, f"no answer to {target} ({outcome.ended_by})"
    return outcome.response


def from_gateway(response: RawResponse) -> bool:
    """An answer the gateway made itself (nginx's own answers say Server: nginx, in HTML)."""
    return "nginx" not in (response.header("server") or "") and b"<html>" not in response.body


class LogWatch:
    """How many lines an nginx access log has now, and whether it grew."""

    def __init__(self, path):
        self.path = path
        self.start = self.lines()

    def lines(self) -> list[str]:
        return self.path.read_text().splitlines() if self.path.exists() else []

    def new(self, settle: float = 0.2) -> list[str]:
        wait_until(lambda: len(self.lines()) > len(self.start), settle)
        return self.lines()[len(self.start):]


# -- 3. the executor base path


ESCAPES = [
    "/../admin/secret", "/%2e%2e/admin/secret", "/%2E%2E/admin/secret", "/.%2E/admin/secret", "/%2e./admin/secret",
    "/..%2fadmin/secret", "/..%2Fadmin/secret", "/./../admin/secret", "/a/../../admin/secret",
    "/%2e%2e%2fadmin/secret", "/..%5cadmin/secret", "/..%5Cadmin/secret", "/x/..%2f..%2fadmin/secret",
    "//../admin/secret", "/a/%2e%2e/%2e%2e/admin/secret", "/..%00/admin/secret",
]


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_path_climbing_above_the_executor_base_is_refused_400_before_nginx(gateway, nginx, escape):
    admin = LogWatch(nginx.admin_log)
    response = get(gateway, f"/executor/echo{escape}")
    assert response.status == 400, (response.status, response.body[:300])
    assert from_gateway(response), response.raw_head
    assert b"admin secret reached" not in response.body
    assert admin.new() == [], "nginx served /admin/secret"


@pytest.mark.parametrize("remainder,uri", [
    ("/x/../y", "/echo/y"), ("/a//b", "/echo/a/b"), ("/./a", "/echo/a"), ("/%7euser/%41", "/echo/~user/A"),
    ("/a%3ab?q=%2e%2e/../x", "/echo/a%3Ab?q=%2e%2e/../x"),
])
def test_canonical_paths_stay_under_the_base_at_nginx(gateway, remainder, uri):
    response = get(gateway, f"/executor/echo{remainder}")
    assert response.status == 200, response.body[:300]
    assert parse_echo(response.body.decode())["request_uri"] == uri


CANONICAL = [
    ("/a/b", "/base/a/b"),
    ("/a//b", "/base/a/b"),
    ("//a///b", "/base/a/b"),
    ("/a/./b", "/base/a/b"),
    ("/a/b/../c", "/base/a/c"),
    ("/a/%2e%2e/b", "/base/b"),
    ("/a/%2E/b", "/base/a/b"),
    ("/%61%62%63", "/base/abc"),
    ("/%7e%7E%2d%2D%2e%5f%5F", "/base/~~--.__"),
    ("/a%3ab", "/base/a%3Ab"),
    ("/a%20b", "/base/a%20b"),
    ("/caf%c3%a9", "/base/caf%C3%A9"),
    ("/a:b@c", "/base/a:b@c"),
    ("/a%25b", "/base/a%25b"),
    ("/a%252e%252e/x", "/base/a%252e%252e/x"),
    ("/a;b=c/d", "/base/a;b=c/d"),
    ("/a/..", "/base/"),
    ("/a/b/", "/base/a/b/"),
    ("/a/b?x=%2e%2e/..%2f&KEY=1&y=%41", "/base/a/b?x=%2e%2e/..%2f&KEY=1&y=%41"),
]


@pytest.mark.parametrize("remainder,forwarded", CANONICAL)
def test_the_canonical_path_is_what_is_forwarded(gateway, rec, remainder, forwarded):
    response = get(gateway, f"/executor/rec{remainder}")
    assert response.status == 200, response.body[:300]
    (seen,) = rec.wait_requests(1)
    assert seen.target == forwarded
    assert json_body(response)["target"] == forwarded


REFUSED = [
    "/../x", "/%2e%2e/x", "/.%2E/x", "/%2E./x", "/a/../../x", "/./../x", "/..", "//../x", "/a%2fb", "/a%2Fb",
    "/a%5cb", "/a%5Cb", "/a\\b", "/a%00b", "/..%2fx", "/a/..%2f..%2fx", "/a%2f..%2f..%2fx",
]


@pytest.mark.parametrize("remainder", REFUSED)
def test_escapes_and_encoded_separators_are_refused_400(gateway, rec, remainder):
    refused_before_the_upstream(get(gateway, f"/executor/rec{remainder}"), rec, 400)


# -- 4. permission prefixes on the canonical path


NEEDS_MANAGE = ["/v0//management/x", "//v0/management/x", "/v0/./management/x", "/x/../v0/management/x",
                "/v0/%6danagement/x", "/v0/%6Danagement/x", "/v0/management/../management/x", "/v0/management",
                "/v0/management/", "/%76%30/management/x"]
WRONG_CASE = ["/V0/management/x", "/v0/Management/x", "/V0/MANAGEMENT/x", "/v0/managemenT/x"]


@pytest.mark.parametrize("remainder", NEEDS_MANAGE)
def test_management_spellings_need_manage_at_nginx(gateway, nginx, remainder):
    management = LogWatch(nginx.management_log)
    response = get(gateway, f"/executor/cli-nginx{remainder}")
    assert response.status == 403, (response.status, response.body[:300])
    assert from_gateway(response) and b"management reached" not in response.body
    assert management.new() == [], "nginx served its management location"


@pytest.mark.parametrize("remainder", WRONG_CASE)
def test_management_in_another_case_is_refused_400_at_nginx(gateway, nginx, remainder):
    management = LogWatch(nginx.management_log)
    response = get(gateway, f"/executor/cli-nginx{remainder}")
    assert response.status == 400, (response.status, response.body[:300])
    assert from_gateway(response)
    assert management.new() == []


@pytest.mark.parametrize("remainder", NEEDS_MANAGE[:5])
def test_operator_reaches_the_canonical_management_path_at_nginx(gateway, nginx, remainder):
    management = LogWatch(nginx.management_log)
    response = get(gateway, f"/executor/cli-nginx{remainder}", principal=OPERATOR)
    assert response.status == 200, response.body[:300]
    assert response.body == b"management reached uri=/v0/management/x\n"
    (line,) = management.new(settle=2)
    assert '"GET /v0/management/x HTTP/1.1"' in line


@pytest.mark.parametrize("remainder", NEEDS_MANAGE)
def test_management_spellings_need_manage_at_the_recording_upstream(gateway, rec, remainder):
    refused_before_the_upstream(get(gateway, f"/executor/cli{remainder}"), rec, 403)


@pytest.mark.parametrize("remainder", WRONG_CASE)
def test_management_in_another_case_is_refused_400_at_the_recording_upstream(gateway, rec, remainder):
    for principal in (AUTH, OPERATOR):
        response = get(gateway, f"/executor/cli{remainder}", principal=principal)
        assert response.status == 400, (response.status, response.body[:300])
    rec.quiet()
    assert rec.requests() == []


@pytest.mark.parametrize("remainder", NEEDS_MANAGE[:5])
def test_operator_gets_the_management_key_on_the_canonical_path(gateway, rec, remainder):
    response = get(gateway, f"/executor/cli{remainder}", principal=OPERATOR)
    assert response.status == 200, response.body[:300]
    (seen,) = rec.wait_requests(1)
    assert seen.target == "/v0/management/x"
    assert seen.header_values("authorization") == [f"Bearer {CLIPROXY_MANAGEMENT_KEY}"]
    assert not rec.seen_anywhere(CLIPROXY_API_KEY)


# -- 13. CLIProxy key carriers in the query


def test_cliproxy_key_carriers_are_removed_by_decoded_name(gateway, rec):
    target = ("/executor/cli/v1/models?%6bey=caller-k1&a=1&auth%5Ftoken=caller-k2&KEY=caller-k3&b=%41"
              "&Key=caller-k4&auth_token=caller-k5&%6Bey=caller-k6&monkey=1&keys=2&x=a%20b+c&AUTH%5fTOKEN=caller-k7"
              "&%4bEY=caller-k8&key=caller-k9")
    response = get(gateway, target)
    assert response.status == 200, response.body[:300]
    (seen,) = rec.wait_requests(1)
    assert seen.target == "/v1/models?a=1&b=%41&monkey=1&keys=2&x=a%20b+c"
    assert seen.header_values("authorization") == [f"Bearer {CLIPROXY_API_KEY}"]
    assert not rec.seen_anywhere(b"caller-k")


# -- 1. one pool per credential: the management key never shares a connection


def credentials_by_connection(requests) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for request in requests:
        out.setdefault(request.connection, set()).update(request.header_values("authorization"))
    return out


def test_management_and_api_requests_never_share_an_upstream_connection(gateway, rec):
    for round_ in range(6):
        assert get(gateway, f"/executor/cli/v1/models?r={round_}").status == 200
        assert get(gateway, f"/executor/cli/v0/management/config?r={round_}", principal=OPERATOR).status == 200
        assert get(gateway, f"/executor/cli/v1/chat?r={round_}", principal=OPERATOR).status == 200

    errors: list[str] = []

    def mixed(principal, paths):
        for path in paths:
            response = get(gateway, path, principal=principal)
            if response.status != 200:
                errors.append(f"{path}: {response.status}")

    plans = [(AUTH, "/executor/cli/v1/models?t={n}"), (OPERATOR, "/executor/cli/v0/management/x?t={n}"),
             (OPERATOR, "/executor/cli/v1/models?o={n}")]
    threads = [threading.Thread(target=mixed, args=(principal, [path.format(n=n) for n in range(8)]))
               for principal, path in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    rec.quiet()
    seen = rec.requests(include_probes=True)
    assert len([r for r in seen if not r.probe]) == 6 * 3 + 24
    for index, credentials in credentials_by_connection(seen).items():
        assert len(credentials) == 1, f"upstream connection {index} carried {credentials}"
    for request in seen:
        expected = CLIPROXY_MANAGEMENT_KEY if request.path.startswith("/v0/management") else CLIPROXY_API_KEY
        if not request.probe:
            assert request.header_values("authorization") == [f"Bearer {expected}"], request.head_text()


def test_a_smuggled_prefix_never_catches_the_management_key(gateway, rec):
    """The worker leaves an incomplete management request in a body; the operator's request that
    follows must not complete it, and the worker never reads the management key back."""
    smuggled = (b"GET /v0/management/config HTTP/1.1\r\nHost: upstream\r\nContent-Length: 900\r\n\r\n")
    for method in ("POST", "GET", "PUT"):
        attack = exchange(gateway.port, request_bytes(
            method, "/executor/cli/v1/chat/completions", [AUTH, ("Content-Length", str(len(smuggled)))], smuggled),
            method=method, close_wait=0)
        assert attack.response is not None and attack.response.status == 200
        operator = get(gateway, "/executor/cli/v0/management/usage", principal=OPERATOR)
        assert operator.status == 200 and json_body(operator)["target"] == "/v0/management/usage"
        readback = get(gateway, "/executor/cli/v1/models")
        assert readback.status == 200
        for response in (attack.response, readback):
            assert CLIPROXY_MANAGEMENT_KEY.encode() not in response.body
            assert b"/v0/management/usage" not in response.body
    rec.quiet()
    seen = rec.requests()
    for request in seen:
        assert CLIPROXY_MANAGEMENT_KEY.encode() not in request.body
    management = [r for r in seen if r.path.startswith("/v0/management")]
    assert [r.path for r in management] == ["/v0/management/usage"] * 3
    for index, credentials in credentials_by_connection(rec.requests(include_probes=True)).items():
        assert len(credentials) == 1, f"upstream connection {index} carried {credentials}"


def test_the_http_connector_credential_is_the_only_authorization(gateway, rec):
    response = get(gateway, "/executor/rec/who")
    assert response.status == 200
    (seen,) = rec.wait_requests(1)
    assert seen.header_values("authorization") == [f"Bearer {HTTP_CREDENTIAL}"]
