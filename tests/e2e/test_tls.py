"""Acceptance 2: TLS to real nginx vhosts, self-signed and signed by a private CA: verification
on and off, ca_file, and tls_server_name when the executor URL names 127.0.0.1. The seed's
three-variable contract: an executor URL naming 127.0.0.1 with `host_header` and verification on
is verified as the host_header's name (issue 14, point 6)."""

import pytest
import requests

from harness.certs import SERVER_NAME
from harness.gateway import WORKER, wait_for_health_report

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def gateway(nginx, pki, module_gateways):
    def tls(name, port, **extra):
        return {"name": name, "kind": "http", "executor_url": f"https://127.0.0.1:{port}",
                "host_header": SERVER_NAME, **extra}

    return module_gateways([
        tls("self-verify", nginx.tls_self, tls_server_name=SERVER_NAME),
        tls("self-noverify", nginx.tls_self, verify_tls=False),
        tls("ca-trusted", nginx.tls_ca, tls_server_name=SERVER_NAME, ca_file=str(pki.ca)),
        tls("ca-untrusted", nginx.tls_ca, tls_server_name=SERVER_NAME),
        tls("ca-wrong-sni", nginx.tls_ca, tls_server_name="other.internal", ca_file=str(pki.ca)),
        tls("three-variables", nginx.tls_ca, ca_file=str(pki.ca), verify_tls=True, probe_path="/tls"),
        {"name": "ca-no-name", "kind": "http", "executor_url": f"https://127.0.0.1:{nginx.tls_ca}",
         "ca_file": str(pki.ca)},
        tls("wrong-cert", nginx.tls_wrong, tls_server_name=SERVER_NAME, ca_file=str(pki.ca)),
    ])


def get(gateway, connector):
    return requests.get(gateway.executor(connector, "/tls"), headers=WORKER, timeout=15)


def assert_tls_problem(response, connector, *phrases):
    assert response.status_code == 502, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["type"] == "urn:fractalops:gateway:tls"
    assert problem["connector"] == connector
    assert problem["request_id"] == response.headers["x-request-id"]
    assert connector in problem["detail"]
    for phrase in phrases:
        assert phrase in problem["detail"], problem["detail"]
    return problem


def test_self_signed_with_verification_is_502_not_trusted(gateway):
    assert_tls_problem(get(gateway, "self-verify"), "self-verify", "not trusted")


def test_self_signed_without_verification_is_200(gateway):
    response = get(gateway, "self-noverify")
    assert response.status_code == 200
    assert response.text.startswith("tls ok")


def test_private_ca_with_verification_is_200_and_sends_sni(gateway):
    response = get(gateway, "ca-trusted")
    assert response.status_code == 200
    assert response.text == f"tls ok sni={SERVER_NAME} host={SERVER_NAME}\n"


def test_private_ca_certificate_without_ca_file_is_not_trusted(gateway):
    assert_tls_problem(get(gateway, "ca-untrusted"), "ca-untrusted", "not trusted")


def test_tls_server_name_not_on_the_certificate_is_502_mismatch(gateway):
    problem = assert_tls_problem(get(gateway, "ca-wrong-sni"), "ca-wrong-sni", "does not match", "other.internal")
    assert "mismatch" in problem["title"].lower()


def test_three_variable_contract_verifies_the_host_header_name(gateway):
    """executor_url https://127.0.0.1:<port>, host_header langboard.internal, verify on, no
    tls_server_name: SNI and verification use langboard.internal."""
    response = get(gateway, "three-variables")
    assert response.status_code == 200, response.text
    assert response.text == f"tls ok sni={SERVER_NAME} host={SERVER_NAME}\n"


def test_three_variable_contract_health_probe_agrees(gateway):
    wait_for_health_report(gateway)
    report = requests.get(gateway.url("/health/connectors/three-variables"), timeout=5).json()
    # The session CA's leaves live 2 days: "degraded" (expiring soon) is the verified outcome.
    assert report["state"] in ("ok", "degraded"), report
    assert report["tls"]["verified"] is True and report["tls"]["server_name"] == SERVER_NAME, report["tls"]


def test_dialling_an_address_nothing_names_is_502_mismatch(gateway):
    problem = assert_tls_problem(get(gateway, "ca-no-name"), "ca-no-name", "does not match", "tls_server_name")
    assert "mismatch" in problem["title"].lower()


def test_certificate_for_another_name_is_502_mismatch(gateway):
    problem = assert_tls_problem(get(gateway, "wrong-cert"), "wrong-cert", "does not match", SERVER_NAME)
    assert "mismatch" in problem["title"].lower()


def test_a_tls_failure_does_not_poison_the_next_request(gateway):
    assert get(gateway, "self-verify").status_code == 502
    assert get(gateway, "ca-trusted").status_code == 200
    assert get(gateway, "self-verify").status_code == 502
