"""How soon a back-office edit is searchable: edit an item through catalog gRPC (UpdateItem, as staff), then poll
the search service until a search for a word only that edit added finds the item.

The pipeline measured: catalog transaction and outbox → NATS JetStream → indexer bulk write → engine refresh.
"""

import asyncio
import random
import re
import secrets
import time
from dataclasses import dataclass, field

import grpc
import httpx

from benchmarks.figures import Summary, summarize
from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from portal.search.v1 import search_pb2, search_pb2_grpc

MARKER_SOURCE = "工作人员"


@dataclass(frozen=True)
class Freshness:
    searchable: Summary  # UpdateItem answered → found by search; errors: edits never found within the timeout
    update: Summary  # UpdateItem round trips
    poll_interval: float
    not_found: list[int] = field(default_factory=list)  # item ids


def refresh_interval(opensearch_url: str, alias: str) -> str:
    """The engine's refresh interval of the index behind `alias`, as the engine states it (e.g. "1s")."""
    response = httpx.get(
        f"{opensearch_url}/{alias}/_settings", params={"include_defaults": "true", "flat_settings": "true"}
    )
    response.raise_for_status()
    (index,) = response.json().values()
    return index["settings"].get("index.refresh_interval") or index["defaults"]["index.refresh_interval"]


def seconds(duration: str) -> float:
    """An engine duration ("1s", "500ms", "2m") in seconds; "-1" (refresh off) is 0."""
    found = re.fullmatch(r"(-?\d+(?:\.\d+)?)(ms|s|m|h)?", duration.strip())
    if not found:
        raise ValueError(f"not a duration: {duration!r}")
    value = float(found[1])
    return max(value, 0) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 0.001}[found[2]]


async def measure_freshness(
    catalog_address: str,
    search_address: str,
    *,
    username: str,
    password: str,
    edits: int,
    refresh_seconds: float,
    poll_interval: float = 0.02,
    give_up_after: float = 30,
    seed: int = 7,
) -> Freshness:
    """`edits` edits of distinct published items, one after another. Before each, a random pause within one
    refresh interval, so edits land at every phase of the engine's refresh cycle instead of right after one."""
    rng = random.Random(seed)
    run = secrets.token_hex(3)
    async with (
        grpc.aio.insecure_channel(catalog_address) as to_catalog,
        grpc.aio.insecure_channel(search_address) as to_search,
    ):
        catalog = catalog_pb2_grpc.CatalogServiceStub(to_catalog)
        search = search_pb2_grpc.SearchServiceStub(to_search)
        login = await catalog.Login(catalog_pb2.LoginRequest(username=username, password=password), timeout=10)
        staff = (("authorization", f"Bearer {login.token}"),)
        item_ids = rng.sample(await published_ids(catalog), edits)
        searchable, updates, not_found = [], [], []
        for number, item_id in enumerate(item_ids):
            await asyncio.sleep(rng.uniform(0, refresh_seconds))
            item = await catalog.GetItem(catalog_pb2.GetItemRequest(id=item_id), timeout=10)
            marker = f"bm{run}{number:04d}"  # letters and digits: one token, never pinyin, in no sample text
            item.aliases.append(catalog_pb2.Alias(name=marker, source=MARKER_SOURCE))
            started = time.perf_counter()
            await catalog.UpdateItem(catalog_pb2.UpdateItemRequest(item=item), metadata=staff, timeout=10)
            answered = time.perf_counter()
            updates.append(answered - started)
            found = await _wait_until_found(search, marker, item_id, poll_interval, give_up_after)
            if found is None:
                not_found.append(item_id)
            else:
                searchable.append(found - answered)
    return Freshness(
        searchable=summarize(searchable, errors=len(not_found)),
        update=summarize(updates),
        poll_interval=poll_interval,
        not_found=not_found,
    )


async def published_ids(catalog: catalog_pb2_grpc.CatalogServiceStub) -> list[int]:
    ids, token = [], ""
    while True:
        request = catalog_pb2.ListItemsRequest(
            page_size=100, page_token=token, status=catalog_pb2.ITEM_STATUS_PUBLISHED
        )
        page = await catalog.ListItems(request, timeout=10)
        ids += [item.id for item in page.items]
        token = page.next_page_token
        if not token:
            return ids


async def _wait_until_found(
    search: search_pb2_grpc.SearchServiceStub, marker: str, item_id: int, poll_interval: float, give_up_after: float
) -> float | None:
    """perf_counter() when a search for `marker` first found the item; None after `give_up_after` seconds."""
    deadline = time.perf_counter() + give_up_after
    request = search_pb2.SearchRequest(query=marker, page=1, size=10)
    while time.perf_counter() < deadline:
        response = await search.Search(request, timeout=5)
        if any(hit.item_id == item_id for hit in response.hits):
            return time.perf_counter()
        await asyncio.sleep(poll_interval)
    return None
