"""Back-office pages for staff, on the catalog's and the feedback service's own permissions: log in, keep items
(staff_items.py) and departments (staff_departments.py), work tickets (staff_tickets.py), read the inbox, moderate
experiences and settle rating appeals (staff_feedback.py). Every page needs a session (HttpOnly cookie; without one
the browser goes to the log-in form) and every form carries the session's CSRF token (staff_web.py)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gateway import forms, staff_departments, staff_feedback, staff_items, staff_tickets
from gateway.auth import SESSION_COOKIE, ServicesDep
from gateway.ratelimit import client_ip, limit
from gateway.rpc import ApiError
from gateway.staff_web import LOGIN, PostedForm, StaffPage
from gateway.web import private_page

router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)


def _next_page(value: str) -> str:
    """Where to go after logging in: a back-office path of ours only (never another site)."""
    return value if value.startswith("/staff") and not value.startswith("//") and "\\" not in value else "/staff"


def _login_page(request: Request, username: str = "", message: str = "", status_code: int = 200, next_page=""):
    token = forms.form_token(request)
    next_page = _next_page(next_page or request.query_params.get("next", ""))
    context = {"username": username, "message": message, "csrf_token": token, "next": next_page}
    return forms.remember(request, private_page(request, "staff/login.html", context, status_code), token)


@router.get(LOGIN)
async def login_form(request: Request):
    return _login_page(request)


@router.post(LOGIN, dependencies=[Depends(limit("submit"))])
async def login(request: Request, rpc: ServicesDep):
    data = await request.form()
    forms.check_form(request, str(data.get(forms.FIELD, "")))
    username = str(data.get("username", ""))[:50]
    next_page = str(data.get("next", ""))[:500]
    try:
        result = await rpc.login(username, str(data.get("password", ""))[:200], client_ip(request))
    except ApiError as error:
        return _login_page(request, username, error.message, error.status, next_page)
    response = RedirectResponse(_next_page(next_page), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )
    return response


@router.post("/staff/logout")
async def logout(rpc: ServicesDep, session: StaffPage, data: PostedForm):
    await rpc.logout(session.token)
    response = RedirectResponse(LOGIN, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


for module in (staff_items, staff_departments, staff_tickets, staff_feedback):
    router.include_router(module.router, prefix="/staff", default_response_class=HTMLResponse)


@router.api_route("/staff/{rest:path}", methods=["GET", "POST"])
async def not_found(session: StaffPage, rest: str):
    """Any other back-office address: a Chinese 404 (after the log-in check, so it reveals nothing)."""
    raise ApiError(404, "page_not_found", "您要找的后台页面不存在")
