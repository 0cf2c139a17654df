"""Issue 15: Temporal as a gRPC connector. The connector's listener is an HTTP/2 gRPC proxy that
checks every call: the principal (the SDKs' `api_key`, sent as `authorization: Bearer`), the
method, and the namespace the request message itself names (its field number differs by method)
against the principal's `temporal_namespaces`, and the `temporal-namespace` header when present.
Proven against the real Temporal dev server with the `temporalio` SDK, raw `grpcio` calls and
the `temporal` CLI."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
import uuid

import grpc
import pytest
import requests
from temporalio.api.operatorservice.v1 import request_response_pb2 as operator_messages
from temporalio.api.workflowservice.v1 import request_response_pb2 as messages
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from harness.gateway import LIMITED_TOKEN, WORKER_TOKEN
from harness.grpc_echo import GRPCEcho
from harness.net import LOOPBACK, free_port, wait_for_port
from harness.temporal_server import (GreetingWorkflow, TemporalDevServer, TimerGreetingWorkflow, compose_greeting,
                                     temporal_cli)
from test_temporal import run_workflow

OPERATOR_TOKEN = "e2e-operator-token-c0ffee"
THROTTLED_TOKEN = "e2e-throttled-token-0d15"
SINGLE_TOKEN = "e2e-single-token-a11e"
WORKFLOW_SERVICE = "temporal.api.workflowservice.v1.WorkflowService"
OPERATOR_SERVICE = "temporal.api.operatorservice.v1.OperatorService"

GRPC_CALL_RE = re.compile(r"^\S+ info gateway: (?P<meta>.*) \[GatewayCore\] grpc call$")


def grpc_calls(gateway) -> list[dict[str, str]]:
    """The gateway's `grpc call` access lines, as fields."""
    calls = []
    for line in gateway.stderr().splitlines():
        if match := GRPC_CALL_RE.match(line):
            # values may hold spaces (gateway.error): a value runs to the next ` key=`
            calls.append(dict(re.findall(r"([a-z][a-z_.]*)=(.*?)(?= [a-z][a-z_.]*=|$)", match.group("meta"))))
    return calls


def principals() -> list[dict]:
    return [
        {"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["temporal"],
         "temporal_namespaces": ["default", "other"]},
        {"name": "limited", "token": "env://E2E_LIMITED_TOKEN", "connectors": ["temporal"], "temporal_namespaces": ["default"]},
        {"name": "operator", "token": "env://E2E_OPERATOR_TOKEN", "connectors": ["temporal"], "permissions": ["manage"]},
        {"name": "elsewhere", "token": "env://E2E_ELSEWHERE_TOKEN", "connectors": ["other-http"]},
    ]


@pytest.fixture(scope="module")
def temporal(tmp_path_factory):
    server = TemporalDevServer.started(tmp_path_factory.mktemp("temporal-grpc"), namespaces=("other",))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxy(temporal, module_gateways):
    port, small_port = free_port(), free_port()
    gateway = module_gateways([
        {"name": "temporal", "kind": "temporal", "executor_address": temporal.address, "listen": f"{LOOPBACK}:{port}"},
        {"name": "temporal-small", "kind": "temporal", "executor_address": temporal.address,
         "listen": f"{LOOPBACK}:{small_port}", "max_message_bytes": 1 << 20},
        {"name": "other-http", "kind": "http", "executor_url": "http://127.0.0.1:9"},
    ], principals=principals() + [
        {"name": "small", "token": "env://E2E_SMALL_TOKEN", "connectors": ["temporal-small"]},
        {"name": "throttled", "token": "env://E2E_THROTTLED_TOKEN", "connectors": ["temporal"],
         "rate": {"requests_per_second": 1, "burst": 3}},
        {"name": "single", "token": "env://E2E_SINGLE_TOKEN", "connectors": ["temporal"], "max_in_flight": 1},
    ], env={"E2E_OPERATOR_TOKEN": OPERATOR_TOKEN, "E2E_ELSEWHERE_TOKEN": "e2e-elsewhere-token-77",
            "E2E_SMALL_TOKEN": "e2e-small-token-31", "E2E_THROTTLED_TOKEN": THROTTLED_TOKEN,
            "E2E_SINGLE_TOKEN": SINGLE_TOKEN}, drain_timeout="1s")
    wait_for_port(port, 15, alive=gateway.alive)
    wait_for_port(small_port, 15, alive=gateway.alive)
    return gateway, f"{LOOPBACK}:{port}", f"{LOOPBACK}:{small_port}"


