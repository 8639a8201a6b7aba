"""Rendering the HTML pages: templates, cache validators, the phone offer and the WAP content type.

Public pages are rendered per request from what the services answer, so their ETag is a digest of the page itself:
when the catalog publishes a change, the next request renders a new page with a new ETag and every revalidating
cache (browser or CDN) gets it. Pages carry `Cache-Control: public, max-age=<page_max_age>` so a CDN absorbs the
repeated traffic; `Surrogate-Key` names the items and departments on a page so that a purge hook (a NATS consumer
of catalog.item.changed calling the CDN's purge-by-key API) could drop them at once instead of after max-age."""

import hashlib
import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
STATIC = Path(__file__).with_name("static")
SECTIONS = (
    ("办事服务", "/services"),
    ("便民查询", "/lookups"),
    ("信息公开", "/disclosure"),
    ("政民互动", "/interaction"),
    ("机构编制", "/departments"),
)
templates.env.globals["sections"] = SECTIONS

PHONE_AGENTS = re.compile(
    r"Mobile|Android|iPhone|iPod|Opera Mini|Opera Mobi|UCWEB|UCBrowser|MQQBrowser|MIDP|WAP|Symbian|Nokia|"
    r"BlackBerry|Windows Phone|KAIOS",
    re.IGNORECASE,
)
WAP_TYPE = "application/vnd.wap.xhtml+xml"

# Desktop paths and their WAP twins (the rest of the desktop site is offered the WAP home).
_TWINS = (
    (re.compile(r"^/items/(\d+)(/print)?$"), r"/items/\1\2"),
    (re.compile(r"^/departments(/\d+)?$"), r"/departments\1"),
    (re.compile(r"^/search$"), "/search"),
    (re.compile(r"^/interaction/(consult|track|rate|share|experiences)$"), r"/\1"),
    (re.compile(r"^/tickets/([^/]+)$"), r"/tickets/\1"),
)
# WAP pages whose desktop twin lives under 政民互动.
_INTERACTION = ("/consult", "/track", "/rate", "/share", "/experiences")


def is_phone(request: Request) -> bool:
    return bool(PHONE_AGENTS.search(request.headers.get("user-agent", "")))


def on_wap_host(request: Request) -> bool:
    return bool(getattr(request.state, "wap_host", False))


def wap_prefix(request: Request) -> str:
    """WAP links start with /m, except on the wap. host where the WAP site is the root."""
    return "" if on_wap_host(request) else "/m"


def wap_twin(request: Request) -> str:
    """The WAP page that shows what this desktop page shows."""
    for pattern, replacement in _TWINS:
        if pattern.match(request.url.path):
            path = "/m" + pattern.sub(replacement, request.url.path)
            q, code = request.query_params.get("q"), request.query_params.get("code")
            if q and path == "/m/search":
                return f"{path}?q={quote(q)}"
            return f"{path}?code={quote(code)}" if code and path.startswith("/m/tickets/") else path
    return "/m/"


def desktop_twin(request: Request, wap_path: str) -> str:
    """The desktop page for a WAP path (/items/7 on either host); off the wap. host, on the main host."""
    path = "/interaction" + wap_path if wap_path in _INTERACTION else wap_path
    if not on_wap_host(request):
        return path
    settings = request.app.state.settings
    if settings.public_url:
        return settings.public_url.rstrip("/") + path
    return "//" + request.headers.get("host", "").removeprefix("wap.") + path


def not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """The client holds this very page already (If-None-Match wins over If-Modified-Since, as RFC 9110 says)."""
    tags = request.headers.get("if-none-match")
    if tags is not None:
        return etag in [t.strip() for t in tags.split(",")] or tags.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since and last_modified:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def cached(
    request: Request,
    body: str,
    media_type: str,
    *,
    vary: str,
    last_modified: datetime | None = None,
    keys: tuple[str, ...] = (),
) -> Response:
    """A public page with its validators; 304 when the client already holds this very page."""
    etag = 'W/"' + hashlib.sha256(body.encode()).hexdigest()[:24] + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={request.app.state.settings.page_max_age}",
        "Vary": vary,
    }
    if last_modified and last_modified.tzinfo is None:  # protobuf timestamps come back naive, in UTC
        last_modified = last_modified.replace(tzinfo=UTC)
    if last_modified:
        headers["Last-Modified"] = format_datetime(last_modified, usegmt=True)
    if keys:
        headers["Surrogate-Key"] = " ".join(keys)
    if not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def render(request: Request, template: str, context: dict) -> str:
    return templates.get_template(template).render({"request": request, **context})


def page(request: Request, template: str, context: dict, **cache) -> Response:
    """A public desktop page: phones are offered the WAP twin (a link, never a redirect)."""
    context = {"phone": is_phone(request), "wap_twin": wap_twin(request), **context}
    return cached(request, render(request, template, context), "text/html", vary="User-Agent", **cache)


def private_page(request: Request, template: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """A page for one visitor (forms, answers, staff pages): never stored by a cache."""
    context = {"phone": is_phone(request), "wap_twin": wap_twin(request), **context}
    response = HTMLResponse(render(request, template, context), status_code=status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def wap_media_type(request: Request) -> str:
    """XHTML Mobile Profile for the clients that ask for it; the same well-formed markup as text/html otherwise."""
    return WAP_TYPE if WAP_TYPE in request.headers.get("accept", "") else "text/html"


def wap_context(request: Request, context: dict, path: str) -> dict:
    return {"m": wap_prefix(request), "desktop": desktop_twin(request, path), "xhtml": True, **context}


def wap_page(request: Request, template: str, context: dict, *, path: str, **cache) -> Response:
    body = render(request, template, wap_context(request, context, path))
    return cached(request, body, wap_media_type(request), vary="Accept", **cache)


def wap_private_page(request: Request, template: str, context: dict, *, path: str, status_code: int = 200):
    body = render(request, template, wap_context(request, context, path))
    response = Response(body, status_code=status_code, media_type=wap_media_type(request))
    response.headers["Cache-Control"] = "private, no-store"
    return response
