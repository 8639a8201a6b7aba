"""Feedback rows → protobuf messages, shared by the gRPC API and the events. Public views mask contact details
here, in one place; staff views carry them."""

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from feedback import flow, texts
from feedback.models import Experience, InboxEntry, Rating, Ticket, TicketStep
from portal.feedback.v1 import feedback_pb2 as pb

KIND_TO_PROTO = {
    "consultation": pb.TICKET_KIND_CONSULTATION,
    "complaint": pb.TICKET_KIND_COMPLAINT,
    "suggestion": pb.TICKET_KIND_SUGGESTION,
    "help": pb.TICKET_KIND_HELP,
}
KIND_FROM_PROTO = {v: k for k, v in KIND_TO_PROTO.items()}
STATUS_TO_PROTO = {
    "": pb.TICKET_STATUS_UNSPECIFIED,
    "submitted": pb.TICKET_STATUS_SUBMITTED,
    "accepted": pb.TICKET_STATUS_ACCEPTED,
    "rejected": pb.TICKET_STATUS_REJECTED,
    "assigned": pb.TICKET_STATUS_ASSIGNED,
    "in_progress": pb.TICKET_STATUS_IN_PROGRESS,
    "answered": pb.TICKET_STATUS_ANSWERED,
    "closed": pb.TICKET_STATUS_CLOSED,
    "merged": pb.TICKET_STATUS_MERGED,
    "returned": pb.TICKET_STATUS_RETURNED,
    "reopened": pb.TICKET_STATUS_REOPENED,
}
STATUS_FROM_PROTO = {v: k for k, v in STATUS_TO_PROTO.items()}
LEVEL_NAMES = {
    1: "very_dissatisfied",
    2: "dissatisfied",
    3: "basically_satisfied",
    4: "satisfied",
    5: "very_satisfied",
}
TARGET_TO_PROTO = {
    "item": pb.RATING_TARGET_ITEM,
    "department": pb.RATING_TARGET_DEPARTMENT,
    "ticket": pb.RATING_TARGET_TICKET,
}
TARGET_FROM_PROTO = {v: k for k, v in TARGET_TO_PROTO.items()}


def timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def _optional(value: datetime | None) -> Timestamp | None:
    return timestamp(value) if value else None


def step_to_proto(step: TicketStep, *, public: bool) -> pb.TicketStep:
    show_note = not public or step.action in flow.PUBLIC_NOTES
    return pb.TicketStep(
        action=step.action,
        label=flow.STEP_LABELS.get(step.action, step.action),
        status=STATUS_TO_PROTO[step.to_status],
        actor=flow.ROLE_LABELS.get(step.actor_role, "") if public else step.actor,
        note=step.note if show_note else "",
        department_id=step.department_id or 0,
        at=timestamp(step.at),
    )


def _ticket_fields(ticket: Ticket) -> dict:
    """What the resident's and the staff's view of a ticket both show, unchanged."""
    return dict(
        ticket_no=ticket.ticket_no,
        kind=KIND_TO_PROTO[ticket.kind],
        status=STATUS_TO_PROTO[ticket.status],
        subject=ticket.subject,
        body=ticket.body,
        answer=ticket.answer,
        created_at=timestamp(ticket.created_at),
        updated_at=timestamp(ticket.updated_at),
        duplicate_of=ticket.duplicate_of,
    )


def ticket_to_public_proto(ticket: Ticket, steps: list[TicketStep] = ()) -> pb.PublicTicket:
    """The resident's view: contact details masked, internal notes left out."""
    return pb.PublicTicket(
        **_ticket_fields(ticket),
        contact_name=texts.mask_name(ticket.contact_name),
        contact_phone=texts.mask_phone(ticket.contact_phone),
        department_id=ticket.handling_department_id or 0,
        deadline=_optional(ticket.deadline_at if ticket.status in flow.OPEN else None),
        steps=[step_to_proto(s, public=True) for s in steps],
    )


