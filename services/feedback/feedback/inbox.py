"""Department inboxes: a durable JetStream consumer reads the feedback events and files a notification for each
department concerned (department 0 is the portal office). Filing is idempotent: an entry is keyed by the event
id and the department, so a redelivered event adds nothing."""

import logging
from collections.abc import Sequence
from datetime import datetime

from nats.aio.msg import Msg
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feedback.flow import DEPARTMENT, OFFICE, Actor
from feedback.models import InboxEntry
from feedback.ratings import LEVEL_LABELS
from portal.events.v1 import events_pb2
from portal_common.errors import Forbidden, NotFound
from portal_common.messaging import FEEDBACK_STREAM, Consumer, Poison
from portal_common.outbox import utcnow

log = logging.getLogger(__name__)
CONSUMER = Consumer(stream=FEEDBACK_STREAM, durable="feedback-department-inbox", filter_subject="feedback.>")
PORTAL_OFFICE = 0

# Ticket steps → (who is told, what): "department" is the handling department after the step, "previous" the one
# before it (the department that returned a ticket), "office" the portal office.
TICKET_NOTICES = {
    "assigned": (("department",), "新转办件：{subject}，请及时签收"),
    "returned": (("office",), "部门退回件：{subject}（{note}），请重新转办"),
    "extension_requested": (("office",), "延期申请待审核：{subject}（{note}）"),
    "extension_granted": (("department",), "延期申请已同意：{subject}"),
    "extension_denied": (("department",), "延期申请未同意：{subject}（{note}）"),
    "rated_satisfied": (("department",), "群众评价满意：{subject}"),
    "rated_unsatisfied": (("department", "office"), "群众评价不满意，已重新办理：{subject}"),
    "reopened": (("department",), "已重新办理：{subject}（{note}）"),
    "due_soon": (("department",), "即将到期：{subject}"),
    "overdue": (("department", "office"), "已超期：{subject}"),
    "reminded": (("department",), "催办：{subject}已超过办理期限，请尽快办结"),
    "escalated": (("department", "office"), "督办：{subject}超期未办结"),
    "withdrawn": (("department",), "评价申诉成立，整改件已撤销：{subject}"),
}


def notices(subject: str, data: bytes) -> list[tuple[int, str, str, str]]:
    """(department, kind, ticket number, text) for each inbox this event goes to."""
    family, _, step = subject.removeprefix("feedback.").partition(".")
    try:
        if family == "ticket" and step == "created":
            event = events_pb2.TicketCreated.FromString(data)
            if event.handling_department_id:
                return [
                    (event.handling_department_id, "ticket.assigned", event.ticket_no, f"差评整改件：{event.subject}")
                ]
            return [(PORTAL_OFFICE, "ticket.created", event.ticket_no, f"新件待受理：{event.subject}")]
        if family == "ticket":
            event = events_pb2.TicketChanged.FromString(data)
            who, text = TICKET_NOTICES.get(step, ((), ""))
            departments = {
                "department": event.department_id or None,
                "previous": event.previous_department_id or None,
                "office": PORTAL_OFFICE,
            }
            message = text.format(subject=event.subject, note=event.note[:80])
            targets = {departments[w] for w in who} - {None}
            return [(d, f"ticket.{step}", event.ticket_no, message) for d in sorted(targets)]
        if family == "rating":
            rating = events_pb2.RatingChanged.FromString(data).rating
            level = LEVEL_LABELS.get(rating.level, "")
            texts = {
                "made": (rating.department_id, f"收到一条“{level}”评价"),
                "appealed": (PORTAL_OFFICE, f"评价申诉待审核（第{rating.id}号评价）"),
                "appeal_upheld": (rating.department_id, f"评价申诉成立（第{rating.id}号评价）"),
                "appeal_rejected": (rating.department_id, f"评价申诉被驳回（第{rating.id}号评价）"),
            }
            department, text = texts.get(step, (None, ""))
            if department is None or (step != "appealed" and not rating.department_id):
                return []
            return [(department, f"rating.{step}", rating.ticket_no, text)]
        if family == "experience":
            event = events_pb2.ExperienceChanged.FromString(data)
            if step == "submitted":
                return [(PORTAL_OFFICE, "experience.submitted", "", f"经历分享待审核：{event.title}")]
            if step == "published" and event.department_id:
                return [
                    (event.department_id, "experience.published", "", f"与本部门有关的经历分享已发布：{event.title}")
                ]
            return []
    except Exception as error:  # a payload that does not decode can never be filed
        raise Poison(f"undecodable {subject}: {error}") from error
    return []


class InboxFiler:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self._sessions = sessions

    async def handle(self, messages: Sequence[Msg]) -> list[Exception | None]:
        outcomes: list[Exception | None] = []
        async with self._sessions() as session:
            for message in messages:
                try:
                    entries = notices(message.subject, message.data)
                except Poison as poison:
                    outcomes.append(poison)
                    continue
                event_id = (message.headers or {}).get("Nats-Msg-Id", "")
                for department, kind, ticket_no, text in entries:
                    await _file(session, department, event_id, kind, ticket_no, text[:300])
                outcomes.append(None)
            await session.commit()  # one transaction per batch; a failure retries the whole batch, harmlessly
        return outcomes


async def _file(session: AsyncSession, department: int, event_id: str, kind: str, ticket_no: str, text: str) -> None:
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = insert(InboxEntry).values(
        department_id=department, event_id=event_id, kind=kind, ticket_no=ticket_no, text=text, created_at=utcnow()
    )
    await session.execute(statement.on_conflict_do_nothing(index_elements=["event_id", "department_id"]))


def _inbox_of(actor: Actor, department_id: int) -> int:
    if actor.role == OFFICE:
        return department_id or PORTAL_OFFICE
    if actor.role == DEPARTMENT and department_id in (0, actor.department_id):
        return actor.department_id
    log.warning("forbidden: %s tried to read the inbox of department %s", actor.username, department_id)
    raise Forbidden("forbidden_department", "您只能查看本部门的消息")


async def list_inbox(
    session: AsyncSession, *, actor: Actor, department_id: int = 0, unread_only: bool = False, page_size: int = 50
) -> tuple[int, int, list[InboxEntry]]:
    """(total, unread, newest entries) of the caller's inbox (the portal office may read any department's)."""
    department = _inbox_of(actor, department_id)
    query = select(InboxEntry).where(InboxEntry.department_id == department)
    unread_query = query.where(InboxEntry.read_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    unread = await session.scalar(select(func.count()).select_from(unread_query.subquery()))
    shown = unread_query if unread_only else query
    size = min(max(page_size, 1), 200)
    return total, unread, list((await session.scalars(shown.order_by(InboxEntry.id.desc()).limit(size))).all())


async def mark_read(session: AsyncSession, *, entry_id: int, actor: Actor, now: datetime) -> InboxEntry:
    entry = await session.get(InboxEntry, entry_id)
    if entry is None:
        raise NotFound("inbox_entry_not_found", f"消息 {entry_id} 不存在")
    if actor.role != OFFICE and (actor.role != DEPARTMENT or entry.department_id != actor.department_id):
        log.warning(
            "forbidden: %s tried to mark message %s of department %s", actor.username, entry_id, entry.department_id
        )
        raise Forbidden("forbidden_department", "您只能查看本部门的消息")
    entry.read_at = entry.read_at or now
    await session.flush()
    return entry
