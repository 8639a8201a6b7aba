"""Index definition upgrades: is the live index built from the definition this code ships with, and if not, one
rebuild at a time.

Each index records the fingerprint of the definition it was built from (`_meta.definition` in its mapping). At
start the query side only warns when the live index was built from another definition; the indexer rebuilds it
before it consumes anything, so documents shaped for the new definition never meet the old strict mapping (which
would refuse them as poison). When several indexer replicas start at once, a lease in a JetStream key-value bucket
lets one of them rebuild while the others wait for the alias to move; `python -m search reindex` takes the same
lease. A holder renews its lease while it works; a crashed holder's lease lapses after LEASE_SECONDS.
"""

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator

from nats.js import JetStreamContext
from nats.js.errors import KeyWrongLastSequenceError
from opensearchpy import AsyncOpenSearch

from portal.catalog.v1 import catalog_pb2_grpc
from search import index, reindex

log = logging.getLogger(__name__)

LEASE_BUCKET = "search-reindex"
LEASE_SECONDS = 60.0
WAIT_SECONDS = 2.0


class RebuildInProgress(Exception):
    """Another process holds the lease to rebuild this alias."""


def shipped_definition() -> str:
    return index.definition_hash(index.index_definition())


async def live_definition(engine: AsyncOpenSearch, alias: str) -> str | None:
    """The fingerprint recorded by the index the alias writes to (None: no alias, or an index without one)."""
    _, writer = await reindex.alias_holders(engine, alias)
    if writer is None:
        return None
    mapping = await engine.indices.get_mapping(index=writer)
    return mapping[writer]["mappings"].get("_meta", {}).get("definition")


async def warn_if_outdated(engine: AsyncOpenSearch, alias: str) -> bool:
    """The query side at start: say so when the live index was built from another definition."""
    live, shipped = await live_definition(engine, alias), shipped_definition()
    if live == shipped:
        return False
    log.warning(
        "the index behind %s was built from index definition %s, this code ships %s: a reindex is needed "
        "(the indexer does it when it starts; or run `python -m search reindex`)",
        alias,
        live,
        shipped,
    )
    return True


async def rebuild_if_outdated(
    engine: AsyncOpenSearch,
    js: JetStreamContext,
    catalog: catalog_pb2_grpc.CatalogServiceStub,
    alias: str,
    *,
    replicas: int = 0,
) -> reindex.ReindexReport | None:
    """The indexer at start: rebuild the index unless it was built from the shipped definition. Returns when the
    live index matches it, whichever replica did the rebuild."""
    shipped = shipped_definition()
    while (live := await live_definition(engine, alias)) != shipped:
        try:
            async with rebuild_lease(js, alias):
                if await live_definition(engine, alias) == shipped:  # another replica has just finished
                    return None
                log.warning("index behind %s built from definition %s, not %s: rebuilding", alias, live, shipped)
                return await reindex.reindex(engine, js, catalog, alias, replicas=replicas)
        except RebuildInProgress as busy:
            log.info("%s; waiting for it to finish", busy)
            await asyncio.sleep(WAIT_SECONDS)
    return None


@contextlib.asynccontextmanager
async def rebuild_lease(js: JetStreamContext, alias: str) -> AsyncIterator[None]:
    """Hold the right to rebuild `alias` for the duration of the block, or raise RebuildInProgress."""
    bucket = await js.create_key_value(bucket=LEASE_BUCKET, ttl=LEASE_SECONDS, history=1)
    holder = f"{socket.gethostname()}:{os.getpid()}".encode()
    try:
        revision = await bucket.create(alias, holder)
    except KeyWrongLastSequenceError:
        raise RebuildInProgress(f"{await _holder(bucket, alias)} is rebuilding {alias}") from None
    renewing = asyncio.create_task(_renew(bucket, alias, holder, revision))
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(Exception):  # a lost lease lapses by itself
            await bucket.delete(alias)


async def _holder(bucket, key: str) -> str:
    try:
        return (await bucket.get(key)).value.decode()
    except Exception:  # released or lapsed in the meantime
        return "another process"


async def _renew(bucket, key: str, holder: bytes, revision: int) -> None:
    while True:
        await asyncio.sleep(LEASE_SECONDS / 4)
        try:
            revision = await bucket.update(key, holder, last=revision)
        except Exception as error:  # the swap's own check still stops a second rebuild from taking over the alias
            log.warning("could not renew the rebuild lease of %s: %s", key, error)
