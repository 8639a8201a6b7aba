"""The whole portal as separate local processes, as `make run` starts it, on free loopback ports.

Shared by the end-to-end tests and the benchmarks: both need every service running against a NATS server and an
OpenSearch engine they started themselves (see `portal_common.testing`), with the data in a folder of their own.
"""

import contextlib
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from portal_common.audit import Stores
from portal_common.testing import NatsServer, free_port, run_module, running_opensearch, start_module, stop, wait_for

ADMIN_USERNAME = "admin"
GRPC_SERVICES = ("catalog", "search", "feedback")
# The gateway's and feedback's limits are per client address and sized for people; a load run or a benchmark plays
# thousands of residents from one machine and measures the portal, not the limiter, so the stacks they start lift them.
UNLIMITED_RATES = {
    "GATEWAY_SEARCH_BURST": "1000000",
    "GATEWAY_SEARCH_PER_MINUTE": "1000000",
    "GATEWAY_SUGGEST_BURST": "1000000",
    "GATEWAY_SUGGEST_PER_MINUTE": "1000000",
    "GATEWAY_SUBMIT_BURST": "1000000",
    "GATEWAY_SUBMIT_PER_HOUR": "1000000",
    "FEEDBACK_IP_HOURLY_LIMIT": "1000000",
}


@dataclass
class PortalStack:
    env: dict[str, str]
    folder: Path
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    started_at: dict[str, float] = field(default_factory=dict)  # time.monotonic() of each start

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def catalog_address(self) -> str:
        return f"127.0.0.1:{self.ports['catalog']}"

    @property
    def search_address(self) -> str:
        return f"127.0.0.1:{self.ports['search']}"

    def start(self, name: str, *command: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        process = start_module(list(command), {**self.env, **(env or {})}, self.folder / f"{name}.log")
        self.processes[name] = process
        self.started_at[name] = time.monotonic()
        return process

    def run(self, *command: str) -> None:
        run_module(list(command), self.env)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes.values():
            stop(process)

    def wait_until_indexed(self, timeout: float) -> int:
        """Block until the index holds as many published items as the catalog lists, i.e. the sample's events have
        all gone through the outbox, NATS and the indexer; return that number."""
        published_in_index = {"query": {"term": {"status": "published"}}}
        count_url = f"{self.env['OPENSEARCH_URL']}/{self.env['SEARCH_INDEX_ALIAS']}/_count"
        with httpx.Client(timeout=5) as client:  # one client: each new one costs ~50 ms of CPU
            published = client.get(f"{self.gateway_url}/api/v1/items", params={"size": 1}).json()["total"]
            wait_for(
                lambda: client.post(count_url, json=published_in_index).json()["count"] == published,
                timeout,
                f"{published} published items in the index",
            )
        return published

    def stores(self) -> Stores:
        """Where this stack keeps its data, for the auditor."""
        return Stores(
            catalog_database_url=self.env["CATALOG_DATABASE_URL"],
            feedback_database_url=self.env["FEEDBACK_DATABASE_URL"],
            nats_url=self.env["NATS_URL"],
            opensearch_url=self.env["OPENSEARCH_URL"],
            index_alias=self.env["SEARCH_INDEX_ALIAS"],
        )

    def print_log_tails(self, chars: int = 2000) -> None:
        for name in self.processes:
            print(f"--- {name} ---\n{self.log(name)[-chars:]}")


def stack_env(
    *, folder: Path, nats_url: str, nats_monitor_url: str, opensearch_url: str, ports: dict[str, int]
) -> dict[str, str]:
    """Every setting that points a service at this stack's infrastructure, ports and databases."""
    return {
        "PORTAL_ENV": "test",
        "NATS_URL": nats_url,
        "NATS_MONITOR_URL": nats_monitor_url,
        "OPENSEARCH_URL": opensearch_url,
        "CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/catalog.db",
        "FEEDBACK_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/feedback.db",
        # A fresh alias per stack: several stacks may share one engine.
        "SEARCH_INDEX_ALIAS": f"stack-items-{uuid.uuid4().hex[:8]}",
        **{f"{name.upper()}_GRPC_PORT": str(ports[name]) for name in GRPC_SERVICES},
        **{f"GATEWAY_{name.upper()}_ADDRESS": f"127.0.0.1:{ports[name]}" for name in GRPC_SERVICES},
        "GATEWAY_HTTP_PORT": str(ports["gateway"]),
        "SEARCH_CATALOG_ADDRESS": f"127.0.0.1:{ports['catalog']}",  # where a rebuild of the index reads items
        "FEEDBACK_CATALOG_ADDRESS": f"127.0.0.1:{ports['catalog']}",  # who a staff session belongs to
        "CATALOG_ADMIN_USERNAME": ADMIN_USERNAME,
        "GATEWAY_SESSION_SECRET": "local-stack-session-secret",
    }


@contextlib.contextmanager
def running_infrastructure(folder: Path) -> Iterator[tuple[NatsServer, str]]:
    """A NATS server and an OpenSearch engine of their own, with their data under `folder`: the NATS server and the
    engine's URL."""
    with contextlib.ExitStack() as cleanup:
        folder.mkdir(parents=True, exist_ok=True)
        nats = NatsServer(free_port(), free_port(), folder / "nats-store", folder / "nats.log")
        cleanup.callback(nats.stop)
        nats.start()
        (folder / "opensearch").mkdir(exist_ok=True)
        yield nats, cleanup.enter_context(running_opensearch(folder / "opensearch"))


@contextlib.contextmanager
def running_stack(
    folder: Path,
    *,
    nats_url: str,
    nats_monitor_url: str,
    opensearch_url: str,
    sample_items: int,
    admin_password: str,
    env: dict[str, str] | None = None,
    ready_timeout: float = 120,
) -> Iterator[PortalStack]:
    """Migrate, seed `sample_items` items, create the portal office account, start every process and wait until
    the gateway is ready (the sample may still be on its way into the index). Every process is stopped on exit,
    and when the stack fails to start, the tail of each log is printed."""
    ports = {name: free_port() for name in (*GRPC_SERVICES, "gateway")}
    settings = {
        **stack_env(
            folder=folder,
            nats_url=nats_url,
            nats_monitor_url=nats_monitor_url,
            opensearch_url=opensearch_url,
            ports=ports,
        ),
        "CATALOG_SAMPLE_ITEMS": str(sample_items),
        "CATALOG_ADMIN_PASSWORD": admin_password,
        **(env or {}),
    }
    stack = PortalStack(settings, folder, ports)
    try:
        stack.run("catalog", "migrate")
        stack.run("feedback", "migrate")
        stack.run("catalog", "seed")
        stack.run("catalog", "bootstrap-admin")
        stack.start("catalog", "catalog", "serve")
        stack.start("search", "search", "serve")
        stack.start("indexer", "search", "index")
        stack.start("feedback", "feedback", "serve")
        gateway = stack.start("gateway", "gateway", "serve")
        try:
            with httpx.Client(base_url=stack.gateway_url) as client:
                wait_for(lambda: client.get("/readyz").status_code == 200, ready_timeout, "gateway", gateway)
        except Exception:
            stack.stop()
            stack.print_log_tails()
            raise
        yield stack
    finally:
        stack.stop()
