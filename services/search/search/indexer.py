"""The indexer: a durable JetStream consumer that writes catalog events into the index.

Every write carries the item's version as an external version, so a replayed or late event never overwrites a
newer document (the engine answers 409 and the event is simply done).
"""

from collections.abc import Sequence

from nats.aio.msg import Msg
from opensearchpy import AsyncOpenSearch

from portal.catalog.v1 import catalog_pb2
from portal.events.v1 import events_pb2
from portal_common.messaging import CATALOG_STREAM, Consumer, Poison
from search.index import item_document

CONSUMER = Consumer(stream=CATALOG_STREAM, durable="search-indexer", filter_subject="catalog.item.>")


class ItemIndexer:
    def __init__(self, engine: AsyncOpenSearch, target: str):
        """`target`: the alias (the live indexer) or one index (a rebuild replaying events into its new index)."""
        self._engine = engine
        self._target = target

    async def handle(self, messages: Sequence[Msg]) -> list[Exception | None]:
        outcomes: list[Exception | None] = [None] * len(messages)
        actions: list[dict] = []
        positions: list[int] = []
        for position, message in enumerate(messages):
            try:
                item = _decode(message)
            except Poison as poison:
                outcomes[position] = poison
                continue
            positions.append(position)
            actions.extend(versioned_write(self._target, item))
        if actions:
            response = await self._engine.bulk(body=actions)
            for position, result in zip(positions, response["items"], strict=True):
                outcomes[position] = write_outcome(result["index"])
        return outcomes


def versioned_write(target: str, item: catalog_pb2.ServiceItem) -> tuple[dict, dict]:
    """The bulk action and document that write `item` into `target` (an alias or an index) unless the same or a
    newer version is already there."""
    action = {"index": {"_index": target, "_id": str(item.id), "version": item.version, "version_type": "external"}}
    return action, item_document(item)


def _decode(message: Msg) -> catalog_pb2.ServiceItem:
    try:
        event = events_pb2.CatalogItemChanged.FromString(message.data)
    except Exception as error:
        raise Poison(f"undecodable CatalogItemChanged: {error}") from error
    if event.item.id <= 0 or event.item.version <= 0:
        raise Poison("CatalogItemChanged without item id or version")
    return event.item


# Errors that blame the document itself: retrying cannot help. Anything else (a missing index, a full disk, a
# broken alias) is the engine's state, which an operator can mend, so the event waits and is retried.
DOCUMENT_ERRORS = {"mapper_parsing_exception", "document_parsing_exception", "strict_dynamic_mapping_exception"}


def write_outcome(result: dict) -> Exception | None:
    status = result.get("status", 500)
    if status < 300 or status == 409:  # 409: this version or a newer one is already indexed
        return None
    error = result.get("error") or {}
    if error.get("type") in DOCUMENT_ERRORS:
        return Poison(f"document rejected by the engine: {error}")
    return RuntimeError(f"engine answered {status}: {error}")