def ticket_to_staff_proto(
    ticket: Ticket, steps: list[TicketStep] = (), allowed_actions: list[str] = ()
) -> pb.StaffTicket:
    return pb.StaffTicket(
        **_ticket_fields(ticket),
        contact_name=ticket.contact_name,
        contact_phone=ticket.contact_phone,
        contact_email=ticket.contact_email,
        public=ticket.public,
        item_id=ticket.item_id or 0,
        department_id=ticket.department_id or 0,
        handling_department_id=ticket.handling_department_id or 0,
        assigned_at=_optional(ticket.assigned_at),
        deadline=_optional(ticket.deadline_at),
        deadline_stage=flow.DEADLINE_STAGES[ticket.deadline_stage],
        bounce_count=ticket.bounce_count,
        reopen_count=ticket.reopen_count,
        extension_days_requested=ticket.extension_days_requested,
        qa_published=ticket.qa_published,
        source=ticket.source,
        version=ticket.version,
        steps=[step_to_proto(s, public=False) for s in steps],
        allowed_actions=allowed_actions,
    )


def question_to_proto(ticket: Ticket) -> pb.ItemQuestion:
    return pb.ItemQuestion(
        ticket_no=ticket.ticket_no,
        subject=ticket.subject,
        body=ticket.body,
        answer=ticket.answer,
        asker=texts.mask_name(ticket.contact_name) or "市民",
        asked_at=timestamp(ticket.created_at),
        answered_at=_optional(ticket.answered_at),
    )


def rating_to_proto(rating: Rating) -> pb.Rating:
    return pb.Rating(
        id=rating.id,
        target=TARGET_TO_PROTO[rating.target],
        item_id=rating.item_id or 0,
        department_id=rating.department_id or 0,
        ticket_no=rating.ticket_no,
        level=rating.level,
        comment=rating.comment,
        scores=rating.scores,
        status=rating.status,
        appeal_reason=rating.appeal_reason,
        review_note=rating.review_note,
        rectification_ticket_no=rating.rectification_ticket_no,
        created_at=timestamp(rating.created_at),
    )


def item_ratings_to_proto(item_id: int, found) -> pb.ItemRatings:
    """`found`: ratings.ItemRatings (not imported: ratings imports this module)."""
    summary = found.summary
    return pb.ItemRatings(
        item_id=item_id,
        count=summary.count,
        average_level=summary.average_level,
        satisfaction_rate=summary.satisfaction_rate,
        level_counts=summary.level_counts,
        sub_scores=summary.sub_scores,
        comments=[
            pb.RatingComment(level=r.level, comment=r.comment, created_at=timestamp(r.created_at))
            for r in found.comments
        ],
        updated_at=_optional(found.updated_at),
    )


def experience_to_proto(experience: Experience, *, public: bool) -> pb.Experience:
    return pb.Experience(
        id=experience.id,
        title=experience.title,
        body=experience.body,
        item_id=experience.item_id or 0,
        department_id=experience.department_id or 0,
        author=texts.mask_name(experience.author_name) if public else experience.author_name,
        status=experience.status,
        reject_reason="" if public else experience.reject_reason,
        contact_phone="" if public else experience.contact_phone,
        created_at=timestamp(experience.created_at),
        published_at=_optional(experience.published_at),
        notes=[
            pb.ExperienceNote(
                department_id=note.department_id,
                author="" if public else note.author,
                body=note.body,
                created_at=timestamp(note.created_at),
            )
            for note in experience.notes
        ],
    )


def inbox_entry_to_proto(entry: InboxEntry) -> pb.InboxEntry:
    return pb.InboxEntry(
        id=entry.id,
        department_id=entry.department_id,
        kind=entry.kind,
        ticket_no=entry.ticket_no,
        text=entry.text,
        created_at=timestamp(entry.created_at),
        read=entry.read_at is not None,
    )
