"""Back-office ticket pages: a department's queue (its own tickets only, by status, with count badges and deadline
marks), the portal office's triage queue and overdue list, and the ticket page: the whole history, the resident's
contact details, and one form per step the feedback service says the caller may take next. The feedback service
checks every step; its messages appear next to the form that was sent."""

import asyncio
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from gateway import item_form, tickets
from gateway.auth import ServicesDep, StaffSession
from gateway.convert import staff_ticket_json
from gateway.rpc import ApiError, Services
from gateway.staff_web import PostedForm, StaffPage, back_to, is_office, staff_page
from portal.feedback.v1 import feedback_pb2

router = APIRouter(include_in_schema=False)
STATUSES = {
    "submitted": "待受理",
    "accepted": "已受理待转办",
    "assigned": "待签收",
    "in_progress": "办理中",
    "returned": "已退回",
    "reopened": "重新办理",
    "answered": "已答复",
    "closed": "已结案",
    "rejected": "不予受理",
    "merged": "已合并",
}
TRIAGE = ("submitted", "accepted", "returned", "reopened")  # what waits for the portal office
STAGES = {"due_soon": "即将到期", "overdue": "已超期", "reminded": "已催办", "escalated": "已督办"}
TicketNo = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9-]+$")]


@dataclass(frozen=True)
class Step:
    """One form on the ticket page: what it is called, what it asks for, and what its button says."""

    title: str
    button: str
    fields: tuple[str, ...] = ()
    note_label: str = "备注（可不填）"


STEPS = {
    "accept": Step("受理", "受理"),
    "reject": Step("不予受理", "不予受理", ("note",), "不予受理的理由（将告知群众）"),
    "merge": Step("合并为重复件", "合并", ("duplicate_of", "note")),
    "assign": Step("转办", "转办", ("department_id", "note")),
    "sign": Step("签收", "签收"),
    "return": Step("退回", "退回", ("note",), "退回理由（如：不属于本部门职责）"),
    "request_extension": Step("申请延期", "申请延期", ("days", "note"), "延期理由"),
    "grant_extension": Step("同意延期", "同意延期", ("note",)),
    "deny_extension": Step("不同意延期", "不同意延期", ("note",)),
    "answer": Step("答复办结", "答复", ("note", "publish"), "答复内容（将告知群众）"),
    "close": Step("结案", "结案", ("note",)),
    "reopen": Step("重新办理", "重新办理", ("note",), "重新办理的原因"),
    "remind": Step("催办", "催办", ("note",)),
    "escalate": Step("督办", "督办", ("note",)),
    "publish": Step("公开为问答", "公开到事项页面"),
    "unpublish": Step("撤回公开的问答", "撤回公开"),
}


def _status(name: str) -> int:
    return feedback_pb2.TicketStatus.Value(f"TICKET_STATUS_{name.upper()}")


async def _department_names(rpc: Services) -> dict[int, str]:
    return {d.id: d.name for d in (await rpc.list_departments()).items}


def _listed(response: feedback_pb2.ListTicketsResponse) -> list[dict]:
    return [staff_ticket_json(t) for t in response.items]


async def _count(rpc: Services, session: StaffSession, status: str, department_id: int) -> int:
    request = feedback_pb2.ListTicketsRequest(
        status=_status(status),
        department_id=department_id,
        page_size=1,
    )
    return (await rpc.list_tickets(request, session.token)).total


def _frame(departments: dict, **context) -> dict:
    return {"statuses": STATUSES, "stages": STAGES, "kinds": tickets.KINDS, "departments": departments, **context}


@router.get("/tickets")
async def queue(
    request: Request,
    rpc: ServicesDep,
    session: StaffPage,
    status: Literal[tuple(STATUSES)] | None = None,  # type: ignore[valid-type]
    department_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    cursor: Annotated[str, Query(max_length=40)] = "",
):
    """The caller's tickets, newest first, filtered by status, with a count per status."""
    listing = feedback_pb2.ListTicketsRequest(
        status=_status(status) if status else 0,
        department_id=department_id,
        page_size=30,
        page_token=cursor,
    )
    listed, names, *counts = await asyncio.gather(
        rpc.list_tickets(listing, session.token),
        _department_names(rpc),
        *(_count(rpc, session, s, department_id) for s in STATUSES),
    )
    context = _frame(
        names,
        tickets=_listed(listed),
        total=listed.total,
        next_cursor=listed.next_page_token,
        counts=dict(zip(STATUSES, counts, strict=True)),
        status=status or "",
        department_id=department_id,
    )
    return staff_page(request, session, "staff/tickets.html", context)


@router.get("/triage")
async def triage(request: Request, rpc: ServicesDep, session: StaffPage):
    """The portal office's work: tickets to accept, to assign, returned by a department, reopened by a rating."""
    requests = [feedback_pb2.ListTicketsRequest(status=_status(s)) for s in TRIAGE]
    names, *lists = await asyncio.gather(
        _department_names(rpc), *(rpc.list_tickets(r, session.token) for r in requests)
    )
    queues = [(s, STATUSES[s], _listed(listed), listed.total) for s, listed in zip(TRIAGE, lists, strict=True)]
    return staff_page(request, session, "staff/triage.html", _frame(names, queues=queues))


