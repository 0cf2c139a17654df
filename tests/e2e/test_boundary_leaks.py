"""Boundary corpus, side doors: secrets never leave through the health report or the access log,
and caller-made forwarding headers (also spelled with `_`) never reach the upstream.

Covers items 12 (an upstream echoing the probe's credential into the health report's excerpt)
and 13 (access-log redaction of key-like query and matrix parameters; forwarding and underscore
headers)."""

from __future__ import annotations

import json
import time

import pytest
import requests

from harness.boundary import (
    BOUNDARY_ENV, CALLER_TOKENS, NEXUS_TOKEN, Answer, RecordingUpstream, UpstreamRequest, boundary_principals,
    exchange, http_answer, request_bytes)
from harness.gateway import HTTP_CREDENTIAL, LANGBOARD_KEY, WORKER, run_health_command

AUTH = ("Authorization", WORKER["Authorization"])
SECRETS = [HTTP_CREDENTIAL, LANGBOARD_KEY, NEXUS_TOKEN]
STATUSES = {"/h401": "401 Unauthorized", "/h403": "403 Forbidden", "/h500": "500 Internal Server Error"}


def echoes_the_probe(request: UpstreamRequest) -> Answer:
    """Answers the health probe with a non-healthy status and the request it got, credential
    first; `/cut` puts the Langboard key across the excerpt's 200-character cut; `/others`
    also names the other connectors' secrets."""
    prefix = "/" + request.path.strip("/").split("/")[0]
    status = STATUSES.get(prefix, "401 Unauthorized")
    credential = [f"{k}: {v}" for k, v in request.headers if k.lower() in ("authorization", "x-api-key")]
    if prefix == "/cut":
        body = "." * 192 + (request.header("x-api-key") or "")
    else:
        body = "\n".join(credential) + "\n" + request.head_text()
        if prefix == "/others":
            body = " ".join(SECRETS) + "\n" + body
    return Answer(http_answer(status, body.encode(), [("Content-Type", "text/plain")]))


@pytest.fixture(scope="module")
def rec():
    with RecordingUpstream("rec", responder=echoes_the_probe) as upstream:
        yield upstream


@pytest.fixture(scope="module")
def fwd():
    with RecordingUpstream("fwd", echo=True) as upstream:
        yield upstream


def health_connectors(rec) -> list[dict]:
    http = {"kind": "http", "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}}
    return [
        {"name": "h401", "executor_url": f"{rec.base}/h401", **http},
        {"name": "h403", "executor_url": f"{rec.base}/h403", **http},
        {"name": "h500", "executor_url": f"{rec.base}/h500", **http},
        {"name": "others", "executor_url": f"{rec.base}/others", **http},
        {"name": "board", "kind": "langboard", "executor_url": f"{rec.base}/h401",
         "auth": {"api_key": "env://E2E_LANGBOARD_KEY"}},
        {"name": "cut", "kind": "langboard", "executor_url": f"{rec.base}/cut",
         "auth": {"api_key": "env://E2E_LANGBOARD_KEY"}},
        {"name": "nx", "kind": "nexus", "connector_mode": "scim", "scim_base_url": f"{rec.base}/h403/scim/v2",
         "auth": {"token": "env://E2E_NEXUS_TOKEN"}},
    ]


HEALTH = {"interval": "1s", "timeout": "3s"}


@pytest.fixture(scope="module")
def gateway(rec, fwd, module_gateways):
    connectors = health_connectors(rec) + [
        {"name": "lb", "kind": "langboard", "executor_url": f"{fwd.base}/lb",
         "auth": {"api_key": "env://E2E_LANGBOARD_KEY"}},
        {"name": "plain", "kind": "http", "executor_url": f"{fwd.base}/plain",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}},
    ]
    return module_gateways(connectors, env=BOUNDARY_ENV, principals=boundary_principals("lb"), health=HEALTH)


def report_when_checked(gateway, names: list[str], timeout: float = 20) -> str:
    """/health/connectors once every connector in `names` has a probe answer with an excerpt."""
    deadline = time.monotonic() + timeout
    while True:
        answer = requests.get(gateway.url("/health/connectors"), timeout=5)
        if answer.status_code == 200:
            by_name = {c["name"]: c for c in answer.json()["connectors"]}
            if all((by_name.get(n, {}).get("probe") or {}).get("body_excerpt") for n in names):
                return answer.text
        assert time.monotonic() < deadline, f"no report with every excerpt within {timeout}s: {answer.text[:2000]}"
        time.sleep(0.1)


def assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS + CALLER_TOKENS:
        assert secret not in text, f"{where} holds a secret value"
    assert LANGBOARD_KEY[:8] not in text, f"{where} holds the start of the Langboard key"


# -- 12. health excerpts


PROBED = ["h401", "h403", "h500", "others", "board", "cut", "nx"]


def test_health_report_excerpts_never_hold_a_resolved_secret(gateway, rec):
    text = report_when_checked(gateway, PROBED)
    assert_no_secret(text, "/health/connectors")
    report = {c["name"]: c for c in json.loads(text)["connectors"]}
    for name in PROBED:
        excerpt = report[name]["probe"]["body_excerpt"]
        assert excerpt and excerpt != "", name
    # the upstream really was sent (and echoed) the credential
    probes = rec.probes()
    assert any(HTTP_CREDENTIAL in r.head_text() for r in probes)
    assert any(LANGBOARD_KEY in r.head_text() for r in probes)
    for name in PROBED:
        single = requests.get(gateway.url(f"/health/connectors/{name}"), timeout=5)
        assert_no_secret(single.text, f"/health/connectors/{name}")


