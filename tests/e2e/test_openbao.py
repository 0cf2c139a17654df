"""Secrets from a real OpenBao dev server (KV v2 at secret/): injected into upstream calls with
token and AppRole logins, failing closed at start, rotated while serving, and literal secrets of
a generated env moved into OpenBao by `render-env --harden-refs`. Known secret values are checked
to appear nowhere in what the gateway prints, logs or exposes as metrics."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from harness.gateway import ENV, WORKER, gateway_binary, inventory, nginx_connector, to_yaml
from harness.net import free_port, wait_until
from harness.nginx import parse_echo
from harness.openbao import OpenBao, read_policy


@pytest.fixture(scope="module")
def openbao(tmp_path_factory):
    server = OpenBao(tmp_path_factory.mktemp("openbao"))
    server.start()
    yield server
    server.stop()


def unique(prefix: str) -> str:
    """A fresh value (or path part) per test, so tests share one server without interfering."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def openbao_settings(server: OpenBao, **extra) -> dict:
    return {"address": server.address, **extra}


def echo(gateway, connector: str = "board", headers: dict | None = None) -> dict[str, str]:
    response = requests.get(gateway.executor(connector, "/echo/x"), headers=headers or WORKER, timeout=10)
    assert response.status_code == 200, response.text
    return parse_echo(response.text)


def metric(gateway, name: str) -> float:
    text = requests.get(gateway.url("/metrics"), timeout=10).text
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without FRACTALOPS_/BAO_/VAULT_ variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRACTALOPS_", "BAO_", "VAULT_"))}
    env.update(extra or {})
    return env


