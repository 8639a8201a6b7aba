"""Staff accounts: hashed passwords, lock-out per account and address after repeated failures, sessions that end
(SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from catalog import service, staff
from catalog.models import MIGRATIONS, FailedLogin, Staff, StaffSession
from catalog.service import Actor
from portal_common.errors import Conflict, Forbidden, Invalid, Unauthenticated
from portal_common.outbox import utcnow
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


ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


async def fail_logins(session, times: int, *, username: str = "clerk", client_ip: str = ATTACKER) -> None:
    for _ in range(times):
        with pytest.raises(Unauthenticated):
            await staff.login(session, username=username, password="guess", client_ip=client_ip)


async def test_repeated_failures_lock_that_address_out_of_the_account_even_for_the_right_password(sessions, clerk):
    async with sessions() as session:
        await fail_logins(session, staff.LoginLimits().per_account)
        with pytest.raises(Unauthenticated) as locked:
            await staff.login(session, username="clerk", password=PASSWORD, client_ip=ATTACKER)
    assert locked.value.code == "account_locked"


async def test_a_guesser_cannot_lock_the_owner_out_from_another_address(sessions, clerk):
    async with sessions() as session:
        await fail_logins(session, staff.LoginLimits().per_account * 3)
        token, member, _ = await staff.login(session, username="clerk", password=PASSWORD, client_ip=OWNER)
    assert token and member.username == "clerk"


async def test_an_address_guessing_across_accounts_is_locked_out_of_every_account(sessions, clerk):
    async with sessions() as session:
        for n in range(staff.LoginLimits().per_address // (staff.LoginLimits().per_account - 1)):
            await fail_logins(session, staff.LoginLimits().per_account - 1, username=f"user{n}")
        with pytest.raises(Unauthenticated) as locked:
            await staff.login(session, username="clerk", password=PASSWORD, client_ip=ATTACKER)
        assert locked.value.code == "account_locked"
        assert await staff.login(session, username="clerk", password=PASSWORD, client_ip=OWNER)


async def test_a_success_forgets_the_earlier_failures_and_the_lock_ends(sessions, clerk):
    async with sessions() as session:
        await fail_logins(session, staff.LoginLimits().per_account - 1)
        await staff.login(session, username="clerk", password=PASSWORD, client_ip=ATTACKER)
        await fail_logins(session, staff.LoginLimits().per_account - 1)  # not locked: the count started again
        await staff.login(session, username="clerk", password=PASSWORD, client_ip=ATTACKER)
        await fail_logins(session, staff.LoginLimits().per_account)
        await session.execute(update(FailedLogin).values(at=utcnow() - staff.LOCK_DURATION - timedelta(seconds=1)))
        await session.commit()
        assert await staff.login(session, username="clerk", password=PASSWORD, client_ip=ATTACKER)


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
