"""Answers kept in the process while they stay exact. First, those that change only when the catalog is written
(the departments with their item counts, the counts per section, theme, life event and audience), kept until the
catalog's version moves: the home page asks for them on every render, and computing them scans the items table.

The version is read from the outbox, in one indexed query every replica can make: each catalog write adds outbox
rows in its own transaction, and rows are never deleted, so a write this process did not make still shows. The
cache is exact, never a time to live."""

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import service
from catalog.convert import item_to_proto
from catalog.models import OutboxEvent
from portal.catalog.v1 import catalog_pb2 as pb

# PostgreSQL hands out sequence numbers before commit, so a writer can commit after another one that took a higher
# number: the highest number alone would not move then. Counting the rows among the last numbers does, for any
# writer that commits before this many later rows are written.
RECENT_ROWS = 256


_TOP = select(func.max(OutboxEvent.seq)).scalar_subquery()
# Built once: it is asked on every read, and building it and its cache key cost more than SQLite answering it.
VERSION_QUERY = select(_TOP, select(func.count()).where(OutboxEvent.seq > _TOP - RECENT_ROWS).scalar_subquery())


async def catalog_version(session: AsyncSession) -> tuple[int, int]:
    highest, count = (await session.execute(VERSION_QUERY)).one()
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


class ItemCache:
    """The most recently read items as messages, each kept at its version: a version names one content of the
    message, since every edit of an item and every renaming of its department make a new version of it (units are
    not edited once loaded). Reading a kept item's version is one indexed lookup; loading and converting the wide
    row is not. An item not kept is loaded at once."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._items: OrderedDict[int, pb.ServiceItem] = OrderedDict()

    async def get(self, session: AsyncSession, item_id: int) -> pb.ServiceItem:
        kept = self._items.get(item_id)
        if kept is not None and kept.version == await service.item_version(session, item_id=item_id):
            self._items.move_to_end(item_id)
            return kept
        message = item_to_proto(await service.get_item(session, item_id=item_id))
        self._items[item_id] = message
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return message
