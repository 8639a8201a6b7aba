"""The desktop site's HTML pages (simplified Chinese): home, search results and the item page."""

import asyncio
import logging
import time
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gateway import tickets
from gateway.api import MAX_ID, PathId, SearchFilters
from gateway.auth import ServicesDep
from gateway.convert import counts_json, item_json, search_json
from gateway.ratelimit import limit
from gateway.rpc import ApiError, Services
from gateway.web import page as public_page
from gateway.web import private_page, render, templates, wap_media_type

log = logging.getLogger(__name__)
router = APIRouter(default_response_class=HTMLResponse)
PAGE_SIZE = 10
# What residents ask for most (the original portal's front page); each links to its best search result.
POPULAR = (
    "驾照补办",
    "身份证",
    "公积金提取",
    "社保卡",
    "出生登记",
    "结婚登记",
    "护照",
    "居住证",
    "营业执照",
    "医保报销",
)
POPULAR_TTL = 600.0
HOME_EXPERIENCES = 5


async def popular_services(request: Request, rpc: Services) -> list[dict]:
    """The top result for each popular query, refreshed every few minutes; plain search links while search is
    down, so the home page never waits on it."""
    cached = getattr(request.app.state, "popular", None)
    if cached and time.monotonic() - cached[0] < POPULAR_TTL:
        return cached[1]
    try:
        responses = await asyncio.gather(*(rpc.search(q, 1, 1) for q in POPULAR))
    except ApiError as error:
        log.warning("popular services not resolved: %s", error.message)
        return [{"label": q, "href": f"/search?q={quote(q)}"} for q in POPULAR]
    popular = [
        {"label": r.hits[0].title, "href": f"/search/go?q={quote(q)}&id={r.hits[0].item_id}"}
        if r.hits
        else {"label": q, "href": f"/search?q={quote(q)}"}
        for q, r in zip(POPULAR, responses, strict=True)
    ]
    if all(r.hits for r in responses):  # an index still filling up is asked again next time
        request.app.state.popular = (time.monotonic(), popular)
    return popular


@router.get("/")
async def home(request: Request, rpc: ServicesDep):
    departments, counts, popular, experiences = await asyncio.gather(
        rpc.list_departments(),
        rpc.count_items(),
        popular_services(request, rpc),
        tickets.published_experiences(rpc, HOME_EXPERIENCES),
    )
    context = {
        "departments": departments.items,
        "counts": counts_json(counts),
        "popular": popular,
        "experiences": experiences,
        "names": {d.id: d.name for d in departments.items},
    }
    if experiences is None:  # feedback is down: the page says so, and no cache keeps that
        return private_page(request, "home.html", context)
    return public_page(request, "home.html", context, keys=("catalog", "feedback"))


