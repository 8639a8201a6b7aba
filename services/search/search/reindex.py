"""Full reindex behind the alias: build a new index from the catalog, swap the alias onto it in one atomic request,
then replay the catalog events that arrived meanwhile. Searches never fail and no edit is lost.

The rebuild, in order:

1. record S, the CATALOG stream's last sequence, before reading anything from the catalog;
2. create a new index `<alias>-<UTC time>-<random>` (not behind the alias; no refresh and no replicas while it
   loads) and load every item of ListItems, every status, into it; restore the definition's settings;
3. replay the `catalog.item.>` events after S into the new index (the backlog of the load), refresh;
4. swap the alias in one `_aliases` request: remove it from the old index(es), add it to the new one as the write
   index. A search sees either the old index or the new one, never none;
5. record L, the stream's last sequence after the swap, and replay the events up to L into the new index;
6. delete older indices of this alias, keeping the one just replaced for a rollback.

Why no edit is lost. The catalog commits an edit to its database first and publishes its event afterwards
(transactional outbox), so an event's stream sequence is assigned after its edit was committed. Take any edit whose
event has sequence n:
- n <= S: the event was stored before step 1, so the edit was committed before the catalog was read, and the
  pages of step 2 (read later) hold it or a newer version;
- S < n <= L: steps 3 and 5 replay it;
- n > L: it was published after the swap had completed, so the live indexer (`python -m search index`), which
  writes to the alias, writes it into the new index.
Every write carries the item's version as an external version, so the load, the replays and the live indexer may
overlap in any order: the newest version wins and an older one is refused (409) and ignored.

Assumptions. The CATALOG stream keeps every message: `messaging.ensure_stream` sets no limits (retention "limits"
with no maximum age, count or size), so the events after S are still there when they are replayed; a rebuild checks
this and fails rather than skip events should someone put limits on the stream. Items are never deleted in the
catalog (they are withdrawn, a status the index keeps), so a rebuild has no deletions to carry over.
"""

import asyncio
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import NotFoundError

from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from portal_common import messaging
from portal_common.messaging import CATALOG_STREAM, Poison
from search import index
from search.indexer import CONSUMER, ItemIndexer, versioned_write, write_outcome

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # ListItems' largest page
REPLAY_BATCH = 200
CATALOG_TIMEOUT = 30.0
# The first refresh writes every document loaded without refreshes into segments: on a busy machine it took longer
# than the client's 10 s (make bench, 7,200 items), and the rebuild failed.
LOADED_TIMEOUT = 120.0
# While an index loads nothing reads it: no refreshes and no replicas to copy each write to.
LOADING_SETTINGS = {"refresh_interval": "-1", "number_of_replicas": 0}

PageHook = Callable[[int], Awaitable[None]]


class ReindexFailed(Exception):
    """The rebuild stopped; the alias still points where it pointed before (unless said otherwise)."""


@dataclass(frozen=True)
class ReindexReport:
    index: str
    previous: str | None  # the index the alias left, kept for a rollback
    items: int
    replayed: int
    deleted: list[str]
    seconds: float


