"""`gateway render-env --for-clients`: the env a principal's machines use reaches every connector
through a running gateway, with the principal's token taken from the reference it names, and
lists only the connectors that principal may use."""

from __future__ import annotations

import subprocess

import requests

from harness.gateway import ENV, gateway_binary, nginx_connector


def render_for(gateway, principal: str, tmp_path) -> dict[str, str]:
    output = tmp_path / f"{principal}.env"
    result = subprocess.run(
        [str(gateway_binary()), "render-env", str(gateway.directory / "connectors.yaml"), "--for-clients",
         "--gateway-url", gateway.url(""), "--principal", principal, "--overlay", str(gateway.directory / "gateway.env"),
         "--output", str(output)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout + result.stderr
    values = {}
    for line in output.read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def token_of(values: dict[str, str]) -> str:
    reference = values["FRACTALOPS_GATEWAY_TOKEN"]
    assert reference.startswith("env://"), reference  # a reference, never the token itself
    return ENV[reference.removeprefix("env://")]


def test_a_workers_env_reaches_its_connectors_through_the_gateway(nginx, start_gateway, tmp_path):
    gateway = start_gateway([
        nginx_connector(nginx, "board", runtime_asset={"id": "board-api", "role": "executor"}),
        nginx_connector(nginx, "other"),
    ])
    worker = render_for(gateway, "worker", tmp_path)
    assert worker["FRACTALOPS_GATEWAY_URL"] == gateway.url("")
    assert worker["FRACTALOPS_BOARD_EXECUTOR_URL"] == gateway.executor("board", "")
    assert worker["FRACTALOPS_BOARD_RUNTIME_ASSET_ID"] == "board-api"
    assert not [key for key in worker if key.endswith(("_HOST_HEADER", "_VERIFY_TLS", "_CREDENTIAL"))]
    for name in ("BOARD", "OTHER"):
        response = requests.get(worker[f"FRACTALOPS_{name}_EXECUTOR_URL"] + "/hello",
                                headers={"Authorization": f"Bearer {token_of(worker)}"}, timeout=10)
        assert response.status_code == 200, response.text
        assert response.text == "hello from langboard.internal\n"


def test_a_limited_principals_env_lists_only_what_it_may_use(nginx, start_gateway, tmp_path):
    gateway = start_gateway([nginx_connector(nginx, "board"), nginx_connector(nginx, "other")])
    limited = render_for(gateway, "limited", tmp_path)
    assert "FRACTALOPS_BOARD_EXECUTOR_URL" in limited
    assert "FRACTALOPS_OTHER_EXECUTOR_URL" not in limited
    response = requests.get(limited["FRACTALOPS_BOARD_EXECUTOR_URL"] + "/hello",
                            headers={"Authorization": f"Bearer {token_of(limited)}"}, timeout=10)
    assert response.status_code == 200
