"""The feedback JSON API under /api/v1: residents' tickets, ratings and shared experiences, and the staff's work
on them under /api/v1/admin. The feedback service checks every staff call's session and role itself; the
gateway passes the session on, and the resident's address for the rate limits."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request

from gateway.auth import ServicesDep, StaffDep
from gateway.convert import (
    RATING_LEVELS,
    RATING_TARGETS,
    experience_json,
    inbox_json,
    item_ratings_json,
    question_json,
    rating_json,
    score_json,
    staff_ticket_json,
    ticket_json,
)
from gateway.ratelimit import limit
from gateway.schemas import (
    AppealIn,
    ExperienceIn,
    ModerationIn,
    NoteIn,
    RatingIn,
    ReviewIn,
    TicketIn,
    TransitionIn,
)
from portal.feedback.v1 import feedback_pb2

router = APIRouter(prefix="/api/v1", tags=["feedback"])
staff_router = APIRouter(prefix="/api/v1/admin", tags=["back office: feedback"])

TICKET_KINDS = {
    "consultation": feedback_pb2.TICKET_KIND_CONSULTATION,
    "complaint": feedback_pb2.TICKET_KIND_COMPLAINT,
    "suggestion": feedback_pb2.TICKET_KIND_SUGGESTION,
    "help": feedback_pb2.TICKET_KIND_HELP,
}
TicketStatus = Literal[
    "submitted",
    "accepted",
    "rejected",
    "merged",
    "assigned",
    "returned",
    "in_progress",
    "answered",
    "closed",
    "reopened",
]
Size = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str, Query(max_length=40)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


# --- residents ---------------------------------------------------------------------------------------------


@router.post("/tickets", status_code=201, dependencies=[Depends(limit("submit"))])
async def submit_ticket(
    rpc: ServicesDep,
    request: Request,
    ticket: TicketIn,
    idempotency_key: Annotated[str, Header(max_length=200)] = "",
) -> dict:
    """A consultation, complaint, suggestion or help request. Send an `Idempotency-Key` header (a fresh random
    string per form) so that a retry answers the same ticket; the same key with other content answers 409."""
    message = feedback_pb2.SubmitTicketRequest(
        kind=TICKET_KINDS[ticket.kind],
        subject=ticket.subject,
        body=ticket.body,
        item_id=ticket.item_id,
        department_id=ticket.department_id,
        contact_name=ticket.contact_name,
        contact_phone=ticket.contact_phone,
        contact_email=ticket.contact_email,
        public=ticket.public,
        idempotency_key=idempotency_key,
        honeypot=ticket.homepage,
    )
    response = await rpc.submit_ticket(message, client_ip(request))
    return {"ticket_no": response.ticket_no, "query_code": response.query_code}


@router.get("/tickets/{ticket_no}")
async def track_ticket(
    rpc: ServicesDep,
    ticket_no: Annotated[str, Path(max_length=40)],
    code: Annotated[str, Query(max_length=20)],
) -> dict:
    """The ticket's status and public history, for whoever holds its number and query code."""
    return ticket_json(await rpc.track_ticket(ticket_no, code))


@router.post("/ratings", status_code=201, dependencies=[Depends(limit("submit"))])
async def submit_rating(rpc: ServicesDep, request: Request, rating: RatingIn) -> dict:
    """Rate an item, a department, or an answered ticket (with its number and code: the ticket is then closed,
    or reopened when dissatisfied). 不满意 or worse on an item or a department opens a rectification ticket,
    whose number and code come back."""
    scores = {name: value for name, value in rating.scores.model_dump().items() if value is not None}
    message = feedback_pb2.SubmitRatingRequest(
        target=RATING_TARGETS[rating.target],
        item_id=rating.item_id,
        department_id=rating.department_id,
        ticket_no=rating.ticket_no,
        query_code=rating.code,
        level=RATING_LEVELS[rating.level],
        comment=rating.comment,
        scores=scores,
        honeypot=rating.homepage,
    )
    response = await rpc.submit_rating(message, client_ip(request))
    body: dict = {"id": response.id}
    if response.rectification_ticket_no:
        body["rectification"] = {
            "ticket_no": response.rectification_ticket_no,
            "query_code": response.rectification_query_code,
        }
    return body


