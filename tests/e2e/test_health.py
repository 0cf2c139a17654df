"""Issue 5: operator health checks. Every state comes from a real condition: nginx up (ok), a
closed port (refused), a certificate from another CA, a key nginx answers 401 to, a Python
upstream answering 503 (skip), a 3-day certificate and a 300 ms upstream (degraded), a ui_only
connector (unconfigured), and a real gRPC health server (grpcio) for the Temporal probe. Each
is checked through `gateway health --json` and the server's /health/connectors, validated
against docs/health-report.schema.json; the status page is rendered by headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from concurrent import futures
from datetime import datetime, timezone
from pathlib import Path

import grpc
import jsonschema
import pytest
import requests
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from harness.certs import SERVER_NAME
from harness.gateway import REPO, run_health_command, wait_for_health_report
from harness.net import LOOPBACK, free_port
from harness.status_page import StatusDOM, chromium
from harness.upstreams import TCPUpstream, read_head, response, slow_answer

SCHEMA = json.loads((REPO / "docs" / "health-report.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
CONNECTOR_VALIDATOR = jsonschema.Draft202012Validator(
    {**SCHEMA["$defs"]["connector"], "$defs": SCHEMA["$defs"], "required": [*SCHEMA["$defs"]["connector"]["required"], "schema_version"]},
    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

WORKFLOW_SERVICE = "temporal.api.workflowservice.v1.WorkflowService"
WRONG_KEY = "sk-e2e-wrong-key-0000"
UNAVAILABLE_BODY = b"maintenance window until 12:00\n"

#: connector -> (state, step that decided it)
EXPECTED = {
    "up": ("ok", "probe"),
    "keyed": ("ok", "probe"),
    "wrong-key": ("fail", "probe"),
    "down": ("fail", "connect"),
    "wrong-ca": ("fail", "tls"),
    "unavailable": ("skip", "probe"),
    "expiring": ("degraded", "tls"),
    "slow": ("degraded", "probe"),
    "ui": ("unconfigured", "config"),
    "grpc-up": ("ok", "probe"),
    "grpc-down": ("skip", "probe"),
}


def answers_503(conn, upstream):
    """One request per connection, answered 503 with a body."""
    if read_head(conn, upstream) is not None:
        conn.sendall(response("503 Service Unavailable", UNAVAILABLE_BODY, [("Content-Type", "text/plain")],
                              keep_alive=False))


@pytest.fixture(scope="module")
def upstreams():
    slow = TCPUpstream(slow_answer(0.3))
    unavailable = TCPUpstream(answers_503)
    yield {"slow": slow, "unavailable": unavailable}
    slow.stop()
    unavailable.stop()


@pytest.fixture(scope="module")
def grpc_health_server():
    """grpcio's reference health service: the WorkflowService SERVING, down.Service NOT_SERVING."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port(f"{LOOPBACK}:0")
    server.start()
    servicer.set(WORKFLOW_SERVICE, health_pb2.HealthCheckResponse.SERVING)
    servicer.set("down.Service", health_pb2.HealthCheckResponse.NOT_SERVING)
    yield f"{LOOPBACK}:{port}"
    server.stop(grace=None)


@pytest.fixture(scope="module")
def connectors(nginx, pki, upstreams, grpc_health_server):
    plain = f"http://{LOOPBACK}:{nginx.http}"
    return [
        {"name": "up", "kind": "http", "executor_url": plain, "host_header": SERVER_NAME, "probe_path": "/hello"},
        {"name": "keyed", "kind": "langboard", "executor_url": plain, "host_header": SERVER_NAME,
         "auth": {"api_key": "env://E2E_LANGBOARD_KEY"}, "health": {"path": "/auth-probe"}},
        {"name": "wrong-key", "kind": "langboard", "executor_url": plain, "host_header": SERVER_NAME,
         "auth": {"api_key": "env://E2E_WRONG_KEY"}, "health": {"path": "/auth-probe"}},
        {"name": "down", "kind": "http", "executor_url": f"http://{LOOPBACK}:{free_port()}"},
        {"name": "wrong-ca", "kind": "http", "executor_url": f"https://{LOOPBACK}:{nginx.tls_ca}",
         "tls_server_name": SERVER_NAME, "ca_file": str(pki.self_signed.cert), "probe_path": "/tls"},
        {"name": "unavailable", "kind": "http", "executor_url": f"http://{LOOPBACK}:{upstreams['unavailable'].port}"},
        {"name": "expiring", "kind": "http", "executor_url": f"https://{LOOPBACK}:{nginx.tls_short}",
         "tls_server_name": SERVER_NAME, "ca_file": str(pki.ca), "probe_path": "/tls"},
        {"name": "slow", "kind": "http", "executor_url": f"http://{LOOPBACK}:{upstreams['slow'].port}",
         "health": {"degraded_after": "100ms"}},
        {"name": "ui", "kind": "langboard", "connector_mode": "ui_only", "public_url": "https://langboard.example.com"},
        {"name": "grpc-up", "kind": "temporal", "executor_address": grpc_health_server,
         "listen": f"{LOOPBACK}:{free_port()}"},
        {"name": "grpc-down", "kind": "temporal", "executor_address": grpc_health_server,
         "listen": f"{LOOPBACK}:{free_port()}", "health_service": "down.Service"},
    ]