@router.get("/search", dependencies=[Depends(limit("search"))])
async def search(
    request: Request,
    rpc: ServicesDep,
    filters: SearchFilters,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
):
    context = {"q": q, "page": page, "total": 0, "items": [], "facets": {}, "error": ""}
    status = 503
    try:
        context.update(search_json(await rpc.search(q, page, PAGE_SIZE, filters)))
    except ApiError as error:  # the page still renders, says so, and offers browsing, which needs no search
        log.warning("search failed: %s", error.message)
        context["error"] = "搜索服务暂时不可用，请稍后再试。您可以先按部门或分类浏览事项。"
        if error.status < 500:  # the query itself was refused (too long, say): tell the resident why
            context["error"], status = error.message, error.status
        context["departments"] = await _departments_or_nothing(rpc)
    context["pages"] = min((context["total"] + PAGE_SIZE - 1) // PAGE_SIZE, 1000)
    context["facet_links"] = _facet_links(request, context["facets"])
    context["page_url"] = lambda number: _with(request, page=str(number))
    if context["error"]:
        return private_page(request, "search.html", context, status_code=status)
    return public_page(request, "search.html", context)


async def _departments_or_nothing(rpc: Services) -> list:
    try:
        return list((await rpc.list_departments()).items)
    except ApiError:
        return []


@router.get("/search/go")
async def open_result(
    rpc: ServicesDep, id: Annotated[int, Query(gt=0, le=MAX_ID)], q: Annotated[str, Query(max_length=200)] = ""
) -> RedirectResponse:
    """Result links pass here so that search learns which results residents open (works without JavaScript)."""
    try:
        await rpc.record_click(q, id)
    except ApiError as error:  # a lost click must never cost the resident their page
        log.warning("click not recorded: %s", error.message)
    return RedirectResponse(f"/items/{id}", status_code=303)


FACET_TITLES = {
    "department": "部门",
    "section": "栏目",
    "item_type": "事项类型",
    "audience": "服务对象",
    "online": "办理方式",
}
FACET_PARAMS = {"department": "department_id"}


def _facet_links(request: Request, facets: dict[str, list[dict]]) -> list[dict]:
    """Each facet with a link per value that adds it to the current search (and one that removes it)."""
    links = []
    for name, values in facets.items():
        param = FACET_PARAMS.get(name, name)
        chosen = request.query_params.get(param, "")
        links.append(
            {
                "title": FACET_TITLES[name],
                "clear": _with(request, **{param: None}) if chosen else "",
                "values": [
                    {**v, "chosen": v["value"] == chosen, "href": _with(request, **{param: v["value"]})}
                    for v in values
                    if len(values) > 1 or chosen
                ],
            }
        )
    return [link for link in links if link["values"]]


def _with(request: Request, **changes: str | None) -> str:
    """The current search URL with some parameters changed (None removes one); a new filter starts at page 1."""
    params = {k: v for k, v in request.query_params.items() if k not in changes and k != "page"}
    params.update({k: v for k, v in changes.items() if v is not None})
    if "page" in changes and changes["page"]:
        params["page"] = changes["page"]
    return "/search?" + urlencode(params)


@router.get("/items/{item_id}")
async def item(request: Request, rpc: ServicesDep, item_id: PathId):
    found, feedback = await asyncio.gather(rpc.get_published_item(item_id), tickets.item_feedback(rpc, item_id))
    context = {"item": item_json(found), "feedback": feedback, "map": map_link(request, found)}
    if feedback.unavailable:  # the guide, saying Q&A and ratings are missing: not for a cache to keep
        return private_page(request, "item.html", context)
    return public_page(request, "item.html", context, **item_cache(found, feedback))


def item_cache(found, feedback: tickets.ItemFeedback) -> dict:
    """The item page's validators: it changes with the guide and with the item's feedback (Q&A published, a
    rating, an appeal decided), so Last-Modified is the later of the two, and the surrogate keys name both."""
    last_modified = max(filter(None, (found.updated_at.ToDatetime(), feedback.updated_at)))
    keys = (f"item-{found.id}", f"department-{found.department_id}", f"feedback-item-{found.id}")
    return {"last_modified": last_modified, "keys": keys}


def map_link(request: Request, place) -> str:
    """A link that opens the place in a map service (no tiles on our pages), or "" without coordinates."""
    if not (place.HasField("latitude") and place.HasField("longitude")):
        return ""
    name = getattr(place, "hall", "") or getattr(place, "address", "") or getattr(place, "name", "")
    return request.app.state.settings.map_link.format(lat=place.latitude, lon=place.longitude, name=quote(name))


def error_page(request: Request, error: ApiError) -> HTMLResponse:
    if request.url.path.startswith("/m/") or request.url.path == "/m":
        body = render(request, "wap/error.html", {"error": error, "m": "/m", "desktop": "/", "xhtml": True})
        response = HTMLResponse(body, status_code=error.status, media_type=wap_media_type(request))
    else:
        response = templates.TemplateResponse(request, "error.html", {"error": error}, status_code=error.status)
    response.headers["Cache-Control"] = "no-store"
    if error.status == 429:
        response.headers["Retry-After"] = str(getattr(error, "retry_after", 60))
    return response