def run_gateway(directory: Path, args: list[str], config: dict | None = None, env_file: dict[str, str] | None = None,
                process_env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs the gateway to completion (a start that fails closed exits on its own)."""
    directory.mkdir(parents=True, exist_ok=True)
    command = [str(gateway_binary()), *args]
    if config is not None:
        (directory / "connectors.yaml").write_text(to_yaml(config) + "\n")
        (directory / "gateway.env").write_text("".join(f"{k}={v}\n" for k, v in {**ENV, **(env_file or {})}.items()))
        command += ["--inventory", str(directory / "connectors.yaml"), "--env-file", str(directory / "gateway.env")]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=child_environment(process_env),
                          stdin=subprocess.DEVNULL)


def parse_time(text) -> float:
    """Seconds since the epoch of an RFC 3339 time (OpenBao's, with nanoseconds) or a number."""
    if isinstance(text, (int, float)):
        return float(text)
    main, _, rest = text.partition(".")
    fraction = "0." + "".join(ch for ch in rest if ch.isdigit()) if rest else "0"
    return datetime.strptime(main.rstrip("Z"), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp() + float(fraction)


# -- injection


def test_token_auth_injects_the_openbao_secret_and_resolves_principal_tokens(openbao, nginx, start_gateway):
    path, key, caller = unique("e2e/token"), unique("sk-openbao-key"), unique("caller-token")
    openbao.put_secret(path, {"api_key": key, "worker": caller})
    gateway = start_gateway(
        [nginx_connector(nginx, "board", kind="langboard", auth={"api_key": f"openbao://secret/{path}#api_key"})],
        env={"FRACTALOPS_OPENBAO_TOKEN": openbao.root_token},
        principals=[{"name": "worker", "token": f"openbao://secret/{path}#worker", "connectors": ["*"]}],
        openbao=openbao_settings(openbao))
    seen = echo(gateway, headers={"Authorization": f"Bearer {caller}"})
    assert seen["x_api_key"] == key
    assert seen["authorization"] == ""
    # The old env:// worker token is not a principal any more.
    assert requests.get(gateway.executor("board", "/echo/x"), headers=WORKER, timeout=10).status_code == 401
    exposed = gateway.stderr() + requests.get(gateway.url("/metrics"), timeout=10).text
    assert key not in exposed and caller not in exposed


def test_approle_login_with_role_id_file_and_secret_id_env(openbao, nginx, start_gateway, tmp_path):
    path, key = unique("e2e/approle"), unique("sk-approle-key")
    openbao.put_secret(path, {"api_key": key})
    policy = unique("gateway-read")
    openbao.put_policy(policy, read_policy(path))
    role_id, secret_id = openbao.approle(unique("gateway"), [policy])
    role_id_file = tmp_path / "role_id"
    role_id_file.write_text(role_id + "\n")
    gateway = start_gateway(
        [nginx_connector(nginx, "board", kind="langboard", auth={"api_key": f"openbao://secret/{path}#api_key"})],
        env={"FRACTALOPS_OPENBAO_SECRET_ID": secret_id},
        openbao=openbao_settings(openbao, auth={"method": "approle", "role_id_file": str(role_id_file)}))
    assert echo(gateway)["x_api_key"] == key
    exposed = gateway.stderr() + requests.get(gateway.url("/metrics"), timeout=10).text
    for value in (key, secret_id, role_id):
        assert value not in exposed


def test_the_namespace_selects_where_secrets_are_read(openbao, nginx, start_gateway):
    namespace, path = unique("team"), unique("e2e/ns")
    inside, outside = unique("sk-in-namespace"), unique("sk-root-namespace")
    openbao.create_namespace(namespace)
    openbao.put_secret(path, {"api_key": inside}, namespace=namespace)
    openbao.put_secret(path, {"api_key": outside})
    gateway = start_gateway(
        [nginx_connector(nginx, "board", kind="langboard", auth={"api_key": f"openbao://secret/{path}#api_key"})],
        env={"FRACTALOPS_OPENBAO_TOKEN": openbao.root_token, "FRACTALOPS_OPENBAO_NAMESPACE": namespace},
        openbao=openbao_settings(openbao))
    assert echo(gateway)["x_api_key"] == inside


@pytest.fixture(scope="module")
def openbao_tls(tmp_path_factory):
    server = OpenBao(tmp_path_factory.mktemp("openbao-tls"), tls=True)
    server.start()
    yield server
    server.stop()


def test_tls_openbao_is_verified_with_the_configured_ca_file(openbao_tls, nginx, start_gateway, tmp_path):
    path, key = unique("e2e/tls"), unique("sk-over-tls")
    openbao_tls.put_secret(path, {"api_key": key})
    reference = f"openbao://secret/{path}#api_key"
    connectors = [nginx_connector(nginx, "board", kind="langboard", auth={"api_key": reference})]
    env = {"FRACTALOPS_OPENBAO_TOKEN": openbao_tls.root_token}
    gateway = start_gateway(connectors, env=env, openbao=openbao_settings(openbao_tls, ca_file=str(openbao_tls.ca_file)))
    assert echo(gateway)["x_api_key"] == key

    # Without the CA the certificate is not trusted, and the start fails closed saying so.
    result = run_gateway(tmp_path / "untrusted", ["serve", "--listen", "127.0.0.1:0"],
                         inventory(connectors, openbao=openbao_settings(openbao_tls)), env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert reference in result.stderr and "not trusted" in result.stderr
    assert key not in result.stdout + result.stderr


def test_a_renewable_token_is_renewed_before_it_expires(openbao, nginx, start_gateway):
    path, first, second = unique("e2e/renew"), unique("sk-renew-1"), unique("sk-renew-2")
    openbao.put_secret(path, {"api_key": first})
    policy = unique("gateway-renew")
    openbao.put_policy(policy, read_policy(path))
    # A 3 s token from a secret id that works once: only renewal keeps the gateway reading.
    role_id, secret_id = openbao.approle(unique("renewing"), [policy], token_ttl="3s", secret_id_num_uses=1)
    gateway = start_gateway(
        [nginx_connector(nginx, "board", kind="langboard", auth={"api_key": f"openbao://secret/{path}#api_key"})],
        env={"FRACTALOPS_OPENBAO_ROLE_ID": role_id, "FRACTALOPS_OPENBAO_SECRET_ID": secret_id},
        openbao=openbao_settings(openbao, refresh_interval="1s", auth={"method": "approle"}))
    assert echo(gateway)["x_api_key"] == first

    def renewed_past_first_expiry() -> bool:
        for token in openbao.tokens_with_policy(policy):
            issued, renewed = token.get("issue_time"), token.get("last_renewal_time")
            if issued and renewed and parse_time(renewed) - parse_time(issued) > 3.5:
                return True
        return False

    assert wait_until(renewed_past_first_expiry, timeout=20, interval=0.25), gateway.stderr()[-3000:]
    openbao.put_secret(path, {"api_key": second})
    assert wait_until(lambda: echo(gateway)["x_api_key"] == second, timeout=15, interval=0.1)
    assert metric(gateway, "gateway_secret_refresh_failures_total") == 0
    assert secret_id not in gateway.stderr()


# -- failing closed


@pytest.fixture(scope="module")
def seeded(openbao):
    """One secret with a known string field and a number field."""
    path, known = unique("e2e/closed"), unique("sk-known-closed")
    openbao.put_secret(path, {"api_key": known, "port": 8443})
    return path, known


def failing_start(case: str, openbao: OpenBao, seeded) -> tuple[str, dict, dict]:
    """(reference, openbao settings, env) for a start that must fail."""
    path, _ = seeded
    token = {"FRACTALOPS_OPENBAO_TOKEN": openbao.root_token}
    if case == "wrong token":
        return f"openbao://secret/{path}#api_key", openbao_settings(openbao), {"FRACTALOPS_OPENBAO_TOKEN": "not-the-token"}
    if case == "missing path":
        return "openbao://secret/e2e/does-not-exist#api_key", openbao_settings(openbao), token
    if case == "missing field":
        return f"openbao://secret/{path}#no_such_field", openbao_settings(openbao), token
    if case == "wrong type":
        return f"openbao://secret/{path}#port", openbao_settings(openbao), token
    if case == "forbidden path":
        openbao.put_policy("e2e-elsewhere", read_policy("e2e/elsewhere"))
        return (f"openbao://secret/{path}#api_key", openbao_settings(openbao),
                {"FRACTALOPS_OPENBAO_TOKEN": openbao.create_token(["e2e-elsewhere"])})
    if case == "unreachable":
        return f"openbao://secret/{path}#api_key", {"address": f"http://127.0.0.1:{free_port()}"}, token
    raise AssertionError(case)


CASES = {
    "wrong token": "refused the token",
    "missing path": "found nothing",
    "missing field": "no field 'no_such_field'",
    "wrong type": "holds a number, not a string",
    "forbidden path": "denied access",
    "unreachable": "could not be reached",
}


@pytest.mark.parametrize("case", list(CASES))
def test_serve_fails_closed_naming_the_reference_and_never_the_value(case, openbao, seeded, tmp_path):
    reference, settings, env = failing_start(case, openbao, seeded)
    config = inventory([{"name": "board", "kind": "langboard", "executor_url": "http://127.0.0.1:9",
                         "auth": {"api_key": reference}}], openbao=settings)
    result = run_gateway(tmp_path, ["serve", "--listen", "127.0.0.1:0"], config, env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "not starting" in result.stderr
    assert "[secret.unresolved]" in result.stderr
    assert reference in result.stderr
    assert "connector 'board'" in result.stderr
    assert CASES[case] in result.stderr, result.stderr
    assert "listening on" not in output
    assert seeded[1] not in output


def test_validate_resolve_secrets_checks_every_reference_without_printing_values(openbao, seeded, tmp_path):
    path, known = seeded
    env = {"FRACTALOPS_OPENBAO_TOKEN": openbao.root_token}
    good = inventory([{"name": "board", "kind": "langboard", "executor_url": "http://127.0.0.1:9",
                       "auth": {"api_key": f"openbao://secret/{path}#api_key"}}], openbao=openbao_settings(openbao))
    result = run_gateway(tmp_path / "good", ["validate", "--resolve-secrets"], good, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert known not in result.stdout + result.stderr
    bad = inventory([{"name": "board", "kind": "langboard", "executor_url": "http://127.0.0.1:9",
                      "auth": {"api_key": f"openbao://secret/{path}#missing"}}], openbao=openbao_settings(openbao))
    result = run_gateway(tmp_path / "bad", ["validate", "--resolve-secrets", "--json"], bad, env)
    assert result.returncode == 1
    assert f"openbao://secret/{path}#missing" in result.stdout
    assert known not in result.stdout + result.stderr


# -- rotation


def test_a_rotated_secret_is_used_without_restart_and_a_failed_refresh_keeps_the_last_good_value(
        openbao, nginx, start_gateway):
    path = unique("e2e/rotate")
    first, second, third = unique("sk-rotate-1"), unique("sk-rotate-2"), unique("sk-rotate-3")
    openbao.put_secret(path, {"api_key": first})
    gateway = start_gateway(
        [nginx_connector(nginx, "board", kind="langboard", auth={"api_key": f"openbao://secret/{path}#api_key"})],
        env={"FRACTALOPS_OPENBAO_TOKEN": openbao.root_token},
        openbao=openbao_settings(openbao, refresh_interval="1s"))
    pid = gateway.pid
    assert echo(gateway)["x_api_key"] == first

    openbao.put_secret(path, {"api_key": second})
    assert wait_until(lambda: echo(gateway)["x_api_key"] == second, timeout=15, interval=0.1)
    assert gateway.alive() and gateway.pid == pid
    assert metric(gateway, "gateway_secret_rotations_total") >= 1

    # The latest version deleted: every refresh fails, the last good value stays, logged once.
    openbao.delete_latest(path)
    assert wait_until(lambda: metric(gateway, "gateway_secret_refresh_failures_total") >= 3, timeout=20, interval=0.2)
    assert echo(gateway)["x_api_key"] == second
    assert gateway.stderr().count("secret refresh failed") == 1, gateway.stderr()[-3000:]

    openbao.put_secret(path, {"api_key": third})
    assert wait_until(lambda: echo(gateway)["x_api_key"] == third, timeout=15, interval=0.1)
    assert wait_until(lambda: "secret reference resolves again" in gateway.stderr(), timeout=5)

    exposed = gateway.stderr() + requests.get(gateway.url("/metrics"), timeout=10).text
    for value in (first, second, third):
        assert value not in exposed


# -- hardening env files


def harden_setup(openbao: OpenBao, nginx, directory: Path) -> dict:
    directory.mkdir(parents=True, exist_ok=True)
    key, credential = unique("sk-harden-board"), unique("harden-credential")
    config = inventory([
        nginx_connector(nginx, "board", kind="langboard", auth={"api_key": "env://E2E_LANGBOARD_KEY"}),
        nginx_connector(nginx, "generic", auth={"credential": "env://E2E_HTTP_CREDENTIAL"}),
    ])
    (directory / "connectors.yaml").write_text(to_yaml(config) + "\n")
    (directory / "template.env").write_text(
        "# generated env template\nFRACTALOPS_BOARD_API_KEY=\nFRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true\n")
    (directory / "secrets.overlay.env").write_text(
        f"FRACTALOPS_BOARD_API_KEY={key}\nFRACTALOPS_GENERIC_CREDENTIAL={credential}\n"
        "FRACTALOPS_BOARD_HOST_HEADER=langboard.internal\n")
    (directory / "e2e.env").write_text("".join(f"{k}={v}\n" for k, v in ENV.items()))
    return {"key": key, "credential": credential, "scope_path": unique("e2e/harden")}


def dotenv_values(text: str) -> dict[str, str]:
    """KEY=value lines as the renderer writes them (a value with '#' is double-quoted)."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            values[key] = value
    return values


def render_hardened(openbao: OpenBao, directory: Path, scope_path: str, token: str) -> subprocess.CompletedProcess:
    return run_gateway(directory, [
        "render-env", str(directory / "connectors.yaml"), "--template", str(directory / "template.env"),
        "--overlay", str(directory / "secrets.overlay.env"), "--output", str(directory / "out.env"),
        "--harden-refs", "--openbao-scope", f"secret/{scope_path}",
    ], process_env={"FRACTALOPS_OPENBAO_ADDR": openbao.address, "FRACTALOPS_OPENBAO_TOKEN": token})


def test_render_env_harden_refs_round_trip(openbao, nginx, start_gateway, tmp_path):
    setup = harden_setup(openbao, nginx, tmp_path)
    scope = setup["scope_path"]
    openbao.put_secret(scope, {"already_there": "kept"})
    result = render_hardened(openbao, tmp_path, scope, openbao.root_token)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    rendered = (tmp_path / "out.env").read_text()
    for secret in (setup["key"], setup["credential"]):
        assert secret not in output and secret not in rendered
    board_ref = f"openbao://secret/{scope}#FRACTALOPS_BOARD_API_KEY"
    generic_ref = f"openbao://secret/{scope}#FRACTALOPS_GENERIC_CREDENTIAL"
    values = dotenv_values(rendered)
    assert values["FRACTALOPS_BOARD_API_KEY"] == board_ref
    assert values["FRACTALOPS_GENERIC_CREDENTIAL"] == generic_ref
    assert values["FRACTALOPS_BOARD_HOST_HEADER"] == "langboard.internal"
    assert rendered.startswith("# generated env template\n")

    # The values are in OpenBao, merged with what was there.
    stored = openbao.read_secret(scope)
    assert stored["data"] == {"already_there": "kept", "FRACTALOPS_BOARD_API_KEY": setup["key"],
                              "FRACTALOPS_GENERIC_CREDENTIAL": setup["credential"]}

    # The result validates with references required, every reference resolving.
    validate = run_gateway(tmp_path, [
        "validate", "--inventory", str(tmp_path / "connectors.yaml"), "--env-file", str(tmp_path / "e2e.env"),
        "--env-file", str(tmp_path / "out.env"), "--resolve-secrets",
    ], process_env={"FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE": "true",
                    "FRACTALOPS_OPENBAO_ADDR": openbao.address, "FRACTALOPS_OPENBAO_TOKEN": openbao.root_token,
                    # Under require-ref env:// reads the process environment only: the principals'
                    # tokens are injected at run time, as a deployment's secret env would be.
                    **ENV})
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert setup["key"] not in validate.stdout + validate.stderr

    # And a gateway serving on it injects the value from OpenBao.
    gateway = start_gateway(
        [nginx_connector(nginx, "board", kind="langboard", auth={"api_key": "env://E2E_LANGBOARD_KEY"})],
        env={"FRACTALOPS_BOARD_API_KEY": board_ref, "FRACTALOPS_OPENBAO_TOKEN": openbao.root_token},
        openbao=openbao_settings(openbao))
    assert echo(gateway)["x_api_key"] == setup["key"]


def test_render_env_harden_refs_without_write_access_lists_the_keys_and_writes_nothing(openbao, nginx, tmp_path):
    setup = harden_setup(openbao, nginx, tmp_path)
    scope = setup["scope_path"]
    version = openbao.put_secret(scope, {"already_there": "kept"})
    policy = unique("read-only")
    openbao.put_policy(policy, read_policy(scope))
    result = render_hardened(openbao, tmp_path, scope, openbao.create_token([policy]))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Nothing was written" in result.stderr, output
    assert "FRACTALOPS_BOARD_API_KEY" in result.stderr and "FRACTALOPS_GENERIC_CREDENTIAL" in result.stderr, output
    assert f"openbao://secret/{scope}#FRACTALOPS_BOARD_API_KEY" in result.stderr, output
    assert not (tmp_path / "out.env").exists()
    assert openbao.read_secret(scope) == {"data": {"already_there": "kept"}, "version": version}
    for secret in (setup["key"], setup["credential"]):
        assert secret not in output


def test_render_env_harden_refs_several_scopes_and_credential_urls_then_audit_is_clean(openbao, nginx, tmp_path):
    """The platform's form: OPENBAO_SCOPES=<scope>,<scope>/<connector> under a mount; a URL that
    carries a credential moves too; gateway audit finds the overlay's literals and none in the output."""
    setup = harden_setup(openbao, nginx, tmp_path)
    scope = setup["scope_path"]
    database_password = unique("db-pass")
    with (tmp_path / "secrets.overlay.env").open("a") as overlay:
        overlay.write(f"FRACTALOPS_DATABASE_URL=postgres://fractalops:{database_password}@db.internal:5432/app\n"
                      "FRACTALOPS_PORTAL_PUBLIC_URL=https://portal.example.com/?page=1\n")
    result = run_gateway(tmp_path, [
        "render-env", str(tmp_path / "connectors.yaml"), "--template", str(tmp_path / "template.env"),
        "--overlay", str(tmp_path / "secrets.overlay.env"), "--output", str(tmp_path / "out.env"),
        "--harden-refs", "--openbao-mount", "secret",
    ], process_env={"FRACTALOPS_OPENBAO_ADDR": openbao.address, "FRACTALOPS_OPENBAO_TOKEN": openbao.root_token,
                    "OPENBAO_SCOPES": f"{scope}, {scope}/generic, {scope}/absent"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for secret in (setup["key"], setup["credential"], database_password):
        assert secret not in output
    assert f"moved 2 literal secrets to OpenBao at secret/{scope}:" in result.stdout
    assert f"moved 1 literal secret to OpenBao at secret/{scope}/generic:" in result.stdout
    # A scope naming a connector this inventory lacks receives nothing, and says so.
    assert f"the OpenBao scope secret/{scope}/absent names no connector" in result.stderr, output
    assert "FRACTALOPS_DATABASE_URL" in result.stdout and "user name or password" in result.stdout
    values = dotenv_values((tmp_path / "out.env").read_text())
    assert values["FRACTALOPS_BOARD_API_KEY"] == f"openbao://secret/{scope}#FRACTALOPS_BOARD_API_KEY"
    assert values["FRACTALOPS_DATABASE_URL"] == f"openbao://secret/{scope}#FRACTALOPS_DATABASE_URL"
    assert values["FRACTALOPS_GENERIC_CREDENTIAL"] == f"openbao://secret/{scope}/generic#FRACTALOPS_GENERIC_CREDENTIAL"
    assert values["FRACTALOPS_PORTAL_PUBLIC_URL"] == "https://portal.example.com/?page=1"
    assert openbao.read_secret(scope)["data"] == {
        "FRACTALOPS_BOARD_API_KEY": setup["key"],
        "FRACTALOPS_DATABASE_URL": f"postgres://fractalops:{database_password}@db.internal:5432/app"}
    assert openbao.read_secret(f"{scope}/generic")["data"] == {"FRACTALOPS_GENERIC_CREDENTIAL": setup["credential"]}
    assert openbao.api("GET", f"secret/data/{scope}/absent").status_code == 404

    clean = run_gateway(tmp_path, ["audit", str(tmp_path / "out.env"), str(tmp_path / "connectors.yaml")])
    assert clean.returncode == 0, clean.stdout + clean.stderr
    found = run_gateway(tmp_path, ["audit", str(tmp_path / "secrets.overlay.env")])
    assert found.returncode == 1, found.stdout + found.stderr
    assert found.stdout.count("secrets.overlay.env:") == 3
    for secret in (setup["key"], setup["credential"], database_password):
        assert secret not in found.stdout + found.stderr
