"""Ticket rules: what a resident may submit, and tracking by number plus query code without an account."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback import events
from feedback.models import Ticket, TicketStep
from portal_common.errors import Invalid, NotFound
from portal_common.outbox import utcnow

KINDS = ("consultation", "complaint", "suggestion", "help")
PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")
# No 0/O or 1/I/L: the code is read off a phone screen and typed at a counter.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


@dataclass
class Submission:
    kind: str
    title: str
    content: str
    item_id: int = 0
    department_id: int = 0
    contact_name: str = ""
    contact_phone: str = ""
    may_publish: bool = False


def validate(submission: Submission) -> Submission:
    title, content = submission.title.strip(), submission.content.strip()
    phone, name = submission.contact_phone.strip(), submission.contact_name.strip()
    if submission.kind not in KINDS:
        raise Invalid("ticket_kind_invalid", "请选择类型：咨询、投诉、建议或求助")
    if not title or len(title) > 100:
        raise Invalid("ticket_title_invalid", "标题不能为空，且不超过100个字")
    if not content or len(content) > 2000:
        raise Invalid("ticket_content_invalid", "内容不能为空，且不超过2000个字")
    if phone and not PHONE.match(phone):
        raise Invalid("ticket_phone_invalid", "联系电话格式不正确")
    if len(name) > 50:
        raise Invalid("ticket_name_invalid", "姓名不能超过50个字")
    return Submission(
        kind=submission.kind,
        title=title,
        content=content,
        item_id=submission.item_id,
        department_id=submission.department_id,
        contact_name=name,
        contact_phone=phone,
        may_publish=submission.may_publish,
    )


def _code_hash(number: str, code: str) -> str:
    return hashlib.sha256(f"{number}:{code.upper()}".encode()).hexdigest()


async def submit_ticket(session: AsyncSession, *, submission: Submission) -> tuple[Ticket, str]:
    """Store a ticket; return it with its query code (kept only as a hash, so shown to the resident once)."""
    submission = validate(submission)
    ticket = Ticket(
        number=f"T{secrets.token_hex(8)}",  # replaced below once the id is known
        query_code_hash="",
        kind=submission.kind,
        title=submission.title,
        content=submission.content,
        item_id=submission.item_id or None,
        department_id=submission.department_id or None,
        contact_name=submission.contact_name,
        contact_phone=submission.contact_phone,
        may_publish=submission.may_publish,
    )
    session.add(ticket)
    await session.flush()
    ticket.number = f"{utcnow():%Y%m%d}{ticket.id:06d}"
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    ticket.query_code_hash = _code_hash(ticket.number, code)
    session.add(TicketStep(ticket_id=ticket.id, action="submitted", actor="resident"))
    await session.flush()
    events.stage_ticket_created(session, ticket)
    return ticket, code


async def track_ticket(session: AsyncSession, *, number: str, query_code: str) -> Ticket:
    ticket = await session.scalar(select(Ticket).where(Ticket.number == number.strip()))
    # One answer for a wrong number and a wrong code: the form must not reveal which numbers exist.
    if ticket is None or not hmac.compare_digest(
        ticket.query_code_hash, _code_hash(number.strip(), query_code.strip())
    ):
        raise NotFound("ticket_not_found", "没有找到该件，请核对编号和查询码")
    return ticket
