"""What the catalog publishes: `catalog.item.changed` after every committed change to an item."""

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.convert import item_to_proto
from catalog.models import OutboxEvent, ServiceItem
from portal.events.v1 import events_pb2
from portal_common.outbox import add_event, new_event_id

ITEM_CHANGED = "catalog.item.changed"


def stage_item_changed(session: AsyncSession, item: ServiceItem) -> None:
    event_id = new_event_id()
    occurred_at = Timestamp()
    occurred_at.GetCurrentTime()
    event = events_pb2.CatalogItemChanged(event_id=event_id, occurred_at=occurred_at, item=item_to_proto(item))
    add_event(session, OutboxEvent, ITEM_CHANGED, event, event_id)
