"""Staff accounts and their sessions: argon2id password hashes, lock-out after repeated failures, a fresh random
session token on every login (only its hash is stored)."""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.guide import text
from catalog.models import Department, Staff, StaffSession
from catalog.service import Actor
from portal_common.errors import Conflict, Invalid, Unauthenticated
from portal_common.outbox import utcnow

log = logging.getLogger(__name__)
HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the username is unknown, so that a wrong name costs as long as a wrong password.
UNKNOWN_USER_HASH = HASHER.hash(secrets.token_hex(16))
MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
ROLES = ("department", "portal_office")
MIN_PASSWORD_LENGTH = 10
LOGIN_FAILED = "用户名或密码不正确"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor(staff: Staff) -> Actor:
    return Actor(username=staff.username, role=staff.role, department_id=staff.department_id)


async def login(session: AsyncSession, *, username: str, password: str) -> tuple[str, Staff, datetime]:
    """Check the password and open a session; returns (token, staff, expires_at)."""
    now = utcnow()
    staff = await session.scalar(select(Staff).where(Staff.username == username.strip()))
    if staff is None or not staff.active:
        _verify(UNKNOWN_USER_HASH, password)
        raise Unauthenticated("login_failed", LOGIN_FAILED)
    if staff.locked_until and staff.locked_until > now:
        raise Unauthenticated("account_locked", "登录失败次数过多，账号已暂时锁定，请15分钟后再试")
    if not _verify(staff.password_hash, password):
        staff.failed_logins += 1
        if staff.failed_logins >= MAX_FAILED_LOGINS:
            staff.locked_until, staff.failed_logins = now + LOCK_DURATION, 0
            log.warning("locked staff account %s after %d failed logins", staff.username, MAX_FAILED_LOGINS)
        await session.commit()
        raise Unauthenticated("login_failed", LOGIN_FAILED)
    staff.failed_logins, staff.locked_until = 0, None
    if HASHER.check_needs_rehash(staff.password_hash):
        staff.password_hash = HASHER.hash(password)
    token = secrets.token_urlsafe(32)
    expires_at = now + SESSION_LIFETIME
    session.add(StaffSession(token_hash=_token_hash(token), staff_id=staff.id, expires_at=expires_at))
    await session.commit()
    return token, staff, expires_at


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except VerificationError:
        return False


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
        password_hash=HASHER.hash(password),
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
