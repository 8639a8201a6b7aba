"""Back-office pages for the rest of the feedback work: the department's inbox (mark read), shared experiences
(the portal office approves or rejects; staff add follow-up notes) and ratings (the rated department appeals a
malicious one; the portal office reviews the appeal). The feedback service checks who may do what."""

from collections.abc import Awaitable
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from gateway import item_form
from gateway.auth import ServicesDep, StaffSession
from gateway.convert import experience_json, inbox_json, rating_json
from gateway.rpc import ApiError, Services
from gateway.staff_web import PostedForm, StaffPage, back_to, is_office, staff_page
from portal.feedback.v1 import feedback_pb2

router = APIRouter(include_in_schema=False)
EXPERIENCE_STATUSES = {"pending": "待审核", "published": "已发布", "rejected": "未通过"}
RATING_STATUSES = {"counted": "计入评分", "appealed": "申诉待审核", "excluded": "申诉成立，不计入"}
LEVELS = {
    "very_satisfied": "非常满意",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
    "very_dissatisfied": "非常不满意",
}
TARGETS = {"item": "事项", "department": "部门", "ticket": "办件"}


def _status_filter(session: StaffSession, status: str | None, *, office_starts_at: str) -> str:
    """The status asked for; without one the portal office starts at its queue, a department at everything."""
    chosen = status or (office_starts_at if is_office(session) else "all")
    return "" if chosen == "all" else chosen


async def _send(request: Request, rpc: Services, session: StaffSession, sent: Awaitable, again: tuple, done: tuple):
    """Send one decision; refused, show the list again (`again`: its page, status filter, the form's id and what was
    typed there) with the service's message next to that form; done, go back to the list with a notice."""
    try:
        await sent
    except ApiError as error:
        if error.status not in (400, 403, 404, 409):
            raise
        page, status, form_id, typed = again
        return await page(request, rpc, session, status, {form_id: error.message}, {form_id: typed}, error.status)
    return back_to(*done)


# --- inbox ---------------------------------------------------------------------------------------------------


@router.get("/inbox")
async def inbox(
    request: Request,
    rpc: ServicesDep,
    session: StaffPage,
    unread: bool = False,
    department_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
):
    listing = feedback_pb2.ListInboxRequest(unread_only=unread, department_id=department_id, page_size=100)
    response = await rpc.inbox(listing, session.token)
    context = {
        "entries": [inbox_json(e) for e in response.items],
        "total": response.total,
        "unread_count": response.unread,
        "unread": unread,
    }
    return staff_page(request, session, "staff/inbox.html", context)


@router.post("/inbox/{entry_id}/read")
async def mark_read(rpc: ServicesDep, session: StaffPage, data: PostedForm, entry_id: int):
    await rpc.mark_inbox_read(entry_id, session.token)
    return back_to("/staff/inbox?unread=1" if data.get("unread") == "1" else "/staff/inbox", "read")


# --- experiences ---------------------------------------------------------------------------------------------


async def _experiences_page(
    request: Request, rpc: Services, session: StaffSession, status: str, errors=None, typed=None, code=200
):
    listing = feedback_pb2.ListExperiencesRequest(status=status, page_size=50)
    response = await rpc.list_experiences(listing, session.token)
    context = {
        "experiences": [experience_json(e, staff=True) for e in response.items],
        "total": response.total,
        "status": status,
        "statuses": EXPERIENCE_STATUSES,
        "errors": errors or {},
        "typed": typed or {},
    }
    return staff_page(request, session, "staff/experiences.html", context, code)


@router.get("/experiences")
async def experiences(
    request: Request,
    rpc: ServicesDep,
    session: StaffPage,
    status: Literal["pending", "published", "rejected", "all"] | None = None,
):
    """The portal office starts at the moderation queue; a department at every post about itself."""
    return await _experiences_page(request, rpc, session, _status_filter(session, status, office_starts_at="pending"))


@router.post("/experiences/{experience_id}/moderation")
async def moderate(request: Request, rpc: ServicesDep, session: StaffPage, data: PostedForm, experience_id: int):
    decision = item_form.text_value(data, "decision")
    reason = item_form.text_value(data, "reason")
    step = feedback_pb2.ModerateExperienceRequest(id=experience_id, decision=decision, reason=reason)
    sent = rpc.moderate_experience(step, session.token)
    again = (_experiences_page, "pending", f"moderate-{experience_id}", reason)
    return await _send(request, rpc, session, sent, again, ("/staff/experiences", "moderated"))


@router.post("/experiences/{experience_id}/notes")
async def add_note(request: Request, rpc: ServicesDep, session: StaffPage, data: PostedForm, experience_id: int):
    body = item_form.text_value(data, "body")
    sent = rpc.add_experience_note(feedback_pb2.AddExperienceNoteRequest(id=experience_id, body=body), session.token)
    again = (_experiences_page, "", f"note-{experience_id}", body)
    return await _send(request, rpc, session, sent, again, ("/staff/experiences?status=all", "noted"))


# --- ratings -------------------------------------------------------------------------------------------------


async def _ratings_page(
    request: Request, rpc: Services, session: StaffSession, status: str, errors=None, typed=None, code=200
):
    response = await rpc.list_ratings(feedback_pb2.ListRatingsRequest(status=status, page_size=50), session.token)
    context = {
        "ratings": [rating_json(r) for r in response.items],
        "total": response.total,
        "status": status,
        "statuses": RATING_STATUSES,
        "levels": LEVELS,
        "targets": TARGETS,
        "errors": errors or {},
        "typed": typed or {},
    }
    return staff_page(request, session, "staff/ratings.html", context, code)


@router.get("/ratings")
async def ratings(
    request: Request,
    rpc: ServicesDep,
    session: StaffPage,
    status: Literal["counted", "appealed", "excluded", "all"] | None = None,
):
    """The portal office starts at the appeals to review; a department at every rating of itself."""
    return await _ratings_page(request, rpc, session, _status_filter(session, status, office_starts_at="appealed"))


@router.post("/ratings/{rating_id}/appeal")
async def appeal(request: Request, rpc: ServicesDep, session: StaffPage, data: PostedForm, rating_id: int):
    reason = item_form.text_value(data, "reason")
    sent = rpc.appeal_rating(feedback_pb2.AppealRatingRequest(id=rating_id, reason=reason), session.token)
    again = (_ratings_page, "", f"appeal-{rating_id}", reason)
    return await _send(request, rpc, session, sent, again, ("/staff/ratings?status=all", "appealed"))


@router.post("/ratings/{rating_id}/review")
async def review(request: Request, rpc: ServicesDep, session: StaffPage, data: PostedForm, rating_id: int):
    note = item_form.text_value(data, "note")
    step = feedback_pb2.ReviewAppealRequest(id=rating_id, decision=item_form.text_value(data, "decision"), note=note)
    again = (_ratings_page, "appealed", f"review-{rating_id}", note)
    sent = rpc.review_appeal(step, session.token)
    return await _send(request, rpc, session, sent, again, ("/staff/ratings", "reviewed"))