def raw_call(address: str, service: str, method: str, request, response_type, metadata=(), compression=None,
             timeout: float = 20):
    """One unary call with grpcio, outside any SDK: (status code, details, response). Messages
    up to 128 MiB each way, as the SDKs allow."""
    options = [("grpc.max_receive_message_length", 128 << 20), ("grpc.max_send_message_length", 128 << 20)]
    with grpc.insecure_channel(address, options=options) as channel:
        call = channel.unary_unary(f"/{service}/{method}", request_serializer=lambda message: message.SerializeToString(),
                                   response_deserializer=response_type.FromString)
        try:
            response = call(request, metadata=list(metadata), timeout=timeout, compression=compression)
            return grpc.StatusCode.OK, "", response
        except grpc.RpcError as error:
            return error.code(), error.details(), None


def bearer(token: str) -> tuple[str, str]:
    return ("authorization", f"Bearer {token}")


def metric(text: str, name: str, **labels) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


# -- a worker and a client


def test_worker_and_client_run_a_workflow_and_every_call_is_counted_and_logged(proxy):
    gateway, address, _ = proxy
    result, info = asyncio.run(run_workflow(address, "grpc", api_key=WORKER_TOKEN))
    assert result == "Hello, grpc! (from activity compose_greeting)"
    assert info["status"] == WorkflowExecutionStatus.COMPLETED

    text = requests.get(gateway.url("/metrics"), timeout=5).text
    for method in ["GetSystemInfo", "DescribeNamespace", "StartWorkflowExecution", "PollWorkflowTaskQueue",
                   "RespondWorkflowTaskCompleted", "RespondActivityTaskCompleted", "GetWorkflowExecutionHistory",
                   "DescribeWorkflowExecution", "ShutdownWorker"]:
        assert metric(text, "gateway_grpc_calls_total", connector="temporal", service=WORKFLOW_SERVICE, method=method,
                      code="OK") >= 1, method
    assert metric(text, "gateway_grpc_calls_total", connector="temporal", service="grpc.health.v1.Health", method="Check",
                  code="OK") >= 1
    # the activity came eagerly with the workflow task's answer; the activity polls were still
    # open when the worker stopped, and it cancelled them
    assert metric(text, "gateway_grpc_calls_total", method="PollActivityTaskQueue", code="CANCELLED") >= 1
    assert metric(text, "gateway_grpc_long_poll_duration_seconds_count", method="PollWorkflowTaskQueue") >= 1
    assert metric(text, "gateway_grpc_call_duration_seconds_count", method="StartWorkflowExecution") >= 1

    calls = grpc_calls(gateway)
    started = [call for call in calls if call.get("rpc.method") == "StartWorkflowExecution"]
    assert started and started[-1]["gateway.namespace"] == "default"
    assert started[-1]["gateway.principal"] == "worker" and started[-1]["gateway.auth"] == "token"
    assert started[-1]["gateway.grpc.status"] == "OK" and int(started[-1]["gateway.bytes_in"]) > 0
    # the worker's calls carry the namespace at other field numbers: read all the same
    completed = [call for call in calls if call.get("rpc.method") == "RespondActivityTaskCompleted"]
    assert completed and completed[-1]["gateway.namespace"] == "default"
    assert WORKER_TOKEN not in gateway.stderr()


# -- refusals, each a gRPC status


def test_a_namespace_the_principal_may_not_use_is_permission_denied(proxy, temporal):
    _, address, _ = proxy

    async def start(namespace: str):
        client = await Client.connect(address, namespace=namespace, api_key=LIMITED_TOKEN, tls=False)
        return await client.start_workflow(GreetingWorkflow.run, "x", id=f"denied-{uuid.uuid4().hex[:8]}",
                                           task_queue="nobody-polls")

    with pytest.raises(RPCError) as refused:
        asyncio.run(start("other"))
    assert refused.value.status == RPCStatusCode.PERMISSION_DENIED
    assert "'limited' may not act in namespace 'other'" in refused.value.message
    # the same principal in its own namespace is let through
    handle = asyncio.run(start("default"))
    assert handle.id.startswith("denied-")

    async def absent_from_server() -> bool:
        client = await Client.connect(temporal.address, namespace="other")
        return not [w async for w in client.list_workflows("WorkflowId STARTS_WITH 'denied-'")]

    assert asyncio.run(absent_from_server())


