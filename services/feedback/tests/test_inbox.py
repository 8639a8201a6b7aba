"""Department inboxes, filled from the events by the durable consumer over a real NATS JetStream: every step
reaches the departments concerned once, whatever is redelivered (SQLite and PostgreSQL)."""

import asyncio
import dataclasses

import grpc
import nats
import pytest
from sqlalchemy import func, select

from feedback import inbox
from feedback.models import InboxEntry, OutboxEvent
from portal.feedback.v1 import feedback_pb2 as pb
from portal_common import messaging
from portal_common.messaging import FEEDBACK_STREAM
from portal_common.outbox import OutboxRelay
from portal_common.testing import NatsServer, free_port
from services.feedback.tests.support import FIRST, SECOND, error_code


@pytest.fixture
def nats_alone(tmp_path):
    server = NatsServer(free_port(), free_port(), tmp_path / "nats-store", tmp_path / "nats.log")
    server.start()
    yield server
    server.stop()


async def relay_and_file(sessions, url: str, expected_entries: int, durable: str = "") -> None:
    """Publish the outbox, consume it into the inboxes until `expected_entries` are filed, then stop."""
    relay = OutboxRelay(sessions, OutboxEvent, url, (FEEDBACK_STREAM,))
    consumer = dataclasses.replace(inbox.CONSUMER, durable=durable) if durable else inbox.CONSUMER
    connection = await nats.connect(url)
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(relay.run()),
        asyncio.create_task(
            messaging.consume(connection.jetstream(), consumer, inbox.InboxFiler(sessions).handle, stop)
        ),
    ]

    async def filed() -> int:
        async with sessions() as session:
            return await session.scalar(select(func.count()).select_from(InboxEntry))

    try:
        async with asyncio.timeout(20):
            while await filed() < expected_entries:  # noqa: ASYNC110 (polling the database)
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # room for an extra entry, if one were coming
        assert await filed() == expected_entries
    finally:
        stop.set()
        tasks[0].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await connection.close()


async def inbox_of(api, token: str, **fields) -> pb.ListInboxResponse:
    return await api.as_staff(token, "ListInbox", pb.ListInboxRequest(**fields))


async def test_each_department_hears_of_its_own_work(api, sessions, nats_alone):
    ticket_no = (await api.submit()).ticket_no
    await api.step("office", ticket_no, "accept")
    await api.step("office", ticket_no, "assign", department_id=FIRST)
    await api.step("first", ticket_no, "return", note="应由人社局办理")
    await api.step("office", ticket_no, "assign", department_id=SECOND)
    await api.stub.SubmitRating(pb.SubmitRatingRequest(target=pb.RATING_TARGET_ITEM, item_id=502, level=1))
    await api.stub.SubmitExperience(pb.SubmitExperienceRequest(title="办事经历", body="很顺利", department_id=FIRST))

    # office: new ticket, returned, experience to moderate; first: assigned;
    # second: assigned, the rectification ticket, the rating
    await relay_and_file(sessions, nats_alone.url, expected_entries=7)

    office = await inbox_of(api, "office")
    assert [e.kind for e in office.items] == ["experience.submitted", "ticket.returned", "ticket.created"]
    assert "应由人社局办理" in office.items[1].text
    first = await inbox_of(api, "first")
    assert [(e.kind, e.ticket_no) for e in first.items] == [("ticket.assigned", ticket_no)]
    second = await inbox_of(api, "second")
    assert [e.kind for e in second.items] == ["rating.made", "ticket.assigned", "ticket.assigned"]
    assert "非常不满意" in second.items[0].text and "差评整改" in second.items[1].text

    entry = first.items[0]
    read = await api.as_staff("first", "MarkInboxRead", pb.MarkInboxReadRequest(id=entry.id))
    assert read.read and not (await inbox_of(api, "first", unread_only=True)).items
    assert (await inbox_of(api, "first")).unread == 0
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await api.as_staff("second", "MarkInboxRead", pb.MarkInboxReadRequest(id=entry.id))
    assert error_code(refused.value) == "forbidden_department"
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await inbox_of(api, "second", department_id=FIRST)
    assert error_code(refused.value) == "forbidden_department"
    assert (await inbox_of(api, "office", department_id=FIRST)).total == 1


async def test_a_replayed_stream_files_nothing_twice(api, sessions, nats_alone):
    ticket_no = (await api.submit()).ticket_no
    await api.step("office", ticket_no, "accept")
    await api.step("office", ticket_no, "assign", department_id=FIRST)
    await relay_and_file(sessions, nats_alone.url, expected_entries=2)
    # A second consumer reads the whole stream again, as after a lost acknowledgement.
    await relay_and_file(sessions, nats_alone.url, expected_entries=2, durable="feedback-inbox-replay")


def test_an_undecodable_event_is_poison():
    with pytest.raises(messaging.Poison):
        inbox.notices("feedback.ticket.assigned", b"\xff\xfe not protobuf")
