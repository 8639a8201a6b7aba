"""Ratings (好差评): five levels on an item, a department or an answered ticket. 不满意 or worse on an item or a
department opens a rectification ticket for the department; on a ticket it reopens the ticket. Departments may
appeal a malicious rating; the portal office decides, and an upheld appeal leaves the rating out of the scores.
Monthly department scores are public, with their counts."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from feedback import abuse, events, service, texts
from feedback.abuse import Origin
from feedback.convert import LEVEL_NAMES
from feedback.flow import A_RESIDENT, DEPARTMENT, OFFICE, RULES, SYSTEM, Actor
from feedback.models import Rating, Ticket
from feedback.policy import Policy
from feedback.workdays import WorkCalendar
from portal_common import paging
from portal_common.errors import Conflict, Forbidden, Invalid, NotFound

log = logging.getLogger(__name__)
LEVEL_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
DISSATISFIED = 2  # this level or worse asks for rectification
SUB_SCORES = {"accuracy": "指南准确", "efficiency": "办事效率", "attitude": "服务态度"}
TARGETS = ("item", "department", "ticket")


class Catalog(Protocol):
    """What ratings need to know from the catalog; None when the catalog cannot answer right now."""

    async def department_of_item(self, item_id: int) -> int | None:
        """The item's department; Invalid `item_not_found` when there is no such published item."""

    async def department_exists(self, department_id: int) -> bool | None:
        """Whether the department exists."""


@dataclass(frozen=True)
class RatingInput:
    target: str
    level: int
    item_id: int = 0
    department_id: int = 0
    ticket_no: str = ""
    query_code: str = ""
    comment: str = ""
    scores: dict[str, int] = field(default_factory=dict)
    honeypot: str = ""


def _validate(rating: RatingInput) -> tuple[str, dict[str, int]]:
    if rating.target not in TARGETS:
        raise Invalid("rating_target_invalid", "请选择评价对象：事项、部门或件", field="target")
    if rating.level not in LEVEL_LABELS:
        raise Invalid(
            "rating_level_invalid", "请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意", field="level"
        )
    for name, score in rating.scores.items():
        if name not in SUB_SCORES or not 1 <= score <= 5:
            raise Invalid(
                "rating_scores_invalid", "分项评分只有指南准确、办事效率、服务态度三项，每项1到5分", field="scores"
            )
    return texts.text("comment", rating.comment, limit=500, code="rating_comment_invalid"), dict(rating.scores)


async def submit_rating(
    session: AsyncSession, *, rating: RatingInput, origin: Origin, catalog: Catalog, policy: Policy, now: datetime
) -> tuple[Rating, tuple[str, str] | None]:
    """Store a rating; return it with the rectification ticket's number and query code when one was opened."""
    abuse.refuse_honeypot(rating.honeypot, "rating", origin)
    comment, scores = _validate(rating)
    row = Rating(target=rating.target, level=rating.level, comment=comment, scores=scores, created_at=now)
    if rating.target == "ticket":
        ticket = await service.track_ticket(session, ticket_no=rating.ticket_no, query_code=rating.query_code)
        if ticket.status != "answered":
            raise Conflict("ticket_not_ratable", "该件尚未办结或已评价，暂不能评价")
        row.ticket_no, row.item_id, row.department_id = ticket.ticket_no, ticket.item_id, ticket.handling_department_id
    elif rating.target == "item":
        if rating.item_id <= 0:
            raise Invalid("item_required", "请指明评价的事项", field="item_id")
        row.item_id = rating.item_id
        row.department_id = await catalog.department_of_item(rating.item_id)
    else:
        row.department_id = await _rated_department(rating.department_id, catalog)
    await abuse.check_rate(session, channel="rating", origin=origin, phone="", policy=policy, now=now)
    session.add(row)
    await session.flush()
    rectification = None
    if rating.target == "ticket":
        note = LEVEL_LABELS[rating.level] + (f"：{comment}" if comment else "")
        rule = RULES["rate_satisfied" if rating.level > DISSATISFIED else "rate_unsatisfied"]
        change = service.Change(note=note)
        await service.apply(session, ticket=ticket, rule=rule, actor=A_RESIDENT, change=change, policy=policy, now=now)
    elif rating.level <= DISSATISFIED:
        rectification = await _open_rectification(session, row, policy, now)
    events.stage_rating_changed(session, row, "made")
    return row, rectification


async def _rated_department(department_id: int, catalog: Catalog) -> int:
    if department_id <= 0 or await catalog.department_exists(department_id) is False:
        raise Invalid("department_not_found", "请指明评价的部门", field="department_id")
    return department_id


