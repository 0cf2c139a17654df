"""The committed Temporal method table (Sources/Connectors/Temporal/TemporalMethods.swift) is what
scripts/generate-temporal-methods makes from the temporalio package's API descriptors, and it says
the right thing: each method's namespace field number, read here from the descriptors again and
checked against numbers known from the Temporal API's proto files, in the descriptors and in the
committed file's text. No gateway is needed."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from google.protobuf.descriptor import FieldDescriptor

from temporalio.api.operatorservice.v1 import service_pb2 as operator_pb2
from temporalio.api.workflowservice.v1 import service_pb2 as workflow_pb2

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "scripts" / "generate-temporal-methods"
TABLE = ROOT / "Sources" / "Connectors" / "Temporal" / "TemporalMethods.swift"

WORKFLOW = "temporal.api.workflowservice.v1.WorkflowService"
OPERATOR = "temporal.api.operatorservice.v1.OperatorService"

# Field numbers from the Temporal API's proto files; 0: the request has no namespace.
KNOWN = {
    f"{WORKFLOW}/StartWorkflowExecution": 1,
    f"{WORKFLOW}/PollWorkflowTaskQueue": 1,
    f"{WORKFLOW}/RespondWorkflowTaskCompleted": 9,
    f"{WORKFLOW}/RespondWorkflowTaskFailed": 6,
    f"{WORKFLOW}/RespondQueryTaskCompleted": 6,
    f"{WORKFLOW}/RespondActivityTaskCompleted": 4,
    f"{WORKFLOW}/RespondActivityTaskFailed": 4,
    f"{WORKFLOW}/RespondActivityTaskCanceled": 4,
    f"{WORKFLOW}/RecordActivityTaskHeartbeat": 4,
    f"{WORKFLOW}/GetSystemInfo": 0,
    f"{WORKFLOW}/ListNamespaces": 0,
    f"{OPERATOR}/AddSearchAttributes": 2,
}

ENTRY = re.compile(r'^ {8}"([^"]+)": (\d+),$')
STREAMING = re.compile(r"static let streaming: Set<String> = \[(.*?)\]", re.DOTALL)


def descriptor_table() -> tuple[dict[str, int], set[str]]:
    """(method -> namespace field number, streaming methods) read straight from the descriptors."""
    fields: dict[str, int] = {}
    streaming: set[str] = set()
    for service in (
        workflow_pb2.DESCRIPTOR.services_by_name["WorkflowService"],
        operator_pb2.DESCRIPTOR.services_by_name["OperatorService"],
    ):
        for method in service.methods:
            key = f"{service.full_name}/{method.name}"
            field = method.input_type.fields_by_name.get("namespace")
            fields[key] = field.number if field is not None and field.type == FieldDescriptor.TYPE_STRING else 0
            if method.client_streaming or method.server_streaming:
                streaming.add(key)
    return fields, streaming


def committed_table() -> tuple[dict[str, int], set[str]]:
    """(method -> namespace field number, streaming methods) parsed from the committed Swift file."""
    text = TABLE.read_text(encoding="utf-8")
    fields: dict[str, int] = {}
    for line in text.splitlines():
        match = ENTRY.match(line)
        if match:
            assert match.group(1) not in fields, f"{match.group(1)} is in the table twice"
            fields[match.group(1)] = int(match.group(2))
    block = STREAMING.search(text)
    assert block, "no `static let streaming: Set<String> = [...]` in the committed table"
    streaming = set(re.findall(r'"([^"]+)"', block.group(1)))
    return fields, streaming


def run_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GENERATOR), "--check", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_committed_table_is_what_the_generator_makes():
    result = run_check(TABLE)
    assert result.returncode == 0, (
        "TemporalMethods.swift differs from the descriptors; run "
        f"`.venv-e2e/bin/python scripts/generate-temporal-methods --output {TABLE.relative_to(ROOT)}`\n"
        f"{result.stdout}{result.stderr}")
    assert result.stdout == ""


def test_check_reports_a_changed_table(tmp_path):
    """--check is no formality: one wrong number gives exit 1 and a diff naming that line."""
    key = f"{WORKFLOW}/RespondWorkflowTaskCompleted"
    text = TABLE.read_text(encoding="utf-8")
    changed = text.replace(f'"{key}": 9,', f'"{key}": 1,')
    assert changed != text
    copy = tmp_path / "TemporalMethods.swift"
    copy.write_text(changed, encoding="utf-8")
    result = run_check(copy)
    assert result.returncode == 1, result.stderr
    assert f'-        "{key}": 1,' in result.stdout.splitlines()
    assert f'+        "{key}": 9,' in result.stdout.splitlines()


@pytest.mark.parametrize("method", sorted(KNOWN))
def test_known_field_in_the_descriptors(method):
    service_name, method_name = method.rsplit("/", 1)
    module = workflow_pb2 if service_name == WORKFLOW else operator_pb2
    service = module.DESCRIPTOR.services_by_name[service_name.rsplit(".", 1)[1]]
    request = service.methods_by_name[method_name].input_type
    field = request.fields_by_name.get("namespace")
    if KNOWN[method] == 0:
        assert field is None, f"{request.full_name} has a namespace field ({field.number})"
    else:
        assert field is not None, f"{request.full_name} has no namespace field"
        assert field.type == FieldDescriptor.TYPE_STRING
        assert field.number == KNOWN[method]


@pytest.mark.parametrize("method", sorted(KNOWN))
def test_known_field_in_the_committed_table(method):
    fields, _ = committed_table()
    assert method in fields, f"{method} is not in the committed table"
    assert fields[method] == KNOWN[method]


def test_committed_table_matches_the_descriptors_everywhere():
    fields, streaming = committed_table()
    expected_fields, expected_streaming = descriptor_table()
    assert sorted(fields) == sorted(expected_fields), "the table's methods are not the services' methods"
    wrong = {key: (fields[key], expected_fields[key]) for key in fields if fields[key] != expected_fields[key]}
    assert not wrong, f"(table, descriptors) differ: {wrong}"
    assert streaming == expected_streaming


def test_committed_table_names_its_source():
    version = metadata.version("temporalio")
    text = TABLE.read_text(encoding="utf-8")
    assert f'static let source = "temporalio {version}"' in text
    assert text.startswith(f"// Generated by scripts/generate-temporal-methods from the temporalio {version} package")
    assert max(len(line) for line in text.splitlines()) <= 140
