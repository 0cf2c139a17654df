"""The boundary corpus of the gRPC listener (issue 15): an attacker with a principal of its own
writes HTTP/2 frames by hand (h2, validation off) to make the gateway forward a call it should
refuse: a namespace split across frames or written twice, a second message in a unary call,
metadata in request trailers, a compression bomb, a codec the gateway cannot read, paths that
are not methods, duplicated metadata, rapid resets, HTTP/1.1 on the HTTP/2 port. Behind the
gateway a recording gRPC server (grpcio) keeps every call it gets: a refused probe leaves it
empty, and an allowed call carries the connector's credential, never the caller's."""

from __future__ import annotations

import gzip
import socket
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import pytest
from temporalio.api.workflowservice.v1 import request_response_pb2 as messages

from harness.gateway import LIMITED_TOKEN, WORKER_TOKEN
from harness.grpc_echo import GRPCEcho
from harness.net import LOOPBACK, free_port, wait_for_port

START = "/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution"
HEARTBEAT = "/temporal.api.workflowservice.v1.WorkflowService/RecordActivityTaskHeartbeat"
CONNECTOR_KEY = "e2e-temporal-cloud-key-5150"


@pytest.fixture(scope="module")
def upstream():
    echo = GRPCEcho()
    yield echo
    echo.stop()


@pytest.fixture(scope="module")
def listener(upstream, module_gateways):
    port = free_port()
    gateway = module_gateways([
        {"name": "temporal", "kind": "temporal", "executor_address": upstream.address, "listen": f"{LOOPBACK}:{port}",
         "max_message_bytes": 1 << 20, "auth": {"api_key": "env://E2E_TEMPORAL_KEY"}},
    ], principals=[
        {"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["temporal"]},
        {"name": "limited", "token": "env://E2E_LIMITED_TOKEN", "connectors": ["temporal"], "temporal_namespaces": ["default"]},
    ], env={"E2E_TEMPORAL_KEY": CONNECTOR_KEY}, drain_timeout="1s")
    wait_for_port(port, 15, alive=gateway.alive)
    return gateway, port


@pytest.fixture(autouse=True)
def clean(upstream):
    upstream.received.clear()
    upstream.methods.clear()
    upstream.metadata.clear()


def grpc_message(payload: bytes, compressed: bool = False) -> bytes:
    return bytes([1 if compressed else 0]) + len(payload).to_bytes(4, "big") + payload


def start_request(namespace: str) -> bytes:
    return messages.StartWorkflowExecutionRequest(namespace=namespace, workflow_id="probe", request_id="r").SerializeToString()


def head(path: str = START, token: str | None = LIMITED_TOKEN, extra: list[tuple[str, str]] = ()) -> list[tuple[bytes, bytes]]:
    headers = [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "evil.example"),
               ("content-type", "application/grpc"), ("te", "trailers")]
    if token:
        headers.append(("authorization", f"Bearer {token}"))
    return [(name.encode(), value.encode()) for name, value in headers + list(extra)]


class Probe:
    """One HTTP/2 connection written frame by frame; `exchange` sends one call and reads its end."""

    def __init__(self, port: int):
        self.sock = socket.create_connection((LOOPBACK, port), timeout=10)
        config = h2.config.H2Configuration(client_side=True, header_encoding=None, validate_outbound_headers=False,
                                           normalize_outbound_headers=False, validate_inbound_headers=False)
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        self.flush()

    def flush(self) -> None:
        self.sock.sendall(self.conn.data_to_send())

    def read(self, stream: int, timeout: float = 10) -> dict:
        """Until `stream` ends or is reset: its response headers, trailers, data and reset code."""
        result = {"headers": {}, "trailers": {}, "data": b"", "reset": None, "closed": False}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                result["closed"] = True
                return result
            for event in self.conn.receive_data(chunk):
                if getattr(event, "stream_id", None) not in (stream, None, 0):
                    continue
                if isinstance(event, h2.events.ResponseReceived):
                    result["headers"] = {k.decode(): v.decode() for k, v in event.headers}
                    if event.stream_ended:
                        self.flush()
                        return result
                elif isinstance(event, h2.events.TrailersReceived):
                    result["trailers"] = {k.decode(): v.decode() for k, v in event.headers}
                elif isinstance(event, h2.events.DataReceived):
                    result["data"] += event.data
                    self.conn.acknowledge_received_data(event.flow_controlled_length, stream)
                elif isinstance(event, h2.events.StreamEnded):
                    self.flush()
                    return result
                elif isinstance(event, h2.events.StreamReset):
                    result["reset"] = event.error_code
                    self.flush()
                    return result
                elif isinstance(event, h2.events.ConnectionTerminated):
                    result["closed"] = True
                    return result
            self.flush()
        raise AssertionError(f"stream {stream} did not end")

    def exchange(self, headers, frames: list[bytes], trailers=None, end: bool = True) -> dict:
        stream = self.conn.get_next_available_stream_id()
        self.conn.send_headers(stream, headers, end_stream=not frames and trailers is None and end)
        for index, frame in enumerate(frames):
            last = index == len(frames) - 1
            self.conn.send_data(stream, frame, end_stream=last and trailers is None and end)
        if trailers is not None:
            self.conn.send_headers(stream, trailers, end_stream=True)
        self.flush()
        return self.read(stream)

    def close(self) -> None:
        self.sock.close()


