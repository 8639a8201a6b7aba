"""Shared experiences (分享政府办事经历): a resident's story of a visit, linked to an item or a department,
published once the portal office has read it; staff may add follow-up notes that are shown with it."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from feedback import abuse, events, texts
from feedback.abuse import Origin
from feedback.flow import DEPARTMENT, OFFICE, Actor
from feedback.models import Experience, ExperienceNote
from feedback.policy import Policy
from portal_common import paging
from portal_common.errors import Conflict, Forbidden, Invalid, NotFound

log = logging.getLogger(__name__)
STATUSES = ("pending", "published", "rejected")
MAX_PAGE_SIZE = 100
# What a list shows of a post and of its notes (convert.experience_to_proto masks the public view).
LISTED = (
    Experience.id,
    Experience.title,
    Experience.body,
    Experience.item_id,
    Experience.department_id,
    Experience.author_name,
    Experience.contact_phone,
    Experience.status,
    Experience.reject_reason,
    Experience.created_at,
    Experience.published_at,
)
NOTE_SHOWN = (
    ExperienceNote.experience_id,
    ExperienceNote.author,
    ExperienceNote.department_id,
    ExperienceNote.body,
    ExperienceNote.created_at,
)


@dataclass(frozen=True)
class ExperienceInput:
    title: str
    body: str
    item_id: int = 0
    department_id: int = 0
    author_name: str = ""
    contact_phone: str = ""
    honeypot: str = ""


async def submit_experience(
    session: AsyncSession, *, experience: ExperienceInput, origin: Origin, policy: Policy, now: datetime
) -> Experience:
    abuse.refuse_honeypot(experience.honeypot, "experience", origin)
    if experience.item_id < 0 or experience.department_id < 0 or not (experience.item_id or experience.department_id):
        raise Invalid("experience_subject_required", "请选择经历涉及的事项或部门", field="department_id")
    row = Experience(
        title=texts.text("title", experience.title, limit=100, required=True, code="experience_title_invalid"),
        body=texts.text("body", experience.body, limit=3000, required=True, code="experience_body_invalid"),
        item_id=experience.item_id or None,
        department_id=experience.department_id or None,
        author_name=texts.text("author_name", experience.author_name, limit=50, code="experience_author_invalid"),
        contact_phone=texts.phone("contact_phone", experience.contact_phone, code="experience_phone_invalid"),
        created_at=now,
        notes=[],
    )
    await abuse.check_rate(
        session, channel="experience", origin=origin, phone=row.contact_phone, policy=policy, now=now
    )
    session.add(row)
    await session.flush()
    events.stage_experience_changed(session, row, "submitted")
    return row


async def _experience(session: AsyncSession, experience_id: int) -> Experience:
    row = await session.get(Experience, experience_id)
    if row is None:
        raise NotFound("experience_not_found", f"经历分享 {experience_id} 不存在")
    return row


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except StaleDataError as error:
        raise Conflict("experience_version_conflict", "该经历分享已被他人处理，请刷新后重试") from error


async def moderate(
    session: AsyncSession, *, experience_id: int, decision: str, reason: str, actor: Actor, now: datetime
) -> Experience:
    if actor.role != OFFICE:
        log.warning("forbidden: %s tried to moderate experience %s", actor.username, experience_id)
        raise Forbidden("forbidden_role", "只有门户办公室可以审核经历分享")
    if decision not in ("publish", "reject"):
        raise Invalid(
            "moderation_decision_invalid", "审核结果须为 publish（发布）或 reject（不予发布）", field="decision"
        )
    row = await _experience(session, experience_id)
    if row.status != "pending":
        raise Conflict("experience_already_moderated", "该经历分享已经审核过")
    reason = texts.text("reason", reason, limit=500, required=decision == "reject", code="moderation_reason_invalid")
    row.status, row.moderated_by, row.reject_reason = (
        ("published" if decision == "publish" else "rejected"),
        actor.username,
        reason,
    )
    row.published_at = now if decision == "publish" else None
    await _flush(session)
    events.stage_experience_changed(session, row, row.status)
    return row


async def add_note(session: AsyncSession, *, experience_id: int, body: str, actor: Actor, now: datetime) -> Experience:
    """A follow-up by the portal office or by the department the story is about."""
    row = await _experience(session, experience_id)
    if actor.role == DEPARTMENT and row.department_id != actor.department_id:
        log.warning(
            "forbidden: %s tried to note experience %s of department %s", actor.username, row.id, row.department_id
        )
        raise Forbidden("forbidden_department", "您只能跟进与本部门有关的经历分享")
    if actor.role not in (DEPARTMENT, OFFICE):
        raise Forbidden("forbidden_role", "只有工作人员可以跟进")
    note = ExperienceNote(
        author=actor.username,
        department_id=actor.department_id if actor.role == DEPARTMENT else 0,
        body=texts.text("body", body, limit=1000, required=True, code="experience_note_invalid"),
        created_at=now,
    )
    row.notes.append(note)
    await session.flush()
    events.stage_experience_changed(session, row, "noted")
    return row


async def list_published(
    session: AsyncSession, *, item_id: int = 0, department_id: int = 0, page_size: int = 10, page_token: str = ""
) -> tuple[int, list, str]:
    """For the home page, an item's or a department's page: newest first."""
    query = select(*LISTED).where(Experience.status == "published")
    if item_id:
        query = query.where(Experience.item_id == item_id)
    if department_id:
        query = query.where(Experience.department_id == department_id)
    return await _page(session, query, page_size, page_token)


async def list_for_staff(
    session: AsyncSession, *, actor: Actor, status: str = "", page_size: int = 20, page_token: str = ""
) -> tuple[int, list, str]:
    """The portal office's moderation queue (status pending) and everything else; a department sees the posts
    about itself."""
    if status and status not in STATUSES:
        raise Invalid("experience_status_invalid", "状态须为 pending、published 或 rejected", field="status")
    query = select(*LISTED)
    if actor.role == DEPARTMENT:
        query = query.where(Experience.department_id == actor.department_id)
    elif actor.role != OFFICE:
        raise Forbidden("forbidden_role", "只有工作人员可以查看")
    if status:
        query = query.where(Experience.status == status)
    return await _page(session, query, page_size, page_token)


async def _page(session: AsyncSession, query, page_size: int, page_token: str) -> tuple[int, list, str]:
    """Newest first, after the page token's post: plain rows with their notes, in two statements (the total of every
    page rides along as a column). Lists change nothing, and loading posts as objects cost the home page more than
    reading them."""
    count = select(func.count()).select_from(query.subquery())
    if page_token:
        query = query.where(Experience.id < paging.row_id(page_token))
    size = min(max(page_size, 1), MAX_PAGE_SIZE)
    query = query.add_columns(count.scalar_subquery().label("total"))
    found = (await session.execute(query.order_by(Experience.id.desc()).limit(size + 1))).all()
    if found:
        total = found[0].total
    else:  # past the last page, nothing carried the total
        total = await session.scalar(count) if page_token else 0
    shown = found[:size]
    notes = await _notes(session, [row.id for row in shown])
    posts = [SimpleNamespace(**row._mapping, notes=notes[row.id]) for row in shown]  # read as an Experience is
    return total, posts, str(shown[-1].id) if len(found) > size else ""


async def _notes(session: AsyncSession, experience_ids: list[int]) -> dict[int, list]:
    by_experience: dict[int, list] = defaultdict(list)
    if experience_ids:
        query = select(*NOTE_SHOWN).where(ExperienceNote.experience_id.in_(experience_ids))
        for note in (await session.execute(query.order_by(ExperienceNote.id))).all():
            by_experience[note.experience_id].append(note)
    return by_experience
