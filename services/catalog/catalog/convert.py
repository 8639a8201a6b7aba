"""Catalog rows ⇄ protobuf messages. The proto fields carry the columns' names, so a row becomes a message by
handing its columns to the message's constructor (which takes lists of dicts and datetimes as they are), and a
request becomes fields through the protobuf JSON form; only what differs (enums, ids, names of related rows) is
spelled out here. Rows are built directly because `json_format.ParseDict` is pure Python: it cost most of a read's
CPU."""

from functools import cache
from typing import Any

from google.protobuf import json_format

from catalog.models import Department, ServiceItem, Staff, Unit
from portal.catalog.v1 import catalog_pb2 as pb

STATUS_TO_PROTO = {
    "draft": pb.ITEM_STATUS_DRAFT,
    "published": pb.ITEM_STATUS_PUBLISHED,
    "withdrawn": pb.ITEM_STATUS_WITHDRAWN,
}
STATUS_FROM_PROTO = {v: k for k, v in STATUS_TO_PROTO.items()}
ROLE_TO_PROTO = {"department": pb.STAFF_ROLE_DEPARTMENT, "portal_office": pb.STAFF_ROLE_PORTAL_OFFICE}
ROLE_FROM_PROTO = {v: k for k, v in ROLE_TO_PROTO.items()}
ID_FIELDS = ("id", "department_id", "accepting_unit_id", "handling_unit_id", "parent_id", "version")


@cache
def _column_keys(table) -> tuple[str, ...]:
    return tuple(c.key for c in table.columns)


@cache
def _field_names(message_class) -> frozenset[str]:
    return frozenset(message_class.DESCRIPTOR.fields_by_name)


def _columns(row) -> dict[str, Any]:
    return {key: getattr(row, key) for key in _column_keys(row.__table__)}


def _to_proto(values: dict[str, Any], message_class):
    """The message of the values whose names are its fields (a column the message does not carry is left out; a
    None is an unset field)."""
    names = _field_names(message_class)
    return message_class(**{k: v for k, v in values.items() if k in names and v is not None})


def _from_proto(message) -> dict[str, Any]:
    values = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    for name in ID_FIELDS:  # the JSON form spells 64-bit integers as strings
        if name in values:
            values[name] = int(values[name])
    return values


def item_to_proto(item: ServiceItem) -> pb.ServiceItem:
    values = _columns(item)
    values["status"] = STATUS_TO_PROTO[item.status]
    values["department_name"] = item.department.name
    values["accepting_unit_name"] = item.accepting_unit.name if item.accepting_unit else ""
    values["handling_unit_name"] = item.handling_unit.name if item.handling_unit else ""
    return _to_proto(values, pb.ServiceItem)


def item_fields(item: pb.ServiceItem) -> dict[str, Any]:
    """The editable fields a request carries (what the service owns is dropped later by validation)."""
    values = _from_proto(item)
    values["status"] = STATUS_FROM_PROTO.get(item.status, "draft")  # unspecified: never published by omission
    return values


def department_to_proto(department: Department, item_count: int = 0) -> pb.Department:
    values = _columns(department)
    values["item_count"] = item_count
    return _to_proto(values, pb.Department)


def department_fields(department: pb.Department) -> dict[str, Any]:
    return _from_proto(department)


def unit_to_proto(unit: Unit) -> pb.Unit:
    return _to_proto(_columns(unit), pb.Unit)


def staff_to_proto(staff: Staff) -> pb.Staff:
    return pb.Staff(
        id=staff.id,
        username=staff.username,
        display_name=staff.display_name,
        role=ROLE_TO_PROTO[staff.role],
        department_id=staff.department_id or 0,
        active=staff.active,
    )
