"""Issue 14, point 1: TLS on the HTTP listener. curl and Python's ssl client reach /executor/...
over TLS with the gateway's certificate verified against the session CA; the plain listener
serves only /livez, /readyz and /metrics; the certificate is rotated under a client loop (the new serial
is seen, no request fails) and a broken pair is refused while the old one keeps serving."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest
import requests

from harness.certs import issue_leaf
from harness.gateway import WORKER, WORKER_TOKEN, nginx_connector

NAME = "gateway.internal"


@pytest.fixture(scope="module")
def pairs(pki, workdir):
    first = issue_leaf(pki, "gateway-listener-1", dns=NAME)
    second = issue_leaf(pki, "gateway-listener-2", dns=NAME)
    live = workdir / "gateway-listener-live"
    live.mkdir(exist_ok=True)
    shutil.copy(first.cert, live / "cert.pem")
    shutil.copy(first.key, live / "key.pem")
    return first, second, live


@pytest.fixture(scope="module")
def gateway(nginx, pairs, module_gateways):
    _, _, live = pairs
    gw = module_gateways(
        [nginx_connector(nginx, "lb")],
        listen_tls="127.0.0.1:0",
        tls={"cert_file": str(live / "cert.pem"), "key_file": f"file://{live / 'key.pem'}", "reload_interval": "300ms"})
    match = gw.wait_stdout(rb"gateway: listening on 127\.0\.0\.1:(\d+) \(tls\)\n")
    gw.tls_port = int(match.group(1))
    return gw


def tls_get(gateway, pki, path, token=WORKER_TOKEN):
    """One HTTPS request with Python's ssl; returns (status line, body, peer serial, version, alpn)."""
    context = ssl.create_default_context(cafile=str(pki.ca))
    context.set_alpn_protocols(["http/1.1"])
    with socket.create_connection(("127.0.0.1", gateway.tls_port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=NAME) as conn:
            request = f"GET {path} HTTP/1.1\r\nHost: {NAME}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
            conn.sendall(request.encode())
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
            return (data.split(b"\r\n", 1)[0].decode(), data.split(b"\r\n\r\n", 1)[1],
                    conn.getpeercert()["serialNumber"].lower().lstrip("0"), conn.version(), conn.selected_alpn_protocol())


def serial_of(pair) -> str:
    out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", str(pair.cert)],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1].lower().lstrip("0")


def test_curl_reaches_the_executor_route_over_verified_tls(gateway, pki):
    result = subprocess.run(
        ["curl", "-sS", "--cacert", str(pki.ca), "--resolve", f"{NAME}:{gateway.tls_port}:127.0.0.1",
         "-H", f"Authorization: Bearer {WORKER_TOKEN}", "-w", "\n%{http_code} %{http_version}",
         f"https://{NAME}:{gateway.tls_port}/executor/lb/hello"],
        capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello from langboard.internal\n\n200 1.1", result.stdout


def test_python_ssl_negotiates_tls12_or_later_and_http11(gateway, pki):
    status, body, _, version, alpn = tls_get(gateway, pki, "/executor/lb/hello")
    assert status == "HTTP/1.1 200 OK" and body == b"hello from langboard.internal\n"
    assert version in ("TLSv1.2", "TLSv1.3") and alpn == "http/1.1"


def test_tls_11_is_refused(gateway, pki):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(str(pki.ca))
    try:
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        pytest.skip("this Python/OpenSSL cannot offer TLS 1.1")
    with socket.create_connection(("127.0.0.1", gateway.tls_port), timeout=10) as raw:
        with pytest.raises(ssl.SSLError):
            context.wrap_socket(raw, server_hostname=NAME)


def test_an_untrusting_client_fails_verification(gateway):
    result = subprocess.run(
        ["curl", "-sS", "--resolve", f"{NAME}:{gateway.tls_port}:127.0.0.1", f"https://{NAME}:{gateway.tls_port}/livez"],
        capture_output=True, text=True, timeout=30)
    assert result.returncode != 0  # the session CA is not in the system store


def test_the_plain_listener_serves_only_probes(gateway):
    assert requests.get(gateway.url("/livez"), timeout=5).status_code == 200
    assert requests.get(gateway.url("/readyz"), timeout=5).status_code == 200
    assert requests.get(gateway.url("/metrics"), timeout=5).status_code == 200
    assert requests.get(gateway.url("/health/connectors"), timeout=5).status_code == 403
    refused = requests.get(gateway.executor("lb", "/hello"), headers=WORKER, timeout=5)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "listen_tls" in refused.json()["detail"]
    scim = requests.get(gateway.url("/scim/lb/Users"), headers=WORKER, timeout=5)
    assert scim.status_code == 403 and scim.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_probes_are_also_served_over_tls(gateway, pki):
    status, _, _, _, _ = tls_get(gateway, pki, "/readyz")
    assert status == "HTTP/1.1 200 OK"


def metric(gateway, pki, result):
    text = requests.get(gateway.url("/metrics"), timeout=5).text  # served by the probes-only listener
    for line in text.splitlines():
        if line.startswith(f'gateway_tls_certificate_reloads_total{{result="{result}"}}'):
            return int(line.split()[-1])
    raise AssertionError(f"no reload metric in:\n{text[-2000:]}")


def test_rotation_under_a_client_loop_then_a_broken_pair_is_refused(gateway, pki, pairs):
    first, second, live = pairs
    assert tls_get(gateway, pki, "/livez")[2] == serial_of(first)
    failures, seen, stop = [], set(), threading.Event()

    def loop():
        while not stop.is_set():
            try:
                status, _, serial, _, _ = tls_get(gateway, pki, "/executor/lb/hello")
                seen.add(serial)
                if status != "HTTP/1.1 200 OK":
                    failures.append(status)
            except Exception as error:  # noqa: BLE001 - every failure counts
                failures.append(repr(error))

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        time.sleep(0.5)
        # Replace the pair (key first, then certificate: in between the pair does not match and
        # is refused, which must not disturb anything).
        shutil.copy(second.key, live / "key.pem.tmp")
        (live / "key.pem.tmp").replace(live / "key.pem")
        shutil.copy(second.cert, live / "cert.pem.tmp")
        (live / "cert.pem.tmp").replace(live / "cert.pem")
        deadline = time.monotonic() + 10
        while serial_of(second) not in seen:
            assert time.monotonic() < deadline, f"the new serial was never served (seen {seen})"
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert failures == [], failures[:5]
    assert serial_of(first) in seen
    assert metric(gateway, pki, "loaded") >= 2

    refused_before = metric(gateway, pki, "refused")
    # A PEM frame around bytes that are not a key ("not a key"): a broken pair, no key material.
    label = "PRIVATE " + "KEY"
    (live / "key.pem").write_text(f"-----BEGIN {label}-----\nbm90IGEga2V5\n-----END {label}-----\n")
    deadline = time.monotonic() + 10
    while metric(gateway, pki, "refused") <= refused_before:
        assert time.monotonic() < deadline, "the broken pair was never refused"
        time.sleep(0.1)
    status, _, serial, _, _ = tls_get(gateway, pki, "/executor/lb/hello")
    assert status == "HTTP/1.1 200 OK" and serial == serial_of(second)
    log = gateway.stderr()
    assert "TLS certificate not replaced" in log and "tls.server_certificate_unusable" in log
    assert "bm90IGEga2V5" not in log
