"""`gateway audit PATH...`: literal secrets in env files, a platform topology file and a rendered
file are reported by file, line, key and reason, never by value; exit 1 when any, 0 when clean,
2 when a path cannot be read. The bundled files are checked as shipped."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from harness.gateway import REPO, gateway_binary

SECRETS = ["e2e-audit-token-5d2a", "e2e-audit-pass-77c1", "e2e-audit-key-0b9e", "e2e-audit-principal-31f4"]


def audit(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([str(gateway_binary()), "audit", *args], capture_output=True, text=True, timeout=60,
                          cwd=cwd, stdin=subprocess.DEVNULL)


def write_files(directory: Path) -> dict[str, Path]:
    env = directory / "lab.secrets.env"
    env.write_text(
        "# overlay\n"
        f"FRACTALOPS_NEXUS_TOKEN={SECRETS[0]}\n"
        "FRACTALOPS_LANGBOARD_API_KEY=openbao://secret/connectors/langboard#api_key\n"
        f"FRACTALOPS_DATABASE_URL=postgres://fractalops:{SECRETS[1]}@db.internal:5432/fractalops\n"
        "FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE=true\n")
    topology = directory / "lxc-pve-lab.yaml"
    topology.write_text(
        "runtime_ssot:\n  public_url: https://fractalops.example.com\n"
        "principal_defaults:\n  cli: {principal: operator}\n"
        "identity_plane:\n  session_trust: {enabled: false}\n"
        "connector_inventory:\n"
        "  - name: daytona\n    kind: daytona\n"
        f"    executor_url: https://daytona.internal/api?DAYTONA_SANDBOX_AUTH_KEY={SECRETS[2]}\n"
        "    auth: {api_key: openbao://secret/connectors/daytona#api_key}\n"
        "gateway:\n  principals:\n    - name: worker\n"
        f"      token: {SECRETS[3]}\n")
    rendered = directory / ".env.generated"
    rendered.write_text("FRACTALOPS_RUNTIME_ASSET_ID=connector-gateway\n"
                        "FRACTALOPS_NEXUS_TOKEN=openbao://secret/connectors#FRACTALOPS_NEXUS_TOKEN\n")
    return {"env": env, "topology": topology, "rendered": rendered}


def test_findings_name_file_line_key_and_reason_never_the_value(tmp_path):
    files = write_files(tmp_path)
    result = audit(str(files["env"]), str(files["topology"]), str(files["rendered"]))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{files['env']}:2: FRACTALOPS_NEXUS_TOKEN: a sensitive key holds a literal value.")
    assert lines[1].startswith(f"{files['env']}:4: FRACTALOPS_DATABASE_URL: a URL carries a credential in a user name or password before the host.")
    assert lines[2].startswith(
        f"{files['topology']}:10: connector_inventory[daytona].executor_url: a URL carries a credential in the parameter 'DAYTONA_SANDBOX_AUTH_KEY'.")
    assert lines[3].startswith(f"{files['topology']}:15: gateway.principals[worker].token: a sensitive key holds a literal value.")
    assert lines[4] == "4 literal secrets in 2 of 3 files (values not shown)"
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr


def test_json_and_a_folder(tmp_path):
    write_files(tmp_path)
    result = audit("--json", str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert sorted(Path(name).name for name in document["files"]) == [".env.generated", "lab.secrets.env", "lxc-pve-lab.yaml"]
    assert [(finding["line"], finding["key"]) for finding in document["findings"]] == [
        (2, "FRACTALOPS_NEXUS_TOKEN"), (4, "FRACTALOPS_DATABASE_URL"),
        (10, "connector_inventory[daytona].executor_url"), (15, "gateway.principals[worker].token")]
    assert all(finding["fix"] for finding in document["findings"])
    for secret in SECRETS:
        assert secret not in result.stdout


def test_clean_files_exit_0_and_unreadable_ones_exit_2(tmp_path):
    files = write_files(tmp_path)
    clean = audit(str(files["rendered"]), "connectors.yaml", ".env.example")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout == "no literal secrets in 3 files\n"
    broken = tmp_path / "broken.env"
    broken.write_text(f"{SECRETS[0]}\n")
    missing = audit(str(files["rendered"]), str(tmp_path / "missing.env"), str(broken))
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert "missing.env" in missing.stderr and "broken.env:1" in missing.stderr
    assert SECRETS[0] not in missing.stdout + missing.stderr
    usage = audit()
    assert usage.returncode != 0 and usage.returncode != 1
