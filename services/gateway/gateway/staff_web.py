"""What every back-office page shares: the session (a page without one sends the browser to the log-in form), the
session's CSRF token checked on every post, the staff page frame with its navigation, and the Chinese error page.

The services decide what each staff member may see and do; these helpers only carry the session and render."""

import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from gateway import forms
from gateway.auth import SESSION_COOKIE, ServicesDep, StaffSession, csrf_token
from gateway.rpc import ApiError
from gateway.web import private_page
from portal.catalog.v1 import catalog_pb2

LOGIN = "/staff/login"
# What a post did, for the notice on the page it leads back to (`?done=`).
NOTICES = {
    "saved": "已保存。",
    "published": "已发布，群众现在可以查到。",
    "withdrawn": "已撤回，不再公开。",
    "draft": "已改为草稿。",
    "department_saved": "部门信息已保存。",
    "accept": "已受理。",
    "reject": "已不予受理，理由已告知群众。",
    "merge": "已作为重复件合并。",
    "assign": "已转办。",
    "sign": "已签收，请在期限内办结。",
    "return": "已退回门户办公室。",
    "request_extension": "延期申请已提交。",
    "grant_extension": "已同意延期。",
    "deny_extension": "已不同意延期。",
    "answer": "已答复办结。",
    "close": "已结案。",
    "reopen": "已重新办理。",
    "remind": "已催办。",
    "escalate": "已督办。",
    "publish": "答复已公开为问答。",
    "unpublish": "已撤回公开的问答。",
    "read": "已标为已读。",
    "moderated": "审核结果已保存。",
    "noted": "跟进说明已添加。",
    "appealed": "申诉已提交，等待门户办公室审核。",
    "reviewed": "申诉审核结果已保存。",
}


async def page_session(request: Request, rpc: ServicesDep) -> StaffSession:
    """The signed-in staff member; without a live session the error handler sends the browser to log in."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise ApiError(401, "login_required", "请先登录")
    return StaffSession(token=token, staff=await rpc.staff_for(token))


StaffPage = Annotated[StaffSession, Depends(page_session)]


def session_csrf(request: Request, session: StaffSession) -> str:
    return csrf_token(request.app.state.settings.session_secret, session.token)


async def posted_form(request: Request, session: StaffPage) -> FormData:
    """The posted form, once its CSRF token is the session's own and it comes from our origin."""
    data = await request.form()
    forms.check_same_origin(request)
    submitted = str(data.get(forms.FIELD, ""))
    if not hmac.compare_digest(session_csrf(request, session).encode(), submitted.encode()):
        raise ApiError(403, "csrf_failed", "页面已过期，请刷新后重试")
    return data


PostedForm = Annotated[FormData, Depends(posted_form)]


def is_office(session: StaffSession) -> bool:
    return session.staff.role == catalog_pb2.STAFF_ROLE_PORTAL_OFFICE


def staff_page(
    request: Request, session: StaffSession, template: str, context: dict, status_code: int = 200
) -> HTMLResponse:
    """A back-office page: never cached, with the navigation for the member's role and the form token."""
    frame = {
        "staff": session.staff,
        "office": is_office(session),
        "csrf_token": session_csrf(request, session),
        "notice": NOTICES.get(request.query_params.get("done", ""), ""),
    }
    return private_page(request, template, {**frame, **context}, status_code)


def back_to(url: str, done: str = "") -> RedirectResponse:
    """After a successful post, the page to show (post/redirect/get), with what was done for its notice."""
    separator = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{separator}done={quote(done)}" if done else url, status_code=303)


def error_page(request: Request, error: ApiError) -> Response:
    """A refused back-office request: to the log-in form when the session is gone, else a Chinese error page."""
    if error.status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = RedirectResponse(f"{LOGIN}?next={quote(target)}", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    titles = {403: "无权访问", 404: "页面不存在", 409: "操作冲突"}
    context = {"error": error, "title": titles.get(error.status, "出错了")}
    return private_page(request, "staff/error.html", context, error.status)
