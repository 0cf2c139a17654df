"""How much memory idle keep-alive callers cost the gateway (bench/idle-connections).

Starts the gateway (GATEWAY_BIN) on loopback, reads its resident memory, opens N connections
(default 10,000) that each make one request (`/livez`) and then stay open and idle, reads the
resident memory again and prints both. The script raises its own descriptor limit; the gateway
inherits it. Everything runs on 127.0.0.1 and stops by itself.
"""

import os
import resource
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time

from loopback import free_port, wait_port

REQUEST = b"GET /livez HTTP/1.1\r\nHost: bench\r\n\r\n"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def open_idle(port, count, deadline):
    """Opens `count` connections, sends one request on each and reads its answer; returns them."""
    selector = selectors.DefaultSelector()
    pending = {}
    done = []
    opened = 0
    while len(done) < count:
        if time.time() > deadline:
            raise RuntimeError(f"only {len(done)} of {count} connections answered in time")
        # Keep at most 512 handshakes in flight.
        while opened < count and len(pending) < 512:
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            selector.register(sock, selectors.EVENT_WRITE)
            pending[sock] = b""
            opened += 1
        for key, events in selector.select(timeout=1):
            sock = key.fileobj
            if events & selectors.EVENT_WRITE:
                sock.sendall(REQUEST)
                selector.modify(sock, selectors.EVENT_READ)
                continue
            chunk = sock.recv(4096)
            if not chunk:
                raise RuntimeError("the gateway closed a connection before answering")
            pending[sock] += chunk
            head, _, body = pending[sock].partition(b"\r\n\r\n")
            if head and body.endswith(b"}\n"):
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(f"unexpected answer: {head[:80]!r}")
                selector.unregister(sock)
                del pending[sock]
                done.append(sock)
    selector.close()
    return done


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    gateway = os.environ.get("GATEWAY_BIN", ".build/release/gateway")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = count + 256
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            sys.exit(f"idle-connections: the descriptor limit is {hard}; {need} are needed (ulimit -Hn)")
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))

    work = tempfile.mkdtemp(prefix="gateway-idle-")
    port = free_port()
    inventory = os.path.join(work, "connectors.yaml")
    with open(inventory, "w") as f:
        f.write(f"""
gateway:
  listen: 127.0.0.1:{port}
  access_log: false
  limits:
    max_client_connections: {count + 100}
    client_idle_timeout: 10m
connector_inventory:
  - name: up
    kind: http
    executor_url: http://127.0.0.1:9
""")
    process = subprocess.Popen([gateway, "serve", "--inventory", inventory], stdout=subprocess.DEVNULL,
                               stderr=open(os.path.join(work, "gateway.log"), "wb"))
    try:
        wait_port(port)
        time.sleep(0.5)
        before = rss_kib(process.pid)
        started = time.time()
        connections = open_idle(port, count, deadline=started + 120)
        time.sleep(1)
        after = rss_kib(process.pid)
        alive = process.poll() is None
        print(f"{count} idle keep-alive connections (one request each) in {time.time() - started:.1f} s")
        print(f"gateway resident memory: {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB after: "
              f"+{(after - before) / 1024:.1f} MiB ({(after - before) * 1024 / count:.0f} bytes per connection)")
        if not alive:
            sys.exit("the gateway exited")
        for sock in connections:
            sock.close()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
