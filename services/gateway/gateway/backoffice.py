"""The back-office JSON API under /api/v1: staff log in, keep their department's items, and the portal office
manages departments and staff accounts. The catalog decides what each staff member may do."""

import json
import time
from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from google.protobuf.timestamp_pb2 import Timestamp

from gateway.api import MAX_ID, ItemFilters, PathId, items_page
from gateway.auth import SESSION_COOKIE, PortalOfficeDep, ServicesDep, StaffDep, csrf_token
from gateway.convert import best_bet_json, department_from_json, department_json, item_from_json, item_json, staff_json
from gateway.ratelimit import client_ip, limit
from gateway.schemas import BestBetIn, DepartmentIn, ItemIn, LoginIn, StaffIn, StatusIn
from portal.catalog.v1 import catalog_pb2
from portal.search.v1 import search_pb2

router = APIRouter(prefix="/api/v1", tags=["back office"])
ROLES = {"department": catalog_pb2.STAFF_ROLE_DEPARTMENT, "portal_office": catalog_pb2.STAFF_ROLE_PORTAL_OFFICE}


@router.post("/auth/login", dependencies=[Depends(limit("submit"))])
async def login(rpc: ServicesDep, request: Request, response: Response, credentials: LoginIn) -> dict:
    """A new session on every login. Browsers get it as an HttpOnly cookie and must echo `csrf_token` in the
    X-CSRF-Token header of every change; API clients send `token` as a bearer token instead."""
    result = await rpc.login(credentials.username, credentials.password, client_ip(request))
    settings = request.app.state.settings
    max_age = max(int(result.expires_at.seconds - time.time()), 60)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
    )
    return {
        "token": result.token,
        "csrf_token": csrf_token(settings.session_secret, result.token),
        "staff": staff_json(result.staff),
        "expires_at": result.expires_at.ToJsonString(),
    }


@router.post("/auth/logout", status_code=204)
async def logout(rpc: ServicesDep, session: StaffDep, response: Response) -> None:
    await rpc.logout(session.token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/auth/me")
async def me(session: StaffDep) -> dict:
    return staff_json(session.staff)


@router.get("/admin/items")
async def list_items(rpc: ServicesDep, session: StaffDep, filters: ItemFilters) -> dict:
    """Items of every status (drafts included), for staff."""
    return items_page(await rpc.list_items(filters, session.token))


@router.get("/admin/items/{item_id}")
async def get_item(rpc: ServicesDep, session: StaffDep, item_id: PathId) -> dict:
    return item_json(await rpc.get_item(item_id, session.token))


@router.post("/admin/items", status_code=201)
async def create_item(rpc: ServicesDep, session: StaffDep, item: ItemIn) -> dict:
    return item_json(await rpc.create_item(item_from_json(item.model_dump()), session.token))


@router.put("/admin/items/{item_id}")
async def update_item(rpc: ServicesDep, session: StaffDep, item_id: PathId, item: ItemIn) -> dict:
    message = item_from_json(item.model_dump())
    message.id = item_id
    return item_json(await rpc.update_item(message, session.token))


@router.post("/admin/items/{item_id}/status")
async def set_item_status(rpc: ServicesDep, session: StaffDep, item_id: PathId, change: StatusIn) -> dict:
    request = catalog_pb2.SetItemStatusRequest(
        id=item_id,
        status=catalog_pb2.ItemStatus.Value(f"ITEM_STATUS_{change.status.upper()}"),
        expected_version=change.version,
    )
    return item_json(await rpc.set_item_status(request, session.token))


@router.get("/admin/items/{item_id}/audit")
async def item_audit(rpc: ServicesDep, session: StaffDep, item_id: PathId) -> dict:
    entries = (await rpc.item_audit(item_id, session.token)).entries
    return {
        "total": len(entries),
        "items": [
            {
                "version": e.version,
                "editor": e.editor,
                "changed_at": e.changed_at.ToJsonString(),
                "changes": json.loads(e.changes_json),
            }
            for e in entries
        ],
    }


@router.post("/admin/departments", status_code=201)
async def create_department(rpc: ServicesDep, session: StaffDep, department: DepartmentIn) -> dict:
    return department_json(await rpc.create_department(department_from_json(department.model_dump()), session.token))


@router.put("/admin/departments/{department_id}")
async def update_department(
    rpc: ServicesDep, session: StaffDep, department_id: PathId, department: DepartmentIn
) -> dict:
    message = department_from_json(department.model_dump())
    message.id = department_id
    return department_json(await rpc.update_department(message, session.token))


@router.post("/admin/staff", status_code=201)
async def create_staff(rpc: ServicesDep, session: StaffDep, member: StaffIn) -> dict:
    message = catalog_pb2.Staff(
        username=member.username,
        display_name=member.display_name,
        role=ROLES[member.role],
        department_id=member.department_id,
    )
    return staff_json(await rpc.create_staff(message, member.password, session.token))


@router.get("/admin/staff")
async def list_staff(rpc: ServicesDep, session: StaffDep) -> dict:
    members = (await rpc.list_staff(session.token)).items
    return {"total": len(members), "items": [staff_json(m) for m in members]}


@router.get("/admin/best-bets")
async def list_best_bets(rpc: ServicesDep, session: PortalOfficeDep) -> dict:
    bets = await rpc.list_best_bets()
    return {"total": len(bets), "items": [best_bet_json(bet) for bet in bets]}


@router.post("/admin/best-bets", status_code=201)
async def pin_best_bet(rpc: ServicesDep, session: PortalOfficeDep, bet: BestBetIn) -> dict:
    """Pin a published item to the top of a query's results until `expires_at` (at most a year ahead)."""
    expires_at = Timestamp()
    expires_at.FromDatetime(bet.expires_at if bet.expires_at.tzinfo else bet.expires_at.replace(tzinfo=UTC))
    request = search_pb2.PinBestBetRequest(
        query=bet.query, item_id=bet.item_id, expires_at=expires_at, created_by=session.staff.username
    )
    return best_bet_json(await rpc.pin_best_bet(request))


@router.delete("/admin/best-bets", status_code=204)
async def remove_best_bet(
    rpc: ServicesDep,
    session: PortalOfficeDep,
    query: Annotated[str, Query(max_length=100)],
    item_id: Annotated[int, Query(gt=0, le=MAX_ID)],
) -> None:
    await rpc.remove_best_bet(query, item_id)
