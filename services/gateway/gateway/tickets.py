"""What the pages need from the feedback service, behind small functions so that the pages do not change when the
feedback API does: submit a ticket and track it, rate an item or a department, share an experience, and what the
public sees (an item's Q&A and ratings, published experiences, department scores)."""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from gateway.convert import (
    RATING_LEVELS,
    RATING_TARGETS,
    experience_json,
    item_ratings_json,
    question_json,
    score_json,
    ticket_json,
)
from gateway.rpc import ApiError, Services
from portal.feedback.v1 import feedback_pb2

log = logging.getLogger(__name__)

KINDS = {
    "consultation": ("咨询", feedback_pb2.TICKET_KIND_CONSULTATION),
    "complaint": ("投诉", feedback_pb2.TICKET_KIND_COMPLAINT),
    "suggestion": ("建议", feedback_pb2.TICKET_KIND_SUGGESTION),
    "help": ("求助", feedback_pb2.TICKET_KIND_HELP),
}
STATUS_LABELS = {
    "submitted": "已提交，等待受理",
    "accepted": "已受理",
    "rejected": "不予受理",
    "merged": "已与相同诉求合并办理",
    "assigned": "已转交承办部门",
    "returned": "承办部门已退回，正在重新转办",
    "reopened": "已重新办理",
    "in_progress": "正在办理",
    "answered": "已答复",
    "closed": "已办结",
}
# The feedback service names the field at fault in the API's words; the form's fields are named as it shows them.
FORM_FIELD = {
    "kind": "kind",
    "subject": "title",
    "body": "content",
    "contact_phone": "contact_phone",
    "contact_name": "contact_name",
}


@dataclass
class TicketForm:
    """What a resident typed; kept as typed so that a failed submission re-renders it."""

    kind: str = "consultation"
    title: str = ""
    content: str = ""
    item_id: int = 0
    department_id: int = 0
    contact_name: str = ""
    contact_phone: str = ""
    may_publish: bool = False
    honeypot: str = ""  # the hidden "homepage" field: people never see it, bots fill it in


LEVEL_LABELS = {
    "very_satisfied": "非常满意",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
    "very_dissatisfied": "非常不满意",
}
SUB_SCORES = {"accuracy": "办事指南准确", "efficiency": "办理效率", "attitude": "服务态度"}
RATING_FIELD = {"level": "level", "scores": "scores", "comment": "comment", "item_id": "form", "department_id": "form"}
EXPERIENCE_FIELD = {"title": "title", "body": "body", "author_name": "author_name", "contact_phone": "contact_phone"}
DEPARTMENT_ROLE = "承办部门"  # how the feedback service's public view names a department's staff
LOCAL_TIME = ZoneInfo("Asia/Shanghai")  # the feedback service's default FEEDBACK_TIMEZONE
QUESTIONS_SHOWN = 10
COMMENTS_SHOWN = 5


@dataclass
class RatingForm:
    """A rating as typed: of an item, a department, or an answered ticket (its number and query code); the
    level's key, sub-scores as "1".."5" or "" (not given), and a comment."""

    item_id: int = 0
    department_id: int = 0
    ticket_no: str = ""
    code: str = ""
    level: str = ""
    scores: dict[str, str] = field(default_factory=dict)
    comment: str = ""
    honeypot: str = ""

    @property
    def target(self) -> str:
        return "ticket" if self.ticket_no else "item" if self.item_id else "department" if self.department_id else ""


@dataclass
class ExperienceForm:
    title: str = ""
    body: str = ""
    item_id: int = 0
    department_id: int = 0
    author_name: str = ""
    contact_phone: str = ""
    honeypot: str = ""


@dataclass
class ItemFeedback:
    """Public questions with their answers, and the rating summary, of one item; `unavailable` when the feedback
    service did not answer (the item page still shows the guide)."""

    questions: list[dict] = field(default_factory=list)
    rating: dict | None = None
    updated_at: datetime | None = None
    unavailable: bool = False


async def submit(rpc: Services, form: TicketForm, client_ip: str) -> dict:
    """The ticket's number and query code."""
    request = feedback_pb2.SubmitTicketRequest(
        kind=KINDS[form.kind][1] if form.kind in KINDS else feedback_pb2.TICKET_KIND_UNSPECIFIED,
        subject=form.title,
        body=form.content,
        item_id=form.item_id,
        department_id=form.department_id,
        contact_name=form.contact_name,
        contact_phone=form.contact_phone,
        public=form.may_publish,
        honeypot=form.honeypot,
    )
    response = await rpc.submit_ticket(request, client_ip)
    return {"number": response.ticket_no, "query_code": response.query_code}


