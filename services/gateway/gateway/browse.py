"""Browsing without search: the sections, lists of items by any catalog filter, and the departments (机构编制).

Everything here reads the catalog only, so it keeps working while the search service is down."""

import asyncio
from collections import defaultdict
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from gateway.api import ItemFilters, PathId
from gateway.auth import ServicesDep
from gateway.convert import counts_json, department_json, item_json, unit_json
from gateway.pages import map_link
from gateway.web import page
from portal.catalog.v1 import catalog_pb2

router = APIRouter(default_response_class=HTMLResponse)
SECTION_PAGES = {
    "/lookups": ("便民查询", "图书馆开放时间、公园、医院、公交线路、服务电话等常用信息。"),
    "/disclosure": ("信息公开", "各部门的政策解读、年度和季度公开信息。"),
}
FILTER_TITLES = (
    ("section", "{}"),
    ("theme", "主题：{}"),
    ("life_event", "人生事件：{}"),
    ("audience", "服务对象：{}"),
    ("item_type", "事项类型：{}"),
)


def _published(filters: catalog_pb2.ListItemsRequest) -> catalog_pb2.ListItemsRequest:
    filters.status = catalog_pb2.ITEM_STATUS_PUBLISHED
    return filters


def _next_url(request: Request, path: str, token: str) -> str:
    if not token:
        return ""
    params = {k: v for k, v in request.query_params.items() if k != "cursor"}
    return f"{path}?{urlencode({**params, 'cursor': token})}"


async def _listing(request: Request, rpc, filters, *, path: str, title: str, intro: str = "", department=None):
    listed = await rpc.list_items(_published(filters))
    context = {
        "title": title,
        "intro": intro,
        "items": [item_json(i) for i in listed.items],
        "total": listed.total,
        "next_url": _next_url(request, path, listed.next_page_token),
        "first_url": path + "?" + urlencode({k: v for k, v in request.query_params.items() if k != "cursor"})
        if filters.page_token
        else "",
        "facts": filters.section == "便民查询",
    }
    keys = tuple(f"item-{i.id}" for i in listed.items)
    return page(request, "browse.html", context, keys=keys)


@router.get("/services")
async def services_section(request: Request, rpc: ServicesDep):
    """办事服务: the catalog by department, theme, life event and audience."""
    departments, counts = await asyncio.gather(rpc.list_departments(), rpc.count_items())
    context = {"groups": _by_kind(departments.items), "counts": counts_json(counts)}
    return page(request, "services.html", context)


@router.get("/lookups")
async def lookups_section(request: Request, rpc: ServicesDep, filters: ItemFilters):
    filters.section = "便民查询"
    title, intro = SECTION_PAGES["/lookups"]
    return await _listing(request, rpc, filters, path="/lookups", title=title, intro=intro)


@router.get("/disclosure")
async def disclosure_section(request: Request, rpc: ServicesDep, filters: ItemFilters):
    filters.section = "信息公开"
    title, intro = SECTION_PAGES["/disclosure"]
    return await _listing(request, rpc, filters, path="/disclosure", title=title, intro=intro)


@router.get("/browse")
async def browse(request: Request, rpc: ServicesDep, filters: ItemFilters):
    """Items by any catalog filter (section, theme, life event, audience, type, department), page by page."""
    parts = [fmt.format(getattr(filters, name)) for name, fmt in FILTER_TITLES if getattr(filters, name)]
    if filters.department_id:
        parts.insert(0, (await rpc.get_department(filters.department_id)).name)
    return await _listing(request, rpc, filters, path="/browse", title=" · ".join(parts) or "全部事项")


def _by_kind(departments) -> list[tuple[str, list]]:
    groups = defaultdict(list)
    for department in departments:
        groups[department.kind or "其他"].append(department)
    return sorted(groups.items(), key=lambda kv: -len(kv[1]))


@router.get("/departments")
async def departments(request: Request, rpc: ServicesDep):
    """机构编制: every department, grouped by kind."""
    listed = await rpc.list_departments()
    return page(request, "departments.html", {"groups": _by_kind(listed.items), "total": listed.total})


@router.get("/departments/{department_id}")
async def department(
    request: Request, rpc: ServicesDep, department_id: PathId, cursor: Annotated[str, Query(max_length=200)] = ""
):
    """A department: functions, structure, staffing, contact, its units and all its published items."""
    filters = catalog_pb2.ListItemsRequest(department_id=department_id, page_size=50, page_token=cursor)
    found, units, listed = await asyncio.gather(
        rpc.get_department(department_id), rpc.list_units(department_id), rpc.list_items(_published(filters))
    )
    context = {
        "department": department_json(found),
        "map": map_link(request, found),
        "units": [unit_json(u) for u in units.items],
        "items": [item_json(i) for i in listed.items],
        "total": listed.total,
        "next_url": _next_url(request, f"/departments/{department_id}", listed.next_page_token),
    }
    return page(
        request,
        "department.html",
        context,
        last_modified=found.updated_at.ToDatetime(),
        keys=(f"department-{department_id}",),
    )
