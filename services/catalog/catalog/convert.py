"""Catalog rows → protobuf messages, shared by the gRPC API and the events."""

from google.protobuf.timestamp_pb2 import Timestamp

from catalog.models import Department, ServiceItem
from portal.catalog.v1 import catalog_pb2 as pb

STATUS_TO_PROTO = {
    "draft": pb.ITEM_STATUS_DRAFT,
    "published": pb.ITEM_STATUS_PUBLISHED,
    "withdrawn": pb.ITEM_STATUS_WITHDRAWN,
}
STATUS_FROM_PROTO = {v: k for k, v in STATUS_TO_PROTO.items()}


def department_to_proto(department: Department) -> pb.Department:
    return pb.Department(
        id=department.id,
        name=department.name,
        short_name=department.short_name,
        kind=department.kind,
        address=department.address,
        phone=department.phone,
        opening_hours=department.opening_hours,
    )


def item_to_proto(item: ServiceItem) -> pb.ServiceItem:
    updated_at = Timestamp()
    updated_at.FromDatetime(item.updated_at)
    return pb.ServiceItem(
        id=item.id,
        code=item.code,
        name=item.name,
        aliases=item.aliases,
        section=item.section,
        item_type=item.item_type,
        audience=item.audience,
        department_id=item.department_id,
        department_name=item.department.name,
        summary=item.summary,
        fees=item.fees,
        status=STATUS_TO_PROTO[item.status],
        version=item.version,
        updated_at=updated_at,
    )
