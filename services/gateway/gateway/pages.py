"""The desktop site's HTML pages (simplified Chinese)."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gateway.auth import ServicesDep
from gateway.convert import hit_json, item_json
from gateway.rpc import ApiError

router = APIRouter(default_response_class=HTMLResponse)
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
SECTIONS = ("办事服务", "便民查询", "信息公开", "政民互动", "机构编制")
PAGE_SIZE = 10


@router.get("/")
async def home(request: Request, rpc: ServicesDep):
    departments = (await rpc.list_departments()).items
    return templates.TemplateResponse(request, "home.html", {"sections": SECTIONS, "departments": departments})


@router.get("/search")
async def search(request: Request, rpc: ServicesDep, q: Annotated[str, Query(max_length=200)] = "", page: int = 1):
    context = {"q": q, "page": page, "total": 0, "hits": [], "error": ""}
    if q.strip():
        try:
            response = await rpc.search(q, max(page, 1), PAGE_SIZE)
            context.update(total=response.total, hits=[hit_json(h) for h in response.hits])
        except ApiError as error:  # the page still renders, with the reason
            context["error"] = error.message
    context["pages"] = (context["total"] + PAGE_SIZE - 1) // PAGE_SIZE
    return templates.TemplateResponse(request, "search.html", context)


@router.get("/items/{item_id}")
async def item(request: Request, rpc: ServicesDep, item_id: int):
    return templates.TemplateResponse(request, "item.html", {"item": item_json(await rpc.get_published_item(item_id))})


def error_page(request: Request, error: ApiError) -> HTMLResponse:
    return templates.TemplateResponse(request, "error.html", {"error": error}, status_code=error.status)
