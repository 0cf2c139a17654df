"""Reload on SIGHUP: the whole configuration is swapped at once; requests in flight finish on the
configuration they started with; an invalid configuration is refused and the old one keeps serving."""

import signal
import socket
import subprocess
import threading
import time

import requests

from harness import upstreams
from harness.gateway import WORKER, gateway_binary, inventory, to_yaml
from harness.net import LOOPBACK, free_port, wait_for_port, wait_until


def rewrite_inventory(gateway, connectors, **settings):
    (gateway.directory / "connectors.yaml").write_text(to_yaml(inventory(connectors, **settings)) + "\n")


def health_names(gateway) -> set[str]:
    response = requests.get(gateway.url("/health/connectors"), timeout=10)
    return {c["name"] for c in response.json().get("connectors", [])}


def checked_at(gateway, name: str) -> str | None:
    report = requests.get(gateway.url("/health/connectors"), timeout=10).json()
    return next((c["checked_at"] for c in report.get("connectors", []) if c["name"] == name), None)


def echo_bytes(conn, upstream):
    """A raw TCP peer that sends back whatever it reads (the far end of a TCP listener)."""
    while data := conn.recv(65536):
        conn.sendall(data)


def echoes(sock, payload: bytes) -> bool:
    sock.sendall(payload)
    received = b""
    while len(received) < len(payload):
        chunk = sock.recv(65536)
        if not chunk:
            return False
        received += chunk
    return received == payload


def refuses(port: int) -> bool:
    try:
        socket.create_connection((LOOPBACK, port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def call_in_flight(gateway, slow):
    """Starts a request to the `slow` connector in a thread and returns once the upstream has
    it: (thread, result dict filled with status and body when it ends)."""
    result = {}

    def call():
        response = requests.get(gateway.executor("slow", "/report"), headers=WORKER, timeout=20)
        result["status"], result["body"] = response.status_code, response.text

    client = threading.Thread(target=call, daemon=True)
    client.start()
    assert wait_until(lambda: "request" in slow.record.events, 10), "the slow request never reached the upstream"
    return client, result


def hosts_seen(upstream):
    return [line.split(b":", 1)[1].strip().decode()
            for head in upstream.record.heads for line in head.split(b"\r\n") if line.lower().startswith(b"host:")]


def test_a_valid_reload_applies_without_dropping_an_in_flight_request(start_gateway):
    with upstreams.TCPUpstream(upstreams.slow_answer(1.5)) as slow, upstreams.TCPUpstream(upstreams.capture) as echo:
        slow_connector = {"name": "slow", "kind": "http", "executor_url": f"http://127.0.0.1:{slow.port}"}
        before = {"name": "echo", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
                  "host_header": "before.internal"}
        gone = {"name": "gone", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}"}
        gateway = start_gateway([slow_connector, before, gone])
        assert wait_until(lambda: health_names(gateway) == {"slow", "echo", "gone"}, 10)
        assert requests.get(gateway.executor("echo", "/one"), headers=WORKER, timeout=10).status_code == 200
        assert hosts_seen(echo)[-1] == "before.internal"

        client, result = call_in_flight(gateway, slow)

        echo_checked = checked_at(gateway, "echo")
        after = {**before, "host_header": "after.internal"}
        added = {"name": "added", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}/added"}
        rewrite_inventory(gateway, [slow_connector, after, added])
        reloaded_at = time.monotonic()
        gateway.process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "configuration reloaded" in gateway.stderr(), 10), gateway.stderr()[-3000:]

        assert requests.get(gateway.executor("echo", "/two"), headers=WORKER, timeout=10).status_code == 200
        assert hosts_seen(echo)[-1] == "after.internal"
        assert requests.get(gateway.executor("added", "/x"), headers=WORKER, timeout=10).status_code == 200
        assert echo.record.heads[-1].startswith(b"GET /added/x ")

        client.join(20)
        assert result == {"status": 200, "body": "slow answer\n"}, result
        assert slow.record.events["answered"] > reloaded_at, "the slow request was in flight during the reload"
        assert gateway.alive()
        metrics = requests.get(gateway.url("/metrics"), timeout=10).text
        assert 'gateway_config_reloads_total{result="applied"} 1' in metrics
        assert 'gateway_requests_total{connector="added",method="GET",status_class="2xx"} 1' in metrics
        # The health checks follow: the added connector is checked at once, the removed one leaves,
        # the changed one (its Host header) is checked again without waiting for its interval.
        assert wait_until(lambda: health_names(gateway) == {"slow", "echo", "added"}, 10), health_names(gateway)
        assert wait_until(lambda: checked_at(gateway, "echo") != echo_checked, 10)


def test_an_invalid_reload_is_refused_and_the_old_configuration_keeps_serving(start_gateway):
    with upstreams.TCPUpstream(upstreams.capture) as echo:
        connector = {"name": "echo", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
                     "host_header": "kept.internal"}
        gateway = start_gateway([connector])
        rewrite_inventory(gateway, [{**connector, "host_header": "broken.internal", "connector_mode": "scimm"}])
        gateway.process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "configuration reload refused" in gateway.stderr(), 10), gateway.stderr()[-3000:]
        stderr = gateway.stderr()
        assert "mode.unknown" in stderr and "connectors.yaml:" in stderr, "the same errors as validate"

        assert requests.get(gateway.executor("echo", "/still"), headers=WORKER, timeout=10).status_code == 200
        assert hosts_seen(echo)[-1] == "kept.internal"
        metrics = requests.get(gateway.url("/metrics"), timeout=10).text
        assert 'gateway_config_reloads_total{result="refused"} 1' in metrics
        assert 'gateway_config_reloads_total{result="applied"} 0' in metrics
        assert gateway.alive()


