"""The desktop site's HTML pages (simplified Chinese)."""

import logging
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from gateway.api import SearchFilters
from gateway.auth import ServicesDep
from gateway.convert import item_json, search_json
from gateway.rpc import ApiError

log = logging.getLogger(__name__)
router = APIRouter(default_response_class=HTMLResponse)
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
SECTIONS = ("办事服务", "便民查询", "信息公开", "政民互动", "机构编制")
PAGE_SIZE = 10


@router.get("/")
async def home(request: Request, rpc: ServicesDep):
    departments = (await rpc.list_departments()).items
    return templates.TemplateResponse(request, "home.html", {"sections": SECTIONS, "departments": departments})


@router.get("/search")
async def search(
    request: Request,
    rpc: ServicesDep,
    filters: SearchFilters,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
):
    context = {"q": q, "page": page, "total": 0, "items": [], "facets": {}, "error": ""}
    try:
        context.update(search_json(await rpc.search(q, page, PAGE_SIZE, filters)))
    except ApiError as error:  # the page still renders, with the reason
        context["error"] = error.message
    context["pages"] = min((context["total"] + PAGE_SIZE - 1) // PAGE_SIZE, 1000)
    context["facet_links"] = _facet_links(request, context["facets"])
    context["page_url"] = lambda number: _with(request, page=str(number))
    return templates.TemplateResponse(request, "search.html", context)


@router.get("/search/go")
async def open_result(
    rpc: ServicesDep, id: Annotated[int, Query(gt=0)], q: Annotated[str, Query(max_length=200)] = ""
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
async def item(request: Request, rpc: ServicesDep, item_id: int):
    return templates.TemplateResponse(request, "item.html", {"item": item_json(await rpc.get_published_item(item_id))})


def error_page(request: Request, error: ApiError) -> HTMLResponse:
    return templates.TemplateResponse(request, "error.html", {"error": error}, status_code=error.status)