async def track(rpc: Services, number: str, query_code: str) -> dict:
    """The ticket as its resident sees it, with Chinese labels, local times, and the department's name for the
    steps a department took (never a person: the feedback service names roles only)."""
    ticket = ticket_json(await rpc.track_ticket(number, query_code))
    ticket["kind_label"] = KINDS.get(ticket["kind"], ("",))[0]
    ticket["status_label"] = STATUS_LABELS.get(ticket["status"], ticket["status"])
    ticket["created_label"] = local_time(ticket["created_at"])
    ticket["deadline_label"] = local_time(ticket["deadline"]) if ticket["deadline"] else ""
    ids = {s["department_id"] for s in ticket["history"]} | {ticket["department_id"]}
    names = await _department_names(rpc, ids - {0})
    ticket["department_name"] = names.get(ticket["department_id"], "")
    for step in ticket["history"]:
        step["at_label"] = local_time(step["at"])
        if step["by"] == DEPARTMENT_ROLE and step["department_id"] in names:
            step["by"] = names[step["department_id"]]
    return ticket


def local_time(stamp: str) -> str:
    """An RFC 3339 instant as the portal's residents read it."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


async def _department_names(rpc: Services, ids: set[int]) -> dict[int, str]:
    """Names of departments; those the catalog cannot name now are left to their role label."""
    found = await asyncio.gather(*(rpc.get_department(i) for i in sorted(ids)), return_exceptions=True)
    return {d.id: d.name for d in found if not isinstance(d, BaseException)}


async def rate(rpc: Services, form: RatingForm, client_ip: str) -> tuple[str, str] | None:
    """Rate an item, a department or a ticket; a rectification ticket's number and query code when the rating
    opened one."""
    request = feedback_pb2.SubmitRatingRequest(
        target=RATING_TARGETS.get(form.target, feedback_pb2.RATING_TARGET_UNSPECIFIED),
        item_id=form.item_id if form.target == "item" else 0,
        department_id=form.department_id if form.target == "department" else 0,
        ticket_no=form.ticket_no,
        query_code=form.code,
        level=RATING_LEVELS.get(form.level, feedback_pb2.RATING_LEVEL_UNSPECIFIED),
        comment=form.comment,
        scores={name: int(value) for name, value in form.scores.items() if value.isdigit()},
        honeypot=form.honeypot,
    )
    response = await rpc.submit_rating(request, client_ip)
    if not response.rectification_ticket_no:
        return None
    return response.rectification_ticket_no, response.rectification_query_code


async def share(rpc: Services, form: ExperienceForm, client_ip: str) -> int:
    """Submit an experience for moderation; its id."""
    request = feedback_pb2.SubmitExperienceRequest(
        title=form.title,
        body=form.body,
        item_id=form.item_id,
        department_id=form.department_id,
        author_name=form.author_name,
        contact_phone=form.contact_phone,
        honeypot=form.honeypot,
    )
    return (await rpc.submit_experience(request, client_ip)).id


async def item_feedback(rpc: Services, item_id: int) -> ItemFeedback:
    """The item's published Q&A and its ratings; marked unavailable (never raised) when feedback is down."""
    try:
        questions, ratings = await asyncio.gather(
            rpc.item_questions(item_id, QUESTIONS_SHOWN), rpc.item_ratings(item_id, COMMENTS_SHOWN)
        )
    except ApiError as error:
        log.warning("item %s shown without its feedback: %s", item_id, error.message)
        return ItemFeedback(unavailable=True)
    return ItemFeedback(
        questions=[question_json(q) for q in questions.items],
        rating=item_ratings_json(ratings) if ratings.count else None,
        updated_at=ratings.updated_at.ToDatetime() if ratings.HasField("updated_at") else None,
    )


async def published_experiences(rpc: Services, size: int, cursor: str = "", **about: int) -> dict | None:
    """Published experiences, newest first, with their follow-up notes; None when feedback is down."""
    request = feedback_pb2.ListPublishedExperiencesRequest(page_size=size, page_token=cursor, **about)
    try:
        response = await rpc.published_experiences(request)
    except ApiError as error:
        log.warning("experiences not listed: %s", error.message)
        return None
    return {
        "total": response.total,
        "items": [experience_json(e) for e in response.items],
        "next_cursor": response.next_page_token,
    }


async def department_scores(rpc: Services, month: str, department_id: int = 0) -> dict | None:
    """A month's public department scores; None when feedback is down."""
    try:
        response = await rpc.department_scores(month, department_id)
    except ApiError as error:
        if error.status == 400:
            raise
        log.warning("department scores not listed: %s", error.message)
        return None
    return {"month": response.month, "items": [score_json(s) for s in response.items]}
