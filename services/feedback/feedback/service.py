"""Ticket rules: what a resident may submit, tracking by number plus query code without an account, and every
later step through the flow table (`flow.RULES`), recorded with who, when and what and announced as an event."""

import hashlib
import hmac
import logging
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from feedback import abuse, events, texts
from feedback.abuse import NO_ORIGIN, Origin
from feedback.flow import DEPARTMENT, OFFICE, OPEN, RULES, Actor, Rule, permitted
from feedback.models import IdempotencyKey, Ticket, TicketStep
from feedback.policy import Policy
from portal_common import paging
from portal_common.errors import Conflict, Forbidden, Invalid, NotFound

log = logging.getLogger(__name__)
KINDS = ("consultation", "complaint", "suggestion", "help")
# No 0/O or 1/I/L: the code is read off a phone screen and typed at a counter.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
MAX_PAGE_SIZE = 100
NOT_FOUND = "没有找到该件，请核对编号和查询码"


@dataclass(frozen=True)
class Submission:
    kind: str
    subject: str
    body: str
    item_id: int = 0
    department_id: int = 0
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    public: bool = False
    honeypot: str = ""


def validate(submission: Submission) -> Submission:
    if submission.kind not in KINDS:
        raise Invalid("ticket_kind_invalid", "请选择类型：咨询、投诉、建议或求助", field="kind")
    if submission.item_id < 0 or submission.department_id < 0:
        raise Invalid("ticket_reference_invalid", "事项或部门编号不正确", field="item_id")
    return replace(
        submission,
        subject=texts.text("subject", submission.subject, limit=100, required=True, code="ticket_subject_invalid"),
        body=texts.text("body", submission.body, limit=2000, required=True, code="ticket_body_invalid"),
        contact_name=texts.text("contact_name", submission.contact_name, limit=50, code="ticket_name_invalid"),
        contact_phone=texts.phone("contact_phone", submission.contact_phone, code="ticket_phone_invalid"),
        contact_email=texts.email("contact_email", submission.contact_email, code="ticket_email_invalid"),
        honeypot="",
    )


def _code_hash(ticket_no: str, code: str) -> str:
    return hashlib.sha256(f"{ticket_no}:{code.upper()}".encode()).hexdigest()


