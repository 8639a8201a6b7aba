"""Staff sessions at the gateway. The catalog owns accounts and sessions; the gateway carries the session token
in an HttpOnly cookie (browsers) or an Authorization header (API clients).

A cookie is sent by the browser on its own, so every state-changing request that relies on the cookie must also
carry `X-CSRF-Token`, an HMAC of the session token that only a page of ours can know. A bearer header is never
sent on its own, so it needs no CSRF token."""

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from gateway.rpc import ApiError, Services
from portal.catalog.v1 import catalog_pb2

SESSION_COOKIE = "portal_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def services(request: Request) -> Services:
    # Dependencies are coroutines, even trivial ones: FastAPI runs a plain function in a worker thread, a
    # hand-off per request that costs more than the page's own work on a busy gateway.
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services)]


def csrf_token(secret: str, session_token: str) -> str:
    return hmac.new(secret.encode(), session_token.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class StaffSession:
    token: str
    staff: catalog_pb2.Staff


async def staff_session(
    request: Request,
    rpc: ServicesDep,
    authorization: Annotated[str, Header()] = "",
    x_csrf_token: Annotated[str, Header()] = "",
) -> StaffSession:
    if authorization.startswith("Bearer "):
        token = authorization.removeprefix("Bearer ")
    else:
        token = request.cookies.get(SESSION_COOKIE, "")
        secret = request.app.state.settings.session_secret
        if (
            token
            and request.method not in SAFE_METHODS
            and not hmac.compare_digest(x_csrf_token.encode(), csrf_token(secret, token).encode())
        ):
            raise ApiError(403, "csrf_failed", "页面已过期，请刷新后重试")
    if not token:
        raise ApiError(401, "login_required", "请先登录")
    return StaffSession(token=token, staff=await rpc.staff_for(token))


StaffDep = Annotated[StaffSession, Depends(staff_session)]


async def portal_office(session: StaffDep) -> StaffSession:
    """Work the catalog does not guard itself (search best bets) is checked here: the portal office only."""
    if session.staff.role != catalog_pb2.STAFF_ROLE_PORTAL_OFFICE:
        raise ApiError(403, "forbidden_role", "只有门户办公室可以进行此操作")
    return session


PortalOfficeDep = Annotated[StaffSession, Depends(portal_office)]