@router.post("/experiences", status_code=201, dependencies=[Depends(limit("submit"))])
async def submit_experience(rpc: ServicesDep, request: Request, experience: ExperienceIn) -> dict:
    """A story of a visit, about an item or a department; published after the portal office has read it."""
    message = feedback_pb2.SubmitExperienceRequest(
        title=experience.title,
        body=experience.body,
        item_id=experience.item_id,
        department_id=experience.department_id,
        author_name=experience.author_name,
        contact_phone=experience.contact_phone,
        honeypot=experience.homepage,
    )
    response = await rpc.submit_experience(message, client_ip(request))
    return {"id": response.id, "status": response.status}


@router.get("/experiences")
async def published_experiences(
    rpc: ServicesDep,
    item_id: Annotated[int, Query(ge=0)] = 0,
    department_id: Annotated[int, Query(ge=0)] = 0,
    size: Size = 10,
    cursor: Cursor = "",
) -> dict:
    """Published experiences, newest first (the home page's column; an item's or a department's)."""
    request = feedback_pb2.ListPublishedExperiencesRequest(
        item_id=item_id, department_id=department_id, page_size=size, page_token=cursor
    )
    return _page(await rpc.published_experiences(request), experience_json)


@router.get("/items/{item_id}/questions")
async def item_questions(rpc: ServicesDep, item_id: int, size: Size = 20) -> dict:
    """Consultations about the item whose answers were published (with the asker's consent)."""
    response = await rpc.item_questions(item_id, size)
    return {"total": response.total, "items": [question_json(q) for q in response.items]}


@router.get("/items/{item_id}/ratings")
async def item_ratings(rpc: ServicesDep, item_id: int, comments: Annotated[int, Query(ge=0, le=50)] = 5) -> dict:
    """The item's ratings (好差评): count per level, the share satisfied (基本满意 or better), sub-score averages,
    and the newest comments."""
    return item_ratings_json(await rpc.item_ratings(item_id, comments))


@router.get("/department-scores")
async def department_scores(
    rpc: ServicesDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")] = "",
    department_id: Annotated[int, Query(ge=0)] = 0,
) -> dict:
    """Each department's ratings of a month (default: this month), with their counts."""
    response = await rpc.department_scores(month, department_id)
    return {"month": response.month, "total": len(response.items), "items": [score_json(s) for s in response.items]}


def _page(response, to_json) -> dict:
    body = {"total": response.total, "items": [to_json(x) for x in response.items]}
    if response.next_page_token:
        body["next_cursor"] = response.next_page_token
    return body


# --- staff ---------------------------------------------------------------------------------------------------


@staff_router.get("/tickets")
async def list_tickets(
    rpc: ServicesDep,
    session: StaffDep,
    status: TicketStatus | None = None,
    kind: Literal["consultation", "complaint", "suggestion", "help"] | None = None,
    department_id: Annotated[int, Query(ge=0)] = 0,
    size: Size = 20,
    cursor: Cursor = "",
) -> dict:
    """The caller's tickets, newest first: a department's own, or (the portal office) every department's."""
    request = feedback_pb2.ListTicketsRequest(
        status=feedback_pb2.TicketStatus.Value(f"TICKET_STATUS_{status.upper()}") if status else 0,
        kind=TICKET_KINDS[kind] if kind else 0,
        department_id=department_id,
        page_size=size,
        page_token=cursor,
    )
    return _page(await rpc.list_tickets(request, session.token), staff_ticket_json)


@staff_router.get("/tickets/overdue")
async def overdue_tickets(rpc: ServicesDep, session: StaffDep) -> dict:
    """Tickets past their deadline, the most overdue first."""
    response = await rpc.overdue_tickets(session.token)
    return {"total": response.total, "items": [staff_ticket_json(t) for t in response.items]}


@staff_router.get("/tickets/{ticket_no}")
async def get_ticket(rpc: ServicesDep, session: StaffDep, ticket_no: str) -> dict:
    """The whole ticket with contact details, its history and what the caller may do next."""
    return staff_ticket_json(await rpc.get_ticket(ticket_no, session.token))


