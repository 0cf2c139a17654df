"""Issue 14, point 3: Pomerium assertions as principals. A local JWKS stands in for Pomerium's;
assertions are signed with test keys by PyJWT. A valid assertion (ES256 or RS256) is the mapped
principal; a wrong issuer, a wrong audience, an expired one, an unknown kid, `alg: none` and a
tampered payload are each a 401; with the JWKS down, a cached key still verifies within the stale
period, and with nothing cached the answer is a 401 saying so. The assertion never reaches the
upstream."""

from __future__ import annotations

import base64
import json
import socket
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec

from harness.gateway import WORKER_TOKEN
from harness.jwks_server import AUDIENCE, ISSUER, JWKSServer, SigningKeys
from harness.net import LOOPBACK, free_port
from harness.recording_http import RecordingHTTPServer

PRINCIPALS = [
    {"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["*"]},
    {"name": "operator", "connectors": ["*"], "pomerium": {"emails": ["OPS@example.com"]}},
    {"name": "auditor", "connectors": ["*"], "pomerium": {"groups": ["auditors"]}},
]


@pytest.fixture(scope="module")
def keys():
    return SigningKeys()


@pytest.fixture(scope="module")
def upstream():
    with RecordingHTTPServer(lambda seen, reply: reply.json(200, {"ok": True})) as server:
        yield server


def pomerium(jwks_url: str, **extra) -> dict:
    return {"identity": {"pomerium": {"issuer": ISSUER, "jwks_url": jwks_url, "audience": AUDIENCE, **extra}}}


def start(launcher, upstream, jwks_url, **extra):
    return launcher([{"name": "app", "kind": "http", "executor_url": upstream.base}], principals=PRINCIPALS,
                    **pomerium(jwks_url, **extra))


def call(gateway, assertion=None, token=None, request_id=None):
    headers = {}
    if assertion is not None:
        headers["X-Pomerium-Jwt-Assertion"] = assertion
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if request_id:
        headers["X-Request-Id"] = request_id
    return requests.get(gateway.executor("app", "/whoami"), headers=headers, timeout=10)


def wait_until(predicate, seconds=10.0, what="condition"):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not reached within {seconds} s"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def jwks(keys):
    server = JWKSServer(keys)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(module_gateways, upstream, jwks):
    gw = start(module_gateways, upstream, jwks.url)
    wait_until(lambda: call(gw, jwks.keys.sign(jwks.keys.claims())).status_code == 200, what="first JWKS fetch")
    return gw


def test_a_valid_es256_assertion_is_the_principal_its_email_maps_to(gateway, keys, upstream):
    upstream.clear()
    answer = call(gateway, keys.sign(keys.claims()), request_id="pom-es256")
    assert answer.status_code == 200, answer.text
    line = gateway.wait_access("pom-es256")
    assert line["gateway.principal"] == "operator" and line["gateway.auth"] == "pomerium"
    # The caller's assertion is a credential: it never reaches the upstream.
    seen = upstream.seen()[-1]
    assert seen.header("x-pomerium-jwt-assertion") is None


def test_a_valid_rs256_assertion_maps_by_group(gateway, keys):
    claims = keys.claims(email="someone@example.com", groups=["auditors"])
    answer = call(gateway, keys.sign(claims, alg="RS256"), request_id="pom-rs256")
    assert answer.status_code == 200, answer.text
    assert gateway.wait_access("pom-rs256")["gateway.principal"] == "auditor"


def test_a_verified_identity_that_maps_to_no_principal_is_401(gateway, keys):
    answer = call(gateway, keys.sign(keys.claims(email="stranger@example.com", groups=["nobody"])))
    assert answer.status_code == 401 and "matches no principal" in answer.json()["detail"]


def tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "ops@example.com"
    claims["groups"] = ["platform-operators"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return ".".join([header, forged, signature])


REFUSED = {
    "wrong issuer": (lambda k: k.sign(k.claims(iss="https://evil.example")), "issuer"),
    "wrong audience": (lambda k: k.sign(k.claims(aud="someone-else")), "audience"),
    "expired": (lambda k: k.sign(k.claims(exp=int(time.time()) - 600, iat=int(time.time()) - 900,
                                          nbf=int(time.time()) - 900)), "expired"),
    "not yet valid": (lambda k: k.sign(k.claims(nbf=int(time.time()) + 600)), "not valid before"),
    "unknown kid": (lambda k: k.sign(k.claims(), kid="ec-rotated", key=k.other_ec), "not in the Pomerium JWKS"),
    "known kid, other key": (lambda k: k.sign(k.claims(), kid="ec-1", key=k.other_ec), "signature does not verify"),
    "alg none": (lambda k: jwt.encode(k.claims(), None, algorithm="none", headers={"kid": "ec-1"}), "'none' is not accepted"),
    "HS256 with the public key": (lambda k: jwt.encode(k.claims(), "a-shared-secret-an-attacker-chose-32b", algorithm="HS256", headers={"kid": "ec-1"}),
                                  "'HS256' is not accepted"),
    "tampered payload": (lambda k: tampered(k.sign(k.claims(email="stranger@example.com", groups=[]))),
                         "signature does not verify"),
    "not a JWT": (lambda k: "not-a-jwt", "compact JWS"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_each_bad_assertion_is_401(gateway, keys, case):
    make, reason = REFUSED[case]
    answer = call(gateway, make(keys), request_id=f"pom-bad-{case.replace(' ', '-')}")
    assert answer.status_code == 401, (case, answer.text)
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert reason in answer.json()["detail"], answer.json()["detail"]


def test_a_bad_assertion_with_a_good_token_is_still_401(gateway, keys):
    answer = call(gateway, keys.sign(keys.claims(iss="https://evil.example")), token=WORKER_TOKEN)
    assert answer.status_code == 401


def test_two_assertions_are_401(gateway, keys):
    good = keys.sign(keys.claims())
    # requests folds repeated header names: the duplicate goes on a raw socket.
    with socket.create_connection((LOOPBACK, gateway.port), timeout=10) as raw:
        raw.sendall((f"GET /executor/app/whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     f"X-Pomerium-Jwt-Assertion: {good}\r\nX-Pomerium-Jwt-Assertion: {good}\r\n\r\n").encode())
        data = b""
        while chunk := raw.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 401") and b"2 X-Pomerium-Jwt-Assertion headers" in data


def test_token_and_assertion_naming_different_principals_is_401(gateway, keys):
    answer = call(gateway, keys.sign(keys.claims()), token=WORKER_TOKEN)
    assert answer.status_code == 401
    assert "principal 'worker' but the Pomerium assertion is principal 'operator'" in answer.json()["detail"]


def test_the_assertion_is_never_logged(gateway, keys):
    token = keys.sign(keys.claims(email="stranger@example.com"))
    call(gateway, token)
    signature = token.rsplit(".", 1)[1]
    assert signature not in gateway.stderr()


def test_jwks_down_with_a_cached_key_still_verifies_within_the_stale_period(start_gateway, upstream, keys):
    server = JWKSServer(keys)
    try:
        gw = start(start_gateway, upstream, server.url, refresh_interval="1s", max_stale="1h")
        wait_until(lambda: call(gw, keys.sign(keys.claims())).status_code == 200, what="first JWKS fetch")
        server.stop()
        # At least one refresh failed since: the cached keys are what verifies now.
        wait_until(lambda: 'gateway_pomerium_jwks_fetches_total{result="failed"} 0' not in
                   requests.get(gw.url("/metrics"), timeout=5).text, what="a failed refresh")
        answer = call(gw, keys.sign(keys.claims()), request_id="pom-stale-ok")
        assert answer.status_code == 200, answer.text
        assert "Pomerium JWKS not fetched" in gw.stderr()
    finally:
        server.stop()


def test_cached_keys_older_than_max_stale_are_not_trusted(start_gateway, upstream, keys):
    server = JWKSServer(keys)
    try:
        gw = start(start_gateway, upstream, server.url, refresh_interval="1s", max_stale="2s")
        wait_until(lambda: call(gw, keys.sign(keys.claims())).status_code == 200, what="first JWKS fetch")
        server.stop()
        wait_until(lambda: call(gw, keys.sign(keys.claims())).status_code == 401, seconds=15, what="the keys going stale")
        detail = call(gw, keys.sign(keys.claims())).json()["detail"]
        assert "no longer trusted" in detail and "max_stale" in detail
    finally:
        server.stop()


def test_a_rotated_key_is_fetched_after_the_first_assertion_that_names_it(start_gateway, upstream):
    keys = SigningKeys()
    server = JWKSServer(keys)
    try:
        # An hour between scheduled fetches: only the unknown kid can make the gateway fetch again.
        gw = start(start_gateway, upstream, server.url, refresh_interval="1h")
        wait_until(lambda: call(gw, keys.sign(keys.claims())).status_code == 200, what="first JWKS fetch")
        fetches = server.fetches
        rotated = ec.generate_private_key(ec.SECP256R1())
        keys.published["ec-2"] = rotated
        token = keys.sign(keys.claims(), kid="ec-2", key=rotated)
        first = call(gw, token)
        assert first.status_code == 401 and "a refresh was requested" in first.json()["detail"]
        wait_until(lambda: call(gw, token).status_code == 200, seconds=20, what="the rotated key verifying")
        assert server.fetches > fetches
    finally:
        server.stop()


def test_jwks_unreachable_and_nothing_cached_is_401_saying_so(start_gateway, upstream, keys):
    nothing = f"http://{LOOPBACK}:{free_port()}/.well-known/pomerium/jwks.json"
    gw = start(start_gateway, upstream, nothing)
    answer = call(gw, keys.sign(keys.claims()))
    assert answer.status_code == 401
    detail = answer.json()["detail"]
    assert "has not been fetched" in detail and "no key is cached" in detail, detail
    # A token still works: Pomerium is one way in, not a gate on the others.
    assert call(gw, token=WORKER_TOKEN).status_code == 200
