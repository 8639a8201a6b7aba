"""Catalog events as the catalog publishes them, fed to the indexer the way JetStream would."""

import uuid

from google.protobuf.timestamp_pb2 import Timestamp
from nats.aio.msg import Msg

from portal.catalog.v1 import catalog_pb2
from portal.events.v1 import events_pb2
from search.indexer import ItemIndexer


def event(item_id: int, version: int, name: str, status=catalog_pb2.ITEM_STATUS_PUBLISHED, aliases=(), **fields) -> Msg:
    item = catalog_pb2.ServiceItem(
        id=item_id,
        version=version,
        name=name,
        aliases=[catalog_pb2.Alias(name=a, source="群众常用") for a in aliases],
        status=status,
        updated_at=Timestamp(seconds=1_700_000_000 + version),
        **{"code": f"C-{item_id}", "section": "办事服务", "department_name": "市公安局交通警察支队", **fields},
    )
    payload = events_pb2.CatalogItemChanged(event_id=uuid.uuid4().hex, item=item).SerializeToString()
    return Msg(_client=None, subject="catalog.item.changed", data=payload)


async def index_and_refresh(engine, alias, messages) -> list:
    outcomes = await ItemIndexer(engine, alias).handle(messages)
    await engine.indices.refresh(index=alias)
    return outcomes
