"""The item edit form ⇄ the guide's JSON fields. The form works without JavaScript: table rows (materials, steps,
FAQ, …) are numbered inputs `materials-0-name`, and "add a row" / "remove this row" are submit buttons that
re-render the form with what was typed. Values the form cannot read (a number that is not one) are reported next
to their field here; everything else is checked by the catalog, whose messages name the field at fault."""

import re

from starlette.datastructures import FormData

TEXT_FIELDS = (
    "name", "summary", "section", "item_type", "audience", "window", "consultation_phone", "complaint_phone",
    "conditions", "case_type", "fees", "result", "hall", "address", "hours", "holiday_note", "online_url",
)  # fmt: skip
INTEGER_FIELDS = ("legal_time_limit_days", "promised_time_limit_days", "visits_required")
OPTIONAL_FIELDS = ("legal_time_limit_days", "promised_time_limit_days")
DECIMAL_FIELDS = ("latitude", "longitude")
LINE_FIELDS = ("themes", "life_events", "bus_routes")
UNIT_FIELDS = ("accepting_unit_id", "handling_unit_id")
# Each table: its columns as (name, kind, label); "text" columns decide whether a row is empty.
ROWS = {
    "aliases": (("name", "text", "别名"), ("source", "text", "来源")),
    "staff_in_charge": (("name", "text", "姓名"), ("title", "text", "职务"), ("phone", "text", "电话")),
    "materials": (
        ("name", "text", "材料名称"), ("form", "text", "形式"), ("copies", "integer", "份数"),
        ("required", "flag", "必需"), ("blank_form", "text", "空白表地址"), ("sample", "text", "样表地址"),
        ("note", "text", "备注"),
    ),
    "steps": (("title", "text", "步骤"), ("description", "text", "说明")),
    "legal_basis": (("law", "text", "法律法规"), ("articles", "text", "条款")),
    "faq": (("question", "text", "问题"), ("answer", "text", "解答")),
}  # fmt: skip
LABELS = {
    "code": "事项编码", "name": "事项名称", "aliases": "别名", "section": "栏目", "item_type": "事项类型",
    "audience": "服务对象", "themes": "主题", "life_events": "人生事件", "department_id": "所属部门",
    "accepting_unit_id": "受理单位", "handling_unit_id": "办理机构", "window": "办理窗口",
    "staff_in_charge": "承办人员", "consultation_phone": "咨询电话", "complaint_phone": "投诉电话",
    "conditions": "受理条件", "materials": "申请材料", "steps": "办理流程", "case_type": "办件类型",
    "legal_time_limit_days": "法定办结时限", "promised_time_limit_days": "承诺办结时限", "fees": "收费标准",
    "legal_basis": "设定依据", "result": "办理结果", "hall": "办事大厅", "address": "办理地点", "latitude": "纬度",
    "longitude": "经度", "bus_routes": "乘车路线", "hours": "办理时间", "holiday_note": "节假日安排",
    "online": "网上办理", "online_url": "网上办理地址", "visits_required": "到现场次数", "faq": "常见问题",
    "summary": "事项简介", "status": "状态", "department_name": "部门名称",
}  # fmt: skip
NEW_ROW = {"form": "原件", "copies": 1, "required": True}
MAX_ROWS = 100
MAX_TEXT = 6000
NUMBER = re.compile(r"^-?\d{1,9}$")
DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{1,8})?$")


def text_value(data: FormData, name: str) -> str:
    return str(data.get(name, ""))[:MAX_TEXT]


def _number(raw: str, pattern: re.Pattern, convert, errors: dict, field_id: str, optional: bool):
    """The number typed, None when left empty (if allowed), else the text as typed and a message."""
    raw = raw.strip()
    if not raw and optional:
        return None
    if pattern.match(raw):
        return convert(raw)
    errors[field_id] = "应为数字" if convert is float else "应为整数"
    return raw


