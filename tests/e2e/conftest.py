"""The whole stack as separate processes, as `make run` starts it, on test ports with traces collected."""

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from portal_common.testing import free_port, run_module, start_module, stop, wait_for
from tests.e2e.trace_collector import TraceCollector

ADMIN_PASSWORD = "test-admin-password"


@dataclass
class Stack:
    env: dict[str, str]
    folder: Path
    gateway_url: str
    catalog_address: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, *command: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        process = start_module(list(command), {**self.env, **(env or {})}, self.folder / f"{name}.log")
        self.processes[name] = process
        return process

    def run(self, *command: str) -> None:
        run_module(list(command), self.env)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")


@pytest.fixture(scope="session")
def trace_collector() -> Iterator[TraceCollector]:
    collector = TraceCollector()
    collector.start()
    yield collector
    collector.stop()


@pytest.fixture(scope="session")
def stack(nats_server, opensearch_url, trace_collector, tmp_path_factory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("stack")
    ports = {name: free_port() for name in ("catalog", "search", "feedback", "gateway")}
    env = {
        "PORTAL_ENV": "test",
        "NATS_URL": nats_server.url,
        "NATS_MONITOR_URL": nats_server.monitor_url,
        "OPENSEARCH_URL": opensearch_url,
        "CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/catalog.db",
        "FEEDBACK_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/feedback.db",
        "CATALOG_GRPC_PORT": str(ports["catalog"]),
        "SEARCH_GRPC_PORT": str(ports["search"]),
        "FEEDBACK_GRPC_PORT": str(ports["feedback"]),
        "FEEDBACK_CATALOG_ADDRESS": f"127.0.0.1:{ports['catalog']}",
        "SEARCH_INDEX_ALIAS": f"e2e-items-{uuid.uuid4().hex[:8]}",
        "GATEWAY_HTTP_PORT": str(ports["gateway"]),
        "GATEWAY_CATALOG_ADDRESS": f"127.0.0.1:{ports['catalog']}",
        "GATEWAY_SEARCH_ADDRESS": f"127.0.0.1:{ports['search']}",
        "GATEWAY_FEEDBACK_ADDRESS": f"127.0.0.1:{ports['feedback']}",
        "CATALOG_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CATALOG_SAMPLE_ITEMS": "1000",
        "GATEWAY_SESSION_SECRET": "test-session-secret",
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{trace_collector.port}",
        "OTEL_EXPORTER_OTLP_INSECURE": "true",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    stack = Stack(env, folder, f"http://127.0.0.1:{ports['gateway']}", f"127.0.0.1:{ports['catalog']}")
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
        wait_for(lambda: httpx.get(f"{stack.gateway_url}/readyz").status_code == 200, 60, "gateway", gateway)
    except Exception:
        for name, process in stack.processes.items():
            stop(process)
            print(f"--- {name} ---\n{stack.log(name)[-2000:]}")
        raise
    yield stack
    for process in stack.processes.values():
        stop(process)


@pytest.fixture(scope="session")
def admin_token(stack) -> str:
    """A portal office session, as an API client holds it."""
    response = httpx.post(
        f"{stack.gateway_url}/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response.json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def indexed(stack) -> None:
    """Wait until the sample catalog's backlog of events is indexed: every published item is searchable."""
    from opensearchpy import OpenSearch

    published = httpx.get(f"{stack.gateway_url}/api/v1/items", params={"size": 1}).json()["total"]
    engine = OpenSearch(stack.env["OPENSEARCH_URL"])
    query = {"query": {"term": {"status": "published"}}}

    def all_indexed() -> bool:
        return engine.count(index=stack.env["SEARCH_INDEX_ALIAS"], body=query)["count"] >= published

    wait_for(all_indexed, 120, f"{published} published items in the index", stack.processes["indexer"])
    engine.close()