ENV_EXTRA = {"E2E_WRONG_KEY": WRONG_KEY}
GATEWAY_HEALTH = {"interval": "1s", "timeout": "3s", "degraded_after": "2s", "cert_expiry_warning_days": 14,
                  "concurrency": 4}


def run_health(directory: Path, connectors: list[dict], env: dict | None = None, args: list[str] = (),
               **gateway) -> tuple[subprocess.CompletedProcess, float]:
    """`gateway health` as an operator runs it, and how long it took."""
    started = time.monotonic()
    result = run_health_command(directory, connectors, env=env, args=args, **gateway)
    return result, time.monotonic() - started


def by_name(report: dict) -> dict[str, dict]:
    return {connector["name"]: connector for connector in report["connectors"]}


def assert_every_state(report: dict) -> None:
    """The states, deciding steps and details every real condition must produce."""
    VALIDATOR.validate(report)
    connectors = by_name(report)
    assert set(connectors) == set(EXPECTED)
    got = {name: (c["state"], c["decided_by"]) for name, c in connectors.items()}
    assert got == EXPECTED, json.dumps({n: connectors[n]["reason"] for n in got if got[n] != EXPECTED[n]}, indent=1)
    for connector in connectors.values():
        assert connector["reason"] and "\n" not in connector["reason"]
        assert [step["step"] for step in connector["steps"]] == ["config", "secret", "dns", "connect", "tls", "probe"]
        datetime.fromisoformat(connector["checked_at"].replace("Z", "+00:00"))

    assert connectors["up"]["probe"]["status"] == 200
    assert connectors["up"]["tls"] is None
    assert connectors["keyed"]["probe"]["status"] == 204  # the credential was injected
    wrong_key = connectors["wrong-key"]
    assert wrong_key["probe"]["status"] == 401
    assert "auth.api_key" in wrong_key["reason"]
    assert WRONG_KEY not in json.dumps(report)
    assert "refused" in connectors["down"]["reason"]
    assert "not trusted" in connectors["wrong-ca"]["reason"]
    unavailable = connectors["unavailable"]
    assert unavailable["probe"]["status"] == 503
    assert unavailable["probe"]["body_excerpt"] == UNAVAILABLE_BODY.decode().strip()
    assert "503" in unavailable["reason"] and "maintenance window" in unavailable["reason"]
    expiring = connectors["expiring"]
    assert expiring["tls"]["verified"] is True
    assert expiring["tls"]["server_name"] == SERVER_NAME
    assert SERVER_NAME in expiring["tls"]["names"]
    assert expiring["tls"]["days_until_expiry"] in (2, 3)
    assert "expires in" in expiring["reason"]
    assert expiring["steps"][4]["status"] == "warn"
    assert expiring["probe"]["status"] == 200
    slow = connectors["slow"]
    assert slow["probe"]["latency_ms"] >= 300
    assert slow["thresholds"]["degraded_after_ms"] == 100
    assert "degraded_after" in slow["reason"]
    assert connectors["ui"]["target"] is None and "ui_only" in connectors["ui"]["reason"]
    assert connectors["grpc-up"]["probe"]["serving_status"] == "SERVING"
    assert connectors["grpc-up"]["probe"]["grpc_status"] == 0
    assert connectors["grpc-down"]["probe"]["serving_status"] == "NOT_SERVING"
    assert report["summary"] == {"ok": 3, "degraded": 2, "skip": 2, "fail": 3, "unconfigured": 1, "total": 11}
    assert report["state"] == "fail"


