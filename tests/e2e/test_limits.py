"""Request limits (issue 18, limits part): a principal's token bucket and in-flight cap, a
connector's in-flight cap, the 429 with Retry-After in the route's own format, and an upstream's
own 429 passed on, counted and never retried. Real gateway, nginx and socket upstreams."""

import threading
import time

import pytest
import requests

from harness import upstreams
from harness.gateway import LIMITED, WORKER, nginx_connector
from harness.net import wait_until

PRINCIPALS = [
    {"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["*"],
     "rate": {"requests_per_second": 5, "burst": 5}},
    {"name": "limited", "token": "env://E2E_LIMITED_TOKEN", "connectors": ["*"], "max_in_flight": 1},
]


def metric(gateway, line_start: str) -> int:
    text = requests.get(gateway.url("/metrics"), timeout=10).text
    for line in text.splitlines():
        if line.startswith(line_start):
            return int(float(line.rsplit(" ", 1)[1]))
    return 0


def test_a_burst_gets_exactly_what_the_token_bucket_allows(start_gateway, nginx):
    gateway = start_gateway([nginx_connector(nginx, "open")], principals=PRINCIPALS)
    statuses, retry_after = [], set()
    with requests.Session() as session:
        started = time.monotonic()
        for _ in range(20):
            response = session.get(gateway.executor("open", "/hello"), headers=WORKER, timeout=10)
            statuses.append(response.status_code)
            if response.status_code == 429:
                retry_after.add(response.headers.get("retry-after"))
                problem = response.json()
                assert problem["type"] == "urn:fractalops:gateway:rate-limited"
                assert problem["connector"] == "open" and "'worker'" in problem["detail"]
        elapsed = time.monotonic() - started
        # The burst of 5, plus what 5 per second refills while the loop ran (with a token of slack).
        ok = statuses.count(200)
        assert 5 <= ok <= 5 + int(elapsed * 5) + 1, (ok, elapsed, statuses)
        assert statuses[:5] == [200] * 5
        assert set(statuses) == {200, 429}
        assert retry_after == {"1"}
        # Another principal is not touched by the worker's rate.
        assert session.get(gateway.executor("open", "/hello"), headers=LIMITED, timeout=10).status_code == 200
        refused = statuses.count(429)
        assert metric(gateway, 'gateway_requests_limited_total{principal="worker",connector="open",limit="rate"}') == refused
        time.sleep(1.1)  # the bucket refills: another burst of 5 goes through
        again = [session.get(gateway.executor("open", "/hello"), headers=WORKER, timeout=10).status_code for _ in range(5)]
        assert again == [200] * 5


def test_a_rate_per_connector_gives_each_connector_its_own_bucket(start_gateway, nginx):
    principals = [{"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["*"],
                   "rate": {"requests_per_second": 1, "burst": 3, "per_connector": True}}]
    gateway = start_gateway([nginx_connector(nginx, "one"), nginx_connector(nginx, "two")], principals=principals)
    with requests.Session() as session:
        one = [session.get(gateway.executor("one", "/hello"), headers=WORKER, timeout=10).status_code for _ in range(4)]
        two = [session.get(gateway.executor("two", "/hello"), headers=WORKER, timeout=10).status_code for _ in range(4)]
    assert one[:3] == [200] * 3 and one[3] == 429
    assert two[:3] == [200] * 3 and two[3] == 429, "one's bucket is empty; two's is its own"
    assert metric(gateway, 'gateway_requests_limited_total{principal="worker",connector="two",limit="rate"}') == 1


def test_max_in_flight_refuses_the_second_slow_request_until_the_first_ends(start_gateway):
    with upstreams.TCPUpstream(upstreams.slow_answer(1.5)) as slow:
        gateway = start_gateway(
            [{"name": "slow", "kind": "http", "executor_url": f"http://127.0.0.1:{slow.port}"}], principals=PRINCIPALS)
        result = {}
        first = threading.Thread(target=lambda: result.setdefault(
            "first", requests.get(gateway.executor("slow", "/a"), headers=LIMITED, timeout=20).status_code), daemon=True)
        first.start()
        assert wait_until(lambda: "request" in slow.record.events, 10)
        second = requests.get(gateway.executor("slow", "/b"), headers=LIMITED, timeout=10)
        assert second.status_code == 429 and second.headers["retry-after"] == "1"
        assert "max_in_flight" in second.json()["detail"]
        first.join(20)
        assert result["first"] == 200
        assert requests.get(gateway.executor("slow", "/c"), headers=LIMITED, timeout=20).status_code == 200
        assert metric(gateway, 'gateway_requests_limited_total{principal="limited",connector="slow",limit="principal_in_flight"}') == 1


def test_a_connectors_cap_counts_every_principal(start_gateway):
    with upstreams.TCPUpstream(upstreams.slow_answer(1.5)) as slow:
        gateway = start_gateway([{"name": "slow", "kind": "http", "executor_url": f"http://127.0.0.1:{slow.port}",
                                  "limits": {"max_in_flight": 1}}])
        first = threading.Thread(
            target=lambda: requests.get(gateway.executor("slow", "/a"), headers=WORKER, timeout=20), daemon=True)
        first.start()
        assert wait_until(lambda: "request" in slow.record.events, 10)
        other = requests.get(gateway.executor("slow", "/b"), headers=LIMITED, timeout=10)
        assert other.status_code == 429 and "limits.max_in_flight" in other.json()["detail"]
        first.join(20)


def test_on_a_scim_route_the_429_is_scim_error_json(start_gateway, nginx):
    principals = [{"name": "worker", "token": "env://E2E_WORKER_TOKEN", "connectors": ["*"],
                   "rate": {"requests_per_second": 1, "burst": 1}}]
    gateway = start_gateway([{"name": "nexus", "kind": "nexus", "connector_mode": "scim",
                              "scim_base_url": f"http://127.0.0.1:{nginx.http}/scim/v2", "auth": {"token": "env://E2E_WORKER_TOKEN"}}],
                            principals=principals)
    with requests.Session() as session:
        session.get(gateway.url("/scim/nexus/Users"), headers=WORKER, timeout=10)
        response = session.get(gateway.url("/scim/nexus/Users"), headers=WORKER, timeout=10)
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("application/scim+json")
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == "429" and "scimType" not in body


def test_an_upstreams_own_429_is_passed_on_counted_and_not_retried(start_gateway):
    def overloaded(conn, upstream):
        while upstreams.read_head(conn, upstream) is not None:
            conn.sendall(upstreams.response("429 Too Many Requests", b"slow down\n", [("Retry-After", "30")]))

    with upstreams.TCPUpstream(overloaded) as busy:
        gateway = start_gateway([{"name": "busy", "kind": "http", "executor_url": f"http://127.0.0.1:{busy.port}"}])
        before = len([h for h in busy.record.heads if not h.startswith(b"GET / ")])
        response = requests.get(gateway.executor("busy", "/work"), headers=WORKER, timeout=10)
        assert response.status_code == 429 and response.headers["retry-after"] == "30"
        assert response.text == "slow down\n"
        calls = [h for h in busy.record.heads if not h.startswith(b"GET / ")]
        assert len(calls) - before == 1, "never retried into Retry-After"
        assert metric(gateway, 'gateway_upstream_throttled_total{connector="busy"}') == 1
