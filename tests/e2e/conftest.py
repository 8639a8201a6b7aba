"""The whole stack as separate processes, as `make run` starts it, on test ports with traces collected."""

from collections.abc import Iterator

import httpx
import pytest

from portal_common.local_stack import ADMIN_USERNAME, PortalStack, running_stack
from portal_common.testing import free_port, wait_for
from tests.e2e.trace_collector import TraceCollector

ADMIN_PASSWORD = "test-admin-password"


@pytest.fixture(scope="session")
def trace_collector() -> Iterator[TraceCollector]:
    collector = TraceCollector()
    collector.start()
    yield collector
    collector.stop()


@pytest.fixture(scope="session")
def stack(nats_server, opensearch_url, trace_collector, tmp_path_factory) -> Iterator[PortalStack]:
    settings = {
        # Every test shares 127.0.0.1: the limits are tested on a gateway of their own (test_pages.py).
        "GATEWAY_SEARCH_BURST": "1000000",
        "GATEWAY_SUGGEST_BURST": "1000000",
        "GATEWAY_SUBMIT_BURST": "1000000",
        # Every test submits from 127.0.0.1 and a handful of phone numbers: the feedback service's own limits are
        # tested on its own (services/feedback/tests), the shared stack must not run out of them halfway.
        "FEEDBACK_IP_HOURLY_LIMIT": "1000000",
        "FEEDBACK_PHONE_DAILY_LIMIT": "1000000",
        # Failed log-ins from 127.0.0.1 add up across tests (and the fuzzer): lock only one account at a time.
        "CATALOG_LOGIN_FAILURES_PER_ADDRESS": "1000000",
        # Every test reads its own writes at once: the page cache, whose events arrive a moment after a write, is
        # tested on a gateway of its own (test_page_cache.py, and the load smoke test).
        "GATEWAY_PAGE_CACHE_MB": "0",
        # Several test runs share these cores: a staff account's password hash can take longer than production's 3 s.
        "GATEWAY_RPC_TIMEOUT": "15",
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{trace_collector.port}",
        "OTEL_EXPORTER_OTLP_INSECURE": "true",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    with running_stack(
        tmp_path_factory.mktemp("stack"),
        nats_url=nats_server.url,
        nats_monitor_url=nats_server.monitor_url,
        opensearch_url=opensearch_url,
        sample_items=1000,
        admin_password=ADMIN_PASSWORD,
        env=settings,
    ) as stack:
        yield stack


@pytest.fixture(scope="session")
def admin_token(stack) -> str:
    """A portal office session, as an API client holds it."""
    response = httpx.post(
        f"{stack.gateway_url}/api/v1/auth/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response.json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def indexed(stack) -> None:
    """The sample catalog's backlog of events indexed: every published item is searchable, and a new edit does
    not queue behind the sample."""
    stack.wait_until_indexed(120)


def second_gateway(stack, name: str, **env: str) -> str:
    """Another gateway process on the same services, with some settings changed; its URL."""
    port = free_port()
    process = stack.start(name, "gateway", "serve", env={"GATEWAY_HTTP_PORT": str(port), **env})
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: httpx.get(f"{url}/healthz").status_code == 200, 120, name, process)  # a busy box starts slowly
    return url
