"""Traces (issue 18): the gateway's spans, exported over OTLP/HTTP to a test collector that
decodes them with `opentelemetry-proto`. A caller's `traceparent` parents the server span; the
upstream (a recording upstream) receives the gateway's client span as its parent; a retried
request has two client spans (the second with `http.request.resend_count` 1); a 502 carries an
error status and its problem type; a WebSocket handshake is followed by its tunnel's span; a
gRPC call has its server and client spans, the upstream (a recording gRPC server) continuing the
client's; the query is never recorded; sampling at 0 exports nothing; a dead collector changes no answer and
the drop counter rises."""

from __future__ import annotations

import os
import time

import pytest
import requests
from websockets.sync.client import connect

from harness import upstreams
from harness.gateway import WORKER, WORKER_TOKEN, parse_access_line
from harness.grpc_echo import GRPCEcho
from harness.net import free_port, wait_for_port
from harness.otlp_collector import OTLPCollector
from harness.recording_http import RecordingHTTPServer
from harness.websocket_server import EchoServer

SECRET_QUERY = "token=query-secret-5e1d"


def traceparent():
    trace_id, span_id = os.urandom(16).hex(), os.urandom(8).hex()
    return trace_id, span_id, f"00-{trace_id}-{span_id}-01"


@pytest.fixture(scope="module")
def collector():
    server = OTLPCollector()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def recording():
    server = RecordingHTTPServer(lambda seen, reply: reply.json(200, {"ok": True}))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stale():
    upstream = upstreams.TCPUpstream(upstreams.drops_reused(use_reset=False))
    yield upstream
    upstream.stop()


@pytest.fixture(scope="module")
def echo():
    server = EchoServer()
    yield server
    server.stop()


def telemetry(endpoint, **extra):
    return {"otlp_endpoint": endpoint, "schedule_delay": "100ms", "service_name": "gateway-e2e", **extra}


@pytest.fixture(scope="module")
def grpc_upstream():
    server = GRPCEcho()
    yield server
    server.stop()


GRPC_PORT = free_port()


@pytest.fixture(scope="module")
def gateway(collector, recording, stale, echo, grpc_upstream, module_gateways):
    return module_gateways([
        {"name": "rec", "kind": "http", "executor_url": recording.base},
        {"name": "stale", "kind": "http", "executor_url": f"http://127.0.0.1:{stale.port}"},
        {"name": "refused", "kind": "http", "executor_url": f"http://127.0.0.1:{free_port()}"},
        {"name": "ws", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}, "websocket_paths": ["/chat"]},
        {"name": "temporal", "kind": "temporal", "executor_address": grpc_upstream.address, "listen": f"127.0.0.1:{GRPC_PORT}"},
    ], telemetry=telemetry(collector.base))


def spans_of(collector, trace_id, count):
    spans = collector.wait_for(lambda all: len([s for s in all if s.trace_id == trace_id]) >= count)
    return [s for s in spans if s.trace_id == trace_id]


def only(spans, **match):
    found = [s for s in spans if all(getattr(s, key) == value for key, value in match.items())]
    assert len(found) == 1, (match, spans)
    return found[0]


def access_line(gateway, request_id):
    return gateway.wait_access(request_id)