def _derived_code(idempotency_key: str, ticket_no: str) -> str:
    """The query code of a submission sent with an Idempotency-Key, computed from the key. A retry with the key
    and the same content gets the same code again, and still no code is stored anywhere: the database keeps
    only hashes of the key and of the code."""
    digest = hmac.new(idempotency_key.encode(), f"query-code:{ticket_no}".encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


async def submit_ticket(
    session: AsyncSession, *, submission: Submission, origin: Origin = NO_ORIGIN, policy: Policy, now: datetime
) -> tuple[Ticket, str]:
    """Store a ticket; return it with its query code (shown to the resident, never stored). With an idempotency
    key, a retry of the same submission answers the first ticket, a different one with the key is refused."""
    abuse.refuse_honeypot(submission.honeypot, "ticket", origin)
    submission = validate(submission)
    key = abuse.checked_key(origin.idempotency_key) if origin.idempotency_key else ""
    fingerprint = abuse.request_hash(asdict(submission))
    if key and (replayed := await _replay(session, key, fingerprint)):
        return replayed
    await abuse.check_rate(
        session, channel="ticket", origin=origin, phone=submission.contact_phone, policy=policy, now=now
    )
    fields = asdict(submission)
    del fields["honeypot"]
    ticket, code = await open_ticket(session, fields=fields, now=now, policy=policy, idempotency_key=key)
    if not key:
        return ticket, code
    session.add(IdempotencyKey(key_hash=abuse.key_hash(key), request_hash=fingerprint, ticket_id=ticket.id))
    try:
        await session.flush()
    except IntegrityError:  # the same key, sent twice at once: the other one won
        await session.rollback()
        if replayed := await _replay(session, key, fingerprint):
            return replayed
        raise
    return ticket, code


async def _replay(session: AsyncSession, key: str, fingerprint: str) -> tuple[Ticket, str] | None:
    stored = await session.get(IdempotencyKey, abuse.key_hash(key))
    if stored is None:
        return None
    if stored.request_hash != fingerprint:
        raise Conflict(
            "idempotency_key_reused",
            "该 Idempotency-Key 已用于另一份内容不同的提交；新的提交请使用新的 Idempotency-Key",
            field="Idempotency-Key",
        )
    ticket = await session.get(Ticket, stored.ticket_id)
    return ticket, _derived_code(key, ticket.ticket_no)


async def open_ticket(
    session: AsyncSession,
    *,
    fields: dict,
    now: datetime,
    policy: Policy,
    source: str = "resident",
    handling_department_id: int | None = None,
    idempotency_key: str = "",
) -> tuple[Ticket, str]:
    """A new ticket with its first step and its event. With `handling_department_id` it goes straight to that
    department (a rectification ticket), its deadline running from now."""
    ticket = Ticket(
        ticket_no=f"T{secrets.token_hex(8)}",  # replaced below once the id is known
        query_code_hash="",
        source=source,
        created_at=now,
        updated_at=now,
        **{**fields, "item_id": fields.get("item_id") or None, "department_id": fields.get("department_id") or None},
    )
    if handling_department_id:
        ticket.status, ticket.handling_department_id, ticket.assigned_at = "assigned", handling_department_id, now
        ticket.deadline_at = policy.deadline(ticket.kind, now)
    session.add(ticket)
    await session.flush()
    ticket.ticket_no = f"{policy.calendar.local_date(now):%Y%m%d}{ticket.id:06d}"
    code = (
        _derived_code(idempotency_key, ticket.ticket_no)
        if idempotency_key
        else "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    )
    ticket.query_code_hash = _code_hash(ticket.ticket_no, code)
    session.add(
        TicketStep(
            ticket_id=ticket.id,
            action="submitted",
            actor="resident" if source == "resident" else "rating",
            actor_role="resident" if source == "resident" else "system",
            to_status=ticket.status,
            department_id=handling_department_id,
            at=now,
        )
    )
    await session.flush()
    events.stage_ticket_created(session, ticket)
    return ticket, code


async def track_ticket(session: AsyncSession, *, ticket_no: str, query_code: str) -> Ticket:
    ticket_no = ticket_no.strip()
    ticket = await session.scalar(select(Ticket).where(Ticket.ticket_no == ticket_no))
    # One answer for a wrong number and a wrong code: the form must not reveal which numbers exist.
    if ticket is None or not hmac.compare_digest(ticket.query_code_hash, _code_hash(ticket_no, query_code.strip())):
        raise NotFound("ticket_not_found", NOT_FOUND)
    return ticket


async def ticket_steps(session: AsyncSession, *, ticket: Ticket) -> list[TicketStep]:
    return list((await session.scalars(select(TicketStep).where(TicketStep.ticket_id == ticket.id))).all())


async def find_ticket(session: AsyncSession, *, ticket_no: str) -> Ticket | None:
    return await session.scalar(select(Ticket).where(Ticket.ticket_no == ticket_no.strip()))


async def _ticket(session: AsyncSession, ticket_no: str) -> Ticket:
    ticket = await find_ticket(session, ticket_no=ticket_no)
    if ticket is None:
        raise NotFound("ticket_not_found", f"件 {ticket_no} 不存在")
    return ticket


def _require_reader(ticket: Ticket, actor: Actor) -> None:
    if actor.role == OFFICE:
        return
    if actor.role == DEPARTMENT and ticket.handling_department_id == actor.department_id:
        return
    log.warning("forbidden: %s (department %s) tried to read ticket %s", actor.username, actor.department_id, ticket.id)
    raise Forbidden("forbidden_department", "您只能查看本部门的件")


async def get_ticket(session: AsyncSession, *, ticket_no: str, actor: Actor) -> Ticket:
    ticket = await _ticket(session, ticket_no)
    _require_reader(ticket, actor)
    return ticket


# --- steps -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What comes with a step: a reason or an answer, a department, a duplicate, the days of an extension."""

    note: str = ""
    department_id: int = 0
    duplicate_of: str = ""
    extension_days: int = 0
    expected_version: int = 0
    deadline_stage: int = 0  # the scheduler's: the deadline stage this step marks


async def transition(
    session: AsyncSession,
    *,
    ticket_no: str,
    action: str,
    actor: Actor,
    change: Change = Change(),
    policy: Policy,
    now: datetime,
) -> Ticket:
    rule = RULES.get(action)
    if rule is None:
        raise Invalid("ticket_action_invalid", f"未知的操作：{action}", field="action")
    ticket = await _ticket(session, ticket_no)
    if change.expected_version and change.expected_version != ticket.version:
        raise Conflict("ticket_version_conflict", "该件已被他人处理，请刷新后重试", field="version")
    await apply(session, ticket=ticket, rule=rule, actor=actor, change=change, policy=policy, now=now)
    return ticket


async def apply(
    session: AsyncSession, *, ticket: Ticket, rule: Rule, actor: Actor, change: Change, policy: Policy, now: datetime
) -> TicketStep:
    """Take one step: check who and from where, apply its effect, record it and stage its event."""
    permitted(rule, status=ticket.status, handling_department_id=ticket.handling_department_id, actor=actor)
    before_status, before_department = ticket.status, ticket.handling_department_id
    note = await EFFECTS.get(rule.action, _no_effect)(session, ticket, change, policy, now)
    ticket.status = rule.target or ticket.status
    ticket.updated_at = now
    step = TicketStep(
        ticket_id=ticket.id,
        action=rule.step,
        actor=actor.username,
        actor_role=actor.role,
        from_status=before_status,
        to_status=ticket.status,
        department_id=ticket.handling_department_id or before_department,
        note=note,
        at=now,
    )
    session.add(step)
    try:
        await session.flush()
    except StaleDataError as error:
        raise Conflict("ticket_version_conflict", "该件已被他人处理，请刷新后重试") from error
    events.stage_ticket_changed(session, ticket, step, previous_department_id=before_department)
    return step


def _reason(change: Change, label: str = "理由") -> str:
    reason = texts.text("note", change.note, limit=500, code="ticket_note_invalid")
    if not reason:
        raise Invalid("ticket_note_required", f"请填写{label}", field="note")
    return reason


def _optional_note(change: Change) -> str:
    return texts.text("note", change.note, limit=500, code="ticket_note_invalid")


async def _no_effect(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    return _optional_note(change)


async def _reject(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    return _reason(change, "不予受理的理由")


async def _merge(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    original = await session.scalar(select(Ticket).where(Ticket.ticket_no == change.duplicate_of.strip()))
    if original is None or original.id == ticket.id or original.status == "merged":
        raise Invalid("duplicate_of_invalid", "请填写与本件重复、仍在办理的件号", field="duplicate_of")
    ticket.duplicate_of = original.ticket_no
    return _optional_note(change) or f"与 {original.ticket_no} 重复，合并办理"


def _start_deadline(ticket: Ticket, policy: Policy, now: datetime) -> None:
    ticket.assigned_at = now
    ticket.deadline_at = policy.deadline(ticket.kind, now)
    ticket.deadline_stage = 0
    ticket.extension_days_requested = 0


async def _assign(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    if change.department_id <= 0:
        raise Invalid("department_required", "请选择承办部门", field="department_id")
    ticket.handling_department_id = change.department_id
    _start_deadline(ticket, policy, now)
    return _optional_note(change)


async def _return(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    if ticket.bounce_count >= policy.max_returns:
        raise Conflict(
            "return_limit_reached", f"该件已被退回{ticket.bounce_count}次，不能再退回，请办理或联系门户办公室协调"
        )
    reason = _reason(change, "退回理由")
    ticket.bounce_count += 1
    ticket.handling_department_id = None
    ticket.deadline_at, ticket.assigned_at, ticket.deadline_stage = None, None, 0
    return reason


async def _request_extension(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    if ticket.extension_days_requested:
        raise Conflict("extension_pending", "已有延期申请在审核中")
    if ticket.deadline_at is None or now >= ticket.deadline_at:
        raise Conflict("deadline_passed", "已超过办理期限，不能再申请延期")
    if not 1 <= change.extension_days <= policy.max_extension_days:
        raise Invalid(
            "extension_days_invalid", f"延期天数须为1到{policy.max_extension_days}个工作日", field="extension_days"
        )
    reason = _reason(change, "延期理由")
    ticket.extension_days_requested = change.extension_days
    return f"申请延期{change.extension_days}个工作日：{reason}"


async def _grant_extension(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    days = ticket.extension_days_requested
    if not days:
        raise Conflict("no_extension_pending", "没有待审核的延期申请")
    ticket.deadline_at = policy.calendar.add_working_days(ticket.deadline_at, days)
    ticket.deadline_stage, ticket.extension_days_requested = 0, 0
    local = ticket.deadline_at.astimezone(policy.calendar.zone)
    return f"办理期限延长{days}个工作日，至{local:%Y-%m-%d %H:%M}"


async def _deny_extension(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    if not ticket.extension_days_requested:
        raise Conflict("no_extension_pending", "没有待审核的延期申请")
    ticket.extension_days_requested = 0
    return _reason(change, "不同意延期的理由")


async def _answer(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    answer = texts.text("note", change.note, limit=5000, required=True, code="ticket_answer_invalid")
    ticket.answer, ticket.answered_at, ticket.extension_days_requested = answer, now, 0
    return answer


def _back_to_department(ticket: Ticket, policy: Policy, now: datetime) -> None:
    ticket.reopen_count += 1
    if ticket.handling_department_id:  # the department that answered works it again, with a fresh deadline
        _start_deadline(ticket, policy, now)


async def _reopen(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    reason = _reason(change, "重新办理的理由")
    _back_to_department(ticket, policy, now)
    return reason


async def _rated_unsatisfied(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    _back_to_department(ticket, policy, now)
    return _optional_note(change)


async def _deadline_mark(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    # The scheduler's marks move the ticket's deadline stage; a 催办 or 督办 by the portal office does not.
    ticket.deadline_stage = max(ticket.deadline_stage, change.deadline_stage)
    return _optional_note(change)


async def _publish(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    if ticket.kind != "consultation" or not ticket.item_id:
        raise Invalid("ticket_not_publishable", "只有关于具体事项的咨询可以公开为问答")
    if not ticket.public:
        raise Invalid("publication_not_allowed", "提问人未同意公开，不能公开该问答")
    ticket.qa_published = True
    return _optional_note(change)


async def _unpublish(session, ticket: Ticket, change: Change, policy: Policy, now: datetime) -> str:
    ticket.qa_published = False
    return _optional_note(change)


EFFECTS = {
    "reject": _reject,
    "merge": _merge,
    "assign": _assign,
    "return": _return,
    "request_extension": _request_extension,
    "grant_extension": _grant_extension,
    "deny_extension": _deny_extension,
    "answer": _answer,
    "rate_unsatisfied": _rated_unsatisfied,
    "reopen": _reopen,
    "mark_due_soon": _deadline_mark,
    "mark_overdue": _deadline_mark,
    "remind": _deadline_mark,
    "escalate": _deadline_mark,
    "publish": _publish,
    "unpublish": _unpublish,
}


# --- lists -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketFilter:
    status: str = ""
    kind: str = ""
    department_id: int = 0


def _visible_to(query: Select, actor: Actor, department_id: int) -> Select:
    if actor.role == DEPARTMENT:
        if department_id and department_id != actor.department_id:
            log.warning("forbidden: %s tried to list department %s's tickets", actor.username, department_id)
            raise Forbidden("forbidden_department", "您只能查看本部门的件")
        return query.where(Ticket.handling_department_id == actor.department_id)
    if actor.role != OFFICE:
        raise Forbidden("forbidden_role", "只有工作人员可以查看")
    return query.where(Ticket.handling_department_id == department_id) if department_id else query


async def list_tickets(
    session: AsyncSession, *, actor: Actor, filters: TicketFilter, page_size: int = 20, page_token: str = ""
) -> tuple[int, list[Ticket], str]:
    """Newest first; `page_token` continues after the last ticket of the previous page."""
    query = _visible_to(select(Ticket), actor, filters.department_id)
    if filters.status:
        query = query.where(Ticket.status == filters.status)
    if filters.kind:
        query = query.where(Ticket.kind == filters.kind)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if page_token:
        query = query.where(Ticket.id < paging.row_id(page_token))
    size = min(max(page_size, 1), MAX_PAGE_SIZE)
    tickets = list((await session.scalars(query.order_by(Ticket.id.desc()).limit(size + 1))).all())
    more = len(tickets) > size
    return total, tickets[:size], str(tickets[size - 1].id) if more else ""


async def list_overdue(session: AsyncSession, *, actor: Actor, now: datetime) -> list[Ticket]:
    """Tickets past their deadline that a department still holds, the most overdue first."""
    query = _visible_to(select(Ticket), actor, 0).where(Ticket.status.in_(OPEN), Ticket.deadline_at < now)
    return list((await session.scalars(query.order_by(Ticket.deadline_at).limit(500))).all())


# An item's published answers, newest first, with how many there are, in one statement (the total is a window
# over the rows before the limit): every item page asks, and a statement costs more than the rows it reads. Plain
# rows, not tickets, since the page changes nothing; built once, as only the item and the size vary.
ITEM_QUESTIONS = (
    select(
        Ticket.ticket_no,
        Ticket.subject,
        Ticket.body,
        Ticket.answer,
        Ticket.contact_name,
        Ticket.created_at,
        Ticket.answered_at,
        func.count().over().label("total"),
    )
    .where(
        Ticket.item_id == bindparam("item_id"),
        Ticket.kind == "consultation",
        Ticket.qa_published.is_(True),
        Ticket.status.in_(("answered", "closed")),
    )
    .order_by(Ticket.answered_at.desc(), Ticket.id.desc())
    .limit(bindparam("size"))
)


async def item_questions(session: AsyncSession, *, item_id: int, page_size: int = 20) -> tuple[int, list[Row]]:
    size = min(max(page_size, 1), MAX_PAGE_SIZE)
    rows = list((await session.execute(ITEM_QUESTIONS, {"item_id": item_id, "size": size})).all())
    return (rows[0].total if rows else 0), rows