def test_a_reload_rebinds_changed_listen_addresses_and_keeps_the_others(start_gateway):
    """gateway.listen and one TCP listener move; the other TCP listener keeps its address and its
    open connection; a request in flight on the old HTTP address finishes."""
    with upstreams.TCPUpstream(upstreams.slow_answer(1.5)) as slow, upstreams.TCPUpstream(echo_bytes) as echo:
        kept_port, moved_port, moved_to, http_to = free_port(), free_port(), free_port(), free_port()
        connectors = [
            {"name": "slow", "kind": "http", "executor_url": f"http://127.0.0.1:{slow.port}"},
            {"name": "kept", "kind": "temporal", "executor_address": f"127.0.0.1:{echo.port}",
             "listen": f"{LOOPBACK}:{kept_port}", "transport": "tcp"},
            {"name": "moved", "kind": "temporal", "executor_address": f"127.0.0.1:{echo.port}",
             "listen": f"{LOOPBACK}:{moved_port}", "transport": "tcp"},
        ]
        gateway = start_gateway(connectors, override_listen=False)
        wait_for_port(kept_port, 10, alive=gateway.alive)
        wait_for_port(moved_port, 10, alive=gateway.alive)
        old_port = gateway.port
        tcp = socket.create_connection((LOOPBACK, kept_port), timeout=5)
        assert echoes(tcp, b"before the reload")

        client, result = call_in_flight(gateway, slow)

        connectors[2] = {**connectors[2], "listen": f"{LOOPBACK}:{moved_to}"}
        rewrite_inventory(gateway, connectors, listen=f"{LOOPBACK}:{http_to}")
        gateway.process.send_signal(signal.SIGHUP)
        gateway.wait_stdout(rf"gateway: listening on 127\.0\.0\.1:{http_to}\n".encode())
        assert wait_until(lambda: "configuration reloaded" in gateway.stderr(), 10), gateway.stderr()[-3000:]

        gateway.port = http_to
        assert requests.get(gateway.url("/livez"), timeout=5).status_code == 200
        assert requests.get(gateway.url("/readyz"), timeout=5).status_code == 200
        client.join(20)
        assert result == {"status": 200, "body": "slow answer\n"}, result
        assert wait_until(lambda: refuses(old_port), 10)

        assert echoes(tcp, b"after the reload, same connection"), "the kept listener's connection was dropped"
        with socket.create_connection((LOOPBACK, kept_port), timeout=5) as again:
            assert echoes(again, b"kept listener, new connection")
        with socket.create_connection((LOOPBACK, moved_to), timeout=5) as moved:
            assert echoes(moved, b"moved listener")
        assert refuses(moved_port)
        tcp.close()
        stderr = gateway.stderr()
        assert "listener retired" in stderr and f"{LOOPBACK}:{moved_port}" in stderr
        metrics = requests.get(gateway.url("/metrics"), timeout=10).text
        assert 'gateway_config_reloads_total{result="applied"} 1' in metrics
        assert gateway.alive()


