"""Answers that change only when the catalog is written (the departments with their item counts, the counts per
section, theme, life event and audience), kept in the process until the catalog's version moves. The home page asks
for them on every render; computing them scans the items table.

The version is read from the outbox, in one indexed query every replica can make: each catalog write adds outbox
rows in its own transaction, and rows are never deleted, so a write this process did not make still shows. The
cache is exact, never a time to live."""

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import OutboxEvent

# PostgreSQL hands out sequence numbers before commit, so a writer can commit after another one that took a higher
# number: the highest number alone would not move then. Counting the rows among the last numbers does, for any
# writer that commits before this many later rows are written.
RECENT_ROWS = 256


async def catalog_version(session: AsyncSession) -> tuple[int, int]:
    top = select(func.max(OutboxEvent.seq)).scalar_subquery()
    recent = select(func.count()).where(OutboxEvent.seq > top - RECENT_ROWS).scalar_subquery()
    highest, count = (await session.execute(select(top, recent))).one()
    return highest or 0, count


class CatalogCache:
    def __init__(self) -> None:
        self._answers: dict[str, tuple[tuple[int, int], Any]] = {}

    async def get(self, session: AsyncSession, name: str, compute: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        """The answer `compute` gives at the catalog's current version. The version is read before computing, so an
        answer is never older than the version it is kept under (a write in between only costs a recomputation)."""
        version = await catalog_version(session)
        kept = self._answers.get(name)
        if kept is not None and kept[0] == version:
            return kept[1]
        answer = await compute(session)
        self._answers[name] = (version, answer)
        return answer
