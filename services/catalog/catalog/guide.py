"""What a valid service guide and department look like. Every check names the field and says why, in words an
editor understands; the cleaned result holds exactly the editable fields, trimmed."""

import re
from collections.abc import Callable
from typing import Any

from portal_common.errors import Invalid

SECTIONS = ("办事服务", "便民查询", "信息公开", "政民互动", "机构编制")
ITEM_TYPES = (
    "",
    "行政许可",
    "行政确认",
    "行政给付",
    "行政裁决",
    "行政奖励",
    "行政征收",
    "其他行政权力",
    "公共服务",
    "便民服务",
    "信息公开",
    "机构编制",
)
AUDIENCES = ("", "个人", "法人", "个人,法人")
CASE_TYPES = ("", "即办件", "承诺件")
STATUSES = ("draft", "published", "withdrawn")
MATERIAL_FORMS = ("原件", "复印件", "原件和复印件", "电子件")
ALIAS_SOURCES = ("原门户", "群众常用", "工作人员", "简称")
DEPARTMENT_KINDS = ("政府部门", "事业单位", "公用企业", "医院", "群团组织", "垂直管理部门", "学校", "文化场馆", "其他")
PHONE = re.compile(r"^(0\d{2,3}-\d{7,8}(-\d{1,6})?|1[3-9]\d{9}|12345|12\d{3}|95\d{3,4}|400-?\d{3}-?\d{4})$")
URL = re.compile(r"^(https?://\S+|/\S*)$")
SHORT, LONG = 300, 5000

LABELS = {
    "code": "事项编码",
    "name": "事项名称",
    "aliases": "别名",
    "section": "栏目",
    "item_type": "事项类型",
    "audience": "服务对象",
    "themes": "主题",
    "life_events": "人生事件",
    "department_id": "所属部门",
    "accepting_unit_id": "受理单位",
    "handling_unit_id": "办理机构",
    "window": "办理窗口",
    "staff_in_charge": "承办人员",
    "consultation_phone": "咨询电话",
    "complaint_phone": "投诉电话",
    "conditions": "受理条件",
    "materials": "申请材料",
    "steps": "办理流程",
    "case_type": "办件类型",
    "legal_time_limit_days": "法定办结时限",
    "promised_time_limit_days": "承诺办结时限",
    "fees": "收费标准",
    "legal_basis": "设定依据",
    "result": "办理结果",
    "hall": "办事大厅",
    "address": "办理地点",
    "latitude": "纬度",
    "longitude": "经度",
    "bus_routes": "乘车路线",
    "hours": "办理时间",
    "holiday_note": "节假日安排",
    "online": "网上办理",
    "online_url": "网上办理地址",
    "visits_required": "到现场次数",
    "faq": "常见问题",
    "summary": "事项简介",
    "status": "状态",
    "short_name": "简称",
    "kind": "单位类型",
    "parent_id": "上级部门",
    "functions": "主要职能",
    "internal_structure": "内设机构",
    "staffing_quota": "编制数",
    "leaders": "领导信息",
    "phone": "联系电话",
    "opening_hours": "办公时间",
    "website": "网站",
}


def _label(path: str) -> str:
    top = path.split("[", 1)[0].split(".", 1)[0]
    return LABELS.get(top, top)


def _fail(path: str, code: str, reason: str) -> Invalid:
    return Invalid(code, f"{_label(path)}{reason}", field=path)


