"""Issue 14, point 2: client certificates as principals on the HTTPS listener. A certificate
whose spiffe:// URI SAN matches the worker's pattern is the worker (200 without a token); with
`client_auth: required` a certificate of an unknown CA, or none, is refused at the handshake;
with `optional` no certificate and no token is a 401; a token and a certificate naming two
principals is a 401. Access lines say how the principal authenticated (gateway.auth)."""

from __future__ import annotations

import socket
import ssl
import subprocess

import pytest

from harness.certs import issue_client, issue_leaf, make_other_ca
from harness.gateway import WORKER_TOKEN, nginx_connector

NAME = "gateway.internal"
OPERATOR_TOKEN = "e2e-operator-token-mtls"
PRINCIPALS = [
    {"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["*"],
     "certificate": {"uri_san": "spiffe://fractalops/worker/*"}},
    {"name": "operator", "token": "env://E2E_OPERATOR_TOKEN", "connectors": ["*"]},
    {"name": "scanner", "connectors": ["*"], "certificate": {"dns_san": "scanner.internal", "subject_cn": "scanner"}},
]


@pytest.fixture(scope="module")
def certs(pki):
    other = make_other_ca(pki, "mtls-other-ca")
    return {
        "server": issue_leaf(pki, "mtls-listener", dns=NAME),
        "worker": issue_client(pki, "mtls-worker", cn="build-1", uri="spiffe://fractalops/worker/build-1"),
        "scanner": issue_client(pki, "mtls-scanner", cn="scanner", dns="scanner.internal"),
        "nobody": issue_client(pki, "mtls-nobody", cn="nobody", uri="spiffe://fractalops/nobody/1"),
        "foreign": issue_client(pki, "mtls-foreign", cn="build-2", uri="spiffe://fractalops/worker/build-2",
                                ca=other.cert, ca_key=other.key),
    }


def start(module_gateways, nginx, pki, certs, client_auth):
    server = certs["server"]
    gw = module_gateways(
        [nginx_connector(nginx, "lb")], principals=PRINCIPALS, env={"E2E_OPERATOR_TOKEN": OPERATOR_TOKEN},
        listen_tls="127.0.0.1:0",
        tls={"cert_file": str(server.cert), "key_file": str(server.key), "client_ca_file": str(pki.ca),
             "client_auth": client_auth})
    match = gw.wait_stdout(rb"gateway: listening on 127\.0\.0\.1:(\d+) \(tls\)\n")
    gw.tls_port = int(match.group(1))
    return gw


@pytest.fixture(scope="module")
def optional(module_gateways, nginx, pki, certs):
    return start(module_gateways, nginx, pki, certs, "optional")


@pytest.fixture(scope="module")
def required(module_gateways, nginx, pki, certs):
    return start(module_gateways, nginx, pki, certs, "required")


def request(gateway, pki, path, client=None, token=None, request_id="mtls"):
    """One HTTPS request; returns (status code, body). Raises ssl/OS errors of the handshake."""
    context = ssl.create_default_context(cafile=str(pki.ca))
    if client is not None:
        context.load_cert_chain(str(client.cert), str(client.key))
    headers = f"Host: {NAME}\r\nConnection: close\r\nX-Request-Id: {request_id}\r\n"
    if token:
        headers += f"Authorization: Bearer {token}\r\n"
    with socket.create_connection(("127.0.0.1", gateway.tls_port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=NAME) as conn:
            conn.sendall(f"GET {path} HTTP/1.1\r\n{headers}\r\n".encode())
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
    if not data:  # closed without an answer: a refusal too
        raise ConnectionResetError("the gateway closed the connection without answering")
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_a_certificate_with_the_workers_spiffe_id_is_the_worker_without_a_token(optional, pki, certs):
    status, body = request(optional, pki, "/executor/lb/hello", client=certs["worker"], request_id="mtls-cert-only")
    assert status == 200 and body == b"hello from langboard.internal\n"
    line = optional.wait_access("mtls-cert-only")
    assert line["gateway.principal"] == "worker" and line["gateway.auth"] == "certificate"


def test_token_and_certificate_of_the_same_principal_agree(optional, pki, certs):
    status, _ = request(optional, pki, "/executor/lb/hello", client=certs["worker"], token=WORKER_TOKEN,
                        request_id="mtls-both")
    assert status == 200
    assert optional.wait_access("mtls-both")["gateway.auth"] == "token+certificate"


def test_a_principal_known_only_by_its_certificate(optional, pki, certs):
    status, _ = request(optional, pki, "/executor/lb/hello", client=certs["scanner"], request_id="mtls-scanner")
    assert status == 200
    line = optional.wait_access("mtls-scanner")
    assert line["gateway.principal"] == "scanner" and line["gateway.auth"] == "certificate"


def test_a_token_alone_still_works_and_says_so(optional, pki):
    status, _ = request(optional, pki, "/executor/lb/hello", token=WORKER_TOKEN, request_id="mtls-token-only")
    assert status == 200
    assert optional.wait_access("mtls-token-only")["gateway.auth"] == "token"


def test_optional_without_certificate_and_token_is_401(optional, pki):
    status, body = request(optional, pki, "/executor/lb/hello", request_id="mtls-nothing")
    assert status == 401
    assert b"client certificate" in body


def test_token_and_certificate_naming_different_principals_is_401(optional, pki, certs):
    status, body = request(optional, pki, "/executor/lb/hello", client=certs["worker"], token=OPERATOR_TOKEN,
                           request_id="mtls-disagree")
    assert status == 401
    assert b"principal 'operator' but the client certificate is principal 'worker'" in body
    line = optional.wait_access("mtls-disagree")
    assert line["http.status"] == "401" and line["gateway.principal"] == "-"


def test_a_trusted_certificate_matching_no_principal_is_401(optional, pki, certs):
    status, body = request(optional, pki, "/executor/lb/hello", client=certs["nobody"])
    assert status == 401 and b"matches no principal" in body


def test_a_certificate_of_an_unknown_ca_is_refused_at_the_handshake_even_when_optional(optional, pki, certs):
    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
        request(optional, pki, "/executor/lb/hello", client=certs["foreign"])


def test_required_refuses_an_unknown_certificate_at_the_handshake(required, pki, certs):
    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
        request(required, pki, "/executor/lb/hello", client=certs["foreign"])


def test_required_refuses_a_handshake_without_a_certificate(required, pki):
    # TLS 1.3: the client's handshake finishes before the server checks its (missing)
    # certificate, so the refusal arrives as an alert on the first read.
    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
        request(required, pki, "/executor/lb/hello", token=WORKER_TOKEN)


def test_required_accepts_the_workers_certificate(required, pki, certs):
    status, _ = request(required, pki, "/executor/lb/hello", client=certs["worker"])
    assert status == 200


def test_curl_with_a_client_certificate(required, pki, certs):
    worker = certs["worker"]
    result = subprocess.run(
        ["curl", "-sS", "--cacert", str(pki.ca), "--cert", str(worker.cert), "--key", str(worker.key),
         "--resolve", f"{NAME}:{required.tls_port}:127.0.0.1", "-w", "\n%{http_code}",
         f"https://{NAME}:{required.tls_port}/executor/lb/hello"],
        capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("\n200"), result.stdout