def test_a_wrong_token_is_unauthenticated_and_a_principal_of_another_connector_is_denied(proxy):
    _, address, _ = proxy
    with pytest.raises(RuntimeError, match=r"Unauthenticated.*not the token of a configured principal"):
        asyncio.run(Client.connect(address, namespace="default", api_key="not-a-token", tls=False))
    with pytest.raises(RuntimeError, match=r"Unauthenticated"):
        asyncio.run(Client.connect(address, namespace="default", tls=False))
    with pytest.raises(RuntimeError, match=r"PermissionDenied.*'elsewhere' may not use connector 'temporal'"):
        asyncio.run(Client.connect(address, namespace="default", api_key="e2e-elsewhere-token-77", tls=False))


def test_a_namespace_header_that_contradicts_the_message_is_invalid_argument(proxy):
    _, address, _ = proxy
    request = messages.DescribeNamespaceRequest(namespace="default")
    code, details, _ = raw_call(address, WORKFLOW_SERVICE, "DescribeNamespace", request, messages.DescribeNamespaceResponse,
                                [bearer(WORKER_TOKEN), ("temporal-namespace", "other")])
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "temporal-namespace metadata says 'other'" in details and "names namespace 'default'" in details
    code, _, response = raw_call(address, WORKFLOW_SERVICE, "DescribeNamespace", request, messages.DescribeNamespaceResponse,
                                 [bearer(WORKER_TOKEN), ("temporal-namespace", "default")])
    assert code == grpc.StatusCode.OK and response.namespace_info.name == "default"
    # gzip-compressed, as the SDKs send: the gateway reads the namespace all the same
    code, details, _ = raw_call(address, WORKFLOW_SERVICE, "DescribeNamespace", request, messages.DescribeNamespaceResponse,
                                [bearer(WORKER_TOKEN), ("temporal-namespace", "other")], compression=grpc.Compression.Gzip)
    assert code == grpc.StatusCode.INVALID_ARGUMENT, details


@pytest.mark.parametrize("method,request_message,response_type", [
    # field 1 is the task token in the calls workers live on; the namespace is elsewhere
    ("RespondActivityTaskCompleted", messages.RespondActivityTaskCompletedRequest(task_token=b"t", namespace="other"),
     messages.RespondActivityTaskCompletedResponse),
    ("RecordActivityTaskHeartbeat", messages.RecordActivityTaskHeartbeatRequest(task_token=b"t", namespace="other"),
     messages.RecordActivityTaskHeartbeatResponse),
    ("RespondWorkflowTaskCompleted", messages.RespondWorkflowTaskCompletedRequest(task_token=b"t", namespace="other"),
     messages.RespondWorkflowTaskCompletedResponse),
    ("RespondWorkflowTaskFailed", messages.RespondWorkflowTaskFailedRequest(task_token=b"t", namespace="other"),
     messages.RespondWorkflowTaskFailedResponse),
    ("RespondQueryTaskCompleted", messages.RespondQueryTaskCompletedRequest(task_token=b"t", namespace="other"),
     messages.RespondQueryTaskCompletedResponse),
    ("PollWorkflowTaskQueue", messages.PollWorkflowTaskQueueRequest(namespace="other"), messages.PollWorkflowTaskQueueResponse),
    ("StartWorkflowExecution", messages.StartWorkflowExecutionRequest(namespace="other", workflow_id="w"),
     messages.StartWorkflowExecutionResponse),
])
def test_the_namespace_is_read_at_each_methods_own_field(proxy, method, request_message, response_type):
    _, address, _ = proxy
    code, details, _ = raw_call(address, WORKFLOW_SERVICE, method, request_message, response_type, [bearer(LIMITED_TOKEN)])
    assert code == grpc.StatusCode.PERMISSION_DENIED, (method, code, details)
    assert "namespace 'other'" in details


