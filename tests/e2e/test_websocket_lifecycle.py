"""WebSocket tunnels the gateway ends itself (issue 13, lifecycle): at the idle timeout, at the
drain deadline after SIGTERM, and at the drain deadline after a reload that removed their
connector, each side gets a close frame `1001 going away`; the closing access line and the
metrics say who ended the tunnel. Open tunnels show on `/status`, `/health/connectors` and
`gateway health --url`; memory stays bounded while many tunnels move large messages."""

import asyncio
import os
import re
import signal
import subprocess
import threading
import time

import pytest
import requests
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from harness.gateway import WORKER, gateway_binary, inventory, parse_access_line, to_yaml, wait_for_health_report
from harness.net import wait_until
from harness.websocket_server import EchoServer


@pytest.fixture(scope="module")
def echo():
    server = EchoServer()
    yield server
    server.stop()


def ws(echo, name="ws", **extra):
    return {"name": name, "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
            "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}, "websocket_paths": ["/chat"], **extra}


def ws_url(gateway, connector="ws"):
    return gateway.executor(connector, "/chat").replace("http://", "ws://")




def closing_lines(gateway):
    return [parse_access_line(line.replace("] tunnel closed", "] access")) for line in gateway.stderr().splitlines()
            if line.endswith("[GatewayCore] tunnel closed")]


def received_close(client):
    """The close frame `client` received once its peer ended the connection: (code, reason)."""
    with pytest.raises(ConnectionClosed) as closed:
        client.recv(timeout=15)
    assert closed.value.rcvd is not None, f"no close frame, only: {closed.value!r}"
    return closed.value.rcvd.code, closed.value.rcvd.reason


def test_an_idle_tunnel_is_closed_with_1001_at_its_idle_timeout(echo, start_gateway):
    gateway = start_gateway([ws(echo, tunnel_idle_timeout="1500ms")])
    closes_before = len(echo.closes)
    with connect(ws_url(gateway), additional_headers=WORKER) as client:
        client.send("still here")
        assert client.recv(timeout=5) == "still here"
        opened = time.monotonic()
        assert received_close(client) == (1001, "idle timeout")
        assert 1.4 <= time.monotonic() - opened < 5
    assert wait_until(lambda: len(echo.closes) > closes_before, 10)
    assert echo.closes[-1] == 1001 and echo.reasons[-1] == "idle timeout"
    assert wait_until(lambda: closing_lines(gateway) and closing_lines(gateway)[-1]["gateway.tunnel.closed_by"] == "idle", 10)
    assert 'gateway_tunnels_closed_total{connector="ws",reason="idle"} 1' in requests.get(gateway.url("/metrics"), timeout=5).text


def test_sigterm_lets_tunnels_run_until_the_drain_deadline_then_both_sides_get_1001(echo, start_gateway):
    gateway = start_gateway([ws(echo)], drain_timeout="3s")
    closes_before = len(echo.closes)
    client = connect(ws_url(gateway), additional_headers=WORKER)
    client.send("before")
    assert client.recv(timeout=5) == "before"
    gateway.terminate()
    signalled = time.monotonic()
    time.sleep(1)
    client.send("while draining")  # the tunnel keeps working until the deadline
    assert client.recv(timeout=5) == "while draining"
    assert received_close(client) == (1001, "gateway shutting down")
    assert 2.8 <= time.monotonic() - signalled < 6, "closed at the drain deadline"
    client.close()
    assert gateway.process.wait(timeout=10) == 0
    assert wait_until(lambda: len(echo.closes) > closes_before, 10)
    assert echo.closes[-1] == 1001 and echo.reasons[-1] == "gateway shutting down"
    assert closing_lines(gateway)[-1]["gateway.tunnel.closed_by"] == "drain"


def test_a_reload_that_removes_a_connector_closes_its_tunnels_at_the_drain_deadline(echo, start_gateway):
    connectors = [ws(echo), ws(echo, name="leaving")]
    gateway = start_gateway(connectors, drain_timeout="2s")
    closes_before = len(echo.closes)
    staying = connect(ws_url(gateway), additional_headers=WORKER)
    leaving = connect(ws_url(gateway, "leaving"), additional_headers=WORKER)
    (gateway.directory / "connectors.yaml").write_text(to_yaml(inventory([ws(echo)], drain_timeout="2s")) + "\n")
    gateway.process.send_signal(signal.SIGHUP)
    assert wait_until(lambda: 'gateway_config_reloads_total{result="applied"} 1'
                    in requests.get(gateway.url("/metrics"), timeout=5).text, 10)
    reloaded = time.monotonic()
    leaving.send("until the deadline")
    assert leaving.recv(timeout=5) == "until the deadline"
    assert received_close(leaving) == (1001, "connector removed")
    assert 1.5 <= time.monotonic() - reloaded < 5
    assert wait_until(lambda: len(echo.closes) > closes_before, 10)
    assert echo.closes[-1] == 1001 and echo.reasons[-1] == "connector removed"
    staying.send("kept")  # the connector the reload kept keeps its tunnel
    assert staying.recv(timeout=5) == "kept"
    staying.close()
    leaving.close()
    assert closing_lines(gateway)[0]["gateway.connector"] == "leaving"
    assert closing_lines(gateway)[0]["gateway.tunnel.closed_by"] == "reload"


def test_open_tunnels_show_on_the_status_page_the_report_and_gateway_health(echo, start_gateway):
    gateway = wait_for_health_report(start_gateway([ws(echo), ws(echo, name="quiet")]))
    with connect(ws_url(gateway), additional_headers=WORKER), connect(ws_url(gateway), additional_headers=WORKER):
        report = requests.get(gateway.url("/health/connectors"), timeout=5).json()
        assert {c["name"]: c["tunnels_open"] for c in report["connectors"]} == {"ws": 2, "quiet": 0}
        assert requests.get(gateway.url("/health/connectors/ws"), timeout=5).json()["tunnels_open"] == 2
        page = requests.get(gateway.url("/status"), timeout=5).text
        card = page[page.index('data-connector="ws"'):]
        assert re.search(r'<dt>Open tunnels</dt><dd class="tunnels">2</dd>', card[:card.index("</section>")])
        fleet = subprocess.run([str(gateway_binary()), "health", "--url", gateway.url("")],
                               capture_output=True, text=True, timeout=30)
        assert fleet.returncode == 0, fleet.stdout + fleet.stderr
        lines = fleet.stdout.splitlines()
        header = next(line for line in lines if line.startswith("CONNECTOR"))
        row = next(line for line in lines if line.startswith("ws "))
        assert row.split()[header.split().index("TUNNELS")] == "2"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1])


def test_memory_stays_bounded_while_100_tunnels_each_move_16_mib(echo, start_gateway):
    gateway = start_gateway([ws(echo)])
    message = os.urandom(16 * 2**20)

    async def tunnel():
        async with async_connect(ws_url(gateway), additional_headers=WORKER, max_size=None, ping_interval=None,
                                 compression=None) as client:  # random bytes: deflate would only cost time
            await client.send(message)
            assert await client.recv() == message

    async def all_tunnels():
        await asyncio.wait_for(asyncio.gather(*(tunnel() for _ in range(100))), timeout=240)

    # Warm up: one tunnel first (allocator pools, code pages), then the baseline.
    asyncio.run(asyncio.wait_for(tunnel(), timeout=60))
    baseline = rss_kib(gateway.pid)
    peak = baseline
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_kib(gateway.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        asyncio.run(all_tunnels())
    finally:
        done.set()
        sampler.join()
    growth_mib = (peak - baseline) / 1024
    print(f"RSS {baseline / 1024:.1f} MiB before, peak {peak / 1024:.1f} MiB: +{growth_mib:.1f} MiB for 100 x 16 MiB")
    assert growth_mib < 32
