"""政民互动 on the desktop site: the section page, shared experiences (分享政府办事经历), the public department scores
(好差评结果公示), and the residents' forms (see residents.py, which the WAP site shares)."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from gateway import residents, tickets
from gateway.auth import ServicesDep
from gateway.convert import item_json
from gateway.rpc import ApiError, Services
from gateway.web import page, private_page
from portal.catalog.v1 import catalog_pb2

router = APIRouter(default_response_class=HTMLResponse)
residents.add_routes(router, residents.Site(wap=False, forms="/interaction"))
EXPERIENCES_PER_PAGE = 10
Month = Annotated[str, Query(pattern=r"^(\d{4}-\d{2})?$")]
Cursor = Annotated[str, Query(max_length=40)]


@router.get("/interaction")
async def interaction_section(request: Request, rpc: ServicesDep):
    listed = await rpc.list_items(
        catalog_pb2.ListItemsRequest(section="政民互动", status=catalog_pb2.ITEM_STATUS_PUBLISHED, page_size=50)
    )
    context = {"items": [item_json(i) for i in listed.items], "kinds": tickets.KINDS}
    return page(request, "interaction.html", context)


async def department_names(rpc: Services) -> dict[int, str]:
    """Department names by id, to label feedback (which knows departments by id only); empty if the catalog is
    down, and the pages say 部门 + id instead."""
    try:
        return {d.id: d.name for d in (await rpc.list_departments()).items}
    except ApiError:
        return {}


def feedback_page(request: Request, template: str, context: dict, available: bool):
    """A public page that shows feedback: cached while feedback answers, never while it says it is down."""
    if available:
        return page(request, template, context, keys=("feedback",))
    return private_page(request, template, context)


@router.get("/interaction/experiences")
async def experiences(request: Request, rpc: ServicesDep, cursor: Cursor = ""):
    """分享政府办事经历: published posts with the staff's follow-up notes, newest first."""
    listed, names = await asyncio.gather(
        tickets.published_experiences(rpc, EXPERIENCES_PER_PAGE, cursor), department_names(rpc)
    )
    context = {"experiences": listed, "names": names, "cursor": cursor}
    return feedback_page(request, "experiences.html", context, listed is not None)


@router.get("/interaction/scores")
async def department_scores(request: Request, rpc: ServicesDep, month: Month = "", department_id: residents.Id = 0):
    """好差评结果公示: each department's ratings of a month, with their counts."""
    scores, names = await asyncio.gather(tickets.department_scores(rpc, month, department_id), department_names(rpc))
    context = {"scores": scores, "names": names, "month": month, "department_id": department_id}
    return feedback_page(request, "scores.html", context, scores is not None)
