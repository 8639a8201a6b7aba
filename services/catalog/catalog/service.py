"""The catalog's rules: reading departments and items, and staff edits that are versioned, audited and
announced (an outbox event in the same transaction)."""

from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import events
from catalog.models import Department, ItemAudit, ServiceItem
from portal_common.errors import Conflict, Invalid, NotFound
from portal_common.outbox import utcnow

SECTIONS = ("办事服务", "便民查询", "信息公开", "政民互动", "机构编制")
AUDIENCES = ("", "个人", "法人", "个人,法人")
STATUSES = ("draft", "published", "withdrawn")
MAX_PAGE_SIZE = 100


@dataclass
class ItemDraft:
    """What staff edit. Everything else on an item (id, version, timestamps) belongs to the service."""

    code: str
    name: str
    section: str
    department_id: int
    fees: str
    aliases: list[str] = field(default_factory=list)
    item_type: str = ""
    audience: str = ""
    summary: str = ""
    status: str = "draft"

    def cleaned(self) -> "ItemDraft":
        aliases = list(dict.fromkeys(a.strip() for a in self.aliases if a.strip()))
        draft = ItemDraft(**{**asdict(self), "aliases": aliases})
        for name in ("code", "name", "section", "fees", "item_type", "audience", "summary", "status"):
            setattr(draft, name, getattr(draft, name).strip())
        return draft


def validate(draft: ItemDraft) -> ItemDraft:
    draft = draft.cleaned()
    if not draft.code:
        raise Invalid("item_code_required", "事项编码不能为空")
    if not draft.name:
        raise Invalid("item_name_required", "事项名称不能为空")
    if len(draft.name) > 200:
        raise Invalid("item_name_too_long", "事项名称不能超过200个字")
    if draft.section not in SECTIONS:
        raise Invalid("item_section_invalid", f"栏目必须是：{'、'.join(SECTIONS)}")
    if draft.audience not in AUDIENCES:
        raise Invalid("item_audience_invalid", "服务对象必须是“个人”、“法人”或两者")
    if draft.status not in STATUSES:
        raise Invalid("item_status_invalid", "状态必须是草稿、已发布或已撤回")
    if not draft.fees:
        raise Invalid("item_fees_required", "收费标准不能为空，不收费请填写“不收费”")
    return draft


async def get_department(session: AsyncSession, *, department_id: int) -> Department:
    department = await session.get(Department, department_id)
    if department is None:
        raise NotFound("department_not_found", f"部门 {department_id} 不存在")
    return department


async def list_departments(session: AsyncSession) -> list[Department]:
    return list((await session.scalars(select(Department).order_by(Department.id))).all())


async def get_item(session: AsyncSession, *, item_id: int) -> ServiceItem:
    item = await session.get(ServiceItem, item_id)
    if item is None:
        raise NotFound("item_not_found", f"事项 {item_id} 不存在")
    return item


async def list_items(
    session: AsyncSession, *, page: int, size: int, department_id: int = 0, status: str = ""
) -> tuple[int, list[ServiceItem]]:
    """A page of items, optionally of one department and one status ("" means every status)."""
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise Invalid("page_invalid", f"页码从1开始，每页1到{MAX_PAGE_SIZE}条")
    query = select(ServiceItem)
    if department_id:
        query = query.where(ServiceItem.department_id == department_id)
    if status:
        query = query.where(ServiceItem.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    items = await session.scalars(query.order_by(ServiceItem.id).offset((page - 1) * size).limit(size))
    return total or 0, list(items.all())


async def create_item(session: AsyncSession, *, draft: ItemDraft, editor: str) -> ServiceItem:
    draft = validate(draft)
    await get_department(session, department_id=draft.department_id)
    await _ensure_code_free(session, draft.code)
    item = ServiceItem(**asdict(draft), version=1, updated_at=utcnow())
    session.add(item)
    await session.flush()
    await _record(session, item, editor, {k: [None, v] for k, v in asdict(draft).items()})
    return item


async def update_item(
    session: AsyncSession, *, item_id: int, draft: ItemDraft, expected_version: int, editor: str
) -> ServiceItem:
    draft = validate(draft)
    item = await get_item(session, item_id=item_id)
    if expected_version and expected_version != item.version:
        raise Conflict("item_version_conflict", f"事项已被他人修改（当前版本 {item.version}），请刷新后再改")
    if draft.department_id != item.department_id:
        await get_department(session, department_id=draft.department_id)
    if draft.code != item.code:
        await _ensure_code_free(session, draft.code)
    changes = {k: [getattr(item, k), v] for k, v in asdict(draft).items() if getattr(item, k) != v}
    if not changes:
        return item
    for name, (_, new) in changes.items():
        setattr(item, name, new)
    item.version += 1
    item.updated_at = utcnow()
    await session.flush()
    await _record(session, item, editor, changes)
    return item


async def _ensure_code_free(session: AsyncSession, code: str) -> None:
    if await session.scalar(select(ServiceItem.id).where(ServiceItem.code == code)):
        raise Conflict("item_code_taken", f"事项编码 {code} 已被使用")


async def _record(session: AsyncSession, item: ServiceItem, editor: str, changes: dict) -> None:
    """Audit the change and announce the item's new version, both in the caller's transaction."""
    await session.refresh(item, ["department"])
    session.add(ItemAudit(item_id=item.id, version=item.version, editor=editor or "unknown", changes=changes))
    events.stage_item_changed(session, item)
