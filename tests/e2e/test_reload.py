"""Reload on SIGHUP: the whole configuration is swapped at once; requests in flight finish on the
configuration they started with; an invalid configuration is refused and the old one keeps serving."""

import signal
import threading
import time

import requests

from harness import upstreams
from harness.gateway import WORKER, inventory, to_yaml
from harness.net import wait_until


def rewrite_inventory(gateway, connectors):
    (gateway.directory / "connectors.yaml").write_text(to_yaml(inventory(connectors)) + "\n")


def hosts_seen(upstream):
    return [line.split(b":", 1)[1].strip().decode()
            for head in upstream.record.heads for line in head.split(b"\r\n") if line.lower().startswith(b"host:")]


def test_a_valid_reload_applies_without_dropping_an_in_flight_request(start_gateway):
    with upstreams.TCPUpstream(upstreams.slow_answer(1.5)) as slow, upstreams.TCPUpstream(upstreams.capture) as echo:
        slow_connector = {"name": "slow", "kind": "http", "executor_url": f"http://127.0.0.1:{slow.port}"}
        before = {"name": "echo", "kind": "http", "executor_url": f"http://127.0.0.1:{echo.port}",
                  "host_header": "before.internal"}
        gateway = start_gateway([slow_connector, before])
        assert requests.get(gateway.executor("echo", "/one"), headers=WORKER, timeout=10).status_code == 200
        assert hosts_seen(echo)[-1] == "before.internal"

        result = {}

        def call():
            response = requests.get(gateway.executor("slow", "/report"), headers=WORKER, timeout=20)
            result["status"], result["body"] = response.status_code, response.text

        client = threading.Thread(target=call, daemon=True)
        client.start()
        assert wait_until(lambda: "request" in slow.record.events, 10), "the slow request never reached the upstream"

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
