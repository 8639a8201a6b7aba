"""Staff accounts and their sessions: argon2id password hashes, lock-out after repeated failures, a fresh random
session token on every login (only its hash is stored).

The lock-out counts failures per (account, client address) and per address, never per account alone: an account-wide
lock would let anyone who knows the portal office's user name keep it locked out from every desk by typing wrong
passwords. So an address that fails `per_account` times on one account is refused for that account, and one that
fails `per_address` times on any accounts is refused for all, until fewer failures than that are left within
`LOCK_DURATION`; the owner logs in from their own desk meanwhile. Guessing from many addresses is slowed by argon2,
the gateway's per-address rate limit and the minimum password length, and every lock is logged."""

import asyncio
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.guide import text
from catalog.models import Department, FailedLogin, Staff, StaffSession
from catalog.service import Actor
from portal_common.errors import Conflict, Invalid, Unauthenticated
from portal_common.outbox import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginLimits:
    per_account: int = 5  # failures from one address on one account
    per_address: int = 20  # failures from one address, whichever accounts it tries


DEFAULT_LOGIN_LIMITS = LoginLimits()

HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the username is unknown, so that a wrong name costs as long as a wrong password.
UNKNOWN_USER_HASH = HASHER.hash(secrets.token_hex(16))
LOCK_DURATION = timedelta(minutes=15)
FAILURE_RETENTION = timedelta(days=1)
SESSION_LIFETIME = timedelta(hours=8)
ROLES = ("department", "portal_office")
MIN_PASSWORD_LENGTH = 10
LOGIN_FAILED = "用户名或密码不正确"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor(staff: Staff) -> Actor:
    return Actor(username=staff.username, role=staff.role, department_id=staff.department_id)


async def login(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    client_ip: str = "",
    limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
) -> tuple[str, Staff, datetime]:
    """Check the password and open a session; returns (token, staff, expires_at). `client_ip` is the address the
    log-in came from (the gateway passes it on), for the lock-out."""
    now = utcnow()
    username = username.strip()
    pair, address = _failure_keys(username, client_ip)
    await _refuse_when_locked(session, pair=pair, address=address, now=now, limits=limits)
    staff = await session.scalar(select(Staff).where(Staff.username == username))
    if staff is None or not staff.active:
        await _verify(UNKNOWN_USER_HASH, password)
        await _count_failure(session, pair=pair, address=address, now=now)
        raise Unauthenticated("login_failed", LOGIN_FAILED)
    if not await _verify(staff.password_hash, password):
        await _count_failure(session, pair=pair, address=address, now=now)
        raise Unauthenticated("login_failed", LOGIN_FAILED)
    await session.execute(delete(FailedLogin).where(FailedLogin.client == pair))
    if HASHER.check_needs_rehash(staff.password_hash):
        staff.password_hash = await asyncio.to_thread(HASHER.hash, password)
    token = secrets.token_urlsafe(32)
    expires_at = now + SESSION_LIFETIME
    session.add(StaffSession(token_hash=_token_hash(token), staff_id=staff.id, expires_at=expires_at))
    await session.commit()
    return token, staff, expires_at


def _failure_keys(username: str, client_ip: str) -> tuple[str, str]:
    """Hashed, so that the table names neither accounts nor addresses."""

    def digest(value: str) -> str:
        return hashlib.sha256(value.encode()).hexdigest()[:40]

    return f"account:{digest(username.lower() + '|' + client_ip)}", f"ip:{digest(client_ip)}"


async def _refuse_when_locked(
    session: AsyncSession, *, pair: str, address: str, now: datetime, limits: LoginLimits
) -> None:
    """Checked before the password, so that a locked-out guesser learns nothing even from the right password."""
    recent = FailedLogin.at > now - LOCK_DURATION
    pair_count, address_count = (
        await session.execute(
            select(
                func.count().filter(FailedLogin.client == pair),
                func.count().filter(FailedLogin.client == address),
            ).where(FailedLogin.client.in_([pair, address]), recent)
        )
    ).one()
    if pair_count >= limits.per_account or address_count >= limits.per_address:
        log.warning(
            "refused a log-in: %s locked out (%d failures on the account, %d from the address)",
            pair,
            pair_count,
            address_count,
        )
        raise Unauthenticated("account_locked", "登录失败次数过多，已暂时锁定，请15分钟后再试")


async def _count_failure(session: AsyncSession, *, pair: str, address: str, now: datetime) -> None:
    await session.execute(delete(FailedLogin).where(FailedLogin.at < now - FAILURE_RETENTION))
    session.add_all([FailedLogin(client=pair, at=now), FailedLogin(client=address, at=now)])
    await session.commit()


async def _verify(password_hash: str, password: str) -> bool:
    """In a thread: argon2 is meant to take a noticeable CPU time, which would otherwise stall every other call the
    process is serving (and, under a guessing attack, time them out)."""

    def verify() -> bool:
        try:
            return HASHER.verify(password_hash, password)
        except VerificationError:
            return False

    return await asyncio.to_thread(verify)


async def logout(session: AsyncSession, *, token: str) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
    await session.commit()


async def staff_for_token(session: AsyncSession, *, token: str) -> Staff:
    """The staff member whose live session this is; anything else is Unauthenticated."""
    if not token:
        raise Unauthenticated("login_required", "请先登录")
    login_session = await session.get(StaffSession, _token_hash(token))
    if login_session is None or login_session.expires_at <= utcnow() or not login_session.staff.active:
        raise Unauthenticated("session_invalid", "登录已过期，请重新登录")
    return login_session.staff


async def create_staff(
    session: AsyncSession,
    *,
    username: str,
    display_name: str,
    role: str,
    department_id: int | None,
    password: str,
    creator: Actor,
) -> Staff:
    creator.require_portal_office("create a staff account")
    username = text("username", username, limit=50, required=True)
    if role not in ROLES:
        raise Invalid("role_invalid", "角色必须是部门工作人员或门户办公室", field="role")
    if role == "department":
        if not department_id or await session.get(Department, department_id) is None:
            raise Invalid("department_not_found", "部门工作人员必须属于一个已有部门", field="department_id")
    else:
        department_id = None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("password_too_short", f"密码至少{MIN_PASSWORD_LENGTH}位", field="password")
    staff = Staff(
        username=username,
        display_name=text("display_name", display_name, limit=50),
        role=role,
        department_id=department_id,
        password_hash=await asyncio.to_thread(HASHER.hash, password),  # off the event loop, as in _verify
    )
    session.add(staff)
    try:
        await session.flush()
    except IntegrityError as error:
        raise Conflict("username_taken", f"用户名 {username} 已被使用", field="username") from error
    return staff


async def list_staff(session: AsyncSession, *, viewer: Actor) -> list[Staff]:
    viewer.require_portal_office("list staff accounts")
    return list((await session.scalars(select(Staff).order_by(Staff.id))).all())


async def ensure_portal_office_account(session: AsyncSession, *, username: str, password: str) -> bool:
    """Create the first portal office account unless it exists (how a new installation gets its first login)."""
    if await session.scalar(select(Staff.id).where(Staff.username == username)):
        return False
    session.add(
        Staff(username=username, display_name="门户办公室", role="portal_office", password_hash=HASHER.hash(password))
    )
    await session.commit()
    return True
