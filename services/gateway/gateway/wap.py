"""The WAP site for phones, under /m/ (and at / on a wap. host name): search, item, guide sheet, departments,
shared experiences, and the residents' forms (residents.py, shared with the desktop site). Pages are well-formed
XHTML Mobile Profile without script or images, a few KB each."""

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gateway import residents, tickets
from gateway.api import MAX_ID, PathId
from gateway.auth import ServicesDep
from gateway.convert import department_json, item_json, search_json
from gateway.pages import item_cache, map_link
from gateway.ratelimit import limit
from gateway.rpc import ApiError
from gateway.web import wap_page, wap_prefix, wap_private_page
from portal.catalog.v1 import catalog_pb2

log = logging.getLogger(__name__)
router = APIRouter(prefix="/m", default_response_class=HTMLResponse)
residents.add_routes(router, residents.Site(wap=True, forms=""))
PAGE_SIZE = 10
DEPARTMENT_ITEMS = 20


@router.get("")
async def home_without_slash(request: Request):
    return RedirectResponse(f"{wap_prefix(request)}/", status_code=301)


@router.get("/")
async def home(request: Request):
    return wap_page(request, "wap/home.html", {}, path="/")


@router.get("/search", dependencies=[Depends(limit("search"))])
async def search(
    request: Request,
    rpc: ServicesDep,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100)] = 1,
):
    context = {"q": q, "page": page, "total": 0, "items": [], "error": "", "pages": 0}
    if q.strip():
        try:
            context.update(search_json(await rpc.search(q, page, PAGE_SIZE)))
        except ApiError as error:
            log.warning("search failed: %s", error.message)
            refused = error.status < 500  # the query itself (too long, say): tell the resident why
            context["error"] = error.message if refused else "搜索暂时不可用，请按部门查找。"
            status = error.status if refused else 503
            return wap_private_page(request, "wap/search.html", context, path="/search", status_code=status)
    context["pages"] = min((context["total"] + PAGE_SIZE - 1) // PAGE_SIZE, 100)
    return wap_page(request, "wap/search.html", context, path="/search")


@router.get("/go")
async def open_result(
    request: Request,
    rpc: ServicesDep,
    id: Annotated[int, Query(gt=0, le=MAX_ID)],
    q: Annotated[str, Query(max_length=100)] = "",
):
    try:
        await rpc.record_click(q, id)
    except ApiError as error:
        log.warning("click not recorded: %s", error.message)
    return RedirectResponse(f"{wap_prefix(request)}/items/{id}", status_code=303)


@router.get("/items/{item_id}")
async def item(request: Request, rpc: ServicesDep, item_id: PathId):
    found, feedback = await asyncio.gather(rpc.get_published_item(item_id), tickets.item_feedback(rpc, item_id))
    context = {"item": item_json(found), "map": map_link(request, found), "feedback": feedback}
    if feedback.unavailable:
        return wap_private_page(request, "wap/item.html", context, path=f"/items/{item_id}")
    return wap_page(request, "wap/item.html", context, path=f"/items/{item_id}", **item_cache(found, feedback))


@router.get("/items/{item_id}/print")
async def guide_sheet(request: Request, rpc: ServicesDep, item_id: PathId):
    found = await rpc.get_published_item(item_id)
    return wap_page(
        request,
        "wap/print.html",
        {"item": item_json(found)},
        path=f"/items/{item_id}/print",
        last_modified=found.updated_at.ToDatetime(),
    )


@router.get("/departments")
async def departments(request: Request, rpc: ServicesDep):
    listed = await rpc.list_departments()
    return wap_page(request, "wap/departments.html", {"departments": listed.items}, path="/departments")


@router.get("/departments/{department_id}")
async def department(
    request: Request, rpc: ServicesDep, department_id: PathId, cursor: Annotated[str, Query(max_length=200)] = ""
):
    found = await rpc.get_department(department_id)
    listed = await rpc.list_items(
        catalog_pb2.ListItemsRequest(
            department_id=department_id,
            status=catalog_pb2.ITEM_STATUS_PUBLISHED,
            page_size=DEPARTMENT_ITEMS,
            page_token=cursor,
        )
    )
    context = {
        "department": department_json(found),
        "items": listed.items,
        "total": listed.total,
        "next_cursor": listed.next_page_token,
        "first_page": not cursor,
    }
    return wap_page(request, "wap/department.html", context, path=f"/departments/{department_id}")


@router.get("/experiences")
async def experiences(request: Request, rpc: ServicesDep, cursor: Annotated[str, Query(max_length=40)] = ""):
    listed = await tickets.published_experiences(rpc, PAGE_SIZE, cursor)
    context = {"experiences": listed, "cursor": cursor}
    if listed is None:
        return wap_private_page(request, "wap/experiences.html", context, path="/experiences")
    return wap_page(request, "wap/experiences.html", context, path="/experiences", keys=("feedback",))