async def _open_rectification(session: AsyncSession, rating: Rating, policy: Policy, now: datetime) -> tuple[str, str]:
    """A complaint ticket for the rated department (or, when the catalog could not say which, for the portal
    office to assign)."""
    about = f"事项{rating.item_id}" if rating.target == "item" else "部门服务"
    ticket, code = await service.open_ticket(
        session,
        fields={
            "kind": "complaint",
            "subject": f"差评整改：{about}（{LEVEL_LABELS[rating.level]}）",
            "body": rating.comment or "（评价人未填写评价内容）",
            "item_id": rating.item_id,
            "department_id": rating.department_id,
        },
        now=now,
        policy=policy,
        source="rating",
        handling_department_id=rating.department_id,
    )
    rating.rectification_ticket_no = ticket.ticket_no
    return ticket.ticket_no, code


# --- appeals -----------------------------------------------------------------------------------------------


async def _rating(session: AsyncSession, rating_id: int) -> Rating:
    rating = await session.get(Rating, rating_id)
    if rating is None:
        raise NotFound("rating_not_found", f"评价 {rating_id} 不存在")
    return rating


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except StaleDataError as error:
        raise Conflict("rating_version_conflict", "该评价已被他人处理，请刷新后重试") from error


async def appeal_rating(session: AsyncSession, *, rating_id: int, reason: str, actor: Actor) -> Rating:
    """A department asks for a malicious rating of itself to be left out of its scores."""
    rating = await _rating(session, rating_id)
    if actor.role != DEPARTMENT or rating.department_id != actor.department_id:
        log.warning(
            "forbidden: %s tried to appeal rating %s of department %s", actor.username, rating_id, rating.department_id
        )
        raise Forbidden("forbidden_department", "只有被评价的部门可以申诉")
    if rating.status != "counted" or rating.reviewed_by:
        raise Conflict("rating_not_appealable", "该评价已申诉过，不能再次申诉")
    rating.appeal_reason = texts.text("reason", reason, limit=500, required=True, code="appeal_reason_invalid")
    rating.status, rating.appealed_by = "appealed", actor.username
    await _flush(session)
    events.stage_rating_changed(session, rating, "appealed")
    return rating


async def review_appeal(
    session: AsyncSession, *, rating_id: int, decision: str, note: str, actor: Actor, policy: Policy, now: datetime
) -> Rating:
    if actor.role != OFFICE:
        log.warning("forbidden: %s tried to review the appeal of rating %s", actor.username, rating_id)
        raise Forbidden("forbidden_role", "只有门户办公室可以审核申诉")
    rating = await _rating(session, rating_id)
    if rating.status != "appealed":
        raise Conflict("rating_not_appealed", "该评价没有待审核的申诉")
    if decision not in ("uphold", "reject"):
        raise Invalid("appeal_decision_invalid", "审核结果须为 uphold（申诉成立）或 reject（驳回）", field="decision")
    rating.review_note = texts.text("note", note, limit=500, required=decision == "reject", code="review_note_invalid")
    rating.status = "excluded" if decision == "uphold" else "counted"
    rating.reviewed_by, rating.reviewed_at = actor.username, now
    await _flush(session)
    if decision == "uphold":
        await _withdraw_rectification(session, rating, actor, policy, now)
    events.stage_rating_changed(session, rating, "appeal_upheld" if decision == "uphold" else "appeal_rejected")
    return rating


async def _withdraw_rectification(session: AsyncSession, rating: Rating, actor: Actor, policy, now) -> None:
    """A rating found malicious no longer asks the department to rectify anything: its ticket is closed, unless
    it is closed (or was merged or rejected) already."""
    if not rating.rectification_ticket_no:
        return
    ticket = await service.find_ticket(session, ticket_no=rating.rectification_ticket_no)
    rule = RULES["withdraw"]
    if ticket is None or ticket.status not in rule.sources:
        return
    change = service.Change(note=f"评价申诉成立，整改撤销{f'：{rating.review_note}' if rating.review_note else ''}")
    reviewer = Actor(actor.username, SYSTEM)  # the step is the appeal's consequence, recorded under the reviewer
    await service.apply(session, ticket=ticket, rule=rule, actor=reviewer, change=change, policy=policy, now=now)


