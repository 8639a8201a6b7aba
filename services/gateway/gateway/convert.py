"""Protobuf messages → the JSON the API answers with (and the pages render)."""

from google.protobuf.json_format import MessageToDict

from portal.catalog.v1 import catalog_pb2
from portal.feedback.v1 import feedback_pb2
from portal.search.v1 import search_pb2


def _plain(message) -> dict:
    return MessageToDict(message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


def item_json(item: catalog_pb2.ServiceItem) -> dict:
    body = _plain(item)
    body["id"] = item.id
    body["department_id"] = item.department_id
    body["version"] = item.version
    body["title"] = item.name
    body["department"] = item.department_name
    body["status"] = catalog_pb2.ItemStatus.Name(item.status).removeprefix("ITEM_STATUS_").lower()
    return body


def department_json(department: catalog_pb2.Department) -> dict:
    body = _plain(department)
    body["id"] = department.id
    return body


def hit_json(hit: search_pb2.SearchHit) -> dict:
    return {
        "id": hit.item_id,
        "title": hit.title,
        "department": hit.department,
        "section": hit.section,
        "highlight": hit.highlight,
        "score": round(hit.score, 4),
    }


def ticket_json(ticket: feedback_pb2.Ticket) -> dict:
    return {
        "number": ticket.number,
        "kind": feedback_pb2.TicketKind.Name(ticket.kind).removeprefix("TICKET_KIND_").lower(),
        "status": feedback_pb2.TicketStatus.Name(ticket.status).removeprefix("TICKET_STATUS_").lower(),
        "title": ticket.title,
        "content": ticket.content,
        "answer": ticket.answer,
        "created_at": ticket.created_at.ToJsonString(),
        "updated_at": ticket.updated_at.ToJsonString(),
    }
