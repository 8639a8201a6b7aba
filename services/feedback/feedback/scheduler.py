"""The deadline scheduler: marks tickets due soon and overdue, reminds (催办) a working day after the deadline,
escalates (督办) later, closes answered tickets nobody rated, and forgets old rate-limit rows.

It runs inside every `feedback serve` replica, so it must be safe to run twice at once. It is, without a lock or
a lease: each mark is a step taken through the flow like any other, and every ticket change is a compare-and-set
on the ticket's version. When two replicas mark the same ticket, one update finds the version moved and is
dropped, so each step is recorded and announced once. `now` is a parameter, so tests drive the clock."""

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feedback import abuse, service
from feedback.flow import OPEN, RULES, THE_SCHEDULER
from feedback.models import Ticket
from feedback.policy import Policy
from portal_common.errors import DomainError
from portal_common.outbox import utcnow

log = logging.getLogger(__name__)
STAGE_ACTIONS = {1: "mark_due_soon", 2: "mark_overdue", 3: "remind", 4: "escalate"}
# Tickets whose deadline is this close may enter a stage: due soon is one working day ahead, which a long holiday
# (the October week) stretches to nine calendar days.
LOOKAHEAD = timedelta(days=15)
IDEMPOTENCY_KEYS_KEPT = timedelta(days=7)


@dataclass
class Report:
    marked: int = 0
    closed: int = 0
    lost_races: int = 0


async def run_once(sessions: async_sessionmaker[AsyncSession], *, policy: Policy, now: datetime) -> Report:
    report = Report()
    async with sessions() as session:
        due = (
            await session.execute(
                select(Ticket.id, Ticket.deadline_at, Ticket.deadline_stage).where(
                    Ticket.status.in_(OPEN), Ticket.deadline_at <= now + LOOKAHEAD, Ticket.deadline_stage < 4
                )
            )
        ).all()
        unrated = (
            await session.scalars(
                select(Ticket.id).where(
                    Ticket.status == "answered", Ticket.answered_at <= now - timedelta(days=policy.rating_window_days)
                )
            )
        ).all()
    for ticket_id, deadline, stage in due:
        reached = max((k for k, moment in policy.deadline_moments(deadline).items() if moment <= now), default=0)
        for next_stage in range(stage + 1, reached + 1):
            change = service.Change(deadline_stage=next_stage)
            if await _step(sessions, ticket_id, STAGE_ACTIONS[next_stage], change, policy, now, report):
                report.marked += 1
    for ticket_id in unrated:
        change = service.Change(note=f"{policy.rating_window_days}天内未评价，自动结案")
        if await _step(sessions, ticket_id, "close", change, policy, now, report):
            report.closed += 1
    async with sessions() as session:
        await abuse.forget_old_submissions(session, now=now, keep_keys=IDEMPOTENCY_KEYS_KEPT)
        await session.commit()
    return report


async def _step(sessions, ticket_id: int, action: str, change, policy: Policy, now: datetime, report: Report) -> bool:
    """One step on one ticket in its own transaction; False when another replica (or a person) got there first."""
    async with sessions() as session:
        ticket = await session.get(Ticket, ticket_id)
        if ticket is None or (change.deadline_stage and ticket.deadline_stage >= change.deadline_stage):
            report.lost_races += 1
            return False
        try:
            await service.apply(
                session, ticket=ticket, rule=RULES[action], actor=THE_SCHEDULER, change=change, policy=policy, now=now
            )
            await session.commit()
        except DomainError as error:  # the version moved, or the ticket left the status meanwhile
            log.info("scheduler: %s on ticket %s skipped: %s", action, ticket_id, error.code)
            report.lost_races += 1
            return False
    return True


async def run_forever(
    sessions: async_sessionmaker[AsyncSession],
    *,
    policy: Policy,
    interval: float,
    on_commit: Callable[[], None],
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """A pass every `interval` seconds (with jitter, so replicas spread out) until cancelled."""
    while True:
        try:
            report = await run_once(sessions, policy=policy, now=clock())
            if report.marked or report.closed:
                log.info("scheduler: %d deadline marks, %d closed", report.marked, report.closed)
                on_commit()
        except Exception:  # the database away for a moment: the next pass catches up
            log.exception("scheduler pass failed")
        await asyncio.sleep(interval * random.uniform(0.8, 1.2))
