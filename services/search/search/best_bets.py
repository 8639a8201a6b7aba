"""Best bets: the portal office pins an item to the top of one query's results until an expiry date (a new policy,
a seasonal rush). Kept in a small index of their own; each query process holds them in memory, refreshed often."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import NotFoundError

from portal_common.errors import Invalid, NotFound
from search import analysis
from search.engine import call

REFRESH_SECONDS = 15.0  # how soon a pin made through another replica shows here
MAX_DAYS = 366
MAPPING = {
    "properties": {
        "query": {"type": "keyword"},
        "item_id": {"type": "long"},
        "expires_at": {"type": "date"},
        "created_by": {"type": "keyword"},
        "created_at": {"type": "date"},
    }
}


@dataclass(frozen=True)
class BestBet:
    query: str
    item_id: int
    expires_at: datetime
    created_by: str
    created_at: datetime


def query_key(query: str) -> str:
    """Pins match what a query means, so 驾照怎么办 finds the pin made for 驾照."""
    return analysis.intent(analysis.normalize(query))


class BestBets:
    def __init__(self, engine: AsyncOpenSearch, alias: str):
        self._engine = engine
        self._alias = alias
        self._index = f"{alias}.best-bets"
        self._cached: list[BestBet] = []
        self._loaded_at = float("-inf")

    async def pinned_for(self, query: str) -> list[int]:
        """Items pinned to this query and not expired, oldest pin first."""
        if time.monotonic() - self._loaded_at > REFRESH_SECONDS:
            await self._load()
        key, now = query_key(query), datetime.now(UTC)
        return [bet.item_id for bet in self._cached if bet.query == key and bet.expires_at > now]

    async def list(self) -> list[BestBet]:
        await self._load()
        return self._cached

    async def pin(self, *, query: str, item_id: int, expires_at: datetime, created_by: str) -> BestBet:
        key = query_key(query) if query.strip() else ""
        if not key or len(key) > 100:
            raise Invalid("query_required", "请填写要置顶的搜索词（不超过100个字）", field="query")
        now = datetime.now(UTC)
        if not now < expires_at <= now + timedelta(days=MAX_DAYS):
            raise Invalid("expiry_invalid", f"到期时间须在今后{MAX_DAYS}天之内", field="expires_at")
        if not await self._is_published(item_id):
            raise NotFound("item_not_found", f"事项 {item_id} 不存在或未发布", field="item_id")
        bet = BestBet(key, item_id, expires_at, created_by, now)
        await self._ensure_index()
        document = {**bet.__dict__, "expires_at": expires_at.isoformat(), "created_at": now.isoformat()}
        await call(self._engine.index(index=self._index, id=_id(key, item_id), body=document, refresh="wait_for"))
        await self._load()
        return bet

    async def remove(self, *, query: str, item_id: int) -> None:
        try:
            await call(self._engine.delete(index=self._index, id=_id(query_key(query), item_id), refresh="wait_for"))
        except NotFoundError as error:
            raise NotFound("best_bet_not_found", "没有这条置顶") from error
        await self._load()

    async def _load(self) -> None:
        try:
            response = await call(
                self._engine.search(index=self._index, body={"size": 10_000, "sort": [{"created_at": "asc"}]})
            )
        except NotFoundError:  # nothing pinned yet
            response = {"hits": {"hits": []}}
        self._cached = [_from_source(hit["_source"]) for hit in response["hits"]["hits"]]
        self._loaded_at = time.monotonic()

    async def _ensure_index(self) -> None:
        if not await call(self._engine.indices.exists(index=self._index)):
            body = {"settings": {"number_of_shards": 1, "refresh_interval": "1s"}, "mappings": MAPPING}
            await call(self._engine.indices.create(index=self._index, body=body, ignore=400))

    async def _is_published(self, item_id: int) -> bool:
        body = {"query": {"bool": {"filter": [{"ids": {"values": [str(item_id)]}}, {"term": {"status": "published"}}]}}}
        response = await call(self._engine.count(index=self._alias, body=body))
        return response["count"] > 0


def _id(key: str, item_id: int) -> str:
    return f"{item_id}:{key}"


def _from_source(source: dict) -> BestBet:
    return BestBet(
        query=source["query"],
        item_id=source["item_id"],
        expires_at=datetime.fromisoformat(source["expires_at"]),
        created_by=source.get("created_by", ""),
        created_at=datetime.fromisoformat(source["created_at"]),
    )
