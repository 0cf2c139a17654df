"""A real nginx standing in for Langboard's API, over TLS with a certificate of the session's private
CA for langboard.internal (no IP in it: the gateway must send SNI langboard.internal and verify
against the CA).

Like Langboard, it answers only with the right `X-Api-Key` (401 otherwise) and only from
allow-listed addresses as read from `X-Real-IP` (403 otherwise); `GET /health` is public (204).
Its SCIM provider at `/scim/v2/` wants `Authorization: Bearer <scim token>` (401 otherwise).
Authorised requests are answered with a JSON echo of what arrived. Any other Host reaches a
default server answering 421."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .certs import PKI, SERVER_NAME
from .net import LOOPBACK, free_port
from .nginx_process import NginxProcess, http_preamble, main_context

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
    runner: NginxProcess | None = field(default=None)

    def config(self) -> str:
        p = self.prefix
        allowed = "\n".join(f'        "{ip}" 1;' for ip in ALLOWED_IPS)
        unauthorized = '{\\"detail\\":\\"Invalid API key\\"}'
        forbidden = '{\\"detail\\":\\"This API key is not allowed from $http_x_real_ip\\"}'
        scim_unauthorized = ('{\\"schemas\\":[\\"urn:ietf:params:scim:api:messages:2.0:Error\\"],'
                             '\\"status\\":\\"401\\",\\"detail\\":\\"invalid SCIM token\\"}')
        return main_context(p, worker_connections=128) + f"""
http {{{http_preamble(p)}    ssl_protocols TLSv1.2 TLSv1.3;

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
        self.port = free_port()
        self.runner = NginxProcess(self.prefix, "nginx (Langboard)")
        self.runner.start(self.config(), (self.port,))

    @property
    def url(self) -> str:
        return f"https://{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        if self.runner:
            self.runner.stop()
