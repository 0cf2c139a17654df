"""WebSocket tunnels (issue 13, first part): the real `websockets` client through
`/executor/<connector>/...` to a real `websockets` echo server that refuses a missing or wrong
injected credential. The handshake is a request like any other (principal, credential, Host,
forwarding headers, canonical path); after the upstream's 101 the bytes are relayed as they are."""

import socket

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from harness.gateway import HTTP_CREDENTIAL, LIMITED, LIMITED_TOKEN, WORKER, WORKER_TOKEN, parse_access_line
from harness.net import wait_until
from harness.websocket_server import EchoServer


@pytest.fixture(scope="module")
def echo():
    server = EchoServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(echo, module_gateways):
    return module_gateways([
        {"name": "ws", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}/base",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}, "websocket_paths": ["/chat", "/rooms/*/live"]},
        {"name": "other", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}, "websocket_paths": ["/chat"]},
    ])


def ws_url(gateway, path):
    return gateway.executor("ws", path).replace("http://", "ws://")


def test_messages_of_every_kind_go_both_ways(gateway, echo):
    with connect(ws_url(gateway, "/chat?room=1"), additional_headers=WORKER, max_size=None) as ws:
        ws.send("hello")
        assert ws.recv() == "hello"
        ws.send(b"\x00\x01binary\xff")
        assert ws.recv() == b"\x00\x01binary\xff"
        ws.send(["frag", "mented ", "message"])  # one message in three frames
        assert ws.recv() == "fragmented message"
        big = bytes(range(256)) * (16 * 4096)  # 16 MiB
        ws.send(big)
        assert ws.recv() == big
        pong = ws.ping(b"are you there")
        assert pong.wait(10)
    # The echo server records the close once its side of the closing handshake is done.
    assert wait_until(lambda: echo.closes and echo.closes[-1] == 1000, 10), echo.closes


def test_close_codes_pass_through_both_ways(gateway, echo):
    ws = connect(ws_url(gateway, "/rooms/42/live"), additional_headers=WORKER)
    ws.send("close 4001")
    with pytest.raises(ConnectionClosed):
        ws.recv()
    assert ws.close_code == 4001 and ws.close_reason == "asked to"
    ws = connect(ws_url(gateway, "/chat"), additional_headers=WORKER)
    ws.close(4002, "bye")
    assert wait_until(lambda: echo.closes and echo.closes[-1] == 4002, 10)




def test_the_upstream_sees_the_injected_credential_and_forwarding_headers_never_the_callers(gateway, echo):
    headers = dict(WORKER) | {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Host": "evil.example"}
    with connect(ws_url(gateway, "/chat"), additional_headers=headers) as ws:
        ws.send("x")
        ws.recv()
    seen = echo.handshakes[-1]
    assert seen[":path"] == "/base/chat"
    assert seen["authorization"] == f"Bearer {HTTP_CREDENTIAL}"
    assert WORKER_TOKEN not in str(seen)
    assert seen["x-forwarded-for"] == "127.0.0.1" and seen["x-forwarded-host"] != "evil.example"
    assert seen["upgrade"].lower() == "websocket" and "upgrade" in seen["connection"].lower()


@pytest.mark.parametrize("headers, status", [
    ({}, 401), ({"Authorization": "Bearer not-a-token"}, 401),
])
def test_a_bad_token_is_refused_at_the_handshake(gateway, headers, status):
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(gateway, "/chat"), additional_headers=headers)
    assert refused.value.response.status_code == status


def test_a_principal_not_allowed_gets_403(gateway, module_gateways, echo):
    # `limited` may use only the first connector listed
    url = gateway.executor("other", "/chat").replace("http://", "ws://")
    with pytest.raises(InvalidStatus) as refused:
        connect(url, additional_headers=LIMITED)
    assert refused.value.response.status_code == 403
    assert LIMITED_TOKEN not in str(echo.handshakes)


def raw(gateway, request: bytes) -> bytes:
    host, port = gateway.address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk


@pytest.mark.parametrize("path, upgrade", [("/chat", "h2c"), ("/elsewhere", "websocket"), ("/chat/../elsewhere", "websocket")])
def test_other_upgrades_are_501_and_nothing_reaches_the_upstream(gateway, echo, path, upgrade):
    before = len(echo.handshakes)
    answer = raw(gateway, (f"GET /executor/ws{path} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {WORKER_TOKEN}\r\n"
                           f"Connection: Upgrade\r\nUpgrade: {upgrade}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    assert answer.startswith(b"HTTP/1.1 501 "), answer[:200]
    assert b"urn:fractalops:gateway:upgrade" in answer
    assert len(echo.handshakes) == before


def test_bytes_smuggled_after_a_refused_handshake_never_become_a_request(gateway, echo):
    """The caller's parser stops after a request with `Connection: upgrade`; a refusal closes the
    connection, so a request hidden behind it is never read."""
    before = len(echo.handshakes)
    answer = raw(gateway, (f"GET /executor/ws/elsewhere HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {WORKER_TOKEN}\r\n"
                           "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                           f"GET /executor/ws/chat HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {WORKER_TOKEN}\r\n\r\n").encode())
    assert answer.count(b"HTTP/1.1 ") == 1 and answer.startswith(b"HTTP/1.1 501 ")
    assert len(echo.handshakes) == before


def test_an_upstream_that_refuses_the_handshake_answers_as_is(gateway, echo, start_gateway):
    wrong = start_gateway([{"name": "ws", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
                            "auth": {"credential": "env://E2E_WRONG"}, "websocket_paths": ["/chat"]}],
                          env={"E2E_WRONG": "not-the-credential"})
    with pytest.raises(InvalidStatus) as refused:
        connect(wrong.executor("ws", "/chat").replace("http://", "ws://"), additional_headers=WORKER)
    assert refused.value.response.status_code == 401
    assert requests.get(wrong.url("/livez"), timeout=5).status_code == 200


def test_tunnels_are_capped_counted_and_logged_when_they_close(echo, start_gateway):
    gateway = start_gateway([{"name": "ws", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
                              "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}, "websocket_paths": ["/chat"],
                              "limits": {"max_tunnels": 1}}])
    url = gateway.executor("ws", "/chat").replace("http://", "ws://")
    first = connect(url, additional_headers=WORKER)
    with pytest.raises(InvalidStatus) as refused:
        connect(url, additional_headers=WORKER)
    assert refused.value.response.status_code == 503
    assert refused.value.response.headers["Retry-After"] == "1"
    first.send("four")
    assert first.recv() == "four"
    metrics = requests.get(gateway.url("/metrics"), timeout=10).text
    assert 'gateway_tunnels_open{connector="ws"} 1' in metrics
    first.close()  # the close handshake: then the server closes its TCP connection first
    assert wait_until(lambda: 'gateway_tunnels_closed_total{connector="ws",reason="upstream"} 1'
                    in requests.get(gateway.url("/metrics"), timeout=10).text, 10)
    closed = [parse_access_line(line.replace("] tunnel closed", "] access")) for line in gateway.stderr().splitlines()
              if line.endswith("[GatewayCore] tunnel closed")]
    assert closed and closed[-1]["gateway.tunnel.closed_by"] == "upstream"
    assert int(closed[-1]["gateway.bytes_in"]) > 4 and int(closed[-1]["gateway.bytes_out"]) > 4
    with connect(url, additional_headers=WORKER) as again:  # the slot is free again
        again.send("x")
        assert again.recv() == "x"


def test_a_reload_keeps_an_open_tunnel_echoing(echo, start_gateway):
    gateway = start_gateway([{"name": "ws", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
                              "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}, "websocket_paths": ["/chat"]}])
    with connect(gateway.executor("ws", "/chat").replace("http://", "ws://"), additional_headers=WORKER) as ws:
        ws.send("before")
        assert ws.recv() == "before"
        import os
        import signal
        os.kill(gateway.pid, signal.SIGHUP)
        assert wait_until(lambda: 'gateway_config_reloads_total{result="applied"} 1'
                        in requests.get(gateway.url("/metrics"), timeout=10).text, 10)
        ws.send("after")
        assert ws.recv() == "after"