async def reindex(
    engine: AsyncOpenSearch,
    js: JetStreamContext,
    catalog: catalog_pb2_grpc.CatalogServiceStub,
    alias: str,
    *,
    replicas: int = 0,
    page_size: int = PAGE_SIZE,
    after_page: PageHook | None = None,
) -> ReindexReport:
    """Rebuild the index behind `alias` from the catalog (see the module's docstring). `after_page(items_loaded)`
    is awaited after each page is loaded (progress, or a test that edits items in the middle of a rebuild). The
    new index gets `replicas` copies of its shards once loaded (SEARCH_INDEX_REPLICAS)."""
    started = time.monotonic()
    await messaging.ensure_stream(js, CATALOG_STREAM)
    snapshot_seq = await _last_sequence(js)
    name = new_index_name(alias)
    restore = await _create_for_loading(engine, name, replicas)
    log.info("reindex: building %s from the catalog (events after #%d will be replayed)", name, snapshot_seq)
    try:
        items = await _load_catalog(engine, catalog, name, page_size, after_page)
        await engine.indices.put_settings(index=name, body={"index": restore}, request_timeout=LOADED_TIMEOUT)
        replayed_seq, replayed = await replay_events(js, engine, name, after=snapshot_seq)
        await engine.indices.refresh(index=name, request_timeout=LOADED_TIMEOUT)
        previous = await swap_alias(engine, alias, name)
    except BaseException:
        await engine.indices.delete(index=name, ignore_unavailable=True)
        raise
    try:
        _, late = await replay_events(js, engine, name, after=replayed_seq, upto=await _last_sequence(js))
        await engine.indices.refresh(index=name, request_timeout=LOADED_TIMEOUT)
    except Exception as error:
        raise ReindexFailed(
            f"{alias} now points to {name}, but the events after #{replayed_seq} could not be replayed ({error}); "
            f"run the reindex again, or point the alias back to {previous}"
        ) from error
    deleted = await _delete_older_indices(engine, alias, keep={name, previous})
    report = ReindexReport(name, previous, items, replayed + late, deleted, round(time.monotonic() - started, 2))
    log.info(
        "reindex: %s now behind %s: %d items loaded, %d events replayed, in %.1fs; kept %s, deleted %s",
        name,
        alias,
        report.items,
        report.replayed,
        report.seconds,
        previous or "nothing",
        ", ".join(deleted) or "nothing",
    )
    return report


def new_index_name(alias: str) -> str:
    return f"{alias}-{datetime.now(UTC):%Y%m%dt%H%M%S}-{secrets.token_hex(3)}"


def _is_index_of(alias: str, name: str) -> bool:
    """Indices this code made for `alias`: the first one (`-v1`) and rebuilds; anything else is left alone."""
    return re.fullmatch(rf"{re.escape(alias)}-(v1|\d{{8}}t\d{{6}}-[0-9a-f]{{6}})", name) is not None


async def _last_sequence(js: JetStreamContext) -> int:
    return (await js.stream_info(CATALOG_STREAM.name)).state.last_seq


async def _create_for_loading(engine: AsyncOpenSearch, name: str, replicas: int) -> dict:
    """Create `name` from the definition with the loading settings; return the definition's values for them
    (None: the engine's default; `replicas` for the copies) to restore once loaded."""
    definition = index.stamped_definition(replicas)
    settings = dict(definition.get("settings", {}))
    nested = dict(settings.pop("index", {}))
    restore = {}
    for key in LOADING_SETTINGS:
        flat = settings.pop(key, None)
        restore[key] = nested.pop(key, flat)
    definition["settings"] = {**settings, "index": {**nested, **LOADING_SETTINGS}}
    await engine.indices.create(index=name, body=definition)
    return restore


async def _load_catalog(
    engine: AsyncOpenSearch,
    catalog: catalog_pb2_grpc.CatalogServiceStub,
    name: str,
    page_size: int,
    after_page: PageHook | None,
) -> int:
    """Page through every item of the catalog into `name`; the next page is read while one is being written."""
    loaded, token = 0, ""
    writing: asyncio.Task | None = None
    try:
        while True:
            page = await catalog.ListItems(
                catalog_pb2.ListItemsRequest(page_size=page_size, page_token=token),
                timeout=CATALOG_TIMEOUT,
                wait_for_ready=True,
            )
            if writing is not None:
                loaded += await writing
                if after_page is not None:
                    await after_page(loaded)
            writing = asyncio.create_task(_write_items(engine, name, page.items))
            token = page.next_page_token
            if not token:
                loaded += await writing
                writing = None
                if after_page is not None:
                    await after_page(loaded)
                return loaded
    finally:
        if writing is not None:
            writing.cancel()


async def _write_items(engine: AsyncOpenSearch, name: str, items: Sequence[catalog_pb2.ServiceItem]) -> int:
    if not items:
        return 0
    body = [part for item in items for part in versioned_write(name, item)]
    response = await engine.bulk(body=body, request_timeout=60)
    failures = [
        (item.id, outcome)
        for item, result in zip(items, response["items"], strict=True)
        if (outcome := write_outcome(result["index"])) is not None
    ]
    if failures:
        item_id, first = failures[0]
        raise ReindexFailed(f"{len(failures)} of {len(items)} items refused by {name}, e.g. item {item_id}: {first}")
    return len(items)