def test_the_callers_trace_continues_through_the_gateway_to_the_upstream(gateway, collector, recording):
    trace_id, caller_span, header = traceparent()
    answer = requests.get(gateway.executor("rec", f"/items/7?{SECRET_QUERY}"),
                          headers={**WORKER, "traceparent": header, "tracestate": "caller=1"}, timeout=10)
    assert answer.status_code == 200
    spans = spans_of(collector, trace_id, 2)
    server = only(spans, kind="server")
    client = only(spans, kind="client")
    assert server.parent_span_id == caller_span
    assert client.parent_span_id == server.span_id
    assert server.name == "GET /executor/rec/*"
    assert server.service_name == "gateway-e2e"
    assert server.attributes["http.request.method"] == "GET"
    assert server.attributes["http.route"] == "/executor/rec/*"
    assert server.attributes["url.path"] == "/executor/rec/items/7"
    assert server.attributes["http.response.status_code"] == 200
    assert server.attributes["fractalops.connector"] == "rec"
    assert server.attributes["fractalops.principal"] == "worker"
    assert server.attributes["client.address"] == "127.0.0.1"
    assert client.attributes["http.request.method"] == "GET"
    assert client.attributes["server.port"] == recording.port
    assert client.attributes["url.full"] == f"http://127.0.0.1:{recording.port}/items/7"
    assert client.attributes["http.response.status_code"] == 200
    assert "http.request.resend_count" not in client.attributes
    assert server.status == client.status == "unset"
    for span in spans:  # the query is never recorded, not even redacted
        assert not any("?" in str(value) or "query-secret" in str(value) for value in span.attributes.values()), span
    # The upstream's parent is the gateway's client span; tracestate travels with the trace (W3C).
    seen = recording.seen()[-1]
    assert seen.header_values("traceparent") == [f"00-{trace_id}-{client.span_id}-01"]
    assert seen.header_values("tracestate") == ["caller=1"]
    line = access_line(gateway, answer.headers["x-request-id"])
    assert (line["trace_id"], line["span_id"]) == (trace_id, server.span_id)


def test_a_retried_request_has_two_client_spans_the_second_a_resend(gateway, collector, stale):
    with requests.Session() as session:
        first = session.get(gateway.executor("stale", "/warm"), headers=WORKER, timeout=10)
        assert first.status_code == 200
        trace_id, _, header = traceparent()
        retried = session.get(gateway.executor("stale", "/x"), headers={**WORKER, "traceparent": header}, timeout=10)
    assert (retried.status_code, retried.text) == (200, "fresh\n")
    spans = spans_of(collector, trace_id, 3)
    server = only(spans, kind="server")
    clients = sorted([s for s in spans if s.kind == "client"], key=lambda s: s.start_ns)
    assert len(clients) == 2 and all(c.parent_span_id == server.span_id for c in clients)
    assert clients[0].status == "error" and "http.request.resend_count" not in clients[0].attributes
    assert clients[0].attributes["error.type"].startswith("urn:fractalops:gateway:")
    assert clients[1].attributes["http.request.resend_count"] == 1
    assert clients[1].attributes["http.response.status_code"] == 200
    assert server.status == "unset" and server.attributes["http.response.status_code"] == 200


def test_a_502_carries_an_error_status_and_its_problem_type(gateway, collector):
    trace_id, _, header = traceparent()
    answer = requests.get(gateway.executor("refused", "/x"), headers={**WORKER, "traceparent": header}, timeout=10)
    assert answer.status_code == 502
    problem_type = answer.json()["type"]
    spans = spans_of(collector, trace_id, 2)
    server = only(spans, kind="server")
    assert server.status == "error"
    assert server.attributes["http.response.status_code"] == 502
    assert server.attributes["error.type"] == problem_type == "urn:fractalops:gateway:refused"
    assert only(spans, kind="client").status == "error"


def test_a_refused_caller_gets_a_server_span_without_an_upstream_attempt(gateway, collector):
    trace_id, _, header = traceparent()
    answer = requests.get(gateway.executor("rec", "/x"), headers={"traceparent": header}, timeout=10)
    assert answer.status_code == 401
    server = only(spans_of(collector, trace_id, 1), kind="server")
    assert server.attributes["http.response.status_code"] == 401
    assert server.attributes["error.type"] == "urn:fractalops:gateway:unauthenticated"
    assert server.status == "unset", "a 4xx is the caller's error, not the server's"
    time.sleep(0.3)
    assert [s.kind for s in collector.trace(trace_id)] == ["server"]


def test_a_websocket_handshake_is_followed_by_its_tunnels_span(gateway, collector):
    trace_id, _, header = traceparent()
    with connect(gateway.executor("ws", "/chat").replace("http://", "ws://"),
                 additional_headers={**WORKER, "traceparent": header}) as ws:
        ws.send("traced")
        assert ws.recv(timeout=5) == "traced"
    spans = spans_of(collector, trace_id, 3)
    server = only(spans, kind="server")
    tunnel = only(spans, name="WebSocket tunnel")
    assert server.attributes["http.response.status_code"] == 101
    assert tunnel.parent_span_id == server.span_id
    assert tunnel.attributes["fractalops.tunnel.closed_by"] in ("caller", "upstream")
    assert tunnel.attributes["fractalops.tunnel.bytes_to_upstream"] > 6
    assert tunnel.end_ns >= server.end_ns


