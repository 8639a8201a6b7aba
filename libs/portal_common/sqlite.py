"""SQLite connections for the async engine that run a statement and fetch its rows in one trip to the connection's
thread.

aiosqlite gives every sqlite3 call its own trip: SQLAlchemy's adapter makes four per statement (open a cursor,
execute, fetch every row, close), and each trip wakes a thread and then the event loop again. On a busy two-core
box a trip costs about 0.15 ms of CPU, more than SQLite needs for an indexed read, so a page's read paid for the
trips rather than for its rows. Here the cursor opens lazily and executes and fetches together; fetching is
from memory and closing is free. SQLAlchemy fetches every row right after executing anyway (it buffers results
for asyncio), so nothing is read earlier than before, and every sqlite3 call still runs on the connection's own
thread."""

import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.engine import make_url


class OneTripCursor(aiosqlite.Cursor):
    def __init__(self, connection: aiosqlite.Connection):
        super().__init__(connection, None)
        self._rows: list = []

    def _run(self, method: str, sql: str, parameters: Any) -> None:  # on the connection's thread
        if self._cursor is None:
            self._cursor = self._conn._conn.cursor()
        getattr(self._cursor, method)(sql, parameters)
        self._rows = self._cursor.fetchall() if self._cursor.description else []

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> "OneTripCursor":
        await self._execute(self._run, "execute", sql, [] if parameters is None else parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> "OneTripCursor":
        await self._execute(self._run, "executemany", sql, parameters)
        return self

    async def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list:
        size = self.arraysize if size is None else size
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def fetchall(self) -> list:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []  # the sqlite3 cursor is done once its rows are fetched

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize if self._cursor is not None else 1


class OneTripConnection(aiosqlite.Connection):
    def cursor(self) -> OneTripCursor:  # SQLAlchemy enters it with `async with`: no trip needed to open it
        return OneTripCursor(self)


def connector(url: str, **connect_args: Any) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """`async_creator` for `create_async_engine`: a connection to the URL's file with these sqlite3 arguments."""
    path = make_url(url).database

    async def connect() -> aiosqlite.Connection:
        connection = OneTripConnection(partial(sqlite3.connect, path, **connect_args), iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite: never keeps the process alive
        return await connection

    return connect