def test_calls_without_a_namespace_operator_calls_and_unknown_methods(proxy):
    _, address, _ = proxy
    code, _, _ = raw_call(address, WORKFLOW_SERVICE, "GetSystemInfo", messages.GetSystemInfoRequest(),
                          messages.GetSystemInfoResponse, [bearer(LIMITED_TOKEN)])
    assert code == grpc.StatusCode.OK
    code, details, _ = raw_call(address, WORKFLOW_SERVICE, "ListNamespaces", messages.ListNamespacesRequest(),
                                messages.ListNamespacesResponse, [bearer(WORKER_TOKEN)])
    assert code == grpc.StatusCode.PERMISSION_DENIED and "calls_without_namespace" in details
    request = operator_messages.ListSearchAttributesRequest(namespace="default")
    code, details, _ = raw_call(address, OPERATOR_SERVICE, "ListSearchAttributes", request,
                                operator_messages.ListSearchAttributesResponse, [bearer(WORKER_TOKEN)])
    assert code == grpc.StatusCode.PERMISSION_DENIED and "'manage' permission" in details
    code, _, _ = raw_call(address, OPERATOR_SERVICE, "ListSearchAttributes", request,
                          operator_messages.ListSearchAttributesResponse, [bearer(OPERATOR_TOKEN)])
    assert code == grpc.StatusCode.OK
    code, details, _ = raw_call(address, WORKFLOW_SERVICE, "NoSuchMethod", messages.GetSystemInfoRequest(),
                                messages.GetSystemInfoResponse, [bearer(WORKER_TOKEN)])
    assert code == grpc.StatusCode.PERMISSION_DENIED and "does not know the method" in details


def test_a_request_message_over_the_limit_is_resource_exhausted(proxy):
    _, _, small = proxy
    request = messages.StartWorkflowExecutionRequest(namespace="default", workflow_id="big", request_id="r" * (2 << 20))
    code, details, _ = raw_call(small, WORKFLOW_SERVICE, "StartWorkflowExecution", request,
                                messages.StartWorkflowExecutionResponse, [bearer("e2e-small-token-31")])
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and "max_message_bytes" in details


def test_a_principal_over_its_rate_or_its_in_flight_cap_gets_resource_exhausted(proxy):
    import threading

    gateway, address, _ = proxy
    request = messages.GetSystemInfoRequest()
    codes = [raw_call(address, WORKFLOW_SERVICE, "GetSystemInfo", request, messages.GetSystemInfoResponse,
                      [bearer(THROTTLED_TOKEN)])[:2] for _ in range(5)]
    # a bucket of 3 that refills one a second: the first three pass, the next ones wait
    assert [code for code, _ in codes[:3]] == [grpc.StatusCode.OK] * 3, codes
    assert codes[3][0] == grpc.StatusCode.RESOURCE_EXHAUSTED and "over its rate of 1 requests per second" in codes[3][1]
    # other principals are not affected
    assert raw_call(address, WORKFLOW_SERVICE, "GetSystemInfo", request, messages.GetSystemInfoResponse,
                    [bearer(WORKER_TOKEN)])[0] == grpc.StatusCode.OK

    # max_in_flight 1: a long poll holds the place; a second call waits its turn
    poll = messages.PollWorkflowTaskQueueRequest(namespace="default", task_queue={"name": f"empty-{uuid.uuid4().hex[:6]}"})
    outcome = {}

    def long_poll():
        outcome["poll"] = raw_call(address, WORKFLOW_SERVICE, "PollWorkflowTaskQueue", poll,
                                   messages.PollWorkflowTaskQueueResponse, [bearer(SINGLE_TOKEN)], timeout=4)[0]

    thread = threading.Thread(target=long_poll, daemon=True)
    thread.start()
    time.sleep(1)
    code, details, _ = raw_call(address, WORKFLOW_SERVICE, "GetSystemInfo", request, messages.GetSystemInfoResponse,
                                [bearer(SINGLE_TOKEN)])
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and "max_in_flight" in details
    text = requests.get(gateway.url("/metrics"), timeout=5).text
    assert metric(text, "gateway_requests_limited_total", principal="single", limit="principal_in_flight") >= 1
    assert metric(text, "gateway_grpc_calls_total", method="GetSystemInfo", code="RESOURCE_EXHAUSTED") >= 2
    thread.join(30)  # the poll ends at its own 4 s deadline; its connection with it
    # Temporal answers a poll with an empty task just before its grpc-timeout
    assert outcome["poll"] in (grpc.StatusCode.OK, grpc.StatusCode.DEADLINE_EXCEEDED)


