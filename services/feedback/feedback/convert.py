"""Feedback rows → protobuf messages, shared by the gRPC API and the events."""

from google.protobuf.timestamp_pb2 import Timestamp

from feedback.models import Ticket
from portal.feedback.v1 import feedback_pb2 as pb

KIND_TO_PROTO = {
    "consultation": pb.TICKET_KIND_CONSULTATION,
    "complaint": pb.TICKET_KIND_COMPLAINT,
    "suggestion": pb.TICKET_KIND_SUGGESTION,
    "help": pb.TICKET_KIND_HELP,
}
STATUS_TO_PROTO = {
    "submitted": pb.TICKET_STATUS_SUBMITTED,
    "accepted": pb.TICKET_STATUS_ACCEPTED,
    "rejected": pb.TICKET_STATUS_REJECTED,
    "assigned": pb.TICKET_STATUS_ASSIGNED,
    "in_progress": pb.TICKET_STATUS_IN_PROGRESS,
    "answered": pb.TICKET_STATUS_ANSWERED,
    "closed": pb.TICKET_STATUS_CLOSED,
}


def _timestamp(value) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def ticket_to_public_proto(ticket: Ticket) -> pb.Ticket:
    """The resident's view: contact details stay inside the service."""
    return pb.Ticket(
        number=ticket.number,
        kind=KIND_TO_PROTO[ticket.kind],
        status=STATUS_TO_PROTO[ticket.status],
        title=ticket.title,
        content=ticket.content,
        answer=ticket.answer,
        created_at=_timestamp(ticket.created_at),
        updated_at=_timestamp(ticket.updated_at),
    )
