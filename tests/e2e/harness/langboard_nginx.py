"""A real nginx standing in for Langboard's API, over TLS with a certificate of the session's private
CA for langboard.internal (no IP in it: the gateway must send SNI langboard.internal and verify
against the CA).

Like Langboard, it answers only with the right `X-Api-Key` (401 otherwise) and only from
allow-listed addresses as read from `X-Real-IP` (403 otherwise); `GET /health` is public (204).
Its SCIM provider at `/scim/v2/` wants `Authorization: Bearer <scim token>` (401 otherwise).
Authorised requests are answered with a JSON echo of what arrived. Any other Host reaches a
default server answering 421."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .certs import PKI, SERVER_NAME
from .net import LOOPBACK, free_port, wait_for_port

API_KEY = "sk-e2e-langboard-real-key-51d0"
SCIM_BEARER = "e2e-langboard-scim-token-0b7e"
#: Addresses the key is bound to (Langboard's per-key IP allow-list).
ALLOWED_IPS = ("127.0.0.1", "203.0.113.7")

ECHO = {
    "where": None,
    "method": "$request_method",
    "request_uri": "$request_uri",
    "host": "$http_host",
    "sni": "$ssl_server_name",
    "x_api_key": "$http_x_api_key",
    "authorization": "$http_authorization",
    "x_real_ip": "$http_x_real_ip",
    "x_forwarded_for": "$http_x_forwarded_for",
    "x_forwarded_proto": "$http_x_forwarded_proto",
}


def _echo(where: str) -> str:
    parts = [f'\\"where\\":\\"{where}\\"']
    parts += [f'\\"{name}\\":\\"{var}\\"' for name, var in ECHO.items() if var]
    return "{" + ",".join(parts) + "}"


@dataclass
class LangboardNginx:
    prefix: Path
    pki: PKI
    port: int = 0
    process: subprocess.Popen | None = field(default=None)

    def config(self) -> str:
        p = self.prefix
        user = "user root;" if os.geteuid() == 0 else ""
        allowed = "\n".join(f'        "{ip}" 1;' for ip in ALLOWED_IPS)
        unauthorized = '{\\"detail\\":\\"Invalid API key\\"}'
        forbidden = '{\\"detail\\":\\"This API key is not allowed from $http_x_real_ip\\"}'
        scim_unauthorized = ('{\\"schemas\\":[\\"urn:ietf:params:scim:api:messages:2.0:Error\\"],'
                             '\\"status\\":\\"401\\",\\"detail\\":\\"invalid SCIM token\\"}')
        return f"""
{user}
worker_processes 1;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log {p}/access.log;
    client_body_temp_path {p}/tmp/body;
    proxy_temp_path {p}/tmp/proxy;
    fastcgi_temp_path {p}/tmp/fastcgi;
    uwsgi_temp_path {p}/tmp/uwsgi;
    scgi_temp_path {p}/tmp/scgi;
    ssl_protocols TLSv1.2 TLSv1.3;

    map $http_x_api_key $langboard_key_ok {{
        default 0;
        "{API_KEY}" 1;
    }}
    map $http_x_real_ip $langboard_ip_ok {{
        default 0;
{allowed}
    }}
    map $http_authorization $langboard_scim_ok {{
        default 0;
        "Bearer {SCIM_BEARER}" 1;
    }}

    server {{
        listen {LOOPBACK}:{self.port} ssl default_server;
        server_name _;
        ssl_certificate {self.pki.wrong_leaf.cert};
        ssl_certificate_key {self.pki.wrong_leaf.key};
        location / {{ default_type text/plain; return 421 "misdirected\\n"; }}
    }}
    server {{
        listen {LOOPBACK}:{self.port} ssl;
        server_name {SERVER_NAME};
        ssl_certificate {self.pki.ca_leaf.cert};
        ssl_certificate_key {self.pki.ca_leaf.key};
        default_type application/json;

        location = /health {{ return 204; }}
        location /scim/v2/ {{
            default_type application/scim+json;
            if ($langboard_scim_ok = 0) {{ return 401 "{scim_unauthorized}"; }}
            return 200 "{_echo('scim')}";
        }}
        location / {{
            if ($langboard_key_ok = 0) {{ return 401 "{unauthorized}"; }}
            if ($langboard_ip_ok = 0) {{ return 403 "{forbidden}"; }}
            return 200 "{_echo('api')}";
        }}
    }}
}}
"""

    def start(self) -> None:
        (self.prefix / "tmp").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        conf = self.prefix / "nginx.conf"
        conf.write_text(self.config())
        base = ["nginx", "-p", str(self.prefix), "-c", str(conf), "-e", str(self.prefix / "error.log")]
        check = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the Langboard configuration:\n{check.stderr}")
        self.process = subprocess.Popen([*base, "-g", "daemon off;"], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=open(self.prefix / "stderr.log", "wb"))
        try:
            wait_for_port(self.port, 15, alive=lambda: self.process.poll() is None)
        except Exception:
            self.stop()
            raise RuntimeError("nginx (Langboard) did not start: " + (self.prefix / "error.log").read_text(errors="replace"))

    @property
    def url(self) -> str:
        return f"https://{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