def grpc_start(token: str, header: str):
    import grpc
    from temporalio.api.workflowservice.v1 import request_response_pb2 as messages

    request = messages.StartWorkflowExecutionRequest(namespace="default", workflow_id="traced", request_id="r")
    with grpc.insecure_channel(f"127.0.0.1:{GRPC_PORT}") as channel:
        call = channel.unary_unary("/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution",
                                   request_serializer=lambda m: m.SerializeToString(), response_deserializer=lambda b: b)
        try:
            call(request, metadata=[("authorization", f"Bearer {token}"), ("traceparent", header)], timeout=10)
            return grpc.StatusCode.OK
        except grpc.RpcError as error:
            return error.code()


def test_a_grpc_call_has_a_server_span_and_a_client_span_the_upstream_continues(gateway, collector, grpc_upstream):
    import grpc

    wait_for_port(GRPC_PORT, 15, alive=gateway.alive)
    trace_id, caller_span, header = traceparent()
    assert grpc_start(WORKER_TOKEN, header) == grpc.StatusCode.OK
    spans = spans_of(collector, trace_id, 2)
    server = only(spans, kind="server")
    client = only(spans, kind="client")
    assert server.name == "temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution"
    assert server.parent_span_id == caller_span and client.parent_span_id == server.span_id
    assert server.attributes["rpc.system"] == "grpc"
    assert server.attributes["rpc.method"] == "StartWorkflowExecution"
    assert server.attributes["rpc.grpc.status_code"] == 0
    assert server.attributes["fractalops.principal"] == "worker"
    assert server.attributes["fractalops.namespace"] == "default"
    assert client.attributes["server.port"] == grpc_upstream.port
    assert grpc_upstream.metadata[-1]["traceparent"] == f"00-{trace_id}-{client.span_id}-01"

    # refused at the gateway: an error span, no upstream attempt
    trace_id, _, header = traceparent()
    assert grpc_start("not-a-token", header) == grpc.StatusCode.UNAUTHENTICATED
    refused = spans_of(collector, trace_id, 1)
    assert [span.kind for span in refused] == ["server"]
    assert refused[0].attributes["rpc.grpc.status_code"] == 16 and refused[0].status == "error"


def test_sampling_at_zero_exports_nothing(collector, recording, start_gateway):
    gateway = start_gateway([{"name": "rec", "kind": "http", "executor_url": recording.base}],
                            telemetry=telemetry(collector.base, sampler="traceidratio", sampler_arg=0))
    before = len(collector.spans)
    request_ids = []
    for _ in range(20):
        answer = requests.get(gateway.executor("rec", "/unsampled"), headers=WORKER, timeout=10)
        assert answer.status_code == 200
        request_ids.append(answer.headers["x-request-id"])
    time.sleep(1)
    assert len(collector.spans) == before
    # The ids still go upstream and into the access line (flag 00: not sampled).
    assert recording.seen()[-1].header("traceparent").endswith("-00")
    assert "trace_id" in access_line(gateway, request_ids[-1])


def test_a_dead_collector_changes_no_answer_and_the_drops_are_counted(recording, start_gateway):
    gateway = start_gateway([{"name": "rec", "kind": "http", "executor_url": recording.base}],
                            telemetry=telemetry(f"http://127.0.0.1:{free_port()}", export_timeout="1s"))
    for _ in range(30):
        assert requests.get(gateway.executor("rec", "/x"), headers=WORKER, timeout=10).status_code == 200

    def dropped():
        for line in requests.get(gateway.url("/metrics"), timeout=5).text.splitlines():
            if line.startswith('gateway_trace_spans_dropped_total{reason="export_failed"}'):
                return int(line.split()[-1])
        return 0

    deadline = time.monotonic() + 20
    while dropped() < 30 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert dropped() >= 30, "every span of the 30 requests (server and client) was counted as dropped"
    assert requests.get(gateway.executor("rec", "/x"), headers=WORKER, timeout=10).status_code == 200
    assert "spans dropped" in gateway.stderr()