@router.get("/overdue")
async def overdue(request: Request, rpc: ServicesDep, session: StaffPage):
    listed, names = await asyncio.gather(rpc.overdue_tickets(session.token), _department_names(rpc))
    context = _frame(names, tickets=_listed(listed), total=listed.total)
    return staff_page(request, session, "staff/overdue.html", context)


async def _ticket_page(
    request: Request,
    rpc: Services,
    session: StaffSession,
    ticket_no: str,
    errors: dict | None = None,
    typed: dict | None = None,
    status_code: int = 200,
):
    ticket, names = await asyncio.gather(rpc.get_ticket(ticket_no, session.token), _department_names(rpc))
    ticket = staff_ticket_json(ticket)
    # The service offers publish and unpublish together; only the one that changes something is worth a form.
    pointless = "publish" if ticket["qa_published"] else "unpublish"
    steps = [(a, STEPS[a]) for a in ticket.get("allowed_actions", []) if a in STEPS and a != pointless]
    errors = errors or {}
    shown = {action for action, _ in steps}
    context = _frame(
        names,
        ticket=ticket,
        steps=steps,
        errors=errors,
        # A refused step whose form is not on the page (no longer allowed): its message goes above the forms.
        refused=[message for key, message in errors.items() if key.rsplit("-", 1)[0] not in shown],
        typed=typed or {},
        kind_label=tickets.KINDS.get(ticket["kind"], ("",))[0],
        office=is_office(session),
    )
    return staff_page(request, session, "staff/ticket.html", context, status_code)


@router.get("/tickets/{ticket_no}")
async def ticket_page(request: Request, rpc: ServicesDep, session: StaffPage, ticket_no: TicketNo):
    return await _ticket_page(request, rpc, session, ticket_no)


def _transition(ticket_no: str, action: str, data) -> tuple[feedback_pb2.TransitionTicketRequest, dict, dict]:
    """The step as the feedback service takes it, what was typed (to show again) and what could not be read."""
    typed = {
        "note": item_form.text_value(data, "note"),
        "duplicate_of": item_form.text_value(data, "duplicate_of")[:40].strip(),
        "department_id": item_form.read_id(data, "department_id"),
        "days": item_form.text_value(data, "days")[:10],
        "publish": data.get("publish") == "on",
    }
    errors: dict = {}
    days = item_form.read_integer(data, "days", errors, optional=True) if "days" in STEPS[action].fields else 0
    version = item_form.read_id(data, "version")
    step = feedback_pb2.TransitionTicketRequest(
        ticket_no=ticket_no,
        action=action,
        note=typed["note"],
        department_id=typed["department_id"],
        duplicate_of=typed["duplicate_of"],
        extension_days=days if isinstance(days, int) and 0 <= days <= 365 else 0,
        expected_version=version,
    )
    if isinstance(days, int) and not 0 <= days <= 365:
        errors["days"] = "延期天数不能超过365天"
    return step, typed, {f"{action}-{k}": v for k, v in errors.items()}


@router.post("/tickets/{ticket_no}/steps/{action}")
async def take_step(
    request: Request, rpc: ServicesDep, session: StaffPage, data: PostedForm, ticket_no: TicketNo, action: str
):
    if action not in STEPS:
        raise ApiError(404, "page_not_found", "没有这项操作")
    step, typed, errors = _transition(ticket_no, action, data)
    if errors:
        return await _ticket_page(request, rpc, session, ticket_no, errors, {action: typed}, 400)
    try:
        await rpc.transition_ticket(step, session.token)
    except ApiError as error:
        return await _refused(request, rpc, session, ticket_no, action, typed, error)
    if action == "answer" and typed["publish"]:
        publish = feedback_pb2.TransitionTicketRequest(ticket_no=ticket_no, action="publish")
        try:
            await rpc.transition_ticket(publish, session.token)
        except ApiError as error:
            error.message = f"答复已保存，但未能公开为问答：{error.message}"
            return await _refused(request, rpc, session, ticket_no, "publish", {}, error)
    return back_to(f"/staff/tickets/{ticket_no}", action)


async def _refused(
    request: Request, rpc: Services, session: StaffSession, ticket_no: str, action: str, typed: dict, error: ApiError
):
    """The ticket page again, with the service's message next to the form that was sent and what was typed."""
    if error.status not in (400, 403, 404, 409):
        raise error
    if error.code.endswith("version_conflict"):
        error.message = "该件已被他人处理，下面是最新状态，请确认后再操作。"
    field = error.field if error.field in STEPS[action].fields else "form"
    errors = {f"{action}-{field}": error.message}
    return await _ticket_page(request, rpc, session, ticket_no, errors, {action: typed}, error.status)