async def list_ratings(
    session: AsyncSession,
    *,
    actor: Actor,
    status: str = "",
    department_id: int = 0,
    page_size: int = 20,
    page_token: str = "",
) -> tuple[int, list[Rating], str]:
    """Newest first: a department's ratings of itself, or (the portal office) anyone's; status `appealed` is the
    review queue."""
    query = select(Rating)
    if actor.role == DEPARTMENT:
        if department_id and department_id != actor.department_id:
            log.warning("forbidden: %s tried to list department %s's ratings", actor.username, department_id)
            raise Forbidden("forbidden_department", "您只能查看本部门的评价")
        query = query.where(Rating.department_id == actor.department_id)
    elif actor.role != OFFICE:
        raise Forbidden("forbidden_role", "只有工作人员可以查看")
    elif department_id:
        query = query.where(Rating.department_id == department_id)
    if status:
        query = query.where(Rating.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if page_token:
        query = query.where(Rating.id < paging.row_id(page_token))
    size = min(max(page_size, 1), service.MAX_PAGE_SIZE)
    rows = list((await session.scalars(query.order_by(Rating.id.desc()).limit(size + 1))).all())
    return total, rows[:size], str(rows[size - 1].id) if len(rows) > size else ""


# --- public scores -----------------------------------------------------------------------------------------


@dataclass
class Summary:
    """Ratings counted together: per level, the average, the share satisfied and the sub-score averages."""

    level_counts: dict[str, int] = field(default_factory=dict)
    sub_scores: dict[str, float] = field(default_factory=dict)
    count: int = 0
    average_level: float = 0.0
    satisfaction_rate: float = 0.0


@dataclass
class DepartmentScore(Summary):
    department_id: int = 0
    month: str = ""


def summarize(rows) -> Summary:
    """(level, scores) pairs → their summary."""
    levels: list[int] = []
    subs: dict[str, list[int]] = defaultdict(list)
    for level, scores in rows:
        levels.append(level)
        for name, value in (scores or {}).items():
            subs[name].append(value)
    if not levels:
        return Summary(level_counts={name: 0 for name in LEVEL_NAMES.values()})
    return Summary(
        count=len(levels),
        average_level=round(sum(levels) / len(levels), 2),
        satisfaction_rate=round(sum(v > DISSATISFIED for v in levels) / len(levels), 4),
        level_counts={name: levels.count(level) for level, name in LEVEL_NAMES.items()},
        sub_scores={name: round(sum(v) / len(v), 2) for name, v in subs.items()},
    )


async def department_scores(
    session: AsyncSession, *, month: str, department_id: int = 0, calendar: WorkCalendar
) -> list[DepartmentScore]:
    """Each department's ratings of one month (the portal's time zone), appeals upheld left out."""
    try:
        start, end = calendar.month_bounds(month)
    except ValueError as error:
        raise Invalid("month_invalid", "月份格式应为 YYYY-MM", field="month") from error
    query = select(Rating.department_id, Rating.level, Rating.scores).where(
        Rating.created_at >= start,
        Rating.created_at < end,
        Rating.status != "excluded",
        Rating.department_id.is_not(None),
    )
    if department_id:
        query = query.where(Rating.department_id == department_id)
    by_department: dict[int, list] = defaultdict(list)
    for department, level, scores in await session.execute(query):
        by_department[department].append((level, scores))
    return [
        DepartmentScore(department_id=department, month=month, **vars(summarize(by_department[department])))
        for department in sorted(by_department)
    ]


@dataclass
class ItemRatings:
    summary: Summary
    comments: list[Row]  # level, comment, created_at
    updated_at: datetime | None


# An item's ratings and when its tickets last changed, in one statement, as every item page asks: the ratings (an
# item has tens, not thousands) hang off a one-row subquery by an outer join, so that an item without ratings still
# answers that row. Built once: only the item varies.
_TICKETS_CHANGED = select(func.max(Ticket.updated_at).label("at")).where(Ticket.item_id == bindparam("item_id"))
ITEM_RATINGS = (
    select(
        _TICKETS_CHANGED.subquery().c.at,
        Rating.level,
        Rating.scores,
        Rating.status,
        Rating.comment,
        Rating.created_at,
        Rating.reviewed_at,
    )
    .outerjoin(Rating, Rating.item_id == bindparam("item_id"))
    .order_by(Rating.id.desc())
)


async def item_ratings(session: AsyncSession, *, item_id: int, comments: int = 0) -> ItemRatings:
    """An item's ratings, appeals upheld left out, with the newest comments of ratings not under appeal, and when
    anything about the item last changed here: a rating, an appeal decided, a step of one of its tickets (publishing
    an answer as Q&A among them); later than needed at times, never earlier."""
    rows = (await session.execute(ITEM_RATINGS, {"item_id": item_id})).all()
    rated = [row for row in rows if row.level is not None]
    summary = summarize((row.level, row.scores) for row in rated if row.status != "excluded")
    recent = [row for row in rated if row.status == "counted" and row.comment][: min(max(comments, 0), 50)]
    moments = [rows[0].at, *(row.created_at for row in rated), *(row.reviewed_at for row in rated)]
    return ItemRatings(summary, recent, max((m for m in moments if m is not None), default=None))
