"""What the feedback service publishes, staged in the outbox in the same transaction as the change:

- `feedback.ticket.created` (TicketCreated) and `feedback.ticket.<step>` (TicketChanged) for every later step;
- `feedback.rating.<made|appealed|appeal_upheld|appeal_rejected>` (RatingChanged);
- `feedback.experience.<submitted|published|rejected|noted>` (ExperienceChanged).
"""

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from feedback.convert import KIND_TO_PROTO, STATUS_TO_PROTO, rating_to_proto, timestamp
from feedback.models import Experience, OutboxEvent, Rating, Ticket, TicketStep
from portal.events.v1 import events_pb2
from portal_common.outbox import add_event, new_event_id

TICKET_CREATED = "feedback.ticket.created"


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.GetCurrentTime()
    return stamp


def _optional_timestamp(value: datetime | None) -> Timestamp | None:
    return timestamp(value) if value else None


def stage_ticket_created(session: AsyncSession, ticket: Ticket) -> None:
    event_id = new_event_id()
    event = events_pb2.TicketCreated(
        event_id=event_id,
        occurred_at=_now(),
        ticket_no=ticket.ticket_no,
        kind=KIND_TO_PROTO[ticket.kind],
        item_id=ticket.item_id or 0,
        department_id=ticket.department_id or 0,
        subject=ticket.subject,
        source=ticket.source,
        handling_department_id=ticket.handling_department_id or 0,
    )
    add_event(session, OutboxEvent, TICKET_CREATED, event, event_id)


def stage_ticket_changed(
    session: AsyncSession, ticket: Ticket, step: TicketStep, *, previous_department_id: int | None
) -> None:
    event_id = new_event_id()
    event = events_pb2.TicketChanged(
        event_id=event_id,
        occurred_at=_now(),
        ticket_no=ticket.ticket_no,
        kind=KIND_TO_PROTO[ticket.kind],
        step=step.action,
        from_status=STATUS_TO_PROTO[step.from_status],
        to_status=STATUS_TO_PROTO[step.to_status],
        department_id=ticket.handling_department_id or 0,
        previous_department_id=previous_department_id or 0,
        actor=step.actor,
        note=step.note,
        deadline=_optional_timestamp(ticket.deadline_at),
        subject=ticket.subject,
        item_id=ticket.item_id or 0,
    )
    add_event(session, OutboxEvent, f"feedback.ticket.{step.action}", event, event_id)


def stage_rating_changed(session: AsyncSession, rating: Rating, step: str) -> None:
    event_id = new_event_id()
    event = events_pb2.RatingChanged(event_id=event_id, occurred_at=_now(), step=step, rating=rating_to_proto(rating))
    add_event(session, OutboxEvent, f"feedback.rating.{step}", event, event_id)


def stage_experience_changed(session: AsyncSession, experience: Experience, step: str) -> None:
    event_id = new_event_id()
    event = events_pb2.ExperienceChanged(
        event_id=event_id,
        occurred_at=_now(),
        step=step,
        experience_id=experience.id,
        item_id=experience.item_id or 0,
        department_id=experience.department_id or 0,
        title=experience.title,
    )
    add_event(session, OutboxEvent, f"feedback.experience.{step}", event, event_id)
