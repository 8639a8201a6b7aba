"""The catalog's rules: reading departments and items, and staff edits that are permitted, validated, versioned,
audited and announced (an outbox event in the same transaction)."""

import base64
import binascii
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from catalog import events
from catalog.guide import clean_department, clean_item
from catalog.models import Department, ItemAudit, ItemTag, ServiceItem, Unit
from portal_common import paging
from portal_common.errors import Conflict, Forbidden, Invalid, NotFound
from portal_common.outbox import utcnow

log = logging.getLogger(__name__)
MAX_PAGE_SIZE = 100
TAG_KINDS = {"themes": "theme", "life_events": "life_event"}


@dataclass(frozen=True)
class Actor:
    """Who is making a change: a staff member of one department, or of the portal office."""

    username: str
    role: str  # department / portal_office
    department_id: int | None = None

    @property
    def is_portal_office(self) -> bool:
        return self.role == "portal_office"

    def require_department(self, department_id: int) -> None:
        if self.is_portal_office or self.department_id == department_id:
            return
        log.warning(
            "forbidden: %s (department %s) tried to change department %s's items",
            self.username,
            self.department_id,
            department_id,
        )
        raise Forbidden("forbidden_department", "您只能管理本部门的事项")

    def require_portal_office(self, action: str) -> None:
        if not self.is_portal_office:
            log.warning("forbidden: %s tried to %s", self.username, action)
            raise Forbidden("forbidden_role", "只有门户办公室可以进行此操作")


# --- reading -------------------------------------------------------------------------------------------------


def department_not_found(department_id: int) -> NotFound:
    return NotFound("department_not_found", f"部门 {department_id} 不存在", field="department_id")


async def get_department(session: AsyncSession, *, department_id: int) -> Department:
    department = await session.get(Department, department_id)
    if department is None:
        raise department_not_found(department_id)
    return department


async def list_departments(session: AsyncSession) -> list[Department]:
    return list((await session.scalars(select(Department).order_by(Department.id))).all())


async def published_item_counts(session: AsyncSession) -> dict[int, int]:
    """Published items per department id."""
    query = select(ServiceItem.department_id, func.count()).where(ServiceItem.status == "published")
    return dict((await session.execute(query.group_by(ServiceItem.department_id))).all())


async def list_units(session: AsyncSession, *, department_id: int = 0) -> list[Unit]:
    query = select(Unit).order_by(Unit.id)
    if department_id:
        query = query.where(Unit.department_id == department_id)
    return list((await session.scalars(query)).all())


def item_not_found(item_id: int) -> NotFound:
    return NotFound("item_not_found", f"事项 {item_id} 不存在")


async def get_item(session: AsyncSession, *, item_id: int) -> ServiceItem:
    item = await session.get(ServiceItem, item_id)
    if item is None:
        raise item_not_found(item_id)
    return item


# Built once: asked on every read of a kept item (see read_cache), where building it would cost more than the lookup.
ITEM_VERSION = select(ServiceItem.version).where(ServiceItem.id == bindparam("item_id"))


async def item_version(session: AsyncSession, *, item_id: int) -> int:
    """The item's current version, without loading the item."""
    version = await session.scalar(ITEM_VERSION, {"item_id": item_id})
    if version is None:
        raise item_not_found(item_id)
    return version


@dataclass(frozen=True)
class ItemFilter:
    department_id: int = 0
    section: str = ""
    item_type: str = ""
    audience: str = ""
    theme: str = ""
    life_event: str = ""
    online: bool | None = None
    status: str = ""  # "" means every status


def _filtered(query: Select, f: ItemFilter) -> Select:
    if f.department_id:
        query = query.where(ServiceItem.department_id == f.department_id)
    if f.section:
        query = query.where(ServiceItem.section == f.section)
    if f.item_type:
        query = query.where(ServiceItem.item_type == f.item_type)
    if f.audience in ("个人", "法人"):  # an item for 个人,法人 serves both
        query = query.where(or_(ServiceItem.audience == f.audience, ServiceItem.audience == "个人,法人"))
    elif f.audience:  # no such audience: nothing, rather than every item that serves both
        query = query.where(ServiceItem.audience == f.audience)
    if f.online is not None:
        query = query.where(ServiceItem.online.is_(f.online))
    if f.status:
        query = query.where(ServiceItem.status == f.status)
    for kind, value in (("theme", f.theme), ("life_event", f.life_event)):
        if value:
            tagged = select(ItemTag.item_id).where(ItemTag.kind == kind, ItemTag.value == value)
            query = query.where(ServiceItem.id.in_(tagged))
    return query


