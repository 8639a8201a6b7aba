"""The deadline scheduler, driven by a clock the test sets (nothing sleeps): marks, reminders, escalations,
automatic closing, and two replicas at once taking each step once (SQLite and PostgreSQL)."""

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from feedback import scheduler, service
from feedback.flow import DEPARTMENT, OFFICE, Actor
from feedback.models import OutboxEvent, Ticket, TicketStep
from feedback.policy import Policy
from feedback.workdays import WorkCalendar, parse_days
from services.feedback.tests.support import FIRST, MONDAY, consultation

OFFICE_CLERK = Actor("office", OFFICE)
CLERK = Actor("clerk", DEPARTMENT, FIRST)


async def assigned_ticket(sessions, policy: Policy, now=MONDAY, kind="consultation") -> str:
    async with sessions() as session:
        ticket, _ = await service.submit_ticket(session, submission=consultation(kind=kind), policy=policy, now=now)
        await session.commit()
    await take(sessions, policy, ticket.ticket_no, ("accept", OFFICE_CLERK), ("assign", OFFICE_CLERK, FIRST), now=now)
    return ticket.ticket_no


async def take(sessions, policy: Policy, ticket_no: str, *steps, now=MONDAY) -> None:
    """Steps as (action, actor[, department_id, extension days, note])."""
    async with sessions() as session:
        for action, actor, *rest in steps:
            department_id, days, note = [*rest, *(0, 0, "")[len(rest) :]]
            change = service.Change(department_id=department_id, extension_days=days, note=note)
            await service.transition(
                session, ticket_no=ticket_no, action=action, actor=actor, change=change, policy=policy, now=now
            )
        await session.commit()


async def steps_of(sessions, ticket_no: str) -> list[str]:
    async with sessions() as session:
        ticket = await session.scalar(select(Ticket).where(Ticket.ticket_no == ticket_no))
        return [s.action for s in await service.ticket_steps(session, ticket=ticket)]


async def test_each_stage_comes_at_its_moment_and_only_once(sessions, policy):
    ticket_no = await assigned_ticket(sessions, policy)  # Monday 10:00, due Thursday 10:00
    timeline = [
        (timedelta(days=1, hours=23), []),  # Wednesday 09:00: not yet due soon
        (timedelta(days=2), ["due_soon"]),  # Wednesday 10:00
        (timedelta(days=2, hours=12), []),
        (timedelta(days=3), ["overdue"]),  # Thursday 10:00
        (timedelta(days=4), ["reminded"]),  # Friday 10:00: 催办 the working day after
        (timedelta(days=6), []),  # the weekend does not count
        (timedelta(days=8), ["escalated"]),  # Tuesday: 督办 three working days after the deadline
        (timedelta(days=30), []),
    ]
    for offset, expected in timeline:
        before = await steps_of(sessions, ticket_no)
        await scheduler.run_once(sessions, policy=policy, now=MONDAY + offset)
        assert (await steps_of(sessions, ticket_no))[len(before) :] == expected, offset


async def test_a_scheduler_that_was_away_catches_up_in_order(sessions, policy):
    ticket_no = await assigned_ticket(sessions, policy)
    report = await scheduler.run_once(sessions, policy=policy, now=MONDAY + timedelta(days=20))
    assert report.marked == 4
    assert (await steps_of(sessions, ticket_no))[-4:] == ["due_soon", "overdue", "reminded", "escalated"]


async def test_holidays_move_the_stages(sessions):
    policy = Policy(calendar=WorkCalendar(holidays=parse_days(["2026-11-03..2026-11-04"])))
    ticket_no = await assigned_ticket(sessions, policy)  # Monday; Tuesday and Wednesday off: due next Monday
    await scheduler.run_once(sessions, policy=policy, now=MONDAY + timedelta(days=3))  # plain Thursday
    assert (await steps_of(sessions, ticket_no))[-1] == "assigned"
    await scheduler.run_once(sessions, policy=policy, now=MONDAY + timedelta(days=7))
    assert (await steps_of(sessions, ticket_no))[-2:] == ["due_soon", "overdue"]


async def test_two_replicas_at_once_take_each_step_once(sessions, policy):
    numbers = [await assigned_ticket(sessions, policy) for _ in range(8)]
    later = MONDAY + timedelta(days=20)
    reports = await asyncio.gather(*(scheduler.run_once(sessions, policy=policy, now=later) for _ in range(2)))
    assert sum(r.marked for r in reports) == 4 * len(numbers)
    for number in numbers:
        assert (await steps_of(sessions, number))[-4:] == ["due_soon", "overdue", "reminded", "escalated"]
    async with sessions() as session:
        marks = await session.scalar(
            select(func.count()).select_from(TicketStep).where(TicketStep.action.in_(["overdue", "escalated"]))
        )
        events = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.subject == "feedback.ticket.escalated")
        )
    assert (marks, events) == (2 * len(numbers), len(numbers))


async def test_a_granted_extension_starts_the_stages_over(sessions, policy):
    ticket_no = await assigned_ticket(sessions, policy)
    steps = [("sign", CLERK), ("request_extension", CLERK, 0, 3, "需要现场核实"), ("grant_extension", OFFICE_CLERK)]
    await take(sessions, policy, ticket_no, *steps)
    await scheduler.run_once(sessions, policy=policy, now=MONDAY + timedelta(days=3))  # the old deadline
    assert (await steps_of(sessions, ticket_no))[-1] == "extension_granted"
    await scheduler.run_once(sessions, policy=policy, now=MONDAY + timedelta(days=8))  # Tuesday, the new one
    assert (await steps_of(sessions, ticket_no))[-2:] == ["due_soon", "overdue"]


async def test_answered_tickets_nobody_rated_are_closed_after_the_window(sessions, policy):
    ticket_no = await assigned_ticket(sessions, policy)
    await take(sessions, policy, ticket_no, ("sign", CLERK), ("answer", CLERK, 0, 0, "答复"))
    await scheduler.run_once(sessions, policy=policy, now=MONDAY + timedelta(days=6))
    assert (await steps_of(sessions, ticket_no))[-1] == "answered"
    report = await scheduler.run_once(sessions, policy=policy, now=MONDAY + timedelta(days=7, minutes=1))
    assert report.closed == 1 and (await steps_of(sessions, ticket_no))[-1] == "closed"
