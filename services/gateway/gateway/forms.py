"""CSRF protection for the HTML forms residents post (consult, track a ticket, staff log-in), without an account.

A signed double-submit token: the form page sets a cookie holding `time.nonce.signature` and puts the same value in
a hidden field. A forged cross-site post can make the browser send the cookie, but cannot read it to fill the field;
the signature (HMAC with the gateway secret) stops a token planted by a sibling subdomain from being accepted. On
top, a post whose Origin header names another host is refused. Staff forms after log-in carry the session's own
CSRF token instead (see auth.py)."""

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlsplit

from fastapi import Request, Response

from gateway.rpc import ApiError

FORM_COOKIE = "portal_form"
FIELD = "csrf_token"
MAX_AGE = 12 * 3600


def _sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), f"form:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def _valid(secret: str, token: str) -> bool:
    try:
        issued, nonce, signature = token.split(".")
        age = time.time() - int(issued)
    except ValueError:
        return False
    return 0 <= age < MAX_AGE and hmac.compare_digest(signature, _sign(secret, f"{issued}.{nonce}"))


def form_token(request: Request) -> str:
    """The token for a form page: the visitor's current one (several tabs keep working), else a fresh one."""
    secret = request.app.state.settings.session_secret
    token = request.cookies.get(FORM_COOKIE, "")
    if _valid(secret, token):
        return token
    value = f"{int(time.time())}.{secrets.token_urlsafe(12)}"
    return f"{value}.{_sign(secret, value)}"


def remember(request: Request, response: Response, token: str) -> Response:
    """Set the cookie half of the token on the form page's response."""
    response.set_cookie(
        FORM_COOKIE,
        token,
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )
    return response


def check_same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
        raise ApiError(403, "csrf_failed", "请从本站页面提交表单")


def check_form(request: Request, submitted: str) -> None:
    """Raise 403 unless the post comes from one of our form pages in this browser."""
    check_same_origin(request)
    secret = request.app.state.settings.session_secret
    cookie = request.cookies.get(FORM_COOKIE, "")
    if not (cookie and _valid(secret, cookie) and hmac.compare_digest(cookie.encode(), submitted.encode())):
        raise ApiError(403, "csrf_failed", "页面已过期或浏览器未保存 Cookie，请刷新页面后重新提交")
