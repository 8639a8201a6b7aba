"""SQLAlchemy engines and sessions for a service's own database (SQLite by default, PostgreSQL in production)."""

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import DateTime, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator

from portal_common import sqlite

SQLITE_CONNECTIONS = 15


def create_engine(url: str) -> AsyncEngine:
    """An async engine: `sqlite+aiosqlite:///path` or `postgresql+psycopg://...`."""
    if url.startswith("sqlite"):
        # The session has rolled back when it hands a connection in; the pool's own rollback on return would be one
        # more trip to the connection's thread, so it rolls back only a connection still inside a transaction.
        # Connections are kept, never opened per request: the pool's default overflow closes connections beyond 5 as
        # they come back, and each new one is a thread, a file and three pragmas (under `make load` the catalog spent
        # most of its CPU opening connections). Past 15 at once a session waits for one, as it did before.
        engine = create_async_engine(
            url,
            async_creator=sqlite.connector(url, timeout=15),
            pool_reset_on_return=None,
            pool_size=SQLITE_CONNECTIONS,
            max_overflow=0,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "reset", _rollback_if_open)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run while the outbox relay writes; foreign keys are off in SQLite unless asked for.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _rollback_if_open(dbapi_connection, _record, state) -> None:
    if state.asyncio_safe and not state.terminate_only and dbapi_connection.driver_connection.in_transaction:
        dbapi_connection.rollback()


T = TypeVar("T")


async def run_to_completion(transaction: Awaitable[T]) -> T:
    """Run a unit of work that writes so that its caller giving up (a gRPC deadline or a cancelled call cancels the
    handler) does not cut it short: it still commits or rolls back and hands its connection back, and the caller
    gets its CancelledError. Cut short, an SQLite connection can be dropped in the middle of its write transaction
    without releasing the lock, and every later write then waits for it in vain (found by the locked-database test)."""
    task = asyncio.ensure_future(transaction)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(_retrieve_outcome)
        raise


def _retrieve_outcome(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()  # the caller is gone; a failure was logged where it happened


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class UTCDateTime(TypeDecorator):
    """A moment, always read back as an aware UTC datetime (SQLite drops the zone; PostgreSQL keeps it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def sync_url(url: str) -> str:
    """The same database for synchronous tools (Alembic): psycopg speaks both, SQLite needs its sync driver."""
    return url.replace("sqlite+aiosqlite", "sqlite", 1)


# Named constraints, so that later migrations can alter them on every database (SQLite included).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
