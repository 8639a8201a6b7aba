"""The indexer: a durable JetStream consumer that writes catalog events into the index.

Every write carries the item's version as an external version, so a replayed or late event never overwrites a
newer document (the engine answers 409 and the event is simply done).
"""

from collections.abc import Sequence

from nats.aio.msg import Msg
from opensearchpy import AsyncOpenSearch

from portal.events.v1 import events_pb2
from portal_common.messaging import CATALOG_STREAM, Consumer, Poison
from search.index import item_document

CONSUMER = Consumer(stream=CATALOG_STREAM, durable="search-indexer", filter_subject="catalog.item.>")


class ItemIndexer:
    def __init__(self, engine: AsyncOpenSearch, alias: str):
        self._engine = engine
        self._alias = alias

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
            actions.append(
                {
                    "index": {
                        "_index": self._alias,
                        "_id": str(item.id),
                        "version": item.version,
                        "version_type": "external",
                    }
                }
            )
            actions.append(item_document(item))
        if actions:
            response = await self._engine.bulk(body=actions)
            for position, result in zip(positions, response["items"], strict=True):
                outcomes[position] = _outcome(result["index"])
        return outcomes


def _decode(message: Msg) -> "events_pb2.catalog__pb2.ServiceItem":
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


def _outcome(result: dict) -> Exception | None:
    status = result.get("status", 500)
    if status < 300 or status == 409:  # 409: this version or a newer one is already indexed
        return None
    error = result.get("error") or {}
    if error.get("type") in DOCUMENT_ERRORS:
        return Poison(f"document rejected by the engine: {error}")
    return RuntimeError(f"engine answered {status}: {error}")