def status(result: dict) -> tuple[str | None, str]:
    """grpc-status and grpc-message of a trailers-only answer or of the trailers."""
    fields = result["trailers"] or result["headers"]
    return fields.get("grpc-status"), fields.get("grpc-message", "")


@pytest.fixture
def probe(listener):
    _, port = listener
    connection = Probe(port)
    yield connection
    connection.close()


def test_an_allowed_call_carries_the_connectors_credential_and_the_gateways_authority(probe, upstream):
    result = probe.exchange(head(token=WORKER_TOKEN), [grpc_message(start_request("other"))])
    assert status(result)[0] == "0", result
    metadata = upstream.metadata[-1]
    assert metadata["authorization"] == f"Bearer {CONNECTOR_KEY}"
    assert WORKER_TOKEN not in str(upstream.metadata)
    assert upstream.received == [start_request("other")]


def test_a_namespace_split_into_one_byte_frames_is_still_read(probe, upstream):
    message = grpc_message(start_request("other"))
    result = probe.exchange(head(), [message[i:i + 1] for i in range(len(message))])
    assert status(result)[0] == "7" and "namespace 'other'" in status(result)[1]
    assert upstream.received == []


def test_a_namespace_written_twice_is_read_as_parsers_read_it_the_last_one(probe, upstream):
    twice = start_request("default") + messages.StartWorkflowExecutionRequest(namespace="other").SerializeToString()
    result = probe.exchange(head(), [grpc_message(twice)])
    assert status(result)[0] == "7"
    assert upstream.received == []


def test_a_second_message_in_a_unary_call_is_refused(probe, upstream):
    both = grpc_message(start_request("default")) + grpc_message(start_request("other"))
    result = probe.exchange(head(), [both])
    assert status(result)[0] == "3" and "unary" in status(result)[1]
    assert upstream.received == []
    # sent in a frame of its own after the first was forwarded: the call is reset upstream
    result = probe.exchange(head(), [grpc_message(start_request("default")), grpc_message(start_request("other"))])
    assert status(result)[0] in ("3", "0"), result
    assert all(b"other" not in raw for raw in upstream.received)


def test_metadata_in_request_trailers_goes_nowhere(probe, upstream):
    trailers = [(b"authorization", f"Bearer {WORKER_TOKEN}".encode()), (b"temporal-namespace", b"other")]
    result = probe.exchange(head(), [grpc_message(start_request("default"))], trailers=trailers)
    assert status(result)[0] == "0", result
    assert WORKER_TOKEN not in str(upstream.metadata) and "other" not in str(upstream.metadata)


def test_a_compression_bomb_is_stopped_at_the_limit(probe, upstream):
    bomb = gzip.compress(start_request("default") + b"\x00" * (4 << 20))
    result = probe.exchange(head(extra=[("grpc-encoding", "gzip")]), [grpc_message(bomb, compressed=True)])
    assert status(result)[0] == "8" and "decompresses to more than" in status(result)[1]
    assert upstream.received == []


def test_a_compressed_namespace_is_read_and_an_unknown_encoding_refused(probe, upstream):
    result = probe.exchange(head(extra=[("grpc-encoding", "gzip")]), [grpc_message(gzip.compress(start_request("other")), True)])
    assert status(result)[0] == "7"
    result = probe.exchange(head(extra=[("grpc-encoding", "snappy")]), [grpc_message(start_request("default"), True)])
    assert status(result)[0] == "12" and "snappy" in status(result)[1]
    assert upstream.received == []


@pytest.mark.parametrize("content_type", ["application/grpc+json", "application/json", "text/plain"])
def test_a_codec_the_gateway_cannot_read_is_refused(probe, upstream, content_type):
    headers = [(name, content_type.encode() if name == b"content-type" else value) for name, value in head()]
    result = probe.exchange(headers, [grpc_message(b'{"namespace":"other"}')])
    assert status(result)[0] == "3"
    assert upstream.received == []


@pytest.mark.parametrize("path", [START + "/", START + "?x=1", "/" + START, START.replace("/Start", "//Start"),
                                  "/temporal.api.workflowservice.v1.WorkflowService/startworkflowexecution", "*"])
def test_paths_that_are_no_known_method_are_refused(probe, upstream, path):
    result = probe.exchange(head(path=path), [grpc_message(start_request("default"))])
    assert status(result)[0] in ("7", "12"), result
    assert upstream.received == []


