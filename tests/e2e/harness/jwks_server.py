"""A local JWKS endpoint standing in for Pomerium's /.well-known/pomerium/jwks.json, with the
test keys that sign assertions (ES256 and RS256, by PyJWT). It can be stopped and started again
on the same port (the JWKS "down" and back)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from .net import LOOPBACK, free_port

ISSUER = "authenticate.pomerium.e2e"
AUDIENCE = "gateway.pomerium.e2e"


class SigningKeys:
    def __init__(self):
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_ec = ec.generate_private_key(ec.SECP256R1())  # never published
        #: Further EC keys published by kid (a rotation adds one).
        self.published: dict[str, ec.EllipticCurvePrivateKey] = {}

    def jwks(self) -> dict:
        ec_jwk = ECAlgorithm.to_jwk(self.ec.public_key(), as_dict=True) | {"kid": "ec-1", "alg": "ES256", "use": "sig"}
        rsa_jwk = RSAAlgorithm.to_jwk(self.rsa.public_key(), as_dict=True) | {"kid": "rsa-1", "alg": "RS256", "use": "sig"}
        extra = [ECAlgorithm.to_jwk(key.public_key(), as_dict=True) | {"kid": kid, "alg": "ES256", "use": "sig"}
                 for kid, key in list(self.published.items())]
        return {"keys": [ec_jwk, rsa_jwk, *extra]}

    def claims(self, **overrides) -> dict:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 300, "sub": "user-1",
                  "email": "ops@example.com", "groups": ["platform-operators"]}
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict, alg: str = "ES256", kid: str | None = None, key=None) -> str:
        if key is None:
            key = self.ec if alg == "ES256" else self.rsa
        kid = kid or ("ec-1" if alg == "ES256" else "rsa-1")
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


class JWKSServer:
    def __init__(self, keys: SigningKeys):
        self.keys = keys
        self.port = free_port()
        self.fetches = 0
        self.httpd: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/.well-known/pomerium/jwks.json"

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.fetches += 1
                body = json.dumps(server.keys.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        ThreadingHTTPServer.allow_reuse_address = True
        self.httpd = ThreadingHTTPServer((LOOPBACK, self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
