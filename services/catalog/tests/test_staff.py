"""Staff accounts: hashed passwords, lock-out after repeated failures, sessions that end (SQLite and PostgreSQL)."""

import pytest
from sqlalchemy import select

from catalog import service, staff
from catalog.models import MIGRATIONS, Staff, StaffSession
from catalog.service import Actor
from portal_common.errors import Conflict, Forbidden, Invalid, Unauthenticated
from portal_common.testing import migrated_sessions

OFFICE = Actor(username="office", role="portal_office")
PASSWORD = "correct horse battery"


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(database_url, MIGRATIONS) as factory:
        yield factory


@pytest.fixture
async def clerk(sessions) -> Staff:
    async with sessions() as session:
        department = await service.create_department(session, fields={"name": "市民政局"}, actor=OFFICE)
        member = await staff.create_staff(
            session,
            username="clerk",
            display_name="张三",
            role="department",
            department_id=department.id,
            password=PASSWORD,
            creator=OFFICE,
        )
        await session.commit()
        return member


async def test_login_opens_a_session_that_logout_ends(sessions, clerk):
    async with sessions() as session:
        token, member, _ = await staff.login(session, username="clerk", password=PASSWORD)
        assert (await staff.staff_for_token(session, token=token)).username == "clerk"
        stored = (await session.scalars(select(StaffSession))).one()
        assert token not in stored.token_hash  # only a hash is kept
        await staff.logout(session, token=token)
        with pytest.raises(Unauthenticated):
            await staff.staff_for_token(session, token=token)
    assert member.password_hash.startswith("$argon2id$")


async def test_every_login_gets_a_new_session(sessions, clerk):
    async with sessions() as session:
        first, _, _ = await staff.login(session, username="clerk", password=PASSWORD)
        second, _, _ = await staff.login(session, username="clerk", password=PASSWORD)
    assert first != second


async def test_wrong_password_and_unknown_user_get_the_same_answer(sessions, clerk):
    async with sessions() as session:
        with pytest.raises(Unauthenticated) as wrong:
            await staff.login(session, username="clerk", password="wrong password")
        with pytest.raises(Unauthenticated) as unknown:
            await staff.login(session, username="nobody", password=PASSWORD)
    assert (wrong.value.code, wrong.value.message) == (unknown.value.code, unknown.value.message)


async def test_repeated_failures_lock_the_account_even_for_the_right_password(sessions, clerk):
    async with sessions() as session:
        for _ in range(staff.MAX_FAILED_LOGINS):
            with pytest.raises(Unauthenticated):
                await staff.login(session, username="clerk", password="guess")
        with pytest.raises(Unauthenticated) as locked:
            await staff.login(session, username="clerk", password=PASSWORD)
    assert locked.value.code == "account_locked"


async def test_only_the_portal_office_manages_accounts(sessions, clerk):
    as_clerk = staff.actor(clerk)
    async with sessions() as session:
        with pytest.raises(Forbidden):
            await staff.create_staff(
                session,
                username="x",
                display_name="",
                role="portal_office",
                department_id=None,
                password=PASSWORD,
                creator=as_clerk,
            )
        with pytest.raises(Forbidden):
            await staff.list_staff(session, viewer=as_clerk)
        with pytest.raises(Conflict):
            await staff.create_staff(
                session,
                username="clerk",
                display_name="",
                role="portal_office",
                department_id=None,
                password=PASSWORD,
                creator=OFFICE,
            )
        with pytest.raises(Invalid) as short:
            await staff.create_staff(
                session,
                username="new",
                display_name="",
                role="portal_office",
                department_id=None,
                password="short",
                creator=OFFICE,
            )
    assert short.value.code == "password_too_short"