def _page_token(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode()


def _after_id(token: str) -> int:
    if not token:
        return 0
    try:
        prefix, _, value = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        prefix, value = "", ""
    return paging.row_id(value if prefix == "after" else "")


async def list_items(
    session: AsyncSession, *, filters: ItemFilter, page_size: int = 20, page_token: str = ""
) -> tuple[int, list[ServiceItem], str]:
    """A page of matching items in id order, the number matching, and the token of the next page ("" at the end)."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise Invalid("page_size_invalid", f"每页条数应在1到{MAX_PAGE_SIZE}之间", field="page_size")
    after = _after_id(page_token)
    total = await session.scalar(_filtered(select(func.count(ServiceItem.id)), filters))
    query = _filtered(select(ServiceItem), filters).where(ServiceItem.id > after).order_by(ServiceItem.id)
    items = list((await session.scalars(query.limit(page_size + 1))).all())
    next_token = _page_token(items[page_size - 1].id) if len(items) > page_size else ""
    return total or 0, items[:page_size], next_token


@dataclass(frozen=True)
class ItemCounts:
    sections: list[tuple[str, int]]
    themes: list[tuple[str, int]]
    life_events: list[tuple[str, int]]
    audiences: list[tuple[str, int]]


async def count_items(session: AsyncSession) -> ItemCounts:
    """How many published items each section, theme, life event and audience holds (largest first)."""
    published = ServiceItem.status == "published"
    sections = await session.execute(
        select(ServiceItem.section, func.count()).where(published).group_by(ServiceItem.section)
    )
    # IN rather than a join: the published ids come from an index, never from the wide item rows.
    tags = await session.execute(
        select(ItemTag.kind, ItemTag.value, func.count())
        .where(ItemTag.item_id.in_(select(ServiceItem.id).where(published)))
        .group_by(ItemTag.kind, ItemTag.value)
    )
    by_kind: dict[str, list[tuple[str, int]]] = {"theme": [], "life_event": []}
    for kind, value, count in tags.all():
        by_kind[kind].append((value, count))
    audiences = []
    for audience in ("个人", "法人"):
        count = await session.scalar(
            _filtered(select(func.count(ServiceItem.id)), ItemFilter(audience=audience, status="published"))
        )
        audiences.append((audience, count or 0))

    def largest_first(pairs):
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))

    return ItemCounts(
        largest_first(sections.all()), largest_first(by_kind["theme"]), largest_first(by_kind["life_event"]), audiences
    )


async def item_audit(session: AsyncSession, *, item_id: int, actor: Actor) -> list[ItemAudit]:
    """An item's change history, for its own department's staff and the portal office."""
    actor.require_department((await get_item(session, item_id=item_id)).department_id)
    query = select(ItemAudit).where(ItemAudit.item_id == item_id).order_by(ItemAudit.id)
    return list((await session.scalars(query)).all())


# --- staff edits ---------------------------------------------------------------------------------------------


async def create_item(session: AsyncSession, *, fields: dict[str, Any], actor: Actor) -> ServiceItem:
    item_fields = clean_item(fields)
    actor.require_department(item_fields["department_id"])
    await _check_references(session, item_fields)
    await _ensure_code_free(session, item_fields["code"])
    item = ServiceItem(**item_fields, updated_at=utcnow())
    session.add(item)
    await _flush(session)
    await _replace_tags(session, item)
    await _record(session, item, actor, {k: [None, v] for k, v in item_fields.items()})
    return item


async def update_item(
    session: AsyncSession, *, item_id: int, fields: dict[str, Any], expected_version: int, actor: Actor
) -> ServiceItem:
    item = await get_item(session, item_id=item_id)
    actor.require_department(item.department_id)
    item_fields = clean_item(fields)
    actor.require_department(item_fields["department_id"])  # moving an item needs both departments
    _check_version(item, expected_version)
    await _check_references(session, item_fields)
    if item_fields["code"] != item.code:
        await _ensure_code_free(session, item_fields["code"])
    return await _apply(session, item, item_fields, actor)


async def set_item_status(
    session: AsyncSession, *, item_id: int, status: str, expected_version: int, actor: Actor
) -> ServiceItem:
    """Publish, withdraw or return an item to draft."""
    item = await get_item(session, item_id=item_id)
    actor.require_department(item.department_id)
    _check_version(item, expected_version)
    fields = clean_item({**_editable(item), "status": status})
    return await _apply(session, item, fields, actor)


async def create_department(session: AsyncSession, *, fields: dict[str, Any], actor: Actor) -> Department:
    actor.require_portal_office("create a department")
    department_fields = clean_department(fields)
    await _check_parent(session, department_fields["parent_id"])
    department = Department(**department_fields, updated_at=utcnow())
    session.add(department)
    await _flush(session, conflict=("department_name_taken", f"部门“{department_fields['name']}”已存在"))
    events.stage_department_changed(session, department)
    return department


async def update_department(
    session: AsyncSession, *, department_id: int, fields: dict[str, Any], expected_version: int, actor: Actor
) -> Department:
    department = await get_department(session, department_id=department_id)
    department_fields = clean_department(fields)
    _check_department_editor(actor, department, department_fields)
    if expected_version and expected_version != department.version:
        raise Conflict("department_version_conflict", "部门信息已被他人修改，请刷新后再改")
    if department_fields["parent_id"] == department_id:
        raise Invalid("department_parent_invalid", "上级部门不能是本部门", field="parent_id")
    await _check_parent(session, department_fields["parent_id"])
    changed = {k: v for k, v in department_fields.items() if getattr(department, k) != v}
    if not changed:
        return department
    old_name = department.name
    for name, value in changed.items():
        setattr(department, name, value)
    department.updated_at = utcnow()
    await _flush(session, conflict=("department_name_taken", f"部门“{department_fields['name']}”已存在"))
    events.stage_department_changed(session, department)
    if "name" in changed:
        await _reissue_items(session, department_id, actor, {"department_name": [old_name, department.name]})
    return department


# What makes a department the department: the portal office's to change. Its own staff keep the rest (functions,
# structure, staffing, leaders, contact) current.
DEPARTMENT_IDENTITY = {"name": "名称", "short_name": "简称", "kind": "单位类型", "parent_id": "上级部门"}


def _check_department_editor(actor: Actor, department: Department, fields: dict[str, Any]) -> None:
    if actor.is_portal_office:
        return
    if actor.department_id != department.id:
        log.warning("forbidden: %s tried to change department %s", actor.username, department.id)
        raise Forbidden("forbidden_department", "您只能维护本部门的信息")
    for name, label in DEPARTMENT_IDENTITY.items():
        if fields[name] != getattr(department, name):
            log.warning("forbidden: %s tried to change the %s of department %s", actor.username, name, department.id)
            raise Forbidden("forbidden_role", f"部门的{label}只能由门户办公室修改", field=name)


async def _reissue_items(session: AsyncSession, department_id: int, actor: Actor, changes: dict) -> None:
    """Items are published with their department's name: a renamed department makes a new version of each, so
    that search and every other reader of item events shows the new name, under the usual version rules."""
    items = (await session.scalars(select(ServiceItem).where(ServiceItem.department_id == department_id))).all()
    for item in items:
        item.updated_at = utcnow()
    await _flush(session)
    for item in items:
        await _record(session, item, actor, changes)


SERVICE_OWNED = {"id", "version", "updated_at"}


def _editable(item: ServiceItem) -> dict[str, Any]:
    return {c.key: getattr(item, c.key) for c in ServiceItem.__table__.columns if c.key not in SERVICE_OWNED}


def _check_version(item: ServiceItem, expected_version: int) -> None:
    if expected_version <= 0:
        raise Invalid("version_required", "请提供正在编辑的版本号", field="version")
    if expected_version != item.version:
        raise Conflict(
            "item_version_conflict",
            f"事项已被他人修改（您编辑的是第{expected_version}版，当前是第{item.version}版），请刷新后再改",
            field="version",
        )


async def _apply(session: AsyncSession, item: ServiceItem, fields: dict[str, Any], actor: Actor) -> ServiceItem:
    changes = {k: [getattr(item, k), v] for k, v in fields.items() if getattr(item, k) != v}
    if not changes:
        return item
    for name, (_, new) in changes.items():
        setattr(item, name, new)
    item.updated_at = utcnow()
    await _flush(session)
    if changes.keys() & TAG_KINDS.keys():
        await _replace_tags(session, item)
    await _record(session, item, actor, changes)
    return item


async def _flush(session: AsyncSession, conflict: tuple[str, str] | None = None) -> None:
    """Write pending changes; a concurrent edit or a taken unique value becomes a Conflict, not a 500."""
    try:
        await session.flush()
    except StaleDataError as error:
        raise Conflict("item_version_conflict", "事项已被他人修改，请刷新后再改", field="version") from error
    except IntegrityError as error:
        code, message = conflict or ("item_code_taken", "事项编码已被使用")
        raise Conflict(code, message) from error


async def _check_references(session: AsyncSession, fields: dict[str, Any]) -> None:
    await get_department(session, department_id=fields["department_id"])
    for name in ("accepting_unit_id", "handling_unit_id"):
        if fields[name] and await session.get(Unit, fields[name]) is None:
            raise Invalid("unit_not_found", f"单位 {fields[name]} 不存在", field=name)


async def _check_parent(session: AsyncSession, parent_id: int | None) -> None:
    if parent_id and await session.get(Department, parent_id) is None:
        raise Invalid("department_parent_invalid", f"上级部门 {parent_id} 不存在", field="parent_id")


async def _ensure_code_free(session: AsyncSession, code: str) -> None:
    if await session.scalar(select(ServiceItem.id).where(ServiceItem.code == code)):
        raise Conflict("item_code_taken", f"事项编码 {code} 已被使用", field="code")


async def _replace_tags(session: AsyncSession, item: ServiceItem) -> None:
    await session.execute(delete(ItemTag).where(ItemTag.item_id == item.id))
    session.add_all(
        ItemTag(item_id=item.id, kind=kind, value=value)
        for field, kind in TAG_KINDS.items()
        for value in getattr(item, field)
    )


async def _record(session: AsyncSession, item: ServiceItem, actor: Actor, changes: dict) -> None:
    """Audit the change and announce the item's new version, both in the caller's transaction."""
    await session.flush()
    await session.refresh(item, ["department", "accepting_unit", "handling_unit"])
    session.add(ItemAudit(item_id=item.id, version=item.version, editor=actor.username, changes=changes))
    events.stage_item_changed(session, item)


async def import_items(session: AsyncSession, *, rows: list[dict[str, Any]], actor: Actor) -> list[ServiceItem]:
    """Create many items at once (a department's initial catalog, the sample data): the same checks, audit and
    events as `create_item`, with one flush per batch instead of several per item."""
    departments = {d.id: d for d in await list_departments(session)}
    units = {u.id: u for u in await list_units(session)}
    items = []
    for row in rows:
        fields = clean_item(row)
        actor.require_department(fields["department_id"])
        if fields["department_id"] not in departments:
            raise department_not_found(fields["department_id"])
        for name in ("accepting_unit_id", "handling_unit_id"):
            if fields[name] and fields[name] not in units:
                raise Invalid("unit_not_found", f"单位 {fields[name]} 不存在", field=name)
        item = ServiceItem(**fields, updated_at=utcnow())
        item.department = departments[fields["department_id"]]
        item.accepting_unit = units.get(fields["accepting_unit_id"])
        item.handling_unit = units.get(fields["handling_unit_id"])
        items.append((item, fields))
    session.add_all(item for item, _ in items)
    await _flush(session)
    for item, fields in items:
        session.add_all(
            ItemTag(item_id=item.id, kind=kind, value=value)
            for field, kind in TAG_KINDS.items()
            for value in fields[field]
        )
        session.add(
            ItemAudit(
                item_id=item.id,
                version=item.version,
                editor=actor.username,
                changes={k: [None, v] for k, v in fields.items()},
            )
        )
        events.stage_item_changed(session, item)
    return [item for item, _ in items]
