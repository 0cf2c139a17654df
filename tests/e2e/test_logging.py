"""Structured logs: `gateway serve --log-format json` writes one JSON object per line on standard
error (time, level, message, then request_id/connector/principal under stable keys and the rest of
the metadata flattened), from the first line to the last, including a refused start."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time

import pytest
import requests

from harness.gateway import ENV, WORKER, WORKER_TOKEN, gateway_binary, inventory, nginx_connector, to_yaml

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
LEVELS = {"trace", "debug", "info", "notice", "warning", "error", "critical"}


def json_lines(text: str) -> list[dict]:
    """Every line of `text` as a JSON object; fails on the first one that is not."""
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise AssertionError(f"stderr line {number} is not JSON ({error}): {line!r}") from None
        assert isinstance(record, dict), line
        assert RFC3339_UTC.match(record.get("time", "")), record
        assert record.get("level") in LEVELS, record
        assert isinstance(record.get("message"), str), record
        records.append(record)
    return records


def test_every_stderr_line_is_json_and_the_access_line_has_stable_keys(nginx, start_gateway):
    gateway = start_gateway(
        [nginx_connector(nginx, "open"),
         # verify_tls off makes the start log a warning that names the connector
         {"name": "lab-tls", "kind": "http", "executor_url": "https://127.0.0.1:9", "verify_tls": False}],
        args=["--log-format", "json"])
    request_id = f"log-e2e-{time.monotonic_ns()}"
    response = requests.get(gateway.executor("open", "/hello?token=hidden-in-target"),
                            headers={**WORKER, "X-Request-ID": request_id}, timeout=10)
    assert response.status_code == 200
    denied = requests.get(gateway.executor("open", "/hello"), timeout=10)
    assert denied.status_code == 401
    assert requests.get(gateway.url("/livez"), timeout=10).status_code == 200

    # Stop it so that every line it will ever write is in the file.
    assert gateway.stop() == 0
    text = gateway.stderr()
    records = json_lines(text)
    messages = [record["message"] for record in records]
    assert "listening" in messages and "stopped" in messages, messages

    access = [record for record in records if record["message"] == "access"]
    mine = [record for record in access if record.get("request_id") == request_id]
    assert len(mine) == 1, access
    line = mine[0]
    assert line["level"] == "info"
    assert line["connector"] == "open"
    assert line["principal"] == "worker"
    assert line["http.method"] == "GET"
    assert line["http.status"] == "200"
    assert "hidden-in-target" not in line["http.target"]
    assert not {"gateway.request_id", "gateway.connector", "gateway.principal"} & line.keys()

    anonymous = [record for record in access if record.get("http.status") == "401"]
    assert len(anonymous) == 1 and anonymous[0]["connector"] == "open"
    assert anonymous[0]["request_id"] == denied.headers["x-request-id"]

    warnings = [record for record in records if record["level"] == "warning"]
    assert any(record.get("connector") == "lab-tls" and "verify_tls" in record["message"] for record in warnings), warnings

    assert WORKER_TOKEN not in text


def test_a_refused_start_is_a_json_line_too(tmp_path):
    config = inventory([{"name": "open", "kind": "http", "executor_url": "http://127.0.0.1:9",
                         "auth": {"credential": "env://E2E_NOT_SET_ANYWHERE"}}])
    (tmp_path / "connectors.yaml").write_text(to_yaml(config) + "\n")
    (tmp_path / "gateway.env").write_text("".join(f"{name}={value}\n" for name, value in ENV.items()))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRACTALOPS_")}
    result = subprocess.run(
        [str(gateway_binary()), "serve", "--inventory", str(tmp_path / "connectors.yaml"),
         "--env-file", str(tmp_path / "gateway.env"), "--listen", "127.0.0.1:0", "--log-format", "json"],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    assert result.returncode == 1, result
    records = json_lines(result.stderr)
    assert len(records) == 1, result.stderr
    assert records[0]["level"] == "critical"
    assert records[0]["message"].startswith("not starting:")
    assert "[secret.unresolved]" in records[0]["message"]
    assert "E2E_NOT_SET_ANYWHERE" in records[0]["message"]


@pytest.mark.parametrize("value", ["xml", "JSON", ""])
def test_an_unknown_log_format_is_a_usage_error(tmp_path, value):
    result = subprocess.run([str(gateway_binary().resolve()), "serve", "--log-format", value],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result
    assert "--log-format" in result.stderr and "text, json" in result.stderr
