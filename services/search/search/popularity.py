"""Popularity from real clicks: the gateway reports which result a resident opened; items opened often rank a
little higher among results that are about equally relevant.

Clicks are counted per item per day in an index of their own (so they survive restarts and every replica sees
them); each query process sums the last WINDOW_DAYS into memory every REFRESH_SECONDS. The boost is damped: it
grows with the logarithm of the clicks and is capped at MAX_BOOST, so popularity reorders near-ties and never lifts
a weak match over a strong one.
"""

import math
import time
from datetime import UTC, datetime

from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import NotFoundError

from search.engine import call

WINDOW_DAYS = 90
REFRESH_SECONDS = 60.0
MAX_BOOST = 0.15  # at most +15% of the relevance score
BOOST_PER_DECADE = 0.05  # +5% for 10 clicks, +10% for 100, +15% for 1,000 and more
MAX_ITEMS = 50_000  # items with the most clicks that get a boost
MAPPING = {"properties": {"item_id": {"type": "long"}, "day": {"type": "date"}, "clicks": {"type": "long"}}}
COUNT_CLICK = "ctx._source.clicks += 1"


def boost(clicks: int) -> float:
    return 1.0 + min(MAX_BOOST, BOOST_PER_DECADE * math.log10(1 + clicks))


class Popularity:
    def __init__(self, engine: AsyncOpenSearch, alias: str):
        self._engine = engine
        self._index = f"{alias}.clicks"
        self._clicks: dict[int, int] = {}
        self._loaded_at = float("-inf")
        self._index_ready = False

    async def record(self, item_id: int) -> None:
        if not self._index_ready:
            await self._ensure_index()
            self._index_ready = True
        day = datetime.now(UTC).date().isoformat()
        await call(
            self._engine.update(
                index=self._index,
                id=f"{item_id}:{day}",
                body={
                    "script": {"source": COUNT_CLICK, "lang": "painless"},
                    "upsert": {"item_id": item_id, "day": day, "clicks": 1},
                },
                retry_on_conflict=5,
            )
        )

    async def clicks(self) -> dict[int, int]:
        """Clicks per item over the window, as of at most REFRESH_SECONDS ago."""
        if time.monotonic() - self._loaded_at > REFRESH_SECONDS:
            await self.refresh()
        return self._clicks

    async def refresh(self) -> None:
        body = {
            "size": 0,
            "query": {"range": {"day": {"gte": f"now-{WINDOW_DAYS}d/d"}}},
            "aggs": {
                "items": {
                    "terms": {"field": "item_id", "size": MAX_ITEMS, "order": {"clicks": "desc"}},
                    "aggs": {"clicks": {"sum": {"field": "clicks"}}},
                }
            },
        }
        try:
            response = await call(self._engine.search(index=self._index, body=body))
            buckets = response["aggregations"]["items"]["buckets"]
        except NotFoundError:  # no click yet
            buckets = []
        self._clicks = {bucket["key"]: int(bucket["clicks"]["value"]) for bucket in buckets}
        self._loaded_at = time.monotonic()

    async def _ensure_index(self) -> None:
        if not await call(self._engine.indices.exists(index=self._index)):
            body = {"settings": {"number_of_shards": 1, "refresh_interval": "5s"}, "mappings": MAPPING}
            await call(self._engine.indices.create(index=self._index, body=body, ignore=400))
