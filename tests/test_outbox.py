"""The outbox relay publishes committed events in order, once, and holds them while NATS is away."""

import asyncio
import contextlib
import logging
import uuid

import nats
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase

from portal_common import messaging
from portal_common.audit import Stores, assert_consistent, audit
from portal_common.database import create_engine, session_factory
from portal_common.outbox import OutboxMixin, OutboxRelay, add_event, new_event_id
from portal_common.testing import NatsServer, free_port


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


@pytest.fixture
async def sessions(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/outbox.db")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
def stream() -> messaging.Stream:
    name = f"OUTBOX{uuid.uuid4().hex[:8].upper()}"
    return messaging.Stream(name, (f"{name.lower()}.>",))


async def stage(sessions, stream, count: int) -> list[str]:
    ids = []
    async with sessions() as session:
        for _ in range(count):
            ids.append(new_event_id())
            add_event(session, OutboxEvent, f"{stream.name.lower()}.happened", Timestamp(seconds=len(ids)), ids[-1])
        await session.commit()
    return ids


async def stored_ids(nats_url: str, stream: messaging.Stream, expected: int) -> list[str]:
    connection = await nats.connect(nats_url)
    js = connection.jetstream()
    subscription = await js.pull_subscribe(f"{stream.name.lower()}.>", stream=stream.name)
    messages = await subscription.fetch(expected, timeout=10)
    await connection.close()
    return [m.headers[messaging.MSG_ID] for m in messages]


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay):
    task = asyncio.create_task(relay.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_until_published(sessions, count: int) -> None:
    async with asyncio.timeout(20):
        while True:
            async with sessions() as session:
                rows = (await session.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_not(None)))).all()
            if len(rows) == count:
                return
            await asyncio.sleep(0.1)


async def test_relay_publishes_committed_events_in_order_once(sessions, stream, nats_server):
    ids = await stage(sessions, stream, 5)
    relay = OutboxRelay(sessions, OutboxEvent, nats_server.url, (stream,))
    async with running(relay):
        await wait_until_published(sessions, 5)
        relay.notify()  # another pass must not publish anything again
        await asyncio.sleep(0.3)
    assert await stored_ids(nats_server.url, stream, 10) == ids


async def test_events_written_while_nats_is_down_are_published_when_it_returns(sessions, stream, nats_server):
    nats_server.stop()
    try:
        ids = await stage(sessions, stream, 3)
        relay = OutboxRelay(sessions, OutboxEvent, nats_server.url, (stream,))
        async with running(relay):
            await asyncio.sleep(1)
            nats_server.start()
            await wait_until_published(sessions, 3)
    finally:
        if nats_server.process.poll() is not None:
            nats_server.start()
    assert await stored_ids(nats_server.url, stream, 3) == ids


async def test_a_full_event_store_keeps_events_in_the_outbox_and_says_so(sessions, stream, tmp_path, caplog):
    caplog.set_level(logging.ERROR, logger="portal_common.outbox")
    server = NatsServer(free_port(), free_port(), tmp_path / "store", tmp_path / "nats.log", max_store_bytes=64 * 1024)
    server.start()
    try:
        async with sessions() as session:
            for _ in range(200):  # ~200 KB of events for a 64 KB store
                add_event(
                    session,
                    OutboxEvent,
                    f"{stream.name.lower()}.happened",
                    StringValue(value="事" * 330),
                    new_event_id(),
                )
            await session.commit()
        relay = OutboxRelay(sessions, OutboxEvent, server.url, (stream,))
        async with running(relay):
            async with asyncio.timeout(30):
                while not any("JetStream refused" in r.message for r in caplog.records):  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
        stores = Stores(catalog_database_url=f"sqlite+aiosqlite:///{tmp_path}/outbox.db", nats_url=server.url)
        full = await audit(stores)
        [unpublished] = full.findings.values()
        assert 0 < len(unpublished) < 200  # the store took what it could; the rest is kept, none dropped
        assert all("never published" in finding for finding in unpublished)

        server.stop()
        server.max_store_bytes = None  # the operator makes room
        server.start()
        async with running(relay):
            await wait_until_published(sessions, 200)
        await assert_consistent(stores)
    finally:
        server.stop()