# -- gateway health (the command)


def test_cli_reports_every_state_from_real_conditions(connectors, tmp_path):
    result, elapsed = run_health(tmp_path, connectors, env=ENV_EXTRA, args=["--json"], health=GATEWAY_HEALTH)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert_every_state(report)
    # Bounded: every check has its deadline (3 s); here the slowest answers in about 300 ms.
    assert elapsed < 3, elapsed


def test_cli_table_is_aligned_without_colour_when_not_a_terminal(connectors, tmp_path):
    result, _ = run_health(tmp_path, connectors, env=ENV_EXTRA, health=GATEWAY_HEALTH)
    assert result.returncode == 1
    assert "\x1b[" not in result.stdout
    lines = result.stdout.splitlines()
    header = lines[0]
    assert header.split() == ["CONNECTOR", "KIND", "STATE", "STEP", "LATENCY", "CERT", "EXPIRY", "REASON"]
    state_column = header.index("STATE")
    rows = {line.split()[0]: line for line in lines[1:len(EXPECTED) + 1]}
    assert set(rows) == set(EXPECTED)
    for name, (state, step) in EXPECTED.items():
        assert rows[name][state_column:].split()[:2] == [state, step], rows[name]
    assert lines[-1].startswith("11 connectors: 3 ok, 2 degraded, 2 skip, 3 fail, 1 unconfigured")


def test_cli_names_only_the_connectors_asked_and_fail_on_skip_sets_the_exit_status(connectors, tmp_path):
    ok_and_skip = [c for c in connectors if c["name"] in ("up", "unavailable", "ui")]
    result, _ = run_health(tmp_path / "a", ok_and_skip, args=["--json"], health=GATEWAY_HEALTH)
    assert result.returncode == 0, result.stdout
    assert {c["name"]: c["state"] for c in json.loads(result.stdout)["connectors"]} == {
        "up": "ok", "unavailable": "skip", "ui": "unconfigured"}
    result, _ = run_health(tmp_path / "b", ok_and_skip, args=["--fail-on", "skip"], health=GATEWAY_HEALTH)
    assert result.returncode == 1
    result, _ = run_health(tmp_path / "c", connectors, env=ENV_EXTRA, args=["up", "ui", "--json"], health=GATEWAY_HEALTH)
    assert result.returncode == 0
    assert [c["name"] for c in json.loads(result.stdout)["connectors"]] == ["up", "ui"]
    result, _ = run_health(tmp_path / "d", connectors, env=ENV_EXTRA, args=["uq"], health=GATEWAY_HEALTH)
    assert result.returncode == 2
    assert "Did you mean 'up'?" in result.stderr


def test_cli_an_unresolvable_secret_fails_that_connector_at_step_secret(connectors, tmp_path):
    chosen = [c for c in connectors if c["name"] in ("up", "keyed")]
    chosen[1] = {**chosen[1], "auth": {"api_key": "env://E2E_NOT_SET_ANYWHERE"}}
    result, _ = run_health(tmp_path, chosen, args=["--json"], health=GATEWAY_HEALTH)
    assert result.returncode == 1, result.stderr
    report = by_name(json.loads(result.stdout))
    assert report["up"]["state"] == "ok"
    keyed = report["keyed"]
    assert (keyed["state"], keyed["decided_by"]) == ("fail", "secret")
    assert "E2E_NOT_SET_ANYWHERE" in keyed["reason"]
    assert keyed["steps"][1]["status"] == "fail"
    assert [s["status"] for s in keyed["steps"][2:]] == ["skipped"] * 4


def test_cli_a_configuration_error_exits_2(tmp_path):
    result, _ = run_health(tmp_path, [{"name": "bad", "kind": "http", "executor_url": "ftp://x"}], args=["--json"])
    assert result.returncode == 2
    assert "url.invalid" in result.stderr
    assert result.stdout == ""


