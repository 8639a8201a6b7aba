"""The residents' forms, written once for the desktop site and the WAP site: ask (consult, complain, suggest, ask for
help), track a ticket, rate an item or a department, share an experience. Each site registers the same handlers
under its own addresses (`add_routes`) and renders them with its own templates (`Site`)."""

import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse

from gateway import forms, tickets
from gateway.auth import ServicesDep
from gateway.convert import item_json
from gateway.ratelimit import client_ip, limit
from gateway.rpc import ApiError, Services
from gateway.web import private_page, templates, wap_prefix, wap_private_page

log = logging.getLogger(__name__)
Id = Annotated[int, Query(ge=0, le=2**62)]
TicketNo = Annotated[str, Path(max_length=40)]
Code = Annotated[str, Query(max_length=20)]
UNAVAILABLE = {
    "ticket": "留言服务暂时不可用，您填写的内容已保留在下面，请稍后再提交。",
    "track": "查询服务暂时不可用，请稍后再试。",
    "rating": "评价服务暂时不可用，您填写的内容已保留在下面，请稍后再提交。",
    "experience": "分享服务暂时不可用，您填写的内容已保留在下面，请稍后再提交。",
}
templates.env.globals.update(levels=tickets.LEVEL_LABELS, sub_scores=tickets.SUB_SCORES)
templates.env.filters.update(local_time=tickets.local_time, local_date=lambda stamp: tickets.local_time(stamp)[:10])
HONEYPOT = "homepage"  # as in the JSON API
CONFIRM_RATING = "为防止他人冒用，请核对您的评价，然后点击“提交评价”。"


@dataclass
class Outcome:
    """What became of a form: done (with a result), or messages by field (and one for the whole form)."""

    result: Any = None
    done: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    status: int = 200


async def attempt(call: Awaitable, fields: dict[str, str], service: str) -> Outcome:
    """Run a submission: its result (201), the service's word on the field at fault (400; a ticket to rate that
    is not found or not ratable too), its refusal of a flood (429), or a plain message that the service is down
    (503) — the form keeps what was typed."""
    try:
        return Outcome(result=await call, done=True, status=201)
    except ApiError as error:
        if error.status in (400, 404, 409):
            return Outcome(errors={fields.get(error.field or "", "form"): error.message}, status=400)
        if error.status == 429:
            return Outcome(message=error.message, status=429)
        log.warning("%s not submitted: %s", service, error.message)
        return Outcome(message=UNAVAILABLE[service], status=503)


def _text(data, name: str, limit: int) -> str:
    return str(data.get(name, ""))[:limit]


def _number(data, name: str) -> int:
    value = _text(data, name, 20)
    return int(value) if value.isdigit() and int(value) < 2**62 else 0


async def read_ticket_form(request: Request) -> tuple[tickets.TicketForm, str]:
    data = await request.form()
    form = tickets.TicketForm(
        kind=_text(data, "kind", 20),
        title=_text(data, "title", 200),
        content=_text(data, "content", 4000),
        item_id=_number(data, "item_id"),
        department_id=_number(data, "department_id"),
        contact_name=_text(data, "contact_name", 100),
        contact_phone=_text(data, "contact_phone", 40),
        may_publish=data.get("may_publish") == "on",
        honeypot=_text(data, HONEYPOT, 200),
    )
    return form, _text(data, forms.FIELD, 200)


async def read_rating_form(request: Request) -> tuple[tickets.RatingForm, str]:
    data = await request.form()
    form = tickets.RatingForm(
        item_id=_number(data, "item_id"),
        department_id=_number(data, "department_id"),
        ticket_no=_text(data, "ticket_no", 40),
        code=_text(data, "code", 20),
        level=_text(data, "level", 30),
        scores={name: _text(data, f"score_{name}", 2) for name in tickets.SUB_SCORES},
        comment=_text(data, "comment", 1000),
        honeypot=_text(data, HONEYPOT, 200),
    )
    return form, _text(data, forms.FIELD, 200)