def _row(data: FormData, columns: tuple, group: str, index: int, errors: dict) -> dict:
    row = {}
    for column, kind, _ in columns:
        field_id = f"{group}-{index}-{column}"
        if kind == "flag":
            row[column] = data.get(field_id) == "on"
        elif kind == "integer":
            row[column] = _number(text_value(data, field_id), NUMBER, int, errors, field_id, optional=False)
        else:
            row[column] = text_value(data, field_id).strip()
    return row


def _is_empty(columns: tuple, row: dict) -> bool:
    return not any(row[column] for column, kind, _ in columns if kind == "text" and column != "form")


def _rows(data: FormData, group: str, columns: tuple) -> tuple[list[dict], dict]:
    """The table's filled-in rows, in order, less the one whose "remove" button was pressed; messages are keyed
    by the row's index in the returned list (which is what the form is re-rendered from)."""
    removed = text_value(data, "remove")
    rows, errors = [], {}
    for index in range(MAX_ROWS):
        if f"{group}-{index}-{columns[0][0]}" not in data:
            break
        row_errors: dict = {}
        row = _row(data, columns, group, index, row_errors)
        if removed == f"{group}-{index}" or _is_empty(columns, row):
            continue
        for field_id, message in row_errors.items():
            errors[field_id.replace(f"{group}-{index}-", f"{group}-{len(rows)}-", 1)] = message
        rows.append(row)
    if text_value(data, "add") == group:
        rows.append({column: NEW_ROW.get(column, "") for column, _, _ in columns})
    return rows, errors


def apply_tables(record: dict, data: FormData, tables: dict) -> dict:
    """Put the form's table rows into `record`; the messages about values the form could not read."""
    errors: dict = {}
    for group, columns in tables.items():
        record[group], row_errors = _rows(data, group, columns)
        errors.update(row_errors)
    return errors


def read_integer(data: FormData, name: str, errors: dict, optional: bool = False):
    return _number(text_value(data, name), NUMBER, int, errors, name, optional)


def read_decimal(data: FormData, name: str, errors: dict):
    return _number(text_value(data, name), DECIMAL, float, errors, name, optional=True)


def read_lines(data: FormData, name: str) -> list[str]:
    return [line.strip() for line in text_value(data, name).splitlines() if line.strip()]


def read_id(data: FormData, name: str) -> int:
    raw = text_value(data, name)
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


def apply_form(item: dict, data: FormData) -> tuple[dict, dict]:
    """The item with the form's values put in, and the messages about values the form could not read."""
    errors: dict = {}
    for name in TEXT_FIELDS:
        item[name] = text_value(data, name)
    item["online"] = data.get("online") == "on"
    for name in INTEGER_FIELDS:
        item[name] = read_integer(data, name, errors, optional=name in OPTIONAL_FIELDS)
    for name in DECIMAL_FIELDS:
        item[name] = read_decimal(data, name, errors)
    for name in LINE_FIELDS:
        item[name] = read_lines(data, name)
    for name in UNIT_FIELDS:
        item[name] = read_id(data, name)
    errors.update(apply_tables(item, data, ROWS))
    return item, errors


def field_id(path: str) -> str:
    """The form input a catalog error names: `materials[2].name` → `materials-2-name`, `themes[1]` → `themes`."""
    found = re.match(r"^(\w+)\[(\d+)\]\.(\w+)$", path)
    if found:
        return "-".join(found.groups())
    return path.split("[", 1)[0].split(".", 1)[0] or "form"


def editing_rows(data: FormData) -> bool:
    """The post only adds or removes a table row: re-render, do not save."""
    return bool(text_value(data, "add") or text_value(data, "remove"))


def audit_changes(changes: dict) -> list[dict]:
    """An audit entry's changes as people read them: the field's name, and old → new for a single value."""
    shown = []
    for name, values in changes.items():
        old, new = values if isinstance(values, list) and len(values) == 2 else (None, values)
        simple = not isinstance(old, list | dict) and not isinstance(new, list | dict)
        shown.append({"label": LABELS.get(name, name), "old": old, "new": new, "simple": simple})
    return shown