def test_cli_tls_ok_shows_the_verified_certificate(nginx, pki, tmp_path):
    connector = {"name": "tls-ok", "kind": "http", "executor_url": f"https://{LOOPBACK}:{nginx.tls_ca}",
                 "tls_server_name": SERVER_NAME, "ca_file": str(pki.ca), "probe_path": "/tls"}
    result, _ = run_health(tmp_path, [connector], args=["--json"], health={"cert_expiry_warning_days": 1})
    assert result.returncode == 0, result.stdout
    checked = json.loads(result.stdout)["connectors"][0]
    assert checked["state"] == "ok", checked["reason"]
    tls = checked["tls"]
    assert tls["verified"] is True and tls["version"] in ("TLSv1.2", "TLSv1.3")
    assert tls["names"] == [SERVER_NAME] and tls["subject"] == SERVER_NAME
    assert tls["days_until_expiry"] == 1
    assert checked["steps"][4]["status"] == "ok"


def test_cli_resolves_names_and_reports_dns_failures(nginx, tmp_path):
    named = {"name": "named", "kind": "http", "executor_url": f"http://localhost:{nginx.http}",
             "host_header": SERVER_NAME, "probe_path": "/hello"}
    unknown = {"name": "nowhere", "kind": "http", "executor_url": "http://no-such-host.invalid:8080"}
    result, _ = run_health(tmp_path, [named, unknown], args=["--json"])
    assert result.returncode == 1
    report = by_name(json.loads(result.stdout))
    assert report["named"]["state"] == "ok", report["named"]["reason"]
    dns = report["named"]["steps"][2]
    assert dns["status"] == "ok" and "localhost resolved to" in dns["detail"] and "127.0.0.1" in dns["detail"]
    nowhere = report["nowhere"]
    assert (nowhere["state"], nowhere["decided_by"]) == ("fail", "dns")
    assert "no-such-host.invalid" in nowhere["reason"] and "could not be resolved" in nowhere["reason"]


def test_cli_probe_uses_the_connectors_timeout_and_never_hangs(tmp_path):
    silent = TCPUpstream(lambda conn, upstream: upstream.hold(30))
    try:
        connector = {"name": "silent", "kind": "http", "executor_url": f"http://{LOOPBACK}:{silent.port}"}
        result, elapsed = run_health(tmp_path, [connector], args=["--json", "--timeout", "500ms"])
    finally:
        silent.stop()
    assert result.returncode == 1
    checked = json.loads(result.stdout)["connectors"][0]
    assert (checked["state"], checked["decided_by"]) == ("fail", "probe")
    assert "no complete answer within health.timeout (500 ms)" in checked["reason"]
    assert elapsed < 2.5, elapsed  # the peer holds on for 30 s: only the 500 ms deadline ends it


# -- the server: /health/connectors, /metrics, /readyz, /status


@pytest.fixture(scope="module")
def server(connectors, module_gateways):
    return wait_for_health_report(module_gateways(connectors, env=ENV_EXTRA, health=GATEWAY_HEALTH))


def test_server_report_has_every_state(server):
    answer = requests.get(server.url("/health/connectors"), timeout=5)
    assert answer.headers["content-type"] == "application/json"
    report = answer.json()
    assert_every_state(report)
    assert 0 <= report["age_seconds"] < 5
    generated = datetime.fromisoformat(report["generated_at"].replace("Z", "+00:00"))
    assert abs((datetime.now(timezone.utc) - generated).total_seconds()) < 5


def test_server_serves_each_connector_and_names_unknown_ones(server):
    for name, (state, step) in EXPECTED.items():
        answer = requests.get(server.url(f"/health/connectors/{name}"), timeout=5)
        assert answer.status_code == 200
        document = answer.json()
        CONNECTOR_VALIDATOR.validate(document)
        assert (document["name"], document["state"], document["decided_by"]) == (name, state, step)
    unknown = requests.get(server.url("/health/connectors/slwo"), timeout=5)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert "Did you mean 'slow'?" in unknown.json()["detail"]
    assert requests.post(server.url("/health/connectors"), timeout=5).status_code == 405


