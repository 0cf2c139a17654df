"""The house rules a reader relies on, checked on the tree: small files, no kind option named in
core, every default written once (in its key's declaration), and the plugin boundary."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "Sources" / "GatewayCore"
SWIFT = sorted((REPO / "Sources").rglob("*.swift")) + sorted((REPO / "Tests").rglob("*.swift"))

# Options that belong to one kind (Connectors/<Kind>): core must read none of them by name.
KIND_OPTIONS = ["credential_header", "credential_scheme", "forwarded_for", "egress_address", "executor_address",
                "max_message_bytes", "calls_without_namespace", "health_service", "stream_idle_timeout"]


# A key read by name followed by a literal fallback (a number, true/false, a shifted size).
REPEATED_DEFAULT = re.compile(
    r'(\["[a-z_.]+"\]\??\.value\.\w+|\b(?:string|bool|integer|duration|number)\("[a-z_.]+"\)) \?\? (-?[0-9(]|true\b|false\b)')


def code_lines(path: Path) -> list[tuple[int, str]]:
    """The numbered lines of a Swift file, comment lines left out."""
    return [(number, line) for number, line in enumerate(path.read_text().splitlines(), 1)
            if not line.lstrip().startswith("//")]


def test_no_swift_file_is_over_400_lines():
    long = [f"{p.relative_to(REPO)}: {n}" for p in SWIFT if (n := len(p.read_text().splitlines())) > 400]
    assert not long, long


def test_no_data_path_file_is_over_350_lines():
    # The data path's files (Proxy/: handler, machines, router) stay short enough to read top to bottom.
    long = [f"{p.relative_to(REPO)}: {n}" for p in sorted((CORE / "Proxy").rglob("*.swift"))
            if (n := len(p.read_text().splitlines())) > 350]
    assert not long, long


def test_core_reads_no_kind_option_by_name():
    found = []
    for path in CORE.rglob("*.swift"):
        for number, line in code_lines(path):
            for option in KIND_OPTIONS:
                # A key read: settings["x"], string("x"), bool("x") ...; a message may name it.
                if re.search(rf'(\[|\()"{option}"(\]|\))', line):
                    found.append(f"{path.relative_to(REPO)}:{number}: {option}")
    assert not found, found


def test_no_default_is_written_twice():
    # `settings["key"]?.value.durationValue ?? 30` or `connector.duration("key") ?? 30` repeats
    # what the key's SettingSpec declares: read it through its Setting constant instead.
    found = [f"{p.relative_to(REPO)}:{n}: {line.strip()}"
             for p in (REPO / "Sources").rglob("*.swift") for n, line in code_lines(p) if REPEATED_DEFAULT.search(line)]
    assert not found, found


def test_the_rule_finder_finds_a_repeated_default():
    pattern = REPEATED_DEFAULT
    assert pattern.search('        drainTimeout = settings["drain_timeout"]?.value.durationValue ?? 30')
    assert pattern.search('        let idle = connector.duration("idle_timeout") ?? 300')
    assert not pattern.search("        drainTimeout = settings[GatewayKey.drainTimeout]")


def test_connector_kinds_build_on_the_public_api_alone():
    if not (REPO / ".build" / "debug.yaml").exists():
        pytest.skip("no debug build here (scripts/test builds first)")
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "check-plugin-boundary")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
