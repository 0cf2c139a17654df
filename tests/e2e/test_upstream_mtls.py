"""Issue 14, point 5: client certificates to upstreams. A real nginx vhost with
`ssl_verify_client on` and a Python `ssl` server with CERT_REQUIRED, reached through connectors
with and without `client_cert_file`/`client_key_file` (the key by a file:// reference).

An upstream that asks for a client certificate the connector does not have gets none: the
gateway ends the handshake when the CertificateRequest arrives and answers 502 problem+json naming
the missing client_cert_file. So nginx with `ssl_verify_client on`, which would finish the
handshake and answer its own 400 ("No required SSL certificate was sent"), is never sent the
request; a server that refuses at the handshake itself (Python ssl, CERT_REQUIRED) gives the same
502. `client_cert_optional: true` lets a connector go on without a certificate to an upstream that
only asks (nginx `ssl_verify_client optional`). Health probes agree in every case."""

from __future__ import annotations

import http.server
import ssl
import threading

import pytest
import requests

from harness.certs import SERVER_NAME, issue_client, make_other_ca
from harness.gateway import WORKER, wait_for_health_report
from harness.net import LOOPBACK, free_port
from harness.nginx_process import NginxProcess, http_preamble, main_context

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client_pair(pki):
    return issue_client(pki, "gateway-client", "fractalops-gateway", dns="gateway.internal")


@pytest.fixture(scope="module")
def stranger_pair(pki):
    other = make_other_ca(pki, "upstream-mtls-stranger-ca")
    return issue_client(pki, "stranger-client", "stranger", ca=other.cert, ca_key=other.key)


