"""Protobuf messages ⇄ the JSON the API speaks (and the pages render)."""

from typing import Any

from google.protobuf import json_format

from portal.catalog.v1 import catalog_pb2
from portal.feedback.v1 import feedback_pb2
from portal.search.v1 import search_pb2

# The protobuf JSON form spells 64-bit integers as strings; the API answers numbers.
INT64_FIELDS = ("id", "department_id", "accepting_unit_id", "handling_unit_id", "parent_id", "version", "item_count")


def _plain(message) -> dict[str, Any]:
    body = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    for name in INT64_FIELDS:
        if name in body:
            body[name] = int(body[name])
    return body


def _enum_name(enum, value: int, prefix: str) -> str:
    return enum.Name(value).removeprefix(prefix).lower()


def item_json(item: catalog_pb2.ServiceItem) -> dict[str, Any]:
    body = _plain(item)
    body["title"] = item.name
    body["department"] = item.department_name
    body["status"] = _enum_name(catalog_pb2.ItemStatus, item.status, "ITEM_STATUS_")
    for name in ("legal_time_limit_days", "promised_time_limit_days", "latitude", "longitude"):
        body.setdefault(name, None)
    return body


def item_from_json(fields: dict[str, Any]) -> catalog_pb2.ServiceItem:
    fields = {k: v for k, v in fields.items() if v is not None}
    if "status" in fields:
        fields["status"] = f"ITEM_STATUS_{fields['status'].upper()}"
    return json_format.ParseDict(fields, catalog_pb2.ServiceItem())


def department_json(department: catalog_pb2.Department) -> dict[str, Any]:
    return _plain(department)


def department_from_json(fields: dict[str, Any]) -> catalog_pb2.Department:
    return json_format.ParseDict({k: v for k, v in fields.items() if v is not None}, catalog_pb2.Department())


def unit_json(unit: catalog_pb2.Unit) -> dict[str, Any]:
    return _plain(unit)


def staff_json(staff: catalog_pb2.Staff) -> dict[str, Any]:
    body = _plain(staff)
    body["role"] = _enum_name(catalog_pb2.StaffRole, staff.role, "STAFF_ROLE_")
    return body


def counts_json(counts: catalog_pb2.ItemCounts) -> dict[str, Any]:
    def named(pairs):
        return [{"name": p.name, "count": p.count} for p in pairs]

    return {
        "sections": named(counts.sections),
        "themes": named(counts.themes),
        "life_events": named(counts.life_events),
        "audiences": named(counts.audiences),
    }


def hit_json(hit: search_pb2.SearchHit) -> dict[str, Any]:
    return {
        "id": hit.item_id,
        "title": hit.title,
        "department": hit.department,
        "department_id": hit.department_id,
        "section": hit.section,
        "summary": hit.summary,
        "online": hit.online,
        "highlight": hit.highlight,
        "pinned": hit.pinned,
        "score": round(hit.score, 4),
    }


def search_json(response: search_pb2.SearchResponse) -> dict[str, Any]:
    body = {
        "total": response.total,
        "items": [hit_json(h) for h in response.hits],
        "facets": {
            facet.name: [{"value": v.value, "label": v.label, "count": v.count} for v in facet.values]
            for facet in response.facets
        },
    }
    if response.suggestion:
        body["suggestion"] = response.suggestion
    return body


def best_bet_json(bet: search_pb2.BestBet) -> dict[str, Any]:
    return {
        "query": bet.query,
        "item_id": bet.item_id,
        "expires_at": bet.expires_at.ToJsonString(),
        "created_by": bet.created_by,
        "created_at": bet.created_at.ToJsonString(),
    }


def ticket_json(ticket: feedback_pb2.Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "kind": _enum_name(feedback_pb2.TicketKind, ticket.kind, "TICKET_KIND_"),
        "status": _enum_name(feedback_pb2.TicketStatus, ticket.status, "TICKET_STATUS_"),
        "title": ticket.title,
        "content": ticket.content,
        "answer": ticket.answer,
        "created_at": ticket.created_at.ToJsonString(),
        "updated_at": ticket.updated_at.ToJsonString(),
    }
