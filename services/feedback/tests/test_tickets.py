"""Residents' tickets: stored with a number and query code, tracked without an account, guarded against retries,
bots and floods (SQLite and PostgreSQL)."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback import abuse, service
from feedback.abuse import Origin
from feedback.convert import ticket_to_public_proto
from feedback.models import OutboxEvent, RecentSubmission, Ticket, TicketStep
from feedback.policy import Policy
from portal.events.v1 import events_pb2
from portal_common.errors import Conflict, Invalid, NotFound, TooManyRequests
from services.feedback.tests.support import MONDAY, consultation


async def submit(sessions, submission=None, origin=None, policy=None, now=MONDAY):
    async with sessions() as session:
        ticket, code = await service.submit_ticket(
            session,
            submission=submission or consultation(),
            origin=origin or Origin(),
            policy=policy or Policy(),
            now=now,
        )
        await session.commit()
        return ticket, code


async def count(sessions, model) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_submitted_ticket_can_be_tracked_with_its_code(sessions):
    ticket, code = await submit(sessions)
    assert len(code) == service.CODE_LENGTH
    assert ticket.ticket_no.startswith("20261102")  # the day in Beijing
    async with sessions() as session:
        tracked = await service.track_ticket(session, ticket_no=ticket.ticket_no, query_code=code.lower())
        steps = (await session.scalars(select(TicketStep))).all()
        outbox = (await session.scalars(select(OutboxEvent))).one()
    assert tracked.status == "submitted"
    assert [s.action for s in steps] == ["submitted"]
    assert outbox.subject == "feedback.ticket.created"
    assert events_pb2.TicketCreated.FromString(outbox.payload).ticket_no == ticket.ticket_no


async def test_public_view_masks_contact_details(sessions):
    ticket, _ = await submit(sessions, consultation(contact_email="wang@example.cn"))
    public = str(ticket_to_public_proto(ticket))
    assert "13800138000" not in public and "王小明" not in public and "wang@" not in public
    assert "138****8000" in public and "王**" in public


async def test_wrong_code_and_unknown_number_get_the_same_answer(sessions):
    ticket, code = await submit(sessions)
    wrong_code = "A" * service.CODE_LENGTH if code != "A" * service.CODE_LENGTH else "B" * service.CODE_LENGTH
    async with sessions() as session:
        with pytest.raises(NotFound) as wrong:
            await service.track_ticket(session, ticket_no=ticket.ticket_no, query_code=wrong_code)
        with pytest.raises(NotFound) as unknown:
            await service.track_ticket(session, ticket_no="20990101999999", query_code=code)
    assert wrong.value.message == unknown.value.message


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"kind": "praise"}, "ticket_kind_invalid", "kind"),
        ({"subject": " "}, "ticket_subject_invalid", "subject"),
        ({"subject": "长" * 101}, "ticket_subject_invalid", "subject"),
        ({"body": "长" * 2001}, "ticket_body_invalid", "body"),
        ({"body": "nul\x00byte"}, "ticket_body_invalid", "body"),
        ({"contact_name": "名" * 51}, "ticket_name_invalid", "contact_name"),
        ({"contact_phone": "call me"}, "ticket_phone_invalid", "contact_phone"),
        ({"contact_email": "not-an-address"}, "ticket_email_invalid", "contact_email"),
    ],
)
async def test_bad_submissions_are_refused_in_chinese_and_nothing_is_stored(sessions, changes, code, field):
    with pytest.raises(Invalid) as refused:
        await submit(sessions, consultation(**changes))
    assert (refused.value.code, refused.value.field) == (code, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert await count(sessions, Ticket) == 0 and await count(sessions, OutboxEvent) == 0


async def test_markup_is_stored_as_typed(sessions):
    typed = '<script>alert("x")</script> & <b>粗体</b>'
    ticket, code = await submit(sessions, consultation(subject=typed, body=typed))
    async with sessions() as session:
        stored = await service.track_ticket(session, ticket_no=ticket.ticket_no, query_code=code)
    assert stored.subject == typed and stored.body == typed


async def test_a_retry_with_the_same_key_answers_the_first_ticket(sessions):
    origin = Origin(idempotency_key="form-7f3a9c2e")
    first, first_code = await submit(sessions, origin=origin)
    again, again_code = await submit(sessions, origin=origin)
    assert (again.ticket_no, again_code) == (first.ticket_no, first_code)
    assert await count(sessions, Ticket) == 1 and await count(sessions, OutboxEvent) == 1
    async with sessions() as session:  # the code still opens the ticket, though only its hash is stored
        await service.track_ticket(session, ticket_no=first.ticket_no, query_code=again_code)


async def test_the_same_key_with_other_content_is_refused(sessions):
    origin = Origin(idempotency_key="form-7f3a9c2e")
    await submit(sessions, origin=origin)
    with pytest.raises(Conflict) as refused:
        await submit(sessions, consultation(body="另一个问题"), origin=origin)
    assert refused.value.code == "idempotency_key_reused"
    assert await count(sessions, Ticket) == 1


async def test_a_malformed_key_is_refused(sessions):
    with pytest.raises(Invalid) as refused:
        await submit(sessions, origin=Origin(idempotency_key="short"))
    assert refused.value.code == "idempotency_key_invalid"


async def test_simultaneous_retries_make_one_ticket(sessions):
    origin = Origin(idempotency_key="double-click-0001")
    answers = await asyncio.gather(*(submit(sessions, origin=origin) for _ in range(6)))
    assert len({(ticket.ticket_no, code) for ticket, code in answers}) == 1
    assert await count(sessions, Ticket) == 1


async def test_the_honeypot_refuses_bots_and_stores_nothing(sessions):
    with pytest.raises(Invalid) as refused:
        await submit(sessions, consultation(honeypot="http://spam.example"))
    assert refused.value.code == "submission_refused"
    assert await count(sessions, Ticket) == 0


async def test_rate_limits_per_address_and_per_phone(sessions):
    policy = Policy(ip_hourly_limit=3, phone_daily_limit=5)
    same_address = Origin(client_ip="203.0.113.9")
    for n in range(3):
        await submit(sessions, consultation(contact_phone=f"1390013900{n}"), same_address, policy)
    with pytest.raises(TooManyRequests) as flooded:
        await submit(sessions, consultation(contact_phone="13900139009"), same_address, policy)
    assert flooded.value.code == "too_many_submissions" and "1小时" in flooded.value.message
    await submit(sessions, consultation(), same_address, policy, now=MONDAY + timedelta(minutes=61))

    for n in range(4):  # the same phone from other addresses: five a day
        await submit(sessions, consultation(), Origin(client_ip=f"198.51.100.{n}"), policy)
    with pytest.raises(TooManyRequests):
        await submit(sessions, consultation(contact_phone="+86 138-0013-8000"), Origin(client_ip="192.0.2.1"), policy)
    assert await count(sessions, Ticket) == 8


async def test_old_rate_limit_rows_are_forgotten(sessions):
    await submit(sessions, origin=Origin(client_ip="203.0.113.9"))
    async with sessions() as session:
        await abuse.forget_old_submissions(session, now=MONDAY + timedelta(days=3), keep_keys=timedelta(days=7))
        await session.commit()
    assert await count(sessions, RecentSubmission) == 0


def test_validation_trims_but_keeps_the_text():
    cleaned = service.validate(consultation(subject="  标题  ", body="\n第一行\n第二行\n"))
    assert cleaned == replace(consultation(), subject="标题", body="第一行\n第二行")
