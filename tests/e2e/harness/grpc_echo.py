"""A real gRPC server (grpcio) in place of Temporal's frontend where the frontend cannot serve a
test: it takes messages up to 128 MiB (Temporal's frontend takes 4 MiB, grpc-go's fixed default)
and answers `StartWorkflowExecution` with a run id as long as the request's first payload, so a
test sees both directions carry what they should. It records every call it gets (method,
metadata, the request's bytes): the recording upstream of the gRPC boundary probes."""

from __future__ import annotations

from concurrent import futures

import grpc
from temporalio.api.workflowservice.v1 import request_response_pb2 as messages

from .net import LOOPBACK

LIMIT = 128 << 20
START = "/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution"


class GRPCEcho:
    def __init__(self):
        self.received: list[bytes] = []
        self.methods: list[str] = []
        self.metadata: list[dict[str, str]] = []
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[
            ("grpc.max_receive_message_length", LIMIT), ("grpc.max_send_message_length", LIMIT)])
        self.server.add_generic_rpc_handlers([_Handler(self)])
        self.port = self.server.add_insecure_port(f"{LOOPBACK}:0")
        self.server.start()

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        self.server.stop(grace=None)


class _Handler(grpc.GenericRpcHandler):
    """`StartWorkflowExecution` answers a run id as long as the payloads; any other method is
    recorded and answered with an empty message (a recording upstream for the probes)."""

    def __init__(self, echo: GRPCEcho):
        self.echo = echo

    def service(self, details):
        method = details.method

        def handle(raw: bytes, context) -> bytes:
            if method.startswith("/grpc.health.v1.Health/"):
                return b""  # the gateway's own health probe: not a call to record
            self.echo.received.append(raw)
            self.echo.methods.append(method)
            self.echo.metadata.append(dict(context.invocation_metadata()))
            if method != START:
                return b""
            request = messages.StartWorkflowExecutionRequest.FromString(raw)
            size = sum(len(payload.data) for payload in request.input.payloads)
            return messages.StartWorkflowExecutionResponse(run_id="r" * size).SerializeToString()

        return grpc.unary_unary_rpc_method_handler(handle, request_deserializer=None, response_serializer=None)
