"""`gateway health --url URL...`: the combined report of running gateways, read from their
/health/connectors. Two real replicas disagree about one connector (nginx up on one, a closed
port on the other); a third URL is a closed port, a fourth answers HTML: both are reported as
unreachable, with the reason, and make the exit status 1."""

from __future__ import annotations

import json
import subprocess
import time

import jsonschema
import pytest
import requests

from harness.gateway import REPO, gateway_binary, nginx_connector, wait_for_health_report
from harness.net import LOOPBACK, free_port
from harness.upstreams import TCPUpstream, read_head, response

SCHEMA = json.loads((REPO / "docs" / "health-report.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
COMBINED = jsonschema.Draft202012Validator(json.loads((REPO / "docs" / "health-replicas.schema.json").read_text()))


def health(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(gateway_binary()), "health", *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def reported(gateway):
    return wait_for_health_report(gateway)


def answers_html(conn, upstream):
    if read_head(conn, upstream) is not None:
        conn.sendall(response("200 OK", b"<html><body>a web page</body></html>", [("Content-Type", "text/html")],
                              keep_alive=False))


def healthy(nginx, name: str) -> dict:
    """A connector whose probe nginx answers 200."""
    return nginx_connector(nginx, name, probe_path="/hello")


@pytest.fixture(scope="module")
def replicas(nginx, module_gateways):
    closed = f"http://{LOOPBACK}:{free_port()}"
    first = module_gateways([healthy(nginx, "board"), healthy(nginx, "spare")])
    second = module_gateways([{"name": "board", "kind": "http", "executor_url": closed}, healthy(nginx, "spare")])
    return reported(first), reported(second)


@pytest.fixture(scope="module")
def html_page():
    upstream = TCPUpstream(answers_html)
    yield f"http://{LOOPBACK}:{upstream.port}"
    upstream.stop()


def test_the_worst_state_per_connector_with_each_replicas(replicas):
    first, second = replicas
    result = health("--url", first.url(""), "--url", second.url(""), "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    document = json.loads(result.stdout)
    COMBINED.validate(document)
    assert document["state"] == "fail"
    assert document["replicas_without_report"] == 0
    assert [replica["state"] for replica in document["replicas"]] == ["ok", "fail"]
    for replica in document["replicas"]:
        VALIDATOR.validate(replica["report"])  # embedded as served
    connectors = {entry["name"]: entry for entry in document["connectors"]}
    assert connectors["board"]["state"] == "fail"
    assert connectors["board"]["worst_replica"] == second.url("")
    assert [entry["state"] for entry in connectors["board"]["replicas"]] == ["ok", "fail"]
    assert "refused" in connectors["board"]["reason"]
    assert connectors["spare"]["state"] == "ok"
    assert document["summary"] == {"ok": 1, "degraded": 0, "skip": 0, "fail": 1, "unconfigured": 0, "total": 2}


def test_the_table_and_a_connector_every_replica_finds_healthy(replicas):
    first, second = replicas
    result = health("--url", first.url(""), "--url", second.url("") + "/health/connectors", "spare")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["REPLICA", "URL", "STATE", "CONNECTORS", "REPORT", "AGE", "NOTE"]
    assert lines[1].split()[:3] == ["#1", first.url(""), "ok"]
    assert lines[2].split()[:3] == ["#2", second.url("") + "/health/connectors", "fail"]
    spare = next(line for line in lines if line.startswith("spare "))
    assert spare.split()[:5] == ["spare", "http", "ok", "ok", "ok"]
    assert not any(line.startswith("board ") for line in lines)
    assert lines[-1].startswith("2 replicas; 1 connector, worst of each: 1 ok,")


def test_unreachable_and_non_report_replicas_are_named_and_fail_the_run(replicas, html_page):
    first, _ = replicas
    closed = f"http://{LOOPBACK}:{free_port()}"
    result = health("--url", first.url(""), "--url", closed, "--url", html_page, "--json", "spare")
    assert result.returncode == 1, result.stdout + result.stderr
    document = json.loads(result.stdout)
    COMBINED.validate(document)
    states = [(replica["url"], replica["state"]) for replica in document["replicas"]]
    assert states == [(first.url(""), "ok"), (closed, "unreachable"), (html_page, "unreachable")]
    assert "could not be reached" in document["replicas"][1]["error"]
    assert "not JSON" in document["replicas"][2]["error"]
    assert document["replicas"][1]["report"] is None
    assert document["connectors"][0]["state"] == "ok"
    assert f"replica {closed}: " in result.stderr
    assert f"replica {html_page}: " in result.stderr


def test_usage_errors_exit_2(replicas):
    first, _ = replicas
    for args, message in [
        (["--url", "gateway-0:8080"], "is not an http:// or https:// URL"),
        (["--url", first.url(""), "--inventory", "other.yaml"], "do not apply"),
        (["--url", first.url(""), "nope"], "no replica reports a connector named 'nope'"),
        (["--url", first.url(""), "--fail-on", "never"], "--fail-on"),
    ]:
        result = health(*args)
        assert result.returncode == 2, (args, result.stdout + result.stderr)
        assert message in result.stderr, (args, result.stderr)