@staff_router.post("/tickets/{ticket_no}/transitions")
async def transition_ticket(rpc: ServicesDep, session: StaffDep, ticket_no: str, step: TransitionIn) -> dict:
    """One step: accept, reject (note: reason), merge (duplicate_of), assign (department_id), sign, return
    (note), request_extension (days, note), grant_extension, deny_extension (note), answer (note: the answer),
    close, reopen (note), remind, escalate, publish, unpublish. `version` refuses a stale view (409)."""
    request = feedback_pb2.TransitionTicketRequest(
        ticket_no=ticket_no,
        action=step.action,
        note=step.note,
        department_id=step.department_id,
        duplicate_of=step.duplicate_of,
        extension_days=step.days,
        expected_version=step.version,
    )
    return staff_ticket_json(await rpc.transition_ticket(request, session.token))


@staff_router.get("/inbox")
async def inbox(
    rpc: ServicesDep,
    session: StaffDep,
    unread: bool = False,
    department_id: Annotated[int, Query(ge=0)] = 0,
    size: Size = 50,
) -> dict:
    """The caller's department's notifications (the portal office's own, or a department's by id)."""
    request = feedback_pb2.ListInboxRequest(unread_only=unread, department_id=department_id, page_size=size)
    response = await rpc.inbox(request, session.token)
    return {"total": response.total, "unread": response.unread, "items": [inbox_json(e) for e in response.items]}


@staff_router.post("/inbox/{entry_id}/read")
async def mark_inbox_read(rpc: ServicesDep, session: StaffDep, entry_id: int) -> dict:
    return inbox_json(await rpc.mark_inbox_read(entry_id, session.token))


@staff_router.get("/experiences")
async def list_experiences(
    rpc: ServicesDep,
    session: StaffDep,
    status: Literal["pending", "published", "rejected"] | None = None,
    size: Size = 20,
    cursor: Cursor = "",
) -> dict:
    """The moderation queue (`status=pending`) and the rest; a department sees the posts about itself."""
    request = feedback_pb2.ListExperiencesRequest(status=status or "", page_size=size, page_token=cursor)
    return _page(await rpc.list_experiences(request, session.token), lambda e: experience_json(e, staff=True))


@staff_router.post("/experiences/{experience_id}/moderation")
async def moderate_experience(rpc: ServicesDep, session: StaffDep, experience_id: int, decision: ModerationIn) -> dict:
    request = feedback_pb2.ModerateExperienceRequest(
        id=experience_id, decision=decision.decision, reason=decision.reason
    )
    return experience_json(await rpc.moderate_experience(request, session.token), staff=True)


@staff_router.post("/experiences/{experience_id}/notes", status_code=201)
async def add_experience_note(rpc: ServicesDep, session: StaffDep, experience_id: int, note: NoteIn) -> dict:
    request = feedback_pb2.AddExperienceNoteRequest(id=experience_id, body=note.body)
    return experience_json(await rpc.add_experience_note(request, session.token), staff=True)


@staff_router.get("/ratings")
async def list_ratings(
    rpc: ServicesDep,
    session: StaffDep,
    status: Literal["counted", "appealed", "excluded"] | None = None,
    department_id: Annotated[int, Query(ge=0)] = 0,
    size: Size = 20,
    cursor: Cursor = "",
) -> dict:
    """Ratings, newest first: a department's of itself, or anyone's for the portal office (`status=appealed` is
    the review queue)."""
    request = feedback_pb2.ListRatingsRequest(
        status=status or "", department_id=department_id, page_size=size, page_token=cursor
    )
    return _page(await rpc.list_ratings(request, session.token), rating_json)


@staff_router.post("/ratings/{rating_id}/appeal")
async def appeal_rating(rpc: ServicesDep, session: StaffDep, rating_id: int, appeal: AppealIn) -> dict:
    """The rated department asks for a malicious rating to be left out of its scores."""
    request = feedback_pb2.AppealRatingRequest(id=rating_id, reason=appeal.reason)
    return rating_json(await rpc.appeal_rating(request, session.token))


@staff_router.post("/ratings/{rating_id}/review")
async def review_appeal(rpc: ServicesDep, session: StaffDep, rating_id: int, review: ReviewIn) -> dict:
    """The portal office decides an appeal: uphold (left out of the scores) or reject."""
    request = feedback_pb2.ReviewAppealRequest(id=rating_id, decision=review.decision, note=review.note)
    return rating_json(await rpc.review_appeal(request, session.token))
