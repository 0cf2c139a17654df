"""A real nginx with its own generated configuration, under a private prefix, on free ports.

Ports (all 127.0.0.1):
  http      `default_server` answering 421 to any Host but langboard.internal, whose vhost has
            /hello, /echo/ (request headers echoed back), /files/ (static), /dav/ (WebDAV PUT,
            unlimited body), /small/ (WebDAV PUT, client_max_body_size 1k)
  tls_self  langboard.internal with a self-signed certificate
  tls_ca    langboard.internal with a certificate of the private CA
  tls_wrong a certificate of the private CA for wrong.internal
  tls_short langboard.internal with a 3-day certificate of the private CA (health: expiring soon)
TLS vhosts answer `/tls` with the SNI name they received. The langboard.internal vhost also has
/auth-probe: 204 with the e2e Langboard key in X-Api-Key, 401 without it; and, for the boundary
corpus, /admin/secret (outside a connector's /echo base) and /v0/management/ (a CLIProxy-like
management prefix), each logging to its own access log (`admin_log`, `management_log`).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .certs import PKI, SERVER_NAME
from .gateway import LANGBOARD_KEY
from .net import LOOPBACK, free_port
from .nginx_process import NginxProcess, http_preamble, main_context

#: The fields /echo/ returns, one `name=value` per line, in this order.
ECHO_FIELDS = {
    "host": "$http_host",
    "x_forwarded_for": "$http_x_forwarded_for",
    "x_real_ip": "$http_x_real_ip",
    "x_forwarded_proto": "$http_x_forwarded_proto",
    "x_forwarded_host": "$http_x_forwarded_host",
    "authorization": "$http_authorization",
    "x_api_key": "$http_x_api_key",
    "x_hop": "$http_x_hop",
    "te": "$http_te",
    "connection": "$http_connection",
    "keep_alive": "$http_keep_alive",
    "proxy_authorization": "$http_proxy_authorization",
    "x_request_id": "$http_x_request_id",
    "traceparent": "$http_traceparent",
    "request_uri": "$request_uri",
    "method": "$request_method",
    "content_length": "$http_content_length",
    "transfer_encoding": "$http_transfer_encoding",
}

SMALL_BODY_LIMIT = 1024


def parse_echo(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            out[name] = value
    return out


@dataclass
class Nginx:
    prefix: Path
    pki: PKI
    http: int = 0
    tls_self: int = 0
    tls_ca: int = 0
    tls_wrong: int = 0
    tls_short: int = 0
    runner: NginxProcess | None = field(default=None)

    @property
    def files(self) -> Path:
        return self.prefix / "files"

    @property
    def dav_root(self) -> Path:
        return self.prefix / "davroot"

    @property
    def pid(self) -> int:
        assert self.runner is not None
        return self.runner.pid

    def config(self) -> str:
        p = self.prefix
        echo = "\\n".join(f"{name}={var}" for name, var in ECHO_FIELDS.items()) + "\\n"
        tls_common = """
        ssl_protocols TLSv1.2 TLSv1.3;
        location /tls { default_type text/plain; return 200 "tls ok sni=$ssl_server_name host=$http_host\\n"; }
        location / { return 404; }"""
        return main_context(p) + f"""
http {{{http_preamble(p)}
    sendfile on;
    keepalive_timeout 65s;
    keepalive_requests 100000;

    server {{
        listen {LOOPBACK}:{self.http} default_server;
        server_name _;
        location / {{ default_type text/plain; return 421 "misdirected: this server only answers {SERVER_NAME}\\n"; }}
    }}
    server {{
        listen {LOOPBACK}:{self.http};
        server_name {SERVER_NAME};
        location = /hello {{ default_type text/plain; return 200 "hello from {SERVER_NAME}\\n"; }}
        location /echo/ {{ default_type text/plain; return 200 "{echo}"; }}
        location = /auth-probe {{
            if ($http_x_api_key != "{LANGBOARD_KEY}") {{ return 401 "invalid api key\n"; }}
            return 204;
        }}
        location = /admin/secret {{
            access_log {p}/boundary-admin.log;
            default_type text/plain;
            return 200 "admin secret reached\n";
        }}
        location /v0/management/ {{
            access_log {p}/boundary-management.log;
            default_type text/plain;
            return 200 "management reached uri=$request_uri\n";
        }}
        location /files/ {{ alias {p}/files/; }}
        location /dav/ {{
            root {p}/davroot;
            dav_methods PUT DELETE;
            create_full_put_path on;
            client_max_body_size 0;
        }}
        location /small/ {{
            root {p}/davroot;
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size {SMALL_BODY_LIMIT};
        }}
        location / {{ return 404; }}
    }}
    server {{
        listen {LOOPBACK}:{self.tls_self} ssl;
        server_name {SERVER_NAME};
        ssl_certificate {self.pki.self_signed.cert};
        ssl_certificate_key {self.pki.self_signed.key};{tls_common}
    }}
    server {{
        listen {LOOPBACK}:{self.tls_ca} ssl;
        server_name {SERVER_NAME};
        ssl_certificate {self.pki.ca_leaf.cert};
        ssl_certificate_key {self.pki.ca_leaf.key};{tls_common}
    }}
    server {{
        listen {LOOPBACK}:{self.tls_wrong} ssl;
        server_name {SERVER_NAME};
        ssl_certificate {self.pki.wrong_leaf.cert};
        ssl_certificate_key {self.pki.wrong_leaf.key};{tls_common}
    }}
    server {{
        listen {LOOPBACK}:{self.tls_short} ssl;
        server_name {SERVER_NAME};
        ssl_certificate {self.pki.short_lived.cert};
        ssl_certificate_key {self.pki.short_lived.key};{tls_common}
    }}
}}
"""

    def start(self) -> None:
        version = subprocess.run(["nginx", "-V"], capture_output=True, text=True, timeout=30)
        if "--with-http_dav_module" not in version.stderr + version.stdout:
            raise RuntimeError("this nginx has no WebDAV module (nginx -V lacks --with-http_dav_module); "
                               "the upload tests need Debian's nginx")
        for sub in ("tmp", "files", "davroot/dav", "davroot/small"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        (self.files / "small.txt").write_text("static file\n")
        self.http, self.tls_self, self.tls_ca, self.tls_wrong, self.tls_short = (free_port() for _ in range(5))
        self.runner = NginxProcess(self.prefix)
        self.runner.start(self.config(), (self.http, self.tls_self, self.tls_ca, self.tls_wrong, self.tls_short))

    @property
    def admin_log(self) -> Path:
        return self.prefix / "boundary-admin.log"

    @property
    def management_log(self) -> Path:
        return self.prefix / "boundary-management.log"

    def error_log(self) -> str:
        return self.runner.error_log() if self.runner else ""

    def stop(self) -> None:
        if self.runner:
            self.runner.stop()
