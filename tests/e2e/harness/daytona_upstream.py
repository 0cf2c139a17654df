"""A Daytona-shaped upstream for the Daytona proof, built from the `daytona-api-client` package's
OpenAPI models (the objects it answers are those models serialised, so the real SDK parses them
as it parses Daytona's), recording every request.

Two servers, like Daytona's API and its toolbox proxy:
- the API under `/api` (`GET /api/health` public; everything else wants `Authorization: Bearer
  <API_KEY>`, 401 otherwise): `POST /api/sandbox` answers a sandbox in state `creating`, which
  turns `started` on the second poll of `GET /api/sandbox/<id>` (asynchronous, like Daytona);
  `GET /api/sandbox` lists, `DELETE /api/sandbox/<id>` destroys. Every sandbox names
  `toolboxProxyUrl` = the toolbox server's own URL (`http://127.0.0.1:<toolbox port>/toolbox`).
- the toolbox: `POST /toolbox/<id>/process/execute` runs `echo ...` (and only that), with the
  same Bearer check.
"""

from __future__ import annotations

import shlex
import threading
import uuid
from datetime import datetime, timezone

from daytona_api_client.models import ListSandboxesResponse, Sandbox, SandboxListItem, SandboxState
from daytona_toolbox_api_client.models import ExecuteRequest, ExecuteResponse

from .recording_http import RecordingHTTPServer, Reply, Seen

API_KEY = "e2e-daytona-api-key-3b7c90"
ORGANIZATION = "e2e-org"


class DaytonaUpstream:
    """`toolbox_url` overrides the toolbox URL the API hands out (another server's, such as a
    WebSocket PTY toolbox); by default it is this upstream's own toolbox."""

    def __init__(self, toolbox_url: str | None = None):
        self.toolbox_override = toolbox_url
        self.lock = threading.Lock()
        self.sandboxes: dict[str, dict] = {}
        self.polls: dict[str, int] = {}
        self.toolbox = RecordingHTTPServer(self._toolbox_route, name="daytona-toolbox")
        self.api = RecordingHTTPServer(self._api_route, name="daytona-api")

    @property
    def toolbox_url(self) -> str:
        return self.toolbox_override or f"{self.toolbox.base}/toolbox"

    def requests(self):
        return sorted(self.api.seen() + self.toolbox.seen(), key=lambda s: s.at)

    def stop(self) -> None:
        self.api.stop()
        self.toolbox.stop()

    # -- models

    def _sandbox(self, record: dict, state: str) -> dict:
        now = datetime.now(timezone.utc).isoformat()
        return Sandbox(
            id=record["id"], organization_id=ORGANIZATION, name=record["name"], snapshot="daytona-e2e",
            user="daytona", env=record["env"], labels=record["labels"], public=False, network_block_all=False,
            kvm=False, target="e2e", cpu=1, gpu=0, memory=1, disk=3, state=SandboxState(state),
            desired_state="started" if state != "destroying" else "destroyed",
            created_at=record["created"], updated_at=now, toolbox_proxy_url=self.toolbox_url,
        ).to_dict()

    def _list_item(self, record: dict) -> dict:
        return SandboxListItem(
            id=record["id"], organization_id=ORGANIZATION, name=record["name"], target="e2e",
            state=SandboxState(record["state"]), user="daytona", public=False, network_block_all=False,
            cpu=1, gpu=0, memory=1, disk=3, labels=record["labels"], toolbox_proxy_url=self.toolbox_url,
        ).to_dict()

    # -- routes

    @staticmethod
    def _authorized(seen: Seen, reply: Reply) -> bool:
        if seen.header_values("authorization") == [f"Bearer {API_KEY}"]:
            return True
        reply.json(401, {"statusCode": 401, "message": "Invalid API key", "error": "Unauthorized"})
        return False

    def _api_route(self, seen: Seen, reply: Reply) -> None:
        path = seen.path
        if path == "/api/health":
            reply.json(200, {"status": "ok"})
            return
        if not self._authorized(seen, reply):
            return
        parts = path.strip("/").split("/")
        with self.lock:
            if parts == ["api", "sandbox"] and seen.method == "POST":
                body = seen.json()
                sid = str(uuid.uuid4())
                record = {"id": sid, "name": body.get("name") or f"sandbox-{sid[:8]}", "env": body.get("env") or {},
                          "labels": body.get("labels") or {}, "state": "creating",
                          "created": datetime.now(timezone.utc).isoformat()}
                self.sandboxes[sid] = record
                self.polls[sid] = 0
                reply.json(200, self._sandbox(record, "creating"))
            elif parts == ["api", "sandbox"] and seen.method == "GET":
                items = [self._list_item(r) for r in self.sandboxes.values() if r["state"] != "destroyed"]
                reply.json(200, ListSandboxesResponse(items=[SandboxListItem.from_dict(i) for i in items],
                                                      next_cursor=None).to_dict())
            elif len(parts) == 3 and parts[:2] == ["api", "sandbox"]:
                record = self.sandboxes.get(parts[2]) or next(
                    (r for r in self.sandboxes.values() if r["name"] == parts[2]), None)
                if record is None or record["state"] == "destroyed":
                    reply.json(404, {"statusCode": 404, "message": f"Sandbox {parts[2]} not found", "error": "Not Found"})
                elif seen.method == "GET":
                    self.polls[record["id"]] += 1
                    if record["state"] == "creating" and self.polls[record["id"]] >= 2:
                        record["state"] = "started"
                    reply.json(200, self._sandbox(record, record["state"]))
                elif seen.method == "DELETE":
                    record["state"] = "destroyed"
                    reply.json(200, self._sandbox(record, "destroying"))
                else:
                    reply.json(405, {"statusCode": 405, "message": "method not allowed"})
            elif len(parts) == 4 and parts[:2] == ["api", "sandbox"] and parts[3] == "toolbox-proxy-url":
                reply.json(200, {"url": self.toolbox_url})
            else:
                reply.json(404, {"statusCode": 404, "message": f"Cannot {seen.method} {path}", "error": "Not Found"})

    def _toolbox_route(self, seen: Seen, reply: Reply) -> None:
        if not self._authorized(seen, reply):
            return
        parts = seen.path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "toolbox" and parts[2:] == ["process", "execute"] and seen.method == "POST":
            with self.lock:
                record = self.sandboxes.get(parts[1])
            if record is None or record["state"] != "started":
                reply.json(404, {"statusCode": 404, "message": f"sandbox {parts[1]} is not running"})
                return
            request = ExecuteRequest.from_dict(seen.json())
            words = shlex.split(request.command)
            if words[:1] != ["echo"]:
                reply.json(200, ExecuteResponse(exit_code=127, result=f"{words[0]}: command not found\n").to_dict())
                return
            reply.json(200, ExecuteResponse(exit_code=0, result=" ".join(words[1:]) + "\n").to_dict())
        else:
            reply.json(404, {"statusCode": 404, "message": f"Cannot {seen.method} {seen.path}"})