def test_server_checks_again_on_the_interval_and_counts_skips(server):
    first = requests.get(server.url("/health/connectors/unavailable"), timeout=5).json()["checked_at"]
    deadline = time.monotonic() + 10
    while requests.get(server.url("/health/connectors/unavailable"), timeout=5).json()["checked_at"] == first:
        assert time.monotonic() < deadline, "the scheduler did not check again within 10 s (interval 1 s)"
        time.sleep(0.1)
    metrics = requests.get(server.url("/metrics"), timeout=5).text
    skips = re.search(r'^gateway_connector_health_checks_total\{connector="unavailable",state="skip"\} (\d+)$', metrics, re.M)
    assert skips and int(skips.group(1)) >= 2, metrics


def test_server_metrics_have_a_gauge_per_connector_and_state(server):
    metrics = requests.get(server.url("/metrics"), timeout=5).text
    assert "# TYPE gateway_connector_health gauge" in metrics
    for name, (state, _) in EXPECTED.items():
        assert f'gateway_connector_health{{connector="{name}",state="{state}"}} 1' in metrics
        for other in ("ok", "degraded", "skip", "fail", "unconfigured"):
            if other != state:
                assert f'gateway_connector_health{{connector="{name}",state="{other}"}} 0' in metrics
        stamp = re.search(rf'^gateway_connector_health_last_check_timestamp_seconds\{{connector="{name}"\}} ([0-9.]+)$', metrics, re.M)
        assert stamp and abs(float(stamp.group(1)) - time.time()) < 10
        assert re.search(rf'^gateway_connector_health_check_duration_seconds\{{connector="{name}"\}} [0-9.]+$', metrics, re.M)
    assert re.search(r'^gateway_connector_certificate_expiry_timestamp_seconds\{connector="expiring"\} \d+$', metrics, re.M)
    # The data path's own metrics are still there.
    assert "gateway_requests_in_flight" in metrics


def test_readyz_does_not_depend_on_upstream_health(server):
    report = requests.get(server.url("/health/connectors"), timeout=5).json()
    assert report["summary"]["fail"] > 0
    assert requests.get(server.url("/readyz"), timeout=5).status_code == 200


def test_status_page_in_a_real_browser_shows_every_connector(server, tmp_path):
    url = server.url("/status")
    answer = requests.get(url, timeout=5)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    dumped = chromium("--dump-dom", url, user_data=tmp_path / "profile-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = StatusDOM()
    dom.feed(dumped.stdout)
    assert dom.refresh and int(dom.refresh) >= 5
    assert set(dom.cards) == set(EXPECTED)
    for name, (state, _) in EXPECTED.items():
        card = dom.cards[name]
        assert card["name"].strip() == name
        assert card["badge"].strip() == state
        assert card["attr_state"] == state
        assert card["reason"].strip()
    assert "expires in" in dom.cards["expiring"]["reason"]
    # No external assets: nothing the page loads comes from anywhere else.
    assert not re.search(r'<(script|link|img)\b', answer.text)

    for size, name in (("1280,1400", "status.png"), ("390,844", "status-phone.png")):
        shot = tmp_path / name
        taken = chromium(f"--screenshot={shot}", f"--window-size={size}", url, user_data=tmp_path / f"profile-{name}")
        assert taken.returncode == 0, taken.stderr[-2000:]
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
        # STATUS_SCREENSHOT_DIR=docs keeps them (docs/status.png is docs/health.md's picture).
        if os.environ.get("STATUS_SCREENSHOT_DIR"):
            shutil.copyfile(shot, Path(os.environ["STATUS_SCREENSHOT_DIR"]) / name)


def test_cli_grpc_probe_against_a_real_temporal_frontend(tmp_path):
    """The real Temporal dev server answers the gRPC health check for its WorkflowService."""
    from harness.temporal_server import TemporalDevServer

    temporal = TemporalDevServer(tmp_path / "temporal")
    try:
        temporal.wait_ready()
        connector = {"name": "temporal", "kind": "temporal", "executor_address": temporal.address,
                     "listen": f"{LOOPBACK}:{free_port()}"}
        result, _ = run_health(tmp_path / "cli", [connector], args=["--json"])
    finally:
        temporal.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    checked = json.loads(result.stdout)["connectors"][0]
    assert (checked["state"], checked["decided_by"]) == ("ok", "probe"), checked["reason"]
    assert checked["probe"]["kind"] == "grpc"
    assert checked["probe"]["serving_status"] == "SERVING"
    assert WORKFLOW_SERVICE in checked["probe"]["request"]
