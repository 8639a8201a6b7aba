"""政民互动 on the desktop site: the section page, the ticket form (consult, complain, suggest, ask for help) and
tracking a ticket by number and query code. The WAP site reuses the form handling below."""

import logging
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from gateway import forms, tickets
from gateway.auth import ServicesDep
from gateway.convert import item_json
from gateway.ratelimit import limit
from gateway.rpc import ApiError, Services
from gateway.web import page, private_page
from portal.catalog.v1 import catalog_pb2

log = logging.getLogger(__name__)
router = APIRouter(default_response_class=HTMLResponse)
Id = Annotated[int, Query(ge=0, le=2**62)]


@dataclass
class Outcome:
    """What became of a submitted form: a result, or messages by field (and one for the whole form)."""

    result: dict | None = None
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""


async def read_ticket_form(request: Request) -> tuple[tickets.TicketForm, str]:
    data = await request.form()

    def text(name: str, limit: int) -> str:
        return str(data.get(name, ""))[:limit]

    def number(name: str) -> int:
        value = text(name, 20)
        return int(value) if value.isdigit() and int(value) < 2**62 else 0

    form = tickets.TicketForm(
        kind=text("kind", 20),
        title=text("title", 200),
        content=text("content", 4000),
        item_id=number("item_id"),
        department_id=number("department_id"),
        contact_name=text("contact_name", 100),
        contact_phone=text("contact_phone", 40),
        may_publish=data.get("may_publish") == "on",
    )
    return form, text(forms.FIELD, 200)


async def submit_ticket(rpc: Services, form: tickets.TicketForm, client_ip: str) -> Outcome:
    try:
        number, code = await tickets.submit(rpc, form, client_ip)
    except ApiError as error:
        if error.status == 400:
            return Outcome(errors={tickets.FORM_FIELD.get(error.field or "", "form"): error.message})
        log.warning("ticket not submitted: %s", error.message)
        return Outcome(message="留言服务暂时不可用，您填写的内容已保留在下面，请稍后再提交。")
    return Outcome(result={"number": number, "query_code": code})


async def track_ticket(rpc: Services, number: str, code: str) -> Outcome:
    if not number.strip() or not code.strip():
        return Outcome(errors={"form": "请输入编号和查询码"})
    try:
        return Outcome(result=await tickets.track(rpc, number.strip()[:40], code.strip()[:20]))
    except ApiError as error:
        if error.status == 404:
            return Outcome(errors={"form": error.message})
        log.warning("ticket not tracked: %s", error.message)
        return Outcome(message="查询服务暂时不可用，请稍后再试。")


async def subject(rpc: Services, item_id: int) -> dict | None:
    """The item a ticket is about, for the form's heading (the form works without it)."""
    if not item_id:
        return None
    try:
        return item_json(await rpc.get_published_item(item_id))
    except ApiError:
        return None


@router.get("/interaction")
async def interaction_section(request: Request, rpc: ServicesDep):
    listed = await rpc.list_items(
        catalog_pb2.ListItemsRequest(section="政民互动", status=catalog_pb2.ITEM_STATUS_PUBLISHED, page_size=50)
    )
    context = {"items": [item_json(i) for i in listed.items], "kinds": tickets.KINDS}
    return page(request, "interaction.html", context)


def _form_page(request: Request, form, about, outcome: Outcome, status_code: int = 200):
    token = forms.form_token(request)
    context = {"form": form, "about": about, "outcome": outcome, "kinds": tickets.KINDS, "csrf_token": token}
    return forms.remember(request, private_page(request, "consult.html", context, status_code), token)


@router.get("/interaction/consult")
async def consult_form(request: Request, rpc: ServicesDep, kind: str = "consultation", item_id: Id = 0):
    form = tickets.TicketForm(kind=kind if kind in tickets.KINDS else "consultation", item_id=item_id)
    return _form_page(request, form, await subject(rpc, item_id), Outcome())


@router.post("/interaction/consult", dependencies=[Depends(limit("submit"))])
async def consult_submit(request: Request, rpc: ServicesDep):
    form, token = await read_ticket_form(request)
    forms.check_form(request, token)
    outcome = await submit_ticket(rpc, form, request.client.host if request.client else "")
    status = 201 if outcome.result else 503 if outcome.message else 400
    return _form_page(request, form, await subject(rpc, form.item_id), outcome, status)


def _track_page(request: Request, number: str, outcome: Outcome, status_code: int = 200):
    token = forms.form_token(request)
    context = {"number": number, "outcome": outcome, "csrf_token": token}
    return forms.remember(request, private_page(request, "track.html", context, status_code), token)


@router.get("/interaction/track")
async def track_form(request: Request):
    return _track_page(request, "", Outcome())


@router.post("/interaction/track", dependencies=[Depends(limit("submit"))])
async def track_submit(request: Request, rpc: ServicesDep):
    data = await request.form()
    forms.check_form(request, str(data.get(forms.FIELD, "")))
    number = str(data.get("number", ""))[:40]
    outcome = await track_ticket(rpc, number, str(data.get("code", "")))
    return _track_page(request, number, outcome, 200 if outcome.result else 503 if outcome.message else 404)
