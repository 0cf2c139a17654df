"""Acceptance 4: bodies are streamed, never buffered. 256 MiB up to nginx's WebDAV and down from
its static files with the gateway's resident memory sampled throughout; an SSE stream whose
first event reaches the client long before the upstream finishes."""

import hashlib
import os
import threading
import time

import pytest
import requests

from harness import upstreams
from harness.gateway import WORKER, nginx_connector
from harness.net import RawHTTP

MIB = 1 << 20
SIZE = 256 * MIB
RSS_GROWTH_LIMIT = 64 * MIB


def blocks(count: int):
    """`count` MiB of random-looking bytes: one random MiB, each copy stamped with its index."""
    base = os.urandom(MIB)
    for index in range(count):
        yield index.to_bytes(8, "big") + base[8:]


@pytest.fixture(scope="module")
def big_file(nginx):
    path = nginx.files / "big.bin"
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        for block in blocks(SIZE // MIB):
            digest.update(block)
            out.write(block)
    yield path, digest.hexdigest()
    path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def sse_upstream():
    with upstreams.TCPUpstream(upstreams.sse_stream) as upstream:
        yield upstream


@pytest.fixture(scope="module")
def gateway(nginx, sse_upstream, module_gateways):
    return module_gateways([
        nginx_connector(nginx, "bulk"),
        {"name": "events", "kind": "http", "executor_url": f"http://127.0.0.1:{sse_upstream.port}"},
    ])


class RSSSampler:
    """Samples the gateway's VmRSS every 10 ms in a thread."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.samples: list[int] = []
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop_flag.is_set():
            try:
                self.samples.append(self.gateway.rss_bytes())
            except OSError:
                return
            self.stop_flag.wait(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        self.thread.join(5)

    @property
    def peak(self) -> int:
        return max(self.samples)


def warm_baseline(gateway) -> int:
    for _ in range(3):
        assert requests.get(gateway.executor("bulk", "/hello"), headers=WORKER, timeout=10).status_code == 200
    return gateway.rss_bytes()


def test_256_mib_download_streams_whole_with_flat_memory(gateway, big_file):
    path, expected = big_file
    before = warm_baseline(gateway)
    digest, received = hashlib.sha256(), 0
    with RSSSampler(gateway) as sampler:
        with requests.get(gateway.executor("bulk", "/files/big.bin"), headers=WORKER, stream=True,
                          timeout=60) as response:
            assert response.status_code == 200
            assert int(response.headers["content-length"]) == SIZE
            for chunk in response.iter_content(MIB):
                digest.update(chunk)
                received += len(chunk)
    assert received == SIZE
    assert digest.hexdigest() == expected
    assert len(sampler.samples) > 5
    growth = sampler.peak - before
    print(f"download: VmRSS {before / MIB:.1f} MiB before, peak {sampler.peak / MIB:.1f} MiB, {len(sampler.samples)} samples")
    assert growth < RSS_GROWTH_LIMIT, f"VmRSS grew by {growth / MIB:.1f} MiB (from {before / MIB:.1f} MiB)"


def test_256_mib_chunked_upload_lands_whole_with_flat_memory(gateway, nginx):
    target = nginx.dav_root / "dav" / "upload-256.bin"
    target.unlink(missing_ok=True)
    before = warm_baseline(gateway)
    sent = hashlib.sha256()

    def body():
        for block in blocks(SIZE // MIB):
            sent.update(block)
            yield block

    try:
        with RSSSampler(gateway) as sampler:
            response = requests.put(gateway.executor("bulk", "/dav/upload-256.bin"), data=body(),
                                    headers=WORKER, timeout=120)
        assert response.status_code in (201, 204), response.text
        assert target.stat().st_size == SIZE
        landed = hashlib.sha256()
        with open(target, "rb") as uploaded:
            while block := uploaded.read(4 * MIB):
                landed.update(block)
        assert landed.hexdigest() == sent.hexdigest()
        assert len(sampler.samples) > 5
        growth = sampler.peak - before
        print(f"upload: VmRSS {before / MIB:.1f} MiB before, peak {sampler.peak / MIB:.1f} MiB, {len(sampler.samples)} samples")
        assert growth < RSS_GROWTH_LIMIT, f"VmRSS grew by {growth / MIB:.1f} MiB (from {before / MIB:.1f} MiB)"
        access = gateway.wait_access(response.headers["x-request-id"])
        assert access["gateway.bytes_in"] == str(SIZE)
    finally:
        target.unlink(missing_ok=True)


def test_sse_first_event_arrives_before_the_upstream_finishes(gateway, sse_upstream):
    with RawHTTP(gateway.port, timeout=20) as conn:
        started = time.monotonic()
        conn.request("GET", "/executor/events/stream", [*WORKER.items(), ("Accept", "text/event-stream")])
        head = conn.read_head()
        assert head.status == 200
        assert head.header("content-type") == "text/event-stream"
        assert head.content_length is None and head.chunked
        arrivals, text = [], b""
        while chunk := conn.read_chunk():
            text += chunk
            while b"\n\n" in text:
                event, text = text.split(b"\n\n", 1)
                arrivals.append((event.decode(), time.monotonic() - started))
        ended = time.monotonic() - started
    assert [event for event, _ in arrivals] == [f"data: {n}" for n in range(upstreams.SSE_EVENTS)]
    span = upstreams.SSE_PAUSE * (upstreams.SSE_EVENTS - 1)
    assert ended >= span * 0.9
    first = arrivals[0][1]
    assert first < 1.0, f"first event after {first:.2f}s"
    assert first < ended - span * 0.8
    # each event arrives when it is written, not batched with the next one
    for (_, earlier), (_, later) in zip(arrivals, arrivals[1:]):
        assert later - earlier > upstreams.SSE_PAUSE * 0.6