async def read_experience_form(request: Request) -> tuple[tickets.ExperienceForm, str]:
    data = await request.form()
    form = tickets.ExperienceForm(
        title=_text(data, "title", 200),
        body=_text(data, "body", 4000),
        item_id=_number(data, "item_id"),
        department_id=_number(data, "department_id"),
        author_name=_text(data, "author_name", 100),
        contact_phone=_text(data, "contact_phone", 40),
        honeypot=_text(data, HONEYPOT, 200),
    )
    return form, _text(data, forms.FIELD, 200)


async def subject(rpc: Services, item_id: int, department_id: int = 0) -> dict | None:
    """What a form is about (an item, else a department), for its heading; the form works without it."""
    try:
        if item_id:
            item = item_json(await rpc.get_published_item(item_id))
            return {**item, "kind": "item", "path": f"/items/{item_id}"}
        if department_id:
            found = await rpc.get_department(department_id)
            return {"kind": "department", "id": found.id, "title": found.name, "department": found.name,
                    "department_id": found.id, "path": f"/departments/{found.id}"}  # fmt: skip
    except ApiError:
        return None
    return None


async def track(rpc: Services, number: str, code: str) -> Outcome:
    """The ticket for its number and query code; one message for a missing code, a wrong one and a number that
    does not exist, so the page never tells which numbers exist."""
    try:
        if not code.strip():
            raise ApiError(404, "ticket_not_found", "没有找到该件，请核对编号和查询码")
        return Outcome(result=await tickets.track(rpc, number.strip()[:40], code.strip()[:20]), done=True)
    except ApiError as error:
        if error.status == 404:
            return Outcome(errors={"form": error.message}, status=404)
        log.warning("ticket not tracked: %s", error.message)
        return Outcome(message=UNAVAILABLE["track"], status=503)


@dataclass(frozen=True)
class Site:
    """The desktop site or the WAP site: the same forms at its own addresses, drawn by its own templates."""

    wap: bool
    forms: str  # the forms' folder: /interaction on the desktop site, the WAP router's root

    def link(self, request: Request, path: str) -> str:
        """An address on this site as the browser needs it (WAP: /m…, or the root of the wap. host)."""
        return (wap_prefix(request) if self.wap else "") + path

    def form_page(self, request: Request, template: str, context: dict, status_code: int, path: str):
        """A form page for one visitor, never cached, with the CSRF token in the page and in a cookie."""
        token = forms.form_token(request)
        context = {"kinds": tickets.KINDS, "csrf_token": token, **context}
        if self.wap:
            page = wap_private_page(request, f"wap/{template}", context, path=path, status_code=status_code)
        else:
            page = private_page(request, template, context, status_code)
        return forms.remember(request, page, token)


