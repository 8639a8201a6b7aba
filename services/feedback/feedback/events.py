"""What the feedback service publishes: `feedback.ticket.created` after a ticket is stored."""

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from feedback.convert import KIND_TO_PROTO
from feedback.models import OutboxEvent, Ticket
from portal.events.v1 import events_pb2
from portal_common.outbox import add_event, new_event_id

TICKET_CREATED = "feedback.ticket.created"


def stage_ticket_created(session: AsyncSession, ticket: Ticket) -> None:
    event_id = new_event_id()
    occurred_at = Timestamp()
    occurred_at.GetCurrentTime()
    event = events_pb2.TicketCreated(
        event_id=event_id,
        occurred_at=occurred_at,
        number=ticket.number,
        kind=KIND_TO_PROTO[ticket.kind],
        item_id=ticket.item_id or 0,
        department_id=ticket.department_id or 0,
    )
    add_event(session, OutboxEvent, TICKET_CREATED, event, event_id)
