"""Back-office pages for staff: log in, list their department's items, edit a guide with the catalog's own
validation messages (Chinese, naming the field) shown next to the field. The catalog decides what each staff
member may touch; these pages only carry the session (HttpOnly cookie) and its CSRF token (a hidden field).

Ticket work pages (answer consultations, work tickets) come with the feedback service's back-office API."""

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gateway import forms
from gateway.api import MAX_ID, PathId
from gateway.auth import SESSION_COOKIE, ServicesDep, StaffSession, csrf_token
from gateway.convert import item_from_json, item_json
from gateway.ratelimit import client_ip, limit
from gateway.rpc import ApiError, Services
from gateway.schemas import ItemIn
from gateway.web import private_page
from portal.catalog.v1 import catalog_pb2

router = APIRouter(prefix="/staff", default_response_class=HTMLResponse, include_in_schema=False)
TEXT_FIELDS = (
    "name", "summary", "conditions", "fees", "hall", "address", "window", "hours", "holiday_note",
    "consultation_phone", "complaint_phone", "online_url", "case_type", "result",
)  # fmt: skip
NUMBER_FIELDS = ("visits_required", "legal_time_limit_days", "promised_time_limit_days")
LINE_FIELDS = ("bus_routes",)


async def current_staff(request: Request, rpc: Services) -> StaffSession | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    try:
        return StaffSession(token=token, staff=await rpc.staff_for(token))
    except ApiError as error:
        if error.status == 401:
            return None
        raise


def _check_staff_form(request: Request, session: StaffSession, submitted: str) -> None:
    forms.check_same_origin(request)
    expected = csrf_token(request.app.state.settings.session_secret, session.token)
    if not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise ApiError(403, "csrf_failed", "页面已过期，请刷新后重试")


def _login_page(request: Request, username: str = "", message: str = "", status_code: int = 200):
    token = forms.form_token(request)
    context = {"username": username, "message": message, "csrf_token": token}
    return forms.remember(request, private_page(request, "staff/login.html", context, status_code), token)


@router.get("/login")
async def login_form(request: Request):
    return _login_page(request)


@router.post("/login", dependencies=[Depends(limit("submit"))])
async def login(request: Request, rpc: ServicesDep):
    data = await request.form()
    forms.check_form(request, str(data.get(forms.FIELD, "")))
    username = str(data.get("username", ""))[:50]
    try:
        result = await rpc.login(username, str(data.get("password", ""))[:200], client_ip(request))
    except ApiError as error:
        return _login_page(request, username, error.message, error.status)
    response = RedirectResponse("/staff", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request, rpc: ServicesDep):
    session = await current_staff(request, rpc)
    if session:
        _check_staff_form(request, session, str((await request.form()).get(forms.FIELD, "")))
        await rpc.logout(session.token)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("")
async def items(
    request: Request,
    rpc: ServicesDep,
    cursor: Annotated[str, Query(max_length=200)] = "",
    department_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
):
    """The items this staff member keeps (every status); the portal office may pick any department."""
    session = await current_staff(request, rpc)
    if session is None:
        return RedirectResponse("/staff/login", status_code=303)
    department_id = session.staff.department_id or department_id
    listed = await rpc.list_items(
        catalog_pb2.ListItemsRequest(department_id=department_id, page_size=50, page_token=cursor), session.token
    )
    context = {
        "staff": session.staff,
        "items": [item_json(i) for i in listed.items],
        "total": listed.total,
        "next_cursor": listed.next_page_token,
        "department_id": department_id,
        "csrf_token": csrf_token(request.app.state.settings.session_secret, session.token),
    }
    return private_page(request, "staff/items.html", context)


def _edit_page(request: Request, session: StaffSession, item: dict, errors: dict, status_code: int = 200):
    context = {
        "staff": session.staff,
        "item": item,
        "errors": errors,
        "saved": request.query_params.get("saved") == "1",
        "csrf_token": csrf_token(request.app.state.settings.session_secret, session.token),
    }
    return private_page(request, "staff/edit.html", context, status_code)


@router.get("/items/{item_id}")
async def edit_form(request: Request, rpc: ServicesDep, item_id: PathId):
    session = await current_staff(request, rpc)
    if session is None:
        return RedirectResponse("/staff/login", status_code=303)
    return _edit_page(request, session, item_json(await rpc.get_item(item_id, session.token)), {})


def _apply_form(item: dict, data) -> tuple[dict, dict]:
    """The item with the form's values put in, and any message about a value the form could not read."""
    errors = {}
    for name in TEXT_FIELDS:
        item[name] = str(data.get(name, ""))[:6000]
    item["online"] = data.get("online") == "on"
    for name in NUMBER_FIELDS:
        value = str(data.get(name, "")).strip()
        if value.isdigit() and len(value) < 6:
            item[name] = int(value)
        elif value or name == "visits_required":
            errors[name] = "应为整数"
        else:
            item[name] = None
    for name in LINE_FIELDS:
        item[name] = [line.strip() for line in str(data.get(name, "")).splitlines() if line.strip()]
    return item, errors


@router.post("/items/{item_id}")
async def save(request: Request, rpc: ServicesDep, item_id: PathId):
    session = await current_staff(request, rpc)
    if session is None:
        return RedirectResponse("/staff/login", status_code=303)
    data = await request.form()
    _check_staff_form(request, session, str(data.get(forms.FIELD, "")))
    current = item_json(await rpc.get_item(item_id, session.token))
    edited, errors = _apply_form(current, data)
    edited["version"] = int(str(data.get("version", "0"))) if str(data.get("version", "")).isdigit() else 0
    if errors:
        return _edit_page(request, session, edited, errors, 400)
    message = item_from_json({k: v for k, v in edited.items() if k in ItemIn.model_fields})
    message.id = item_id
    try:
        await rpc.update_item(message, session.token)
    except ApiError as error:
        if error.status == 409:
            errors["form"] = "该事项已被他人修改，请重新打开后再编辑。"
        elif error.status in (400, 403):
            errors[error.field.split("[", 1)[0].split(".", 1)[0] or "form"] = error.message
        else:
            raise
        return _edit_page(request, session, edited, errors, error.status)
    return RedirectResponse(f"/staff/items/{item_id}?saved=1", status_code=303)
