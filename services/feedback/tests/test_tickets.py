"""Residents' tickets: stored with a number and query code, tracked without an account (SQLite and PostgreSQL)."""

import pytest
from sqlalchemy import select

from feedback import service
from feedback.convert import ticket_to_public_proto
from feedback.models import MIGRATIONS, OutboxEvent, TicketStep
from portal.events.v1 import events_pb2
from portal_common.errors import Invalid, NotFound
from portal_common.testing import migrated_sessions


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(database_url, MIGRATIONS) as factory:
        yield factory


def consultation(**changes) -> service.Submission:
    fields = dict(
        kind="consultation",
        title="驾照补办需要什么材料",
        content="驾照丢了，补办需要带哪些材料？",
        contact_name="王小明",
        contact_phone="13800138000",
    )
    return service.Submission(**{**fields, **changes})


async def test_submitted_ticket_can_be_tracked_with_its_code(sessions):
    async with sessions() as session:
        ticket, code = await service.submit_ticket(session, submission=consultation())
        await session.commit()
    assert len(code) == service.CODE_LENGTH
    async with sessions() as session:
        tracked = await service.track_ticket(session, number=ticket.number, query_code=code.lower())
        steps = (await session.scalars(select(TicketStep))).all()
        outbox = (await session.scalars(select(OutboxEvent))).one()
    assert tracked.status == "submitted"
    assert [s.action for s in steps] == ["submitted"]
    assert events_pb2.TicketCreated.FromString(outbox.payload).number == ticket.number


async def test_public_view_never_shows_contact_details(sessions):
    async with sessions() as session:
        ticket, _ = await service.submit_ticket(session, submission=consultation())
        public = ticket_to_public_proto(ticket)
    assert "13800138000" not in str(public) and "王小明" not in str(public)


async def test_wrong_code_and_unknown_number_get_the_same_answer(sessions):
    async with sessions() as session:
        ticket, code = await service.submit_ticket(session, submission=consultation())
        await session.commit()
        wrong_code = "A" * service.CODE_LENGTH if code != "A" * service.CODE_LENGTH else "B" * service.CODE_LENGTH
        with pytest.raises(NotFound) as wrong:
            await service.track_ticket(session, number=ticket.number, query_code=wrong_code)
        with pytest.raises(NotFound) as unknown:
            await service.track_ticket(session, number="20990101999999", query_code=code)
    assert wrong.value.message == unknown.value.message


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kind": "praise"}, "ticket_kind_invalid"),
        ({"title": " "}, "ticket_title_invalid"),
        ({"content": "长" * 2001}, "ticket_content_invalid"),
        ({"contact_phone": "call me"}, "ticket_phone_invalid"),
    ],
)
async def test_bad_submissions_are_refused_and_nothing_is_stored(sessions, changes, code):
    async with sessions() as session:
        with pytest.raises(Invalid) as refused:
            await service.submit_ticket(session, submission=consultation(**changes))
        await session.commit()
        assert (await session.scalars(select(OutboxEvent))).first() is None
    assert refused.value.code == code
