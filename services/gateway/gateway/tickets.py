"""What the pages need from the feedback service, behind small functions so that the pages do not change when the
feedback API does: submit a ticket, track it, and the public Q&A and ratings of an item.

Public Q&A and ratings of an item are not wired to the feedback API yet: `item_feedback` answers nothing, and the
item page's includes show nothing for it."""

from dataclasses import dataclass, field

from gateway.convert import ticket_json
from gateway.rpc import Services
from portal.feedback.v1 import feedback_pb2

KINDS = {
    "consultation": ("咨询", feedback_pb2.TICKET_KIND_CONSULTATION),
    "complaint": ("投诉", feedback_pb2.TICKET_KIND_COMPLAINT),
    "suggestion": ("建议", feedback_pb2.TICKET_KIND_SUGGESTION),
    "help": ("求助", feedback_pb2.TICKET_KIND_HELP),
}
STATUS_LABELS = {
    "submitted": "已提交，等待受理",
    "accepted": "已受理",
    "rejected": "不予受理",
    "merged": "已与相同诉求合并办理",
    "assigned": "已转交承办部门",
    "returned": "承办部门已退回，正在重新转办",
    "reopened": "已重新办理",
    "in_progress": "正在办理",
    "answered": "已答复",
    "closed": "已办结",
}
# The feedback service names the field at fault in the API's words; the form's fields are named as it shows them.
FORM_FIELD = {
    "kind": "kind",
    "subject": "title",
    "body": "content",
    "contact_phone": "contact_phone",
    "contact_name": "contact_name",
}


@dataclass
class TicketForm:
    """What a resident typed; kept as typed so that a failed submission re-renders it."""

    kind: str = "consultation"
    title: str = ""
    content: str = ""
    item_id: int = 0
    department_id: int = 0
    contact_name: str = ""
    contact_phone: str = ""
    may_publish: bool = False


@dataclass
class ItemFeedback:
    """Public questions with their answers, and the rating summary, of one item (empty until the API exists)."""

    questions: list[dict] = field(default_factory=list)
    rating: dict | None = None


async def submit(rpc: Services, form: TicketForm, client_ip: str) -> tuple[str, str]:
    """The ticket's number and query code."""
    request = feedback_pb2.SubmitTicketRequest(
        kind=KINDS[form.kind][1] if form.kind in KINDS else feedback_pb2.TICKET_KIND_UNSPECIFIED,
        subject=form.title,
        body=form.content,
        item_id=form.item_id,
        department_id=form.department_id,
        contact_name=form.contact_name,
        contact_phone=form.contact_phone,
        public=form.may_publish,
    )
    response = await rpc.submit_ticket(request, client_ip)
    return response.ticket_no, response.query_code


async def track(rpc: Services, number: str, query_code: str) -> dict:
    ticket = ticket_json(await rpc.track_ticket(number, query_code))
    ticket["kind_label"] = KINDS.get(ticket["kind"], ("",))[0]
    ticket["status_label"] = STATUS_LABELS.get(ticket["status"], ticket["status"])
    return ticket


async def item_feedback(rpc: Services, item_id: int) -> ItemFeedback:
    return ItemFeedback()