def text(path: str, value: Any, *, limit: int = SHORT, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fail(path, "field_invalid", "应为文字")
    value = value.strip()
    if required and not value:
        raise _fail(path, "field_required", "不能为空")
    if len(value) > limit:
        raise _fail(path, "field_too_long", f"不能超过{limit}个字")
    return value


def choice(path: str, value: Any, options: tuple[str, ...]) -> str:
    value = text(path, value)
    if value not in options:
        raise _fail(path, "field_invalid", f"必须是：{'、'.join(o for o in options if o)}")
    return value


def phone(path: str, value: Any, *, required: bool = False) -> str:
    value = text(path, value, limit=50, required=required)
    if value and not PHONE.match(value):
        raise _fail(path, "phone_invalid", f"“{value}”不是有效的电话号码")
    return value


def url(path: str, value: Any, *, required: bool = False) -> str:
    value = text(path, value, required=required)
    if value and not URL.match(value):
        raise _fail(path, "url_invalid", "应为以 http:// 或 https:// 开头的网址")
    return value


def integer(path: str, value: Any, *, low: int, high: int, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, "field_invalid", "应为整数")
    if value < low:
        code = "time_limit_negative" if "time_limit" in path else "field_out_of_range"
        raise _fail(path, code, f"不能小于{low}")
    if value > high:
        raise _fail(path, "field_out_of_range", f"不能大于{high}")
    return value


def coordinate(path: str, value: Any, bound: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
        raise _fail(path, "field_out_of_range", f"应在-{bound:g}到{bound:g}之间")
    return float(value)


def records(path: str, value: Any, clean: Callable[[str, dict], dict], *, limit: int = 100) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _fail(path, "field_invalid", "格式不正确")
    if len(value) > limit:
        raise _fail(path, "field_out_of_range", f"不能超过{limit}项")
    return [clean(f"{path}[{n}]", record) for n, record in enumerate(value)]


def words(path: str, value: Any, *, limit: int = 20) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(path, "field_invalid", "格式不正确")
    cleaned = [text(f"{path}[{n}]", v, limit=limit, required=True) for n, v in enumerate(value)]
    return list(dict.fromkeys(cleaned))


def _alias(path: str, r: dict) -> dict:
    source = r.get("source") or "工作人员"
    return {
        "name": text(f"{path}.name", r.get("name"), limit=100, required=True),
        "source": choice(f"{path}.source", source, ALIAS_SOURCES),
    }


def _contact(path: str, r: dict) -> dict:
    return {
        "name": text(f"{path}.name", r.get("name"), limit=50, required=True),
        "title": text(f"{path}.title", r.get("title"), limit=50),
        "phone": phone(f"{path}.phone", r.get("phone")),
    }


def _material(path: str, r: dict) -> dict:
    return {
        "name": text(f"{path}.name", r.get("name"), limit=200, required=True),
        "form": choice(f"{path}.form", r.get("form") or "原件", MATERIAL_FORMS),
        "copies": integer(f"{path}.copies", r.get("copies", 1), low=1, high=99),
        "required": bool(r.get("required", True)),
        "blank_form": url(f"{path}.blank_form", r.get("blank_form")),
        "sample": url(f"{path}.sample", r.get("sample")),
        "note": text(f"{path}.note", r.get("note")),
    }


def _step(path: str, r: dict) -> dict:
    return {
        "title": text(f"{path}.title", r.get("title"), limit=100, required=True),
        "description": text(f"{path}.description", r.get("description"), limit=LONG),
    }


def _legal_basis(path: str, r: dict) -> dict:
    return {
        "law": text(f"{path}.law", r.get("law"), limit=200, required=True),
        "articles": text(f"{path}.articles", r.get("articles"), limit=200),
    }


def _faq(path: str, r: dict) -> dict:
    return {
        "question": text(f"{path}.question", r.get("question"), limit=300, required=True),
        "answer": text(f"{path}.answer", r.get("answer"), limit=LONG, required=True),
    }


def clean_item(f: dict) -> dict:
    """The editable fields of an item, checked and trimmed; raises Invalid naming the first bad field."""
    item = {
        "code": text("code", f.get("code"), limit=64, required=True),
        "name": text("name", f.get("name"), limit=200, required=True),
        "aliases": records("aliases", f.get("aliases"), _alias),
        "section": choice("section", f.get("section"), SECTIONS),
        "item_type": choice("item_type", f.get("item_type"), ITEM_TYPES),
        "audience": choice("audience", f.get("audience"), AUDIENCES),
        "themes": words("themes", f.get("themes")),
        "life_events": words("life_events", f.get("life_events")),
        "department_id": integer("department_id", f.get("department_id"), low=1, high=2**62),
        "accepting_unit_id": f.get("accepting_unit_id") or None,
        "handling_unit_id": f.get("handling_unit_id") or None,
        "window": text("window", f.get("window")),
        "staff_in_charge": records("staff_in_charge", f.get("staff_in_charge"), _contact, limit=20),
        "consultation_phone": phone("consultation_phone", f.get("consultation_phone")),
        "complaint_phone": phone("complaint_phone", f.get("complaint_phone")),
        "conditions": text("conditions", f.get("conditions"), limit=LONG),
        "materials": records("materials", f.get("materials"), _material),
        "steps": records("steps", f.get("steps"), _step, limit=50),
        "case_type": choice("case_type", f.get("case_type"), CASE_TYPES),
        "legal_time_limit_days": integer(
            "legal_time_limit_days", f.get("legal_time_limit_days"), low=0, high=3650, optional=True
        ),
        "promised_time_limit_days": integer(
            "promised_time_limit_days", f.get("promised_time_limit_days"), low=0, high=3650, optional=True
        ),
        "fees": text("fees", f.get("fees"), required=True),
        "legal_basis": records("legal_basis", f.get("legal_basis"), _legal_basis, limit=50),
        "result": text("result", f.get("result")),
        "hall": text("hall", f.get("hall")),
        "address": text("address", f.get("address")),
        "latitude": coordinate("latitude", f.get("latitude"), 90),
        "longitude": coordinate("longitude", f.get("longitude"), 180),
        "bus_routes": words("bus_routes", f.get("bus_routes"), limit=SHORT),
        "hours": text("hours", f.get("hours")),
        "holiday_note": text("holiday_note", f.get("holiday_note")),
        "online": bool(f.get("online", False)),
        "online_url": url("online_url", f.get("online_url"), required=bool(f.get("online", False))),
        "visits_required": integer("visits_required", f.get("visits_required", 1), low=0, high=10),
        "faq": records("faq", f.get("faq"), _faq, limit=50),
        "summary": text("summary", f.get("summary"), limit=LONG),
        "status": choice("status", f.get("status") or "draft", STATUSES),
    }
    legal, promised = item["legal_time_limit_days"], item["promised_time_limit_days"]
    if legal is not None and promised is not None and promised > legal:
        raise Invalid(
            "promised_exceeds_legal",
            f"承诺办结时限（{promised}天）不能超过法定办结时限（{legal}天）",
            field="promised_time_limit_days",
        )
    if len({a["name"] for a in item["aliases"]}) != len(item["aliases"]):
        raise Invalid("alias_duplicate", "别名不能重复", field="aliases")
    return item


def _org_unit(path: str, r: dict) -> dict:
    return {
        "name": text(f"{path}.name", r.get("name"), limit=100, required=True),
        "duties": text(f"{path}.duties", r.get("duties"), limit=LONG),
    }


def _leader(path: str, r: dict) -> dict:
    return {
        "title": text(f"{path}.title", r.get("title"), limit=50, required=True),
        "name": text(f"{path}.name", r.get("name"), limit=50, required=True),
    }


def clean_department(f: dict) -> dict:
    return {
        "name": text("name", f.get("name"), limit=200, required=True),
        "short_name": text("short_name", f.get("short_name"), limit=100),
        "kind": choice("kind", f.get("kind") or "其他", DEPARTMENT_KINDS),
        "parent_id": f.get("parent_id") or None,
        "functions": text("functions", f.get("functions"), limit=LONG * 2),
        "internal_structure": records("internal_structure", f.get("internal_structure"), _org_unit),
        "staffing_quota": integer("staffing_quota", f.get("staffing_quota", 0), low=0, high=100_000),
        "leaders": records("leaders", f.get("leaders"), _leader, limit=30),
        "address": text("address", f.get("address")),
        "phone": phone("phone", f.get("phone")),
        "opening_hours": text("opening_hours", f.get("opening_hours")),
        "latitude": coordinate("latitude", f.get("latitude"), 90),
        "longitude": coordinate("longitude", f.get("longitude"), 180),
        "bus_routes": words("bus_routes", f.get("bus_routes"), limit=SHORT),
        "website": url("website", f.get("website")),
    }