async def replay_events(
    js: JetStreamContext, engine: AsyncOpenSearch, name: str, *, after: int, upto: int | None = None
) -> tuple[int, int]:
    """Write the item events stored after sequence `after` into index `name`, at least up to `upto` (by default
    the stream's end now). Returns the last sequence written and how many events were."""
    state = (await js.stream_info(CATALOG_STREAM.name)).state
    upto = state.last_seq if upto is None else upto
    if upto <= after:
        return after, 0
    if state.first_seq > after + 1:
        raise ReindexFailed(
            f"the {CATALOG_STREAM.name} stream no longer holds the events after #{after} (it starts at "
            f"#{state.first_seq}): edits made during the rebuild would be missing"
        )
    # An ephemeral consumer of our own; the server forgets it a minute after we stop asking, should we crash.
    consumer = f"search-reindex-{secrets.token_hex(4)}"
    config = ConsumerConfig(
        name=consumer,
        filter_subject=CONSUMER.filter_subject,
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=after + 1,
        ack_policy=AckPolicy.NONE,
        inactive_threshold=60.0,
    )
    await js.add_consumer(CATALOG_STREAM.name, config)
    subscription = await js.pull_subscribe_bind(consumer=consumer, stream=CATALOG_STREAM.name)
    indexer = ItemIndexer(engine, name)
    last, count = after, 0
    try:
        while last < upto:
            pending = (await subscription.consumer_info()).num_pending
            if pending == 0:  # the last events of the range were not item events
                break
            messages = await subscription.fetch(min(REPLAY_BATCH, pending), timeout=10)
            await _write_events(indexer, messages)
            last, count = messages[-1].metadata.sequence.stream, count + len(messages)
    finally:
        await subscription.unsubscribe()
        await js.delete_consumer(CATALOG_STREAM.name, consumer)
    return last, count


async def _write_events(indexer: ItemIndexer, messages: Sequence[Msg], attempts: int = 5) -> None:
    for attempt in range(1, attempts + 1):
        outcomes = await indexer.handle(messages)
        failures = [outcome for outcome in outcomes if outcome is not None and not isinstance(outcome, Poison)]
        if not failures:
            for message, outcome in zip(messages, outcomes, strict=True):
                if isinstance(outcome, Poison):  # the live indexer dead-letters it; a rebuild cannot do better
                    log.warning("reindex: skipping event #%d: %s", message.metadata.sequence.stream, outcome)
            return
        if attempt == attempts:
            raise ReindexFailed(f"replaying events failed: {failures[0]}")
        log.warning("reindex: replay failed (%s); retrying", failures[0])
        await asyncio.sleep(0.5 * 2**attempt)


async def alias_holders(engine: AsyncOpenSearch, alias: str) -> tuple[list[str], str | None]:
    """The indices behind `alias` and the one it writes to (None when the alias does not exist)."""
    try:
        holders = await engine.indices.get_alias(name=alias)
    except NotFoundError:
        return [], None
    names = sorted(holders)
    writers = [name for name in names if holders[name]["aliases"][alias].get("is_write_index")]
    return names, (writers[0] if writers else names[0] if len(names) == 1 else None)


async def swap_alias(engine: AsyncOpenSearch, alias: str, name: str) -> str | None:
    """Point `alias` at `name` alone, in one request; return the index it wrote to before. The request names the
    indices it takes the alias from, so it fails as a whole if another rebuild moved the alias in between."""
    holders, previous = await alias_holders(engine, alias)
    actions: list[dict] = [{"remove": {"index": holder, "alias": alias}} for holder in holders]
    actions.append({"add": {"index": name, "alias": alias, "is_write_index": True}})
    await engine.indices.update_aliases(body={"actions": actions})
    return previous


async def _delete_older_indices(engine: AsyncOpenSearch, alias: str, keep: set[str | None]) -> list[str]:
    existing = await engine.indices.get(index=f"{alias}-*", expand_wildcards="open,closed")
    older = sorted(name for name in existing if _is_index_of(alias, name) and name not in keep)
    if older:
        await engine.indices.delete(index=",".join(older))
    return older
