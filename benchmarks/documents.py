"""Index documents without the catalog: sample items straight from the generator, built by the search service's
own document builder, and bulk-loaded into an index of their own. The direct load is the yardstick the pipeline
and the rebuild are measured against, and the way to 100k or 1M items (through the catalog's database that would
take hours)."""

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from opensearchpy import AsyncOpenSearch

from catalog.convert import STATUS_TO_PROTO
from catalog.sample.generator import build_catalog
from portal.catalog.v1 import catalog_pb2
from search import index
from search.indexer import versioned_write, write_outcome

BULK_DOCUMENTS = 1000  # ~2.5 MB per request: large enough that the engine, not the round trip, sets the pace
SAMPLE_SEED = 2012  # the catalog's own default


@dataclass(frozen=True)
class BulkLoad:
    documents: int
    seconds: float  # in bulk requests and the final refresh
    building_seconds: float  # making the documents, when they were made on the way

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else float("nan")


def sample_items(count: int, *, seed: int = SAMPLE_SEED) -> Iterator[catalog_pb2.ServiceItem]:
    """The generator's first `count` items as the catalog would publish them (only what documents are made of)."""
    catalog = build_catalog(seed=seed, item_count=count)
    departments = {department["key"]: department["name"] for department in catalog.departments}
    numbers = {key: number for number, key in enumerate(departments, 1)}
    updated_at = datetime.now(UTC)
    for item_id, row in enumerate(catalog.items, 1):
        item = catalog_pb2.ServiceItem(
            id=item_id,
            code=row["code"],
            name=row["name"],
            aliases=[catalog_pb2.Alias(**alias) for alias in row["aliases"]],
            summary=row["summary"],
            section=row["section"],
            item_type=row["item_type"],
            audience=row["audience"],
            department_id=numbers[row["department"]],
            department_name=departments[row["department"]],
            online=row["online"],
            status=STATUS_TO_PROTO[row["status"]],
            version=1,
        )
        item.updated_at.FromDatetime(updated_at)
        yield item


def bulk_actions(name: str, items: Iterable[catalog_pb2.ServiceItem]) -> Iterator[list[dict]]:
    """Bulk request bodies of BULK_DOCUMENTS documents each, written the way the indexer writes them."""
    body: list[dict] = []
    for item in items:
        body.extend(versioned_write(name, item))
        if len(body) == 2 * BULK_DOCUMENTS:
            yield body
            body = []
    if body:
        yield body


async def create_index(engine: AsyncOpenSearch, name: str, settings: dict | None = None) -> None:
    """An index from the service's own definition, `settings` overriding its index settings."""
    definition = index.stamped_definition()
    definition["settings"] = {**definition.get("settings", {}), **(settings or {})}
    await engine.indices.create(index=name, body=definition)


async def bulk_load(engine: AsyncOpenSearch, name: str, bodies: Iterable[list[dict]]) -> BulkLoad:
    """Write bulk bodies one request after another, then refresh: the engine's own indexing speed. Bodies may be
    built on the way (1M documents do not fit in memory); that time is counted apart."""
    documents, writing, building = 0, 0.0, 0.0
    pending = iter(bodies)
    while True:
        started = time.perf_counter()
        body = next(pending, None)
        building += time.perf_counter() - started
        if body is None:
            break
        started = time.perf_counter()
        response = await engine.bulk(body=body, request_timeout=120)
        writing += time.perf_counter() - started
        failed = [outcome for result in response["items"] if (outcome := write_outcome(result["index"]))]
        if failed:
            raise RuntimeError(f"{len(failed)} documents refused by {name}: {failed[0]}")
        documents += len(response["items"])
    started = time.perf_counter()
    await engine.indices.refresh(index=name, request_timeout=120)
    return BulkLoad(documents, writing + time.perf_counter() - started, building)


async def index_size(engine: AsyncOpenSearch, name: str) -> tuple[int, int]:
    """Documents and bytes on disk of the index's primaries."""
    stats = (await engine.indices.stats(index=name, metric="docs,store"))["indices"][name]["primaries"]
    return stats["docs"]["count"], stats["store"]["size_in_bytes"]
