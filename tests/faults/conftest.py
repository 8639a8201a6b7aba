"""Fault tests: the whole portal as separate processes on its own NATS, faults injected into it, and the auditor
at the end of each. What each test measured goes to `.local/artifacts/faults.json` and to pytest's output."""

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import grpc
import httpx
import nats
import pytest
from nats.js import JetStreamContext

from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from portal_common.audit import outbox_rows
from portal_common.database import create_engine
from portal_common.local_stack import PortalStack, running_stack
from portal_common.messaging import CATALOG_STREAM
from portal_common.testing import REPO_ROOT, NatsServer, free_port
from search.indexer import CONSUMER

PASSWORD = "fault-test-password"
SAMPLE_ITEMS = 300
RESULTS_FILE = REPO_ROOT / ".local/artifacts/faults.json"


@dataclass
class FaultStack:
    stack: PortalStack
    nats: NatsServer


# Shared by the package's modules: starting a portal costs minutes on a busy machine.
@pytest.fixture(scope="package")
def fault_stack(opensearch_url, tmp_path_factory) -> Iterator[FaultStack]:
    folder = tmp_path_factory.mktemp("faults")
    # Its own NATS: restarting it must not disturb other tests, nor its indexer share their events.
    nats_server = NatsServer(free_port(), free_port(), folder / "nats-store", folder / "nats.log")
    nats_server.start()
    unlimited = {f"GATEWAY_{kind}_BURST": "1000000" for kind in ("SEARCH", "SUGGEST", "SUBMIT")}
    try:
        with running_stack(
            folder,
            nats_url=nats_server.url,
            nats_monitor_url=nats_server.monitor_url,
            opensearch_url=opensearch_url,
            sample_items=SAMPLE_ITEMS,
            admin_password=PASSWORD,
            env=unlimited,
        ) as stack:
            stack.wait_until_indexed(120)
            yield FaultStack(stack, nats_server)
    finally:
        nats_server.stop()


@pytest.fixture(scope="session")
def fault_results() -> Iterator[dict]:
    """Figures per fault test, merged into the results file (earlier runs' other tests are kept)."""
    results: dict = {}
    yield results
    if results:
        RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
        previous = json.loads(RESULTS_FILE.read_text()) if RESULTS_FILE.exists() else {}
        RESULTS_FILE.write_text(json.dumps({**previous, **results}, ensure_ascii=False, indent=2))


def record(results: dict, fault: str, **figures) -> None:
    results[fault] = {**figures, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    print(f"\nFAULT {fault}: {json.dumps(figures, ensure_ascii=False)}")


class Catalog:
    """Back-office edits through the catalog's gRPC API, as a member of the portal office."""

    def __init__(self, stub: catalog_pb2_grpc.CatalogServiceStub, token: str):
        self.stub = stub
        self.staff = (("authorization", f"Bearer {token}"),)

    async def item_ids(self, count: int) -> list[int]:
        ids, token = [], ""
        while len(ids) < count:
            request = catalog_pb2.ListItemsRequest(page_size=min(100, count - len(ids)), page_token=token)
            page = await self.stub.ListItems(request, timeout=10)
            ids += [item.id for item in page.items]
            if not (token := page.next_page_token):
                break
        return ids

    async def touch(self, item_id: int, mark: str) -> catalog_pb2.ServiceItem:
        """A new version of the item: its summary gets `mark`."""
        item = await self.stub.GetItem(catalog_pb2.GetItemRequest(id=item_id), timeout=10)
        item.summary = f"{item.summary.split(' ·')[0]} · {mark}"
        return await self.stub.UpdateItem(catalog_pb2.UpdateItemRequest(item=item), metadata=self.staff, timeout=10)


@contextlib.asynccontextmanager
async def catalog_client(stack: PortalStack) -> AsyncIterator[Catalog]:
    async with grpc.aio.insecure_channel(stack.catalog_address) as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        login = await stub.Login(catalog_pb2.LoginRequest(username="admin", password=PASSWORD), timeout=10)
        yield Catalog(stub, login.token)


@contextlib.asynccontextmanager
async def jetstream(url: str) -> AsyncIterator[JetStreamContext]:
    connection = await nats.connect(url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    try:
        yield connection.jetstream()
    finally:
        await connection.close()


async def settle(stack: PortalStack, within: float = 90) -> float:
    """Wait until every catalog outbox row is published and the indexer has taken and acked every event; return
    how long that took."""
    started = time.monotonic()
    database = create_engine(stack.env["CATALOG_DATABASE_URL"])
    try:
        async with jetstream(stack.env["NATS_URL"]) as js, asyncio.timeout(within):
            while True:
                with contextlib.suppress(Exception):  # NATS may still be on its way back
                    pending = sum(not row.published for row in await outbox_rows(database))
                    info = await js.consumer_info(CATALOG_STREAM.name, CONSUMER.durable)
                    if pending == 0 and info.num_pending == 0 and info.num_ack_pending == 0:
                        return round(time.monotonic() - started, 2)
                await asyncio.sleep(0.1)
    finally:
        await database.dispose()


async def settle_feedback(stack: PortalStack, within: float = 60, database_url: str = "") -> None:
    """Wait until feedback's relay has published every outbox row (of the stack's database, or `database_url`)."""
    database = create_engine(database_url or stack.env["FEEDBACK_DATABASE_URL"])
    try:
        async with asyncio.timeout(within):
            while any(not row.published for row in await outbox_rows(database)):  # noqa: ASYNC110 (polling a database)
                await asyncio.sleep(0.1)
    finally:
        await database.dispose()


async def submit_steadily(
    gateway_url: str, count: int, pause: float = 0.05, answered: list[tuple[float, int]] | None = None
) -> tuple[list[str], list[str]]:
    """`count` residents' consultations through the gateway at `gateway_url`, one after another; (ticket numbers,
    refused answers). `answered` collects (time.monotonic(), HTTP status) of each answer."""
    acknowledged, refused, run = [], [], f"faults-{os.urandom(4).hex()}"
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as gateway:
        for number in range(count):
            ticket = {
                "kind": "consultation",
                "subject": f"故障测试咨询{number}",
                "body": "请问办理需要带哪些材料？",
                "contact_name": "张三",
                "contact_phone": f"1380000{number:04d}",
            }
            response = await gateway.post(
                "/api/v1/tickets", json=ticket, headers={"Idempotency-Key": f"{run}-{number:04d}"}
            )
            if answered is not None:
                answered.append((time.monotonic(), response.status_code))
            if response.status_code == 201:
                acknowledged.append(response.json()["ticket_no"])
            else:
                refused.append(f"{response.status_code} {response.text[:200]}")
            await asyncio.sleep(pause)
    return acknowledged, refused
