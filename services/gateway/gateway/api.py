"""The JSON API under /api/v1: residents' look-ups and tickets, and the back-office item edits."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, Field

from gateway.convert import department_json, hit_json, item_json, ticket_json
from gateway.rpc import ApiError, Services
from portal.catalog.v1 import catalog_pb2
from portal.feedback.v1 import feedback_pb2

router = APIRouter(prefix="/api/v1")


def services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services)]


def staff(request: Request, authorization: Annotated[str, Header()] = "") -> str:
    """The editor's name for the audit log. Until staff accounts exist, one bearer token guards the back office."""
    expected = f"Bearer {request.app.state.settings.admin_token}"
    if not secrets.compare_digest(authorization.encode(), expected.encode()):
        raise ApiError(401, "unauthenticated", "请先登录后台")
    return "admin"


StaffDep = Annotated[str, Depends(staff)]
Page = Annotated[int, Query(ge=1, le=1000)]


@router.get("/search")
async def search(
    rpc: ServicesDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Page = 1,
    size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict:
    response = await rpc.search(q, page, size)
    body = {"total": response.total, "items": [hit_json(h) for h in response.hits]}
    if response.suggestion:
        body["suggestion"] = response.suggestion
    return body


@router.get("/suggest")
async def suggest(rpc: ServicesDep, q: Annotated[str, Query(max_length=100)] = "") -> dict:
    return {"items": await rpc.suggest(q, 8)}


@router.get("/items")
async def list_items(
    rpc: ServicesDep,
    page: Page = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    department_id: Annotated[int, Query(ge=0)] = 0,
) -> dict:
    response = await rpc.list_published_items(page, size, department_id)
    return {"total": response.total, "items": [item_json(i) for i in response.items]}


@router.get("/items/{item_id}")
async def get_item(rpc: ServicesDep, item_id: int) -> dict:
    return item_json(await rpc.get_published_item(item_id))


@router.get("/departments")
async def list_departments(rpc: ServicesDep) -> dict:
    response = await rpc.list_departments()
    return {"total": response.total, "items": [department_json(d) for d in response.items]}


@router.get("/departments/{department_id}")
async def get_department(rpc: ServicesDep, department_id: int) -> dict:
    return department_json(await rpc.get_department(department_id))


class TicketIn(BaseModel):
    kind: Annotated[str, Field(description="consultation, complaint, suggestion or help")]
    title: Annotated[str, Field(max_length=100)]
    content: Annotated[str, Field(max_length=2000)]
    item_id: Annotated[int, Field(ge=0)] = 0
    department_id: Annotated[int, Field(ge=0)] = 0
    contact_name: Annotated[str, Field(max_length=50)] = ""
    contact_phone: Annotated[str, Field(max_length=30)] = ""
    may_publish: bool = False


TICKET_KINDS = {
    "consultation": feedback_pb2.TICKET_KIND_CONSULTATION,
    "complaint": feedback_pb2.TICKET_KIND_COMPLAINT,
    "suggestion": feedback_pb2.TICKET_KIND_SUGGESTION,
    "help": feedback_pb2.TICKET_KIND_HELP,
}


@router.post("/tickets", status_code=201)
async def submit_ticket(rpc: ServicesDep, ticket: TicketIn) -> dict:
    fields = ticket.model_dump()
    fields["kind"] = TICKET_KINDS.get(ticket.kind, feedback_pb2.TICKET_KIND_UNSPECIFIED)
    response = await rpc.submit_ticket(feedback_pb2.SubmitTicketRequest(**fields))
    return {"number": response.number, "query_code": response.query_code}


@router.get("/tickets/{number}")
async def track_ticket(rpc: ServicesDep, number: str, code: Annotated[str, Query(max_length=20)]) -> dict:
    return ticket_json(await rpc.track_ticket(number, code))


class ItemIn(BaseModel):
    code: Annotated[str, Field(max_length=64)]
    name: Annotated[str, Field(max_length=200)]
    section: str
    department_id: Annotated[int, Field(ge=1)]
    fees: Annotated[str, Field(max_length=300)]
    aliases: list[Annotated[str, Field(max_length=100)]] = []
    item_type: str = ""
    audience: str = ""
    summary: Annotated[str, Field(max_length=5000)] = ""
    status: Annotated[str, Field(pattern="^(draft|published|withdrawn)$")] = "draft"

    def to_proto(self) -> catalog_pb2.ItemDraft:
        fields = self.model_dump()
        fields["status"] = catalog_pb2.ItemStatus.Value(f"ITEM_STATUS_{self.status.upper()}")
        return catalog_pb2.ItemDraft(**fields)


@router.post("/admin/items", status_code=201)
async def create_item(rpc: ServicesDep, editor: StaffDep, item: ItemIn) -> dict:
    return item_json(await rpc.create_item(item.to_proto(), editor))


@router.put("/admin/items/{item_id}")
async def update_item(
    rpc: ServicesDep,
    editor: StaffDep,
    item_id: int,
    item: ItemIn,
    expected_version: Annotated[int, Query(ge=0)] = 0,
) -> dict:
    return item_json(await rpc.update_item(item_id, item.to_proto(), expected_version, editor))