def test_the_temporal_cli_lists_workflows_through_the_gateway(proxy):
    gateway, address, _ = proxy
    asyncio.run(run_workflow(address, "cli", api_key=WORKER_TOKEN))
    listed = subprocess.run(
        [str(temporal_cli()), "workflow", "list", "--address", address, "--namespace", "default",
         "--api-key", WORKER_TOKEN, "--tls=false", "--output", "json", "--limit", "50"],
        capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "greet-" in listed.stdout
    refused = subprocess.run(
        [str(temporal_cli()), "workflow", "list", "--address", address, "--namespace", "other",
         "--api-key", LIMITED_TOKEN, "--tls=false"], capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "may not act in namespace 'other'" in refused.stdout + refused.stderr
    assert any(call.get("rpc.method") == "ListWorkflowExecutions" and call.get("gateway.grpc.status") == "OK"
               for call in grpc_calls(gateway))


# -- long polls, payloads, shutdown


def connection_lines(gateway, event: str) -> int:
    return sum(1 for line in gateway.stderr().splitlines() if line.endswith(f"[GatewayCore] grpc connection {event}"))


def test_a_worker_long_polls_an_empty_queue_for_three_minutes_without_error_or_reconnect(proxy):
    gateway, address, _ = proxy
    queue = f"idle-{uuid.uuid4().hex[:8]}"

    async def run() -> tuple[str, int, int, float]:
        client = await Client.connect(address, namespace="default", api_key=WORKER_TOKEN, tls=False)
        async with Worker(client, task_queue=queue, workflows=[GreetingWorkflow], activities=[compose_greeting],
                          workflow_runner=UnsandboxedWorkflowRunner()):
            await asyncio.sleep(2)
            opened, closed, since = connection_lines(gateway, "opened"), connection_lines(gateway, "closed"), time.monotonic()
            await asyncio.sleep(180)
            assert connection_lines(gateway, "opened") == opened, "the worker reconnected"
            assert connection_lines(gateway, "closed") == closed, "a connection was closed during the long polls"
            # the worker is as alive as it was: a workflow started now runs at once
            handle = await client.start_workflow(GreetingWorkflow.run, "awake", id=f"awake-{uuid.uuid4().hex[:8]}",
                                                 task_queue=queue)
            return await asyncio.wait_for(handle.result(), timeout=60), opened, closed, since

    result, *_ = asyncio.run(run())
    assert result == "Hello, awake! (from activity compose_greeting)"
    polls = [call for call in grpc_calls(gateway) if call.get("rpc.method") in ("PollWorkflowTaskQueue", "PollActivityTaskQueue")
             and call.get("gateway.principal") == "worker"]
    # empty polls are held by the server for ~50-60 s and answered OK: the gateway cut none of them
    long = [call for call in polls if int(call["gateway.duration_ms"]) >= 45_000]
    assert len(long) >= 10, [call["gateway.duration_ms"] for call in polls]
    assert all(call["gateway.grpc.status"] == "OK" for call in long)
    assert not [call for call in polls if call["gateway.grpc.status"] not in ("OK", "CANCELLED")]


def test_a_64_mib_request_and_a_64_mib_response_pass(start_gateway):
    """Temporal's frontend takes at most 4 MiB per request (grpc-go's default, not configurable),
    so the 64 MiB request goes to a real gRPC server (grpcio) in the frontend's place, which
    records what it read and answers with as many bytes."""
    echo = GRPCEcho()
    try:
        port = free_port()
        gateway = start_gateway([
            {"name": "temporal", "kind": "temporal", "executor_address": echo.address, "listen": f"{LOOPBACK}:{port}"},
        ], principals=principals()[:1], drain_timeout="1s")
        wait_for_port(port, 15, alive=gateway.alive)
        payload = uuid.uuid4().bytes * (4 << 20)  # 64 MiB
        request = messages.StartWorkflowExecutionRequest(namespace="default", workflow_id="big", request_id="r")
        request.input.payloads.add(data=payload)
        for compression in (None, grpc.Compression.Gzip):
            code, details, response = raw_call(f"{LOOPBACK}:{port}", WORKFLOW_SERVICE, "StartWorkflowExecution", request,
                                               messages.StartWorkflowExecutionResponse, [bearer(WORKER_TOKEN)],
                                               compression=compression)
            assert code == grpc.StatusCode.OK, details
            assert echo.received[-1] == request.SerializeToString()
            assert len(response.run_id) == len(payload)
        # the caller's token stayed at the gateway
        assert "authorization" not in echo.metadata[-1]
        call = [call for call in grpc_calls(gateway) if call.get("rpc.method") == "StartWorkflowExecution"][-1]
        assert int(call["gateway.bytes_out"]) > 64 << 20 and call["gateway.namespace"] == "default"
    finally:
        echo.stop()


def test_sigterm_during_long_polls_ends_them_cleanly_and_the_worker_finishes_the_workflow_through_a_restarted_gateway(
        temporal, start_gateway):
    port = free_port()
    connectors = [{"name": "temporal", "kind": "temporal", "executor_address": temporal.address, "listen": f"{LOOPBACK}:{port}"},
                  {"name": "other-http", "kind": "http", "executor_url": "http://127.0.0.1:9"}]
    env = {"E2E_OPERATOR_TOKEN": OPERATOR_TOKEN, "E2E_ELSEWHERE_TOKEN": "e2e-elsewhere-token-77"}
    first = start_gateway(connectors, principals=principals(), env=env, drain_timeout="2s")
    wait_for_port(port, 15, alive=first.alive)
    address = f"{LOOPBACK}:{port}"
    queue = f"restart-{uuid.uuid4().hex[:8]}"
    restarted = {}

    async def run() -> str:
        client = await Client.connect(address, namespace="default", api_key=WORKER_TOKEN, tls=False)
        async with Worker(client, task_queue=queue, workflows=[TimerGreetingWorkflow], activities=[compose_greeting],
                          workflow_runner=UnsandboxedWorkflowRunner()):
            # started before the restart: its timer fires after it, when the worker must be back
            handle = await client.start_workflow(TimerGreetingWorkflow.run, args=["restart", 12],
                                                 id=f"restart-{uuid.uuid4().hex[:8]}", task_queue=queue)
            await asyncio.sleep(2)  # the worker's polls are in flight
            first.terminate()
            restarted["exit"] = await asyncio.to_thread(first.process.wait, 30)
            restarted["gateway"] = await asyncio.to_thread(
                start_gateway, connectors, principals=principals(), env=env, drain_timeout="2s")
            direct = await Client.connect(temporal.address, namespace="default")
            return await asyncio.wait_for(direct.get_workflow_handle(handle.id).result(), timeout=90)

    result = asyncio.run(run())
    assert result == "Hello, restart! (from activity compose_greeting)"
    assert restarted["exit"] == 0
    log = first.stderr()
    assert "drain deadline reached" in log
    # the polls in flight got UNAVAILABLE trailers (which the SDK retries), not a reset
    ended = [call for call in grpc_calls(first) if call.get("rpc.method", "").startswith("Poll")]
    assert ended and all(call["gateway.grpc.status"] in ("UNAVAILABLE", "OK") for call in ended), ended
    assert any(call["gateway.grpc.status"] == "UNAVAILABLE" and "shutting" in call.get("gateway.error", "")
               for call in ended), log[-3000:]
    # the same worker polled and answered through the restarted gateway
    second = restarted["gateway"]
    answered = [call for call in grpc_calls(second) if call.get("rpc.method") == "RespondActivityTaskCompleted"]
    assert answered and answered[-1]["gateway.grpc.status"] == "OK" and answered[-1]["gateway.principal"] == "worker"


def test_sigterm_lets_long_polls_in_flight_finish_with_the_servers_answer(tmp_path_factory, start_gateway):
    """GOAWAY at SIGTERM: the worker opens no new call on the connection, and the polls it has
    in flight end with the server's own (empty) answer within the drain time; the gateway then
    exits having drained everything. Polls last 5 s on this dev server."""
    server = TemporalDevServer.started(tmp_path_factory.mktemp("temporal-short-polls"),
                                       dynamic_config={"matching.longPollExpirationInterval": '"5s"'})
    try:
        port = free_port()
        gateway = start_gateway(
            [{"name": "temporal", "kind": "temporal", "executor_address": server.address, "listen": f"{LOOPBACK}:{port}"}],
            principals=principals()[:1], drain_timeout="30s")
        wait_for_port(port, 15, alive=gateway.alive)

        async def run() -> int:
            client = await Client.connect(f"{LOOPBACK}:{port}", namespace="default", api_key=WORKER_TOKEN, tls=False)
            async with Worker(client, task_queue=f"drain-{uuid.uuid4().hex[:6]}", workflows=[GreetingWorkflow],
                              activities=[compose_greeting], workflow_runner=UnsandboxedWorkflowRunner()):
                await asyncio.sleep(2)
                gateway.terminate()
                return await asyncio.to_thread(gateway.process.wait, 40)

        started = time.monotonic()
        assert asyncio.run(run()) == 0
        log = gateway.stderr()
        assert "drained: every request in flight finished" in log, log[-3000:]
        assert time.monotonic() - started < 30
        polls = [call for call in grpc_calls(gateway) if call.get("rpc.method", "").startswith("Poll")]
        assert polls and all(call["gateway.grpc.status"] == "OK" for call in polls), polls
        assert all(int(call["gateway.duration_ms"]) >= 2000 for call in polls)  # held until the server answered
    finally:
        server.stop()
