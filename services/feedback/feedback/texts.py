"""What residents and staff type: checked for length and shape with a message in Chinese naming the field, then
stored as given (trimmed). Nothing here escapes HTML: every page and API escapes text on output instead."""

import re

from portal_common.errors import Invalid

PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# NUL cannot be stored in PostgreSQL text and no keyboard types it; other control characters but tab and
# newlines are refused too, so that what is shown is what was typed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

LABELS = {
    "subject": "标题",
    "body": "内容",
    "title": "标题",
    "contact_name": "姓名",
    "contact_phone": "联系电话",
    "contact_email": "电子邮箱",
    "author_name": "署名",
    "note": "说明",
    "comment": "评价内容",
    "reason": "理由",
}


def text(field: str, value: str, *, limit: int, required: bool = False, code: str = "") -> str:
    """`value` trimmed, or Invalid with a code such as `ticket_subject_invalid` and the field at fault."""
    value = value.strip()
    code = code or f"{field}_invalid"
    label = LABELS.get(field, field)
    if required and not value:
        raise Invalid(code, f"{label}不能为空", field=field)
    if len(value) > limit:
        raise Invalid(code, f"{label}不能超过{limit}个字（现在{len(value)}个字）", field=field)
    if CONTROL.search(value):
        raise Invalid(code, f"{label}含有无法显示的控制字符，请删除后再提交", field=field)
    return value


def phone(field: str, value: str, *, code: str = "", required: bool = False) -> str:
    value = text(field, value, limit=30, required=required, code=code)
    if value and not PHONE.match(value):
        raise Invalid(code or f"{field}_invalid", "联系电话格式不正确，请填写手机号或固定电话", field=field)
    return value


def email(field: str, value: str, *, code: str = "") -> str:
    value = text(field, value, limit=100, code=code)
    if value and not EMAIL.match(value):
        raise Invalid(code or f"{field}_invalid", "电子邮箱格式不正确", field=field)
    return value


def mask_name(name: str) -> str:
    """王小明 → 王**: the surname stays, so the resident recognises their own post."""
    name = name.strip()
    return f"{name[0]}{'*' * min(len(name) - 1, 2) or '*'}" if name else ""


def mask_phone(number: str) -> str:
    """13800138000 → 138****8000."""
    digits = re.sub(r"\D", "", number)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
