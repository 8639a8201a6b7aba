"""The public JSON API under /api/v1: what residents look up (their tickets, ratings and stories are in
feedback_api.py)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from gateway.auth import ServicesDep
from gateway.convert import counts_json, department_json, item_json, search_json, unit_json
from gateway.ratelimit import limit
from gateway.schemas import ClickIn
from portal.catalog.v1 import catalog_pb2
from portal.search.v1 import search_pb2

router = APIRouter(prefix="/api/v1", tags=["public"])
Page = Annotated[int, Query(ge=1, le=1000)]
# Ids are int64 in the contracts: a larger number is a bad request, not a server error.
MAX_ID = 2**63 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


async def search_filters(
    department_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    section: Annotated[str, Query(max_length=20)] = "",
    item_type: Annotated[str, Query(max_length=20)] = "",
    audience: Annotated[str, Query(max_length=10)] = "",
    online: bool | None = None,
) -> search_pb2.SearchFilters:
    filters = search_pb2.SearchFilters(
        department_id=department_id, section=section, item_type=item_type, audience=audience
    )
    if online is not None:
        filters.online = online
    return filters


SearchFilters = Annotated[search_pb2.SearchFilters, Depends(search_filters)]


@router.get("/search", dependencies=[Depends(limit("search"))])
async def search(
    rpc: ServicesDep,
    filters: SearchFilters,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Page = 1,
    size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict:
    """Published items for a query, with facets (filter by their `value`) and a did-you-mean `suggestion`. An
    empty query answers no items but the facets of the whole catalog; with filters it browses them."""
    return search_json(await rpc.search(q, page, size, filters))


@router.get("/suggest", dependencies=[Depends(limit("suggest"))])
async def suggest(
    request: Request, response: Response, rpc: ServicesDep, q: Annotated[str, Query(max_length=100)] = ""
) -> dict:
    """Autocomplete: names that start with what was typed, in characters or pinyin. Every resident types the same
    first characters, so the answers are public: browsers and the gateway's page cache keep them a while."""
    response.headers["Cache-Control"] = f"public, max-age={request.app.state.settings.page_max_age}"
    return {"items": [{"id": s.item_id, "title": s.text} for s in await rpc.suggest(q, 8)]}


@router.post("/search/clicks", status_code=204)
async def record_click(rpc: ServicesDep, click: ClickIn) -> None:
    """A resident opened a search result: it counts towards the item's popularity."""
    await rpc.record_click(click.query, click.item_id)


async def item_filters(
    department_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    section: Annotated[str, Query(max_length=20)] = "",
    item_type: Annotated[str, Query(max_length=20)] = "",
    audience: Annotated[str, Query(max_length=10)] = "",
    theme: Annotated[str, Query(max_length=50)] = "",
    life_event: Annotated[str, Query(max_length=50)] = "",
    online: bool | None = None,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> catalog_pb2.ListItemsRequest:
    request = catalog_pb2.ListItemsRequest(
        department_id=department_id,
        section=section,
        item_type=item_type,
        audience=audience,
        theme=theme,
        life_event=life_event,
        page_size=size,
        page_token=cursor,
    )
    if online is not None:
        request.online = online
    return request


def items_page(response: catalog_pb2.ListItemsResponse) -> dict:
    body = {"total": response.total, "items": [item_json(i) for i in response.items]}
    if response.next_page_token:
        body["next_cursor"] = response.next_page_token
    return body


ItemFilters = Annotated[catalog_pb2.ListItemsRequest, Depends(item_filters)]


@router.get("/items")
async def list_items(rpc: ServicesDep, filters: ItemFilters) -> dict:
    """Published items, filtered; `next_cursor` fetches the next page."""
    filters.status = catalog_pb2.ITEM_STATUS_PUBLISHED
    return items_page(await rpc.list_items(filters))


@router.get("/items/{item_id}")
async def get_item(rpc: ServicesDep, item_id: PathId) -> dict:
    return item_json(await rpc.get_published_item(item_id))


@router.get("/counts")
async def counts(rpc: ServicesDep) -> dict:
    """Published items per section, theme, life event and audience (for browsing)."""
    return counts_json(await rpc.count_items())


@router.get("/departments")
async def list_departments(rpc: ServicesDep) -> dict:
    response = await rpc.list_departments()
    return {"total": response.total, "items": [department_json(d) for d in response.items]}


@router.get("/departments/{department_id}")
async def get_department(rpc: ServicesDep, department_id: PathId) -> dict:
    body = department_json(await rpc.get_department(department_id))
    body["units"] = [unit_json(u) for u in (await rpc.list_units(department_id)).items]
    return body
