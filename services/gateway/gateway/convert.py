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


def _moment(stamp, present: bool = True) -> str | None:
    return stamp.ToJsonString() if present else None


def _ticket_status(value: int) -> str:
    return _enum_name(feedback_pb2.TicketStatus, value, "TICKET_STATUS_")


def step_json(step: feedback_pb2.TicketStep) -> dict[str, Any]:
    return {
        "step": step.action,
        "label": step.label,
        "status": _ticket_status(step.status),
        "by": step.actor,
        "note": step.note,
        "department_id": step.department_id,
        "at": step.at.ToJsonString(),
    }


def ticket_json(ticket: feedback_pb2.PublicTicket) -> dict[str, Any]:
    """What anyone holding the number and the query code sees: contact details arrive masked."""
    return {
        "ticket_no": ticket.ticket_no,
        "kind": _enum_name(feedback_pb2.TicketKind, ticket.kind, "TICKET_KIND_"),
        "status": _ticket_status(ticket.status),
        "subject": ticket.subject,
        "body": ticket.body,
        "answer": ticket.answer,
        "contact_name": ticket.contact_name,
        "contact_phone": ticket.contact_phone,
        "department_id": ticket.department_id,
        "deadline": _moment(ticket.deadline, ticket.HasField("deadline")),
        "duplicate_of": ticket.duplicate_of,
        "created_at": ticket.created_at.ToJsonString(),
        "updated_at": ticket.updated_at.ToJsonString(),
        "history": [step_json(s) for s in ticket.steps],
    }


def staff_ticket_json(ticket: feedback_pb2.StaffTicket) -> dict[str, Any]:
    body = {
        "ticket_no": ticket.ticket_no,
        "kind": _enum_name(feedback_pb2.TicketKind, ticket.kind, "TICKET_KIND_"),
        "status": _ticket_status(ticket.status),
        "subject": ticket.subject,
        "body": ticket.body,
        "answer": ticket.answer,
        "contact_name": ticket.contact_name,
        "contact_phone": ticket.contact_phone,
        "contact_email": ticket.contact_email,
        "public": ticket.public,
        "item_id": ticket.item_id,
        "department_id": ticket.department_id,
        "handling_department_id": ticket.handling_department_id,
        "assigned_at": _moment(ticket.assigned_at, ticket.HasField("assigned_at")),
        "deadline": _moment(ticket.deadline, ticket.HasField("deadline")),
        "deadline_stage": ticket.deadline_stage,
        "bounce_count": ticket.bounce_count,
        "reopen_count": ticket.reopen_count,
        "extension_days_requested": ticket.extension_days_requested,
        "duplicate_of": ticket.duplicate_of,
        "qa_published": ticket.qa_published,
        "source": ticket.source,
        "version": ticket.version,
        "created_at": ticket.created_at.ToJsonString(),
        "updated_at": ticket.updated_at.ToJsonString(),
    }
    if ticket.steps:
        body["history"] = [step_json(s) for s in ticket.steps]
        body["allowed_actions"] = list(ticket.allowed_actions)
    return body


def question_json(question: feedback_pb2.ItemQuestion) -> dict[str, Any]:
    return {
        "ticket_no": question.ticket_no,
        "subject": question.subject,
        "body": question.body,
        "answer": question.answer,
        "asker": question.asker,
        "asked_at": question.asked_at.ToJsonString(),
        "answered_at": _moment(question.answered_at, question.HasField("answered_at")),
    }


def experience_json(experience: feedback_pb2.Experience, *, staff: bool = False) -> dict[str, Any]:
    body = {
        "id": experience.id,
        "title": experience.title,
        "body": experience.body,
        "item_id": experience.item_id,
        "department_id": experience.department_id,
        "author": experience.author,
        "status": experience.status,
        "created_at": experience.created_at.ToJsonString(),
        "published_at": _moment(experience.published_at, experience.HasField("published_at")),
        "notes": [
            {"department_id": n.department_id, "body": n.body, "created_at": n.created_at.ToJsonString()}
            | ({"author": n.author} if staff else {})
            for n in experience.notes
        ],
    }
    if staff:
        body |= {"reject_reason": experience.reject_reason, "contact_phone": experience.contact_phone}
    return body


RATING_TARGETS = {
    "item": feedback_pb2.RATING_TARGET_ITEM,
    "department": feedback_pb2.RATING_TARGET_DEPARTMENT,
    "ticket": feedback_pb2.RATING_TARGET_TICKET,
}
RATING_LEVELS = {
    "very_dissatisfied": feedback_pb2.RATING_LEVEL_VERY_DISSATISFIED,
    "dissatisfied": feedback_pb2.RATING_LEVEL_DISSATISFIED,
    "basically_satisfied": feedback_pb2.RATING_LEVEL_BASICALLY_SATISFIED,
    "satisfied": feedback_pb2.RATING_LEVEL_SATISFIED,
    "very_satisfied": feedback_pb2.RATING_LEVEL_VERY_SATISFIED,
}


def rating_json(rating: feedback_pb2.Rating) -> dict[str, Any]:
    return {
        "id": rating.id,
        "target": _enum_name(feedback_pb2.RatingTarget, rating.target, "RATING_TARGET_"),
        "item_id": rating.item_id,
        "department_id": rating.department_id,
        "ticket_no": rating.ticket_no,
        "level": _enum_name(feedback_pb2.RatingLevel, rating.level, "RATING_LEVEL_"),
        "comment": rating.comment,
        "scores": dict(rating.scores),
        "status": rating.status,
        "appeal_reason": rating.appeal_reason,
        "review_note": rating.review_note,
        "rectification_ticket_no": rating.rectification_ticket_no,
        "created_at": rating.created_at.ToJsonString(),
    }


def score_json(score: feedback_pb2.DepartmentScore) -> dict[str, Any]:
    return {
        "department_id": score.department_id,
        "month": score.month,
        "count": score.count,
        "average_level": score.average_level,
        "satisfaction_rate": score.satisfaction_rate,
        "levels": dict(score.level_counts),
        "sub_scores": dict(score.sub_scores),
    }


def item_ratings_json(ratings: feedback_pb2.ItemRatings) -> dict[str, Any]:
    return {
        "item_id": ratings.item_id,
        "count": ratings.count,
        "average_level": ratings.average_level,
        "satisfaction_rate": ratings.satisfaction_rate,
        "levels": dict(ratings.level_counts),
        "sub_scores": dict(ratings.sub_scores),
        "comments": [
            {
                "level": _enum_name(feedback_pb2.RatingLevel, c.level, "RATING_LEVEL_"),
                "comment": c.comment,
                "created_at": c.created_at.ToJsonString(),
            }
            for c in ratings.comments
        ],
        "updated_at": _moment(ratings.updated_at, ratings.HasField("updated_at")),
    }


def inbox_json(entry: feedback_pb2.InboxEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "department_id": entry.department_id,
        "kind": entry.kind,
        "ticket_no": entry.ticket_no,
        "text": entry.text,
        "read": entry.read,
        "created_at": entry.created_at.ToJsonString(),
    }
