"""SCIM peers of the Nexus proofs.

- `ScimServer`: the real `scim2-server` (PyPI), in memory, Bearer token, `--reverse-proxy` (it
  builds its URLs from X-Forwarded-Host/Proto/Prefix when told). It serves its endpoints at the
  root and under `/v2`, and names `http://host:port/v2` as its base in every URL it writes.
- `run_conformance`: the `scim2-tester` suite through `scim2-cli` (`scim2 --url URL test`), the
  bearer token passed in SCIM_CLI_HEADERS (not on the command line); its per-check lines parsed.
- `scripted_scim`: a recording SCIM upstream answering fixed bodies that name its own base URL in
  every place a SCIM body can (Location, meta.location, $ref, Resources[], Bulk Operations[]), to
  assert byte for byte what the gateway rewrote and what it sent.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .net import LOOPBACK, free_port
from .peer_process import PeerProcess, venv_script
from .recording_http import RecordingHTTPServer, Reply, Seen

SCIM_TOKEN = "e2e-nexus-scim-token-c41f09"
SCIM_JSON = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
BULK_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"


class ScimServer(PeerProcess):
    def __init__(self, log_dir: Path, token: str = SCIM_TOKEN):
        self.port = free_port()
        self.token = token
        super().__init__("scim2-server", [
            str(venv_script("scim2-server")), "--hostname", LOOPBACK, "--port", str(self.port),
            "--reverse-proxy", "--bearer-token", token], log_dir)
        self.wait_port(self.port, 30)

    @property
    def root(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def base(self) -> str:
        """The base the server names in its URLs."""
        return f"{self.root}/v2"

    @property
    def authority(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


CHECK_LINE = re.compile(r"^(SUCCESS|ERROR|CRITICAL|WARNING|SKIPPED|[A-Z_]+) (\S.*)$")


@dataclass
class Conformance:
    url: str
    returncode: int
    output: str
    checks: list[tuple[str, str]]  # (status, check title), in order
    seconds: float

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for status, _ in self.checks:
            out[status] = out.get(status, 0) + 1
        return out

    def summary(self) -> str:
        return f"{self.counts()} of {len(self.checks)} checks ({self.url}, exit {self.returncode}, {self.seconds:.1f}s)"

    def failures(self) -> str:
        lines = self.output.splitlines()
        out = []
        for index, line in enumerate(lines):
            match = CHECK_LINE.match(line)
            if match and match.group(1) != "SUCCESS":
                out.append(line)
                if index + 1 < len(lines) and lines[index + 1].startswith("  "):
                    out.append(lines[index + 1])
        return "\n".join(out)


def run_conformance(url: str, headers: dict[str, str], timeout: float = 120) -> Conformance:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCIM_CLI_")}
    env["SCIM_CLI_HEADERS"] = ";".join(f"{name}: {value}" for name, value in headers.items())
    started = time.monotonic()
    try:
        result = subprocess.run([str(venv_script("scim2")), "--url", url, "test"], capture_output=True,
                                text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)
        stdout, output, returncode = result.stdout, result.stdout + result.stderr, result.returncode
    except subprocess.TimeoutExpired as expired:  # keep what it printed: it says which checks hung
        stdout = (expired.stdout or b"").decode(errors="replace") if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        output, returncode = stdout + f"\n(killed after {timeout}s)", -1
    checks = []
    for line in stdout.splitlines():
        match = CHECK_LINE.match(line)
        if match and not line.startswith("Performing"):
            checks.append((match.group(1), match.group(2)))
    return Conformance(url, returncode, output, checks, time.monotonic() - started)


# -- the scripted SCIM upstream


def scripted_scim(base_path: str = "/scim/v2", token: str = SCIM_TOKEN) -> RecordingHTTPServer:
    """Answers (after checking the Bearer token; 401 in SCIM error JSON otherwise):
      POST  {base}/Users            201, Location + meta.location of the new user, an externalId
                                    that *looks* like an upstream URL (must stay untouched)
      GET   {base}/Users            ListResponse, Resources[] with meta.location and a group $ref
      GET   {base}/Groups/g1        a group whose members carry $ref URLs, ETag
      POST  {base}/Bulk             BulkResponse with Operations[].location and nested responses
      GET   {base}/Echo             200 with a JSON naming the upstream base in plain strings
      *     anything else           204
    Every URL it writes starts with its own `http://127.0.0.1:<port>{base}`."""
    holder: dict[str, RecordingHTTPServer] = {}

    def route(seen: Seen, reply: Reply) -> None:
        server = holder["server"]
        base = f"http://{LOOPBACK}:{server.port}{base_path}"
        if seen.header("authorization") != f"Bearer {token}":
            reply.json(401, {"schemas": [ERROR_SCHEMA], "status": "401", "detail": "bad token"},
                       [("WWW-Authenticate", 'Bearer realm="SCIM"')], content_type=SCIM_JSON)
            return
        path = seen.path
        if not path.startswith(base_path):
            reply.json(404, {"schemas": [ERROR_SCHEMA], "status": "404", "detail": "not under the base"},
                       content_type=SCIM_JSON)
            return
        rest = path[len(base_path):]

        def user(uid: str) -> dict:
            return {"schemas": [USER_SCHEMA], "id": uid, "externalId": f"{base}/Users/{uid}",
                    "userName": f"user-{uid}",
                    "groups": [{"value": "g1", "$ref": f"{base}/Groups/g1", "display": "team"}],
                    "meta": {"resourceType": "User", "location": f"{base}/Users/{uid}", "version": 'W/"v1"'}}

        if seen.method == "POST" and rest == "/Users":
            created = user("u-new")
            reply.json(201, created, [("Location", f"{base}/Users/u-new"), ("ETag", 'W/"v1"')],
                       content_type=SCIM_JSON)
        elif seen.method == "GET" and rest == "/Users":
            reply.json(200, {"schemas": [LIST_SCHEMA], "totalResults": 2, "itemsPerPage": 2, "startIndex": 1,
                             "Resources": [user("u1"), user("u2")]}, content_type=SCIM_JSON)
        elif seen.method == "GET" and rest == "/Groups/g1":
            reply.json(200, {"schemas": [GROUP_SCHEMA], "id": "g1", "displayName": "team",
                             "members": [{"value": "u1", "$ref": f"{base}/Users/u1"},
                                         {"value": "u2", "$ref": f"{base}/Users/u2"}],
                             "meta": {"resourceType": "Group", "location": f"{base}/Groups/g1",
                                      "version": 'W/"g7"'}},
                       [("ETag", 'W/"g7"')], content_type=SCIM_JSON)
        elif seen.method == "POST" and rest == "/Bulk":
            reply.json(200, {"schemas": [BULK_RESPONSE_SCHEMA], "Operations": [
                {"method": "POST", "bulkId": "b1", "version": 'W/"v1"', "location": f"{base}/Users/u9",
                 "status": "201", "response": user("u9")},
                {"method": "PATCH", "location": f"{base}/Groups/g1", "status": "200"},
            ]}, content_type=SCIM_JSON)
        else:
            reply.empty(204)

    server = RecordingHTTPServer(route, name="scripted-scim")
    holder["server"] = server
    return server
