"""Guards on what residents send without an account: a honeypot field, rate limits per client address and per
phone number, and idempotency keys so that a retried submission makes one ticket.

The rate limits count rows in the database rather than in each process's memory: behind a load balancer every
replica sees part of the traffic, and a rolling restart would forget in-memory counters, so per-process limits
would be several times looser than configured and reset on each deploy. One indexed count and one insert per
submission is nothing next to the submission itself. Two simultaneous submissions from one client may both pass
the last free slot: the limit stops floods, not the hundred-and-first request exactly. Addresses and phone
numbers are stored hashed and deleted after two days."""

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback.models import IdempotencyKey, RecentSubmission
from feedback.policy import Policy
from portal_common.errors import Invalid, TooManyRequests

log = logging.getLogger(__name__)
KEY_SHAPE = re.compile(r"^[\x21-\x7e]{8,100}$")  # printable ASCII, as an HTTP header carries it
RETENTION = timedelta(days=2)


@dataclass(frozen=True)
class Origin:
    """Where a resident's submission came from: the client's address (set by the gateway) and the
    Idempotency-Key it sent, if any."""

    client_ip: str = ""
    idempotency_key: str = ""


NO_ORIGIN = Origin()


def refuse_honeypot(honeypot: str, channel: str, origin: Origin) -> None:
    if honeypot.strip():
        log.warning("refused a %s submission with the honeypot filled in (client %s)", channel, origin.client_ip)
        raise Invalid("submission_refused", "提交未被接受：请刷新页面后重新填写，不要使用自动填表工具")


def _client(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def normalized_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


async def check_rate(
    session: AsyncSession, *, channel: str, origin: Origin, phone: str, policy: Policy, now: datetime
) -> None:
    """Refuse when the client address or the phone number has sent too much lately; otherwise count this one."""
    limits = []
    if origin.client_ip:
        limits.append((_client("ip", origin.client_ip), timedelta(hours=1), policy.ip_hourly_limit, "1小时"))
    if phone:
        limits.append((_client("phone", normalized_phone(phone)), timedelta(days=1), policy.phone_daily_limit, "1天"))
    if not limits:
        return
    recent = [  # one query counts both
        func.count().filter(RecentSubmission.client == client, RecentSubmission.at > now - window)
        for client, window, *_ in limits
    ]
    query = select(*recent).where(
        RecentSubmission.channel == channel,
        RecentSubmission.client.in_([client for client, *_ in limits]),
        RecentSubmission.at > now - max(window for _, window, *_ in limits),
    )
    counts = (await session.execute(query)).one()
    for (client, window, limit, window_text), count in zip(limits, counts, strict=True):
        if count >= limit:
            log.warning("rate limit: %s %s reached %d in %s", channel, client.split(":")[0], limit, window)
            raise TooManyRequests("too_many_submissions", f"提交过于频繁：{window_text}内最多提交{limit}次，请稍后再试")
    # One multi-row insert: added as objects they would be inserted one statement each, to read back ids never used.
    await session.execute(insert(RecentSubmission), [{"channel": channel, "client": c, "at": now} for c, *_ in limits])


async def forget_old_submissions(session: AsyncSession, *, now: datetime, keep_keys: timedelta) -> None:
    await session.execute(delete(RecentSubmission).where(RecentSubmission.at < now - RETENTION))
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - keep_keys))


def checked_key(key: str) -> str:
    if not KEY_SHAPE.match(key):
        raise Invalid("idempotency_key_invalid", "Idempotency-Key 须为8到100个可见ASCII字符", field="Idempotency-Key")
    return key


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def request_hash(fields: dict) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
