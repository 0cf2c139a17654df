"""A TLS terminator in front of a plain TCP server (e.g. the Temporal dev server, which speaks
no TLS itself): it requires a client certificate of a given CA, records the subject of every
client certificate it saw, and relays bytes both ways. Threads, stopped by `stop()`."""

from __future__ import annotations

import socket
import ssl
import threading

from .net import LOOPBACK


class TLSFront:
    def __init__(self, upstream: tuple[str, int], cert: str, key: str, client_ca: str):
        self.upstream = upstream
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.context.load_verify_locations(client_ca)
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.set_alpn_protocols(["h2"])
        self.listener = socket.create_server((LOOPBACK, 0))
        self.port = self.listener.getsockname()[1]
        self.client_subjects: list[str] = []
        self.refused = 0
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            conn = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            self.refused += 1
            raw.close()
            return
        subject = dict(item[0] for item in conn.getpeercert().get("subject", ()))
        self.client_subjects.append(subject.get("commonName", "?"))
        try:
            upstream = socket.create_connection(self.upstream, timeout=10)
            upstream.settimeout(None)
        except OSError:
            conn.close()
            return

        def pipe(source, sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                for sock in (source, sink):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()
        pipe(conn, upstream)

    def stop(self) -> None:
        self._stopped.set()
        self.listener.close()