def test_status_page_and_metrics_never_hold_a_resolved_secret(gateway):
    report_when_checked(gateway, PROBED)
    assert_no_secret(requests.get(gateway.url("/status"), timeout=5).text, "/status")
    assert_no_secret(requests.get(gateway.url("/metrics"), timeout=5).text, "/metrics")


def test_gateway_health_json_never_holds_a_resolved_secret(rec, tmp_path):
    result = run_health_command(tmp_path, health_connectors(rec), env=BOUNDARY_ENV, args=["--json"],
                            principals=boundary_principals("h401"))
    assert result.returncode != 0, "these connectors are not healthy"
    report = json.loads(result.stdout)
    excerpts = {c["name"]: (c.get("probe") or {}).get("body_excerpt") for c in report["connectors"]}
    assert all(excerpts[name] for name in PROBED), excerpts
    assert_no_secret(result.stdout, "gateway health --json")
    assert_no_secret(result.stderr, "gateway health's stderr")
    table = run_health_command(tmp_path / "table", health_connectors(rec), env=BOUNDARY_ENV,
                           principals=boundary_principals("h401"))
    assert_no_secret(table.stdout + table.stderr, "gateway health")


# -- 13. access-log redaction


SECRET_QUERY = ("key=secret-q1&api_key=secret-q2&api%5Fkey=secret-q3&token=secret-q4&jwt=secret-q5&pw=secret-q6"
                "&password=secret-q7&keep=visible")


@pytest.mark.parametrize("target,status", [
    (f"/executor/plain/a;token=secret-m1/b?{SECRET_QUERY}", 200),
    (f"/executor/plain/a;token=secret-m1/../../../x?{SECRET_QUERY}", 400),
    (f"/executor/unknown/a;token=secret-m1?{SECRET_QUERY}", 404),
], ids=["forwarded", "refused-path", "unknown-connector"])
def test_access_log_redacts_key_like_parameters(gateway, target, status):
    request_id = f"boundary-log-{status}"
    outcome = exchange(gateway.port, request_bytes("GET", target, [AUTH, ("X-Request-ID", request_id)]), close_wait=0)
    assert outcome.response is not None and outcome.response.status == status, outcome
    line = gateway.wait_access(request_id)
    logged = line["http.target"]
    assert "secret-" not in logged, logged
    assert "keep=visible" in logged
    assert logged.count("REDACTED") >= 8, logged
    for name in ("key", "api_key", "api%5Fkey", "token", "jwt", "pw", "password"):
        assert f"{name}=REDACTED" in logged, (name, logged)
    assert ";token=REDACTED" in logged, logged
    assert "secret-" not in gateway.stderr()


# -- 13. forwarding headers


SPOOFED = [
    ("Forwarded", "for=6.6.6.6;host=evil.example"), ("X-Forwarded-For", "6.6.6.6"),
    ("X-Forwarded-Host", "evil.example"),
    ("X-Forwarded-Proto", "gopher"), ("X-Forwarded-Prefix", "/evil-prefix"), ("X-Forwarded-Port", "evil-port"),
    ("X-Forwarded-Server", "evil.example"), ("X-Real-IP", "6.6.6.6"), ("X-Original-URL", "/evil-original"),
    ("X-Rewrite-URL", "/evil-rewrite"), ("True-Client-IP", "6.6.6.6"), ("X-Client-IP", "6.6.6.6"),
    ("X_Forwarded_For", "6.6.6.6"), ("X_Real_IP", "6.6.6.6"), ("x-forwarded-FOR", "6.6.6.6"),
    ("X_Forwarded_Host", "evil.example"),
]
#: Carriers of the Langboard credential header (X-Api-Key); an http connector's is Authorization.
SPOOFED_KEYS = {"lb": [("X_Api_Key", "evil-caller-key"), ("X-Api-Key", "evil-caller-key"), ("x-api-KEY", "evil-key")],
                "plain": []}
DROPPED = {"forwarded", "x-forwarded-prefix", "x-forwarded-port", "x-forwarded-server", "x-original-url",
           "x-rewrite-url", "true-client-ip", "x-client-ip"}


@pytest.mark.parametrize("connector,credential_header,credential", [
    ("lb", "x-api-key", LANGBOARD_KEY), ("plain", "authorization", f"Bearer {HTTP_CREDENTIAL}")])
def test_caller_forwarding_and_underscore_headers_never_reach_the_upstream(gateway, fwd, connector, credential_header,
                                                                           credential):
    fwd.clear()
    outcome = exchange(gateway.port, request_bytes("GET", f"/executor/{connector}/fwd",
                                                         [AUTH, *SPOOFED, *SPOOFED_KEYS[connector]]), close_wait=0)
    assert outcome.response is not None and outcome.response.status == 200, outcome
    (seen,) = fwd.wait_requests(1)
    text = seen.everything()
    for marker in (b"6.6.6.6", b"evil", b"gopher"):
        assert marker not in text, (marker, seen.head_text())
    assert seen.folded_values("x-forwarded-for") == ["127.0.0.1"], seen.head_text()
    assert seen.folded_values("x-real-ip") == ["127.0.0.1"], seen.head_text()
    assert seen.folded_values(credential_header) == [credential], seen.head_text()
    names = {name.lower().replace("_", "-") for name, _ in seen.headers}
    assert not names & DROPPED, names & DROPPED
    assert not [name for name, _ in seen.headers if "_" in name], seen.head_text()
    for token in CALLER_TOKENS:
        assert token.encode() not in text