def test_duplicated_credentials_and_namespace_headers_are_refused(probe, upstream):
    result = probe.exchange(head(extra=[("authorization", f"Bearer {WORKER_TOKEN}")]), [grpc_message(start_request("default"))])
    assert status(result)[0] == "16"
    result = probe.exchange(head(extra=[("temporal-namespace", "default"), ("temporal-namespace", "other")]),
                            [grpc_message(start_request("default"))])
    assert status(result)[0] == "3"
    assert upstream.received == []


@pytest.mark.parametrize("extra", [[("Connection", "keep-alive")], [("X-Upper", "1")], [("transfer-encoding", "chunked")]])
def test_headers_http2_forbids_reset_the_stream(probe, upstream, extra):
    result = probe.exchange(head(extra=extra), [grpc_message(start_request("default"))])
    assert result["reset"] is not None or result["closed"] or status(result)[0] not in (None, "0"), result
    assert upstream.received == []


def test_rapid_resets_leave_the_gateway_serving_and_the_upstream_untouched(listener, upstream):
    _, port = listener
    connection = Probe(port)
    try:
        for _ in range(300):
            stream = connection.conn.get_next_available_stream_id()
            connection.conn.send_headers(stream, head(), end_stream=False)
            connection.conn.reset_stream(stream)
        connection.flush()
        time.sleep(0.5)
    except (OSError, h2.exceptions.ProtocolError):
        pass  # the gateway may end such a connection
    finally:
        connection.close()
    assert upstream.received == []
    again = Probe(port)
    try:
        assert status(again.exchange(head(token=WORKER_TOKEN), [grpc_message(start_request("default"))]))[0] == "0"
    finally:
        again.close()


def test_http1_on_the_grpc_listener_is_closed_without_reaching_the_upstream(listener, upstream):
    _, port = listener
    with socket.create_connection((LOOPBACK, port), timeout=5) as sock:
        sock.sendall(f"POST {START} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {WORKER_TOKEN}\r\n"
                     "Content-Type: application/grpc\r\nContent-Length: 5\r\n\r\n\x00\x00\x00\x00\x00".encode())
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError:
            pass
    assert b"HTTP/1.1 200" not in received
    assert upstream.received == []


def test_keepalive_pings_are_answered_and_never_end_the_connection(listener, upstream):
    _, port = listener
    connection = Probe(port)
    try:
        acks = 0
        for round_ in range(20):  # far more often than Temporal's server policy lets a client ping
            connection.conn.ping(round_.to_bytes(8, "big"))
            connection.flush()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                events = connection.conn.receive_data(connection.sock.recv(65536))
                connection.flush()
                if any(isinstance(event, h2.events.PingAckReceived) for event in events):
                    acks += 1
                    break
                assert not any(isinstance(event, h2.events.ConnectionTerminated) for event in events)
        assert acks == 20
        result = connection.exchange(head(token=WORKER_TOKEN), [grpc_message(start_request("default"))])
        assert status(result)[0] == "0"
    finally:
        connection.close()


def test_a_reload_that_changes_the_call_settings_sends_goaway_and_new_connections_get_them(upstream, start_gateway):
    import signal

    from harness.gateway import inventory, to_yaml

    port = free_port()

    def connectors(calls: str):
        return [{"name": "temporal", "kind": "temporal", "executor_address": upstream.address, "listen": f"{LOOPBACK}:{port}",
                 "calls_without_namespace": calls}]

    principals = [{"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["temporal"]}]
    gateway = start_gateway(connectors("WorkflowService/GetSystemInfo"), principals=principals, drain_timeout="5s")
    wait_for_port(port, 15, alive=gateway.alive)
    list_namespaces = "/temporal.api.workflowservice.v1.WorkflowService/ListNamespaces"
    before = Probe(port)
    try:
        assert status(before.exchange(head(path=list_namespaces, token=WORKER_TOKEN), [grpc_message(b"")]))[0] == "7"
        (gateway.directory / "connectors.yaml").write_text(to_yaml(inventory(
            connectors("WorkflowService/GetSystemInfo WorkflowService/ListNamespaces"), principals=principals)) + "\n")
        gateway.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        goaway = None
        while goaway is None and time.monotonic() < deadline:
            # the graceful GOAWAY is followed by a PING and a second GOAWAY, which h2 refuses to
            # read once it has seen the first: raw frames, then
            data = before.sock.recv(65536)
            offset = 0
            while offset + 9 <= len(data):
                length, kind = int.from_bytes(data[offset:offset + 3], "big"), data[offset + 3]
                if kind == 0x7:  # GOAWAY: last stream id (4), error code (4)
                    goaway = int.from_bytes(data[offset + 13:offset + 17], "big")
                    break
                offset += 9 + length
        assert goaway == 0, f"no GOAWAY (NO_ERROR) after the reload: {goaway}"
    finally:
        before.close()
    after = Probe(port)
    try:
        assert status(after.exchange(head(path=list_namespaces, token=WORKER_TOKEN), [grpc_message(b"")]))[0] == "0"
    finally:
        after.close()
