"""Back-office item pages: the department's items, the whole guide's edit form, publish / withdraw, and the
item's audit history. The catalog checks every value and every permission; its messages appear next to the field."""

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request

from gateway import item_form
from gateway.api import MAX_ID, PathId
from gateway.auth import ServicesDep, StaffSession
from gateway.convert import item_from_json, item_json
from gateway.rpc import ApiError, Services
from gateway.schemas import ItemIn
from gateway.staff_web import PostedForm, StaffPage, back_to, staff_page
from portal.catalog.v1 import catalog_pb2

router = APIRouter(include_in_schema=False)
STATUSES = {"published": "已发布", "draft": "草稿", "withdrawn": "已撤回"}
CONFLICT = "保存失败：该事项已被他人修改。下面显示的是当前内容（第 {version} 版），请在此基础上重新修改后保存。"


@router.get("")
async def items(
    request: Request,
    rpc: ServicesDep,
    session: StaffPage,
    cursor: Annotated[str, Query(max_length=200)] = "",
    department_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
):
    """The items this staff member keeps (every status); the portal office may pick any department."""
    department_id = session.staff.department_id or department_id
    listed = await rpc.list_items(
        catalog_pb2.ListItemsRequest(department_id=department_id, page_size=50, page_token=cursor), session.token
    )
    context = {
        "items": [item_json(i) for i in listed.items],
        "total": listed.total,
        "next_cursor": listed.next_page_token,
        "department_id": department_id,
        "statuses": STATUSES,
    }
    return staff_page(request, session, "staff/items.html", context)


async def _edit_page(
    request: Request, rpc: Services, session: StaffSession, item: dict, errors: dict, status_code: int = 200
):
    units, audit = await asyncio.gather(
        rpc.list_units(item["department_id"]), rpc.item_audit(item["id"], session.token)
    )
    context = {
        "item": item,
        "errors": errors,
        "rows": item_form.ROWS,
        "labels": item_form.LABELS,
        "units": units.items,
        "statuses": STATUSES,
        "audit": [
            {
                "version": e.version,
                "editor": e.editor,
                "at": e.changed_at.ToJsonString(),
                "changes": item_form.audit_changes(changes_of(e.changes_json)),
            }
            for e in reversed(audit.entries)
        ],
    }
    return staff_page(request, session, "staff/edit.html", context, status_code)


@router.get("/items/{item_id}")
async def edit_form(request: Request, rpc: ServicesDep, session: StaffPage, item_id: PathId):
    return await _edit_page(request, rpc, session, item_json(await rpc.get_item(item_id, session.token)), {})


@router.post("/items/{item_id}")
async def save(request: Request, rpc: ServicesDep, session: StaffPage, data: PostedForm, item_id: PathId):
    current = item_json(await rpc.get_item(item_id, session.token))
    edited, errors = item_form.apply_form(dict(current), data)
    version = item_form.text_value(data, "version")[:20]
    edited["version"] = int(version) if version.isdigit() else 0
    if item_form.editing_rows(data) or errors:
        return await _edit_page(request, rpc, session, edited, errors, 400 if errors else 200)
    message = item_from_json({k: v for k, v in edited.items() if k in ItemIn.model_fields})
    message.id = item_id
    try:
        await rpc.update_item(message, session.token)
    except ApiError as error:
        if error.status == 409 and error.code.endswith("version_conflict"):
            return await _conflict_page(request, rpc, session, item_id, edited)
        if error.status not in (400, 404, 409):
            raise
        errors[item_form.field_id(error.field)] = error.message
        return await _edit_page(request, rpc, session, edited, errors, error.status)
    return back_to(f"/staff/items/{item_id}", "saved")


async def _conflict_page(request: Request, rpc: Services, session: StaffSession, item_id: int, edited: dict):
    """Someone saved first: show the current values, and name the fields whose typed values were not saved."""
    current = item_json(await rpc.get_item(item_id, session.token))
    unsaved = [name for name in ItemIn.model_fields if name != "version" and edited.get(name) != current.get(name)]
    errors = {"form": CONFLICT.format(version=current["version"]), "unsaved": unsaved}
    return await _edit_page(request, rpc, session, current, errors, 409)


@router.post("/items/{item_id}/status")
async def set_status(request: Request, rpc: ServicesDep, session: StaffPage, data: PostedForm, item_id: PathId):
    """Publish, withdraw or return to draft the version the editor was looking at."""
    status = item_form.text_value(data, "status")[:20]
    version = item_form.text_value(data, "version")[:20]
    if status not in STATUSES or not version.isdigit():
        raise ApiError(400, "invalid_request", "请选择要进行的操作")
    change = catalog_pb2.SetItemStatusRequest(
        id=item_id, status=catalog_pb2.ItemStatus.Value(f"ITEM_STATUS_{status.upper()}"), expected_version=int(version)
    )
    try:
        await rpc.set_item_status(change, session.token)
    except ApiError as error:
        if error.status != 409:
            raise
        current = item_json(await rpc.get_item(item_id, session.token))
        errors = {"form": CONFLICT.format(version=current["version"])}
        return await _edit_page(request, rpc, session, current, errors, 409)
    return back_to(f"/staff/items/{item_id}", status)


def changes_of(changes_json: str) -> dict:
    try:
        changes = json.loads(changes_json)
    except ValueError:
        return {}
    return changes if isinstance(changes, dict) else {}
