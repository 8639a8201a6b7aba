"""The items index: its definition (a data file), creation behind an alias, and item → document mapping."""

import asyncio
import hashlib
import json
import logging
from datetime import UTC
from pathlib import Path

from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import RequestError

from portal.catalog.v1 import catalog_pb2
from search import analysis

log = logging.getLogger(__name__)
DEFINITION_FILE = Path(__file__).with_name("items_index.json")
STATUS_NAMES = {
    catalog_pb2.ITEM_STATUS_DRAFT: "draft",
    catalog_pb2.ITEM_STATUS_PUBLISHED: "published",
    catalog_pb2.ITEM_STATUS_WITHDRAWN: "withdrawn",
}


def index_definition() -> dict:
    definition = json.loads(DEFINITION_FILE.read_text(encoding="utf-8"))
    definition.pop("_comment", None)
    return definition


# Bump when item_document() or the analysis behind it changes what documents hold: the indexer then rebuilds.
DOCUMENT_FORMAT = 2


def definition_hash(definition: dict) -> str:
    """A short fingerprint of what shapes the documents: the index definition, the document format and the word
    list that segments them. Every index records the one it was built from in its mapping's `_meta`, so a process
    can tell whether the live index matches the code it ships with."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    material = f"{canonical}|format {DOCUMENT_FORMAT}|{analysis.DICTIONARY_FILE.read_text(encoding='utf-8')}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def stamped_definition(replicas: int = 0) -> dict:
    """The index definition with its own fingerprint in `mappings._meta.definition`, and `replicas` copies of each
    shard. The fingerprint is taken from the file alone: replicas are deployment, not document shape."""
    definition = index_definition()
    fingerprint = definition_hash(definition)
    mappings = definition.setdefault("mappings", {})
    mappings["_meta"] = {**mappings.get("_meta", {}), "definition": fingerprint}
    settings = definition.setdefault("settings", {})
    settings.get("index", settings)["number_of_replicas"] = replicas
    return definition


# A query's engine requests end by its caller's gRPC deadline (engine.within_callers_deadline), well inside this;
# the indexer's bulk writes have no caller waiting and may take longer on a busy engine.
QUERY_TIMEOUT = 10
INDEXING_TIMEOUT = 30


def client(url: str, timeout: float = QUERY_TIMEOUT) -> AsyncOpenSearch:
    return AsyncOpenSearch(hosts=[url], timeout=timeout, max_retries=0)


async def ensure_index(engine: AsyncOpenSearch, alias: str, replicas: int = 0) -> None:
    """Create the first index behind `alias` unless the alias exists, else give it `replicas`. The query side and
    the indexer both call this at start: the first index has a fixed name, so when they race one of them simply
    finds it there."""
    if await engine.indices.exists_alias(name=alias):
        await apply_replicas(engine, alias, replicas)
        return
    name = f"{alias}-v1"
    try:
        await engine.indices.create(
            index=name, body={**stamped_definition(replicas), "aliases": {alias: {"is_write_index": True}}}
        )
        log.info("created index %s behind alias %s", name, alias)
    except RequestError as error:
        if error.error != "resource_already_exists_exception":
            raise


async def apply_replicas(engine: AsyncOpenSearch, alias: str, replicas: int) -> None:
    """Give the indices behind `alias` `replicas` copies where they have another number: a dynamic setting, the
    engine copies or drops shards in the background while searches go on."""
    current = await engine.indices.get_settings(index=alias, name="index.number_of_replicas")
    for name, found in current.items():
        if int(found["settings"]["index"]["number_of_replicas"]) != replicas:
            await engine.indices.put_settings(index=name, body={"index": {"number_of_replicas": replicas}})
            log.info("index %s: number_of_replicas set to %d", name, replicas)


async def wait_for_engine(engine: AsyncOpenSearch, alias: str, replicas: int = 0) -> None:
    """Block until the engine answers and the index exists with `replicas` (the engine may start after us)."""
    delay = 0.5
    while True:
        try:
            await ensure_index(engine, alias, replicas)
            return
        except EngineConnectionError as error:
            log.warning("search engine not reachable (%s); retrying in %.1fs", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5)


def item_document(item: catalog_pb2.ServiceItem) -> dict:
    names = [item.name, *(alias.name for alias in item.aliases)]
    return {
        "names_exact": [analysis.normalize(name) for name in names],
        "names_pinyin": [analysis.name_pinyin(name) for name in names],
        "names_initials": [analysis.name_initials(name) for name in names],
        "pinyin_pairs": " ".join(token for name in names for token in analysis.pinyin_pairs(name)),
        "pinyin_words": " ".join(dict.fromkeys(token for name in names for token in analysis.pinyin_words(name))),
        "words": " ".join(analysis.words(" ".join([*names, item.summary]))),
        "suggest": analysis.suggest_inputs(names),
        "id": item.id,
        "code": item.code,
        "title": item.name,
        "aliases": [alias.name for alias in item.aliases],
        "summary": item.summary,
        "department": item.department_name,
        "department_id": item.department_id,
        "section": item.section,
        "item_type": item.item_type,
        "audience": [part for part in item.audience.split(",") if part],
        "online": item.online,
        "status": STATUS_NAMES.get(item.status, "draft"),
        "version": item.version,
        "updated_at": item.updated_at.ToDatetime(tzinfo=UTC).isoformat(),
    }