@pytest.fixture(scope="module")
def mtls_nginx(workdir, pki):
    prefix = workdir / "nginx-upstream-mtls"
    port = free_port()
    optional_port = free_port()

    def vhost(listen_port, verify, answer):
        return f"""
    server {{
        listen {LOOPBACK}:{listen_port} ssl;
        server_name {SERVER_NAME};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate {pki.ca_leaf.cert};
        ssl_certificate_key {pki.ca_leaf.key};
        ssl_client_certificate {pki.ca};
        ssl_verify_client {verify};
        location /tls {{ default_type text/plain; return 200 "{answer}\\n"; }}
        location / {{ return 404; }}
    }}"""

    servers = (vhost(port, "on", "mtls ok verify=$ssl_client_verify dn=$ssl_client_s_dn")
               + vhost(optional_port, "optional", "optional ok verify=$ssl_client_verify"))
    config = main_context(prefix) + f"""
http {{{http_preamble(prefix)}{servers}
}}
"""
    runner = NginxProcess(prefix, what="upstream mTLS nginx")
    runner.start(config, [port, optional_port])
    yield port, optional_port
    runner.stop()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        peer = self.connection.getpeercert() or {}
        subject = dict(item[0] for item in peer.get("subject", ()))
        body = f"python mtls ok cn={subject.get('commonName', '-')}\n".encode()
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def python_server(pki):
    """A Python ssl server (TLS 1.2) that requires a client certificate of the session CA at the
    handshake."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # TLS 1.2: the refusal is part of the handshake. (A TLS 1.3 server refuses after the client's
    # Finished, and its alert can be lost to a reset: then the 502 says "reset" with a hint.)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(pki.ca_leaf.cert, pki.ca_leaf.key)
    context.load_verify_locations(pki.ca)
    context.verify_mode = ssl.CERT_REQUIRED
    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda *args: None  # refused handshakes are the point
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def gateway(mtls_nginx, python_server, pki, client_pair, stranger_pair, module_gateways):
    def connector(name, port, pair=None, key_by_reference=True, **extra):
        entry = {"name": name, "kind": "http", "executor_url": f"https://127.0.0.1:{port}",
                 "host_header": SERVER_NAME, "ca_file": str(pki.ca), "probe_path": "/tls", **extra}
        if pair:
            entry["client_cert_file"] = str(pair.cert)
            entry["client_key_file"] = f"file://{pair.key}" if key_by_reference else str(pair.key)
        return entry

    required, optional = mtls_nginx
    return wait_for_health_report(module_gateways([
        connector("nginx-with", required, client_pair),
        connector("nginx-without", required),
        connector("nginx-stranger", required, stranger_pair, key_by_reference=False),
        connector("nginx-optional-with", optional, client_pair),
        connector("nginx-optional-without", optional),
        connector("nginx-optional-allowed", optional, client_cert_optional=True),
        connector("nginx-required-allowed", required, client_cert_optional=True),
        connector("python-with", python_server, client_pair, key_by_reference=False),
        connector("python-without", python_server),
        connector("python-stranger", python_server, stranger_pair),
    ], health={"interval": "1s"}))


def get(gateway, connector):
    return requests.get(gateway.executor(connector, "/tls"), headers=WORKER, timeout=15)


def health(gateway, connector):
    return requests.get(gateway.url(f"/health/connectors/{connector}"), timeout=5).json()


def test_nginx_verify_client_answers_200_with_the_client_certificate(gateway):
    response = get(gateway, "nginx-with")
    assert response.status_code == 200, response.text
    assert response.text.startswith("mtls ok verify=SUCCESS dn=CN=fractalops-gateway"), response.text
    assert health(gateway, "nginx-with")["state"] in ("ok", "degraded")  # 2-day test certificates


def assert_client_certificate_missing(gateway, connector):
    response = get(gateway, connector)
    assert response.status_code == 502, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["type"] == "urn:fractalops:gateway:tls"
    assert problem["title"] == "Upstream requires a client certificate", problem
    assert "client_cert_file" in problem["detail"] and connector in problem["detail"], problem
    report = health(gateway, connector)
    # The probe agrees, and says the handshake is where it ended.
    assert report["state"] == "fail" and report["decided_by"] == "tls", report
    assert "asked for a client certificate" in report["reason"], report["reason"]


def test_nginx_verify_client_on_without_a_client_certificate_is_502_naming_the_cause(gateway):
    assert_client_certificate_missing(gateway, "nginx-without")
    problem = get(gateway, "nginx-without").json()
    assert "asked for a client certificate" in problem["detail"], problem
    # The request never reached nginx: its own 400 page is not what the caller sees.
    assert "No required SSL certificate" not in problem["detail"]


def test_an_upstream_that_only_asks_is_refused_unless_the_connector_allows_going_on_without(gateway):
    # nginx `ssl_verify_client optional` asks for a certificate; the TLS handshake cannot tell
    # "asks" from "requires", so the connector says which it is.
    assert_client_certificate_missing(gateway, "nginx-optional-without")
    response = get(gateway, "nginx-optional-allowed")
    assert response.status_code == 200, response.text
    assert response.text == "optional ok verify=NONE\n"
    assert health(gateway, "nginx-optional-allowed")["state"] in ("ok", "degraded")
    response = get(gateway, "nginx-optional-with")
    assert response.status_code == 200, response.text
    assert response.text == "optional ok verify=SUCCESS\n"


def test_client_cert_optional_to_an_upstream_that_requires_one_gets_its_own_answer(gateway):
    # Allowed to go on without a certificate, the gateway forwards and nginx answers its 400.
    response = get(gateway, "nginx-required-allowed")
    assert response.status_code == 400, response.text
    assert "No required SSL certificate was sent" in response.text


def test_nginx_refuses_a_certificate_of_an_unknown_ca(gateway):
    response = get(gateway, "nginx-stranger")
    assert response.status_code == 400, response.text
    assert health(gateway, "nginx-stranger")["state"] == "fail"


def test_handshake_refusal_without_a_client_certificate_is_502_naming_the_cause(gateway):
    assert_client_certificate_missing(gateway, "python-without")


def test_handshake_with_the_client_certificate_is_200(gateway):
    response = get(gateway, "python-with")
    assert response.status_code == 200, response.text
    assert response.text == "python mtls ok cn=fractalops-gateway\n"
    assert health(gateway, "python-with")["state"] in ("ok", "degraded")


def test_a_certificate_the_upstream_does_not_trust_is_502_naming_it(gateway):
    response = get(gateway, "python-stranger")
    assert response.status_code == 502, response.text
    problem = response.json()
    assert problem["title"] == "Upstream refused the client certificate", problem
    assert "client_cert_file" in problem["detail"]


def test_the_private_key_never_reaches_logs_or_explain(gateway, client_pair, stranger_pair):
    for pair in (client_pair, stranger_pair):
        body_lines = [line for line in pair.key.read_text().splitlines() if line and not line.startswith("-----")]
        log = gateway.stderr()
        for line in body_lines:
            assert line not in log
        metrics = requests.get(gateway.url("/metrics"), timeout=5).text
        assert not any(line in metrics for line in body_lines)