def test_a_reload_to_an_address_in_use_is_refused_and_nothing_moves(start_gateway):
    with upstreams.TCPUpstream(upstreams.capture) as echo, socket.socket() as squatter:
        squatter.bind((LOOPBACK, 0))
        squatter.listen(1)
        taken = squatter.getsockname()[1]
        connector = {"name": "echo", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
                     "host_header": "kept.internal"}
        gateway = start_gateway([connector], override_listen=False)
        rewrite_inventory(gateway, [{**connector, "host_header": "moved.internal"}], listen=f"{LOOPBACK}:{taken}")
        gateway.process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "configuration reload refused" in gateway.stderr(), 10), gateway.stderr()[-3000:]
        assert f"gateway.listen: cannot listen on {LOOPBACK}:{taken}" in gateway.stderr()

        assert requests.get(gateway.executor("echo", "/still"), headers=WORKER, timeout=10).status_code == 200
        assert hosts_seen(echo)[-1] == "kept.internal", "a refused reload changes nothing"
        metrics = requests.get(gateway.url("/metrics"), timeout=10).text
        assert 'gateway_config_reloads_total{result="refused"} 1' in metrics
        assert gateway.alive()


def run_reload(gateway, *args):
    return subprocess.run(
        [str(gateway_binary()), "reload", "--inventory", str(gateway.directory / "connectors.yaml"),
         "--env-file", str(gateway.directory / "gateway.env"), "--url", gateway.url(""), *args],
        capture_output=True, text=True, timeout=60)


def test_the_reload_command_validates_first_then_reports_what_the_gateway_did(start_gateway, tmp_path):
    pid_file = tmp_path / "gateway.pid"
    with upstreams.TCPUpstream(upstreams.capture) as echo, socket.socket() as squatter:
        connector = {"name": "echo", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
                     "host_header": "first.internal"}
        gateway = start_gateway([connector], args=["--pid-file", str(pid_file)], override_listen=False)
        assert pid_file.read_text().strip() == str(gateway.pid)

        rewrite_inventory(gateway, [{**connector, "host_header": "second.internal"}])
        done = run_reload(gateway, "--pid-file", str(pid_file))
        assert done.returncode == 0, done.stderr
        assert f"process {gateway.pid} reloaded: configuration applied" in done.stdout
        assert requests.get(gateway.executor("echo", "/x"), headers=WORKER, timeout=10).status_code == 200
        assert hosts_seen(echo)[-1] == "second.internal"

        # Invalid here: validate's errors, and the gateway is not signalled at all.
        rewrite_inventory(gateway, [{**connector, "connector_mode": "scimm"}])
        invalid = run_reload(gateway, "--pid-file", str(pid_file))
        assert invalid.returncode == 1
        assert "mode.unknown" in invalid.stdout and "not reloading" in invalid.stderr
        metrics = requests.get(gateway.url("/metrics"), timeout=10).text
        assert 'gateway_config_reloads_total{result="refused"} 0' in metrics

        # Valid here, refused by the gateway (its new listen address is taken).
        squatter.bind((LOOPBACK, 0))
        squatter.listen(1)
        rewrite_inventory(gateway, [connector], listen=f"{LOOPBACK}:{squatter.getsockname()[1]}")
        refused = run_reload(gateway, "--pid", str(gateway.pid))
        assert refused.returncode == 1
        assert "refused the new configuration" in refused.stderr
        assert requests.get(gateway.executor("echo", "/y"), headers=WORKER, timeout=10).status_code == 200

        # A reload that moves the listener: the outcome is read at the new address.
        moved_to = free_port()
        rewrite_inventory(gateway, [connector], listen=f"{LOOPBACK}:{moved_to}")
        moved = run_reload(gateway, "--pid-file", str(pid_file))
        assert moved.returncode == 0, moved.stderr
        gateway.port = moved_to
        assert requests.get(gateway.executor("echo", "/z"), headers=WORKER, timeout=10).status_code == 200

        stale = run_reload(gateway, "--pid-file", str(tmp_path / "missing.pid"))
        assert stale.returncode == 2 and "cannot read the pid file" in stale.stderr
        gateway.stop()
        assert not pid_file.exists(), "the pid file is removed at exit"
