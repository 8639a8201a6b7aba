"""Back-office department pages (机构编制): functions, internal structure, staffing, leaders and contact. The
catalog decides who may change what: the portal office everything, a department's own staff all but its identity
(name, short name, kind, parent), which the page shows read-only to them."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from gateway import item_form
from gateway.api import PathId
from gateway.auth import ServicesDep, StaffSession
from gateway.convert import department_from_json, department_json
from gateway.rpc import ApiError
from gateway.schemas import DepartmentIn
from gateway.staff_web import PostedForm, StaffPage, back_to, is_office, staff_page

router = APIRouter(include_in_schema=False)
TABLES = {
    "internal_structure": (("name", "text", "机构名称"), ("duties", "text", "主要职责")),
    "leaders": (("title", "text", "职务"), ("name", "text", "姓名")),
}
TEXT_FIELDS = ("name", "short_name", "kind", "functions", "address", "phone", "opening_hours", "website")
CONFLICT = "保存失败：部门信息已被他人修改。下面显示的是当前内容，请在此基础上重新修改后保存。"


@router.get("/departments")
async def departments(request: Request, rpc: ServicesDep, session: StaffPage):
    if not is_office(session):
        return RedirectResponse(f"/staff/departments/{session.staff.department_id}", status_code=303)
    listed = await rpc.list_departments()
    return staff_page(request, session, "staff/departments.html", {"departments": listed.items})


def _edit_page(request: Request, session: StaffSession, department: dict, errors: dict, status_code: int = 200):
    context = {"department": department, "errors": errors, "rows": TABLES, "locked": not is_office(session)}
    return staff_page(request, session, "staff/department.html", context, status_code)


@router.get("/departments/{department_id}")
async def edit_form(request: Request, rpc: ServicesDep, session: StaffPage, department_id: PathId):
    return _edit_page(request, session, department_json(await rpc.get_department(department_id)), {})


def _apply_form(department: dict, data) -> tuple[dict, dict]:
    errors: dict = {}
    for name in TEXT_FIELDS:
        department[name] = item_form.text_value(data, name)
    department["parent_id"] = item_form.read_id(data, "parent_id")
    department["staffing_quota"] = item_form.read_integer(data, "staffing_quota", errors)
    for name in ("latitude", "longitude"):
        department[name] = item_form.read_decimal(data, name, errors)
    department["bus_routes"] = item_form.read_lines(data, "bus_routes")
    errors.update(item_form.apply_tables(department, data, TABLES))
    return department, errors


@router.post("/departments/{department_id}")
async def save(request: Request, rpc: ServicesDep, session: StaffPage, data: PostedForm, department_id: PathId):
    current = department_json(await rpc.get_department(department_id))
    edited, errors = _apply_form(dict(current), data)
    version = item_form.text_value(data, "version")
    edited["version"] = int(version) if version.isdigit() and len(version) < 19 else 0
    if item_form.editing_rows(data) or errors:
        return _edit_page(request, session, edited, errors, 400 if errors else 200)
    message = department_from_json({k: v for k, v in edited.items() if k in DepartmentIn.model_fields})
    message.id = department_id
    try:
        await rpc.update_department(message, session.token)
    except ApiError as error:
        if error.status == 409:
            fresh = department_json(await rpc.get_department(department_id))
            return _edit_page(request, session, fresh, {"form": CONFLICT}, 409)
        if error.status not in (400, 403, 404):
            raise
        errors[item_form.field_id(error.field)] = error.message
        return _edit_page(request, session, edited, errors, error.status)
    return back_to(f"/staff/departments/{department_id}", "department_saved")