def add_routes(router: APIRouter, site: Site) -> None:
    """The residents' forms of one site."""
    base = site.forms

    @router.get(f"{base}/consult")
    async def consult_form(
        request: Request, rpc: ServicesDep, kind: str = "consultation", item_id: Id = 0, department_id: Id = 0
    ):
        kind = kind if kind in tickets.KINDS else "consultation"
        form = tickets.TicketForm(kind=kind, item_id=item_id, department_id=department_id)
        return await _about_page(request, rpc, "consult", form, Outcome())

    @router.post(f"{base}/consult", dependencies=[Depends(limit("submit"))])
    async def consult_submit(request: Request, rpc: ServicesDep):
        form, token = await read_ticket_form(request)
        forms.check_form(request, token)
        outcome = await attempt(tickets.submit(rpc, form, client_ip(request)), tickets.FORM_FIELD, "ticket")
        return await _about_page(request, rpc, "consult", form, outcome)

    async def _about_page(request: Request, rpc: Services, name: str, form, outcome: Outcome):
        """The form `name` (consult, share), headed by the item or department it is about."""
        context = {"form": form, "about": await subject(rpc, form.item_id, form.department_id), "outcome": outcome}
        return site.form_page(request, f"{name}.html", context, outcome.status, f"/{name}")

    @router.get(f"{base}/track")
    async def track_form(request: Request, number: Annotated[str, Query(max_length=40)] = ""):
        return site.form_page(request, "track.html", {"number": number, "outcome": Outcome()}, 200, "/track")

    @router.post(f"{base}/track", dependencies=[Depends(limit("submit"))])
    async def track_submit(request: Request):
        data = await request.form()
        forms.check_form(request, _text(data, forms.FIELD, 200))
        number, code = _text(data, "number", 40).strip(), _text(data, "code", 20).strip()
        if not number or not code:
            outcome = Outcome(errors={"form": "请输入编号和查询码"}, status=400)
            return site.form_page(request, "track.html", {"number": number, "outcome": outcome}, 400, "/track")
        return RedirectResponse(site.link(request, f"/tickets/{quote(number)}?code={quote(code)}"), status_code=303)

    @router.get("/tickets/{ticket_no}")
    async def ticket_page(request: Request, rpc: ServicesDep, ticket_no: TicketNo, code: Code = ""):
        """The ticket's public status and history. A wrong code costs a token of the submission limit, so that
        guessing codes is throttled while a resident reloading their own ticket never is."""
        outcome = await track(rpc, ticket_no, code)
        if outcome.status == 404:
            request.app.state.rate_limits.check("submit", client_ip(request))
        rating = tickets.RatingForm(ticket_no=ticket_no, code=code)  # offered once the ticket is answered
        context = {"number": ticket_no, "outcome": outcome, "rating": rating}
        path = f"/tickets/{quote(ticket_no)}?code={quote(code)}"  # the other site's twin opens the same ticket
        page = site.form_page(request, "ticket.html", context, outcome.status, path)
        page.headers["Referrer-Policy"] = "no-referrer"  # the code is in the address: never pass it on
        return page

    @router.get(f"{base}/rate")
    async def rating_form(request: Request, rpc: ServicesDep, item_id: Id = 0, department_id: Id = 0):
        form = tickets.RatingForm(item_id=item_id, department_id=0 if item_id else department_id)
        return await _rating_page(request, rpc, form, Outcome())

    @router.post(f"{base}/rate", dependencies=[Depends(limit("submit"))])
    async def rating_submit(request: Request, rpc: ServicesDep):
        """Item and department pages are public and cached, so the rating form on them carries no token: a post
        without a valid one submits nothing and comes back as this form, filled in, with a token to confirm."""
        form, token = await read_rating_form(request)
        forms.check_same_origin(request)
        try:
            forms.check_form(request, token)
        except ApiError:
            return await _rating_page(request, rpc, form, Outcome(message=CONFIRM_RATING))
        rated = tickets.rate(rpc, form, client_ip(request))
        return await _rating_page(request, rpc, form, await attempt(rated, tickets.RATING_FIELD, "rating"))

    async def _rating_page(request: Request, rpc: Services, form: tickets.RatingForm, outcome: Outcome):
        if form.target == "ticket":
            path = f"/tickets/{quote(form.ticket_no)}?code={quote(form.code)}"
            about = {"kind": "ticket", "title": f"办件 {form.ticket_no}", "path": path}
        else:
            about = await subject(rpc, form.item_id, form.department_id)
        if not form.target and not outcome.errors:
            outcome = Outcome(errors={"form": "请从事项、部门或办件进度页面进入评价"}, status=400)
        context = {"rating": form, "about": about, "outcome": outcome}
        return site.form_page(request, "rate.html", context, outcome.status, "/rate")

    @router.get(f"{base}/share")
    async def experience_form(request: Request, rpc: ServicesDep, item_id: Id = 0, department_id: Id = 0):
        form = tickets.ExperienceForm(item_id=item_id, department_id=department_id)
        return await _about_page(request, rpc, "share", form, Outcome())

    @router.post(f"{base}/share", dependencies=[Depends(limit("submit"))])
    async def experience_submit(request: Request, rpc: ServicesDep):
        form, token = await read_experience_form(request)
        forms.check_form(request, token)
        outcome = await attempt(tickets.share(rpc, form, client_ip(request)), tickets.EXPERIENCE_FIELD, "experience")
        return await _about_page(request, rpc, "share", form, outcome)
