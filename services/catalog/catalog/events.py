"""What the catalog publishes, after every committed change: `catalog.item.changed` and
`catalog.department.changed`, each carrying the whole record at its new version."""

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.convert import department_to_proto, item_to_proto
from catalog.models import Department, OutboxEvent, ServiceItem
from portal.events.v1 import events_pb2
from portal_common.outbox import add_event, new_event_id

ITEM_CHANGED = "catalog.item.changed"
DEPARTMENT_CHANGED = "catalog.department.changed"


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.GetCurrentTime()
    return stamp


def stage_item_changed(session: AsyncSession, item: ServiceItem) -> None:
    event_id = new_event_id()
    event = events_pb2.CatalogItemChanged(event_id=event_id, occurred_at=_now(), item=item_to_proto(item))
    add_event(session, OutboxEvent, ITEM_CHANGED, event, event_id)


def stage_department_changed(session: AsyncSession, department: Department) -> None:
    event_id = new_event_id()
    event = events_pb2.DepartmentChanged(
        event_id=event_id, occurred_at=_now(), department=department_to_proto(department)
    )
    add_event(session, OutboxEvent, DEPARTMENT_CHANGED, event, event_id)
