"""Staff edits to items: validated, versioned, audited and announced in one transaction (SQLite and PostgreSQL)."""

import pytest
from sqlalchemy import select

from catalog import service
from catalog.__main__ import MIGRATIONS
from catalog.models import Department, ItemAudit, OutboxEvent
from portal.events.v1 import events_pb2
from portal_common.errors import Conflict, Invalid, NotFound
from portal_common.testing import migrated_sessions


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(database_url, MIGRATIONS) as factory:
        yield factory


@pytest.fixture
async def department_id(sessions) -> int:
    async with sessions() as session:
        department = Department(name="市公安局交通警察支队", kind="政府部门")
        session.add(department)
        await session.commit()
        return department.id


def draft(department_id: int, **changes) -> service.ItemDraft:
    fields = dict(
        code="YT-TEST-0001",
        name="机动车驾驶证补领",
        section="办事服务",
        department_id=department_id,
        fees="不收费",
        aliases=["驾照补办", " 驾照丢了 ", "驾照补办"],
        audience="个人",
        status="published",
    )
    return service.ItemDraft(**{**fields, **changes})


async def test_created_item_is_audited_and_announced(sessions, department_id):
    async with sessions() as session:
        item = await service.create_item(session, draft=draft(department_id), editor="张三")
        await session.commit()
    async with sessions() as session:
        stored = await service.get_item(session, item_id=item.id)
        assert stored.version == 1
        assert stored.aliases == ["驾照补办", "驾照丢了"]
        audit = (await session.scalars(select(ItemAudit))).one()
        assert (audit.editor, audit.version) == ("张三", 1)
        outbox = (await session.scalars(select(OutboxEvent))).one()
    event = events_pb2.CatalogItemChanged.FromString(outbox.payload)
    assert outbox.subject == "catalog.item.changed" and outbox.published_at is None
    assert (event.item.id, event.item.version, event.item.name) == (item.id, 1, "机动车驾驶证补领")
    assert event.item.department_name == "市公安局交通警察支队"


async def test_update_bumps_version_and_records_what_changed(sessions, department_id):
    async with sessions() as session:
        item = await service.create_item(session, draft=draft(department_id), editor="张三")
        await session.commit()
    async with sessions() as session:
        updated = await service.update_item(
            session, item_id=item.id, draft=draft(department_id, fees="工本费10元"), expected_version=1, editor="李四"
        )
        await session.commit()
    assert updated.version == 2
    async with sessions() as session:
        audits = (await session.scalars(select(ItemAudit).order_by(ItemAudit.version))).all()
        events = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq))).all()
    assert audits[-1].changes == {"fees": ["不收费", "工本费10元"]}
    assert [events_pb2.CatalogItemChanged.FromString(e.payload).item.version for e in events] == [1, 2]


async def test_unchanged_save_is_not_a_new_version(sessions, department_id):
    async with sessions() as session:
        item = await service.create_item(session, draft=draft(department_id), editor="张三")
        again = await service.update_item(
            session, item_id=item.id, draft=draft(department_id), expected_version=1, editor="张三"
        )
        await session.commit()
    assert again.version == 1


async def test_stale_edit_is_refused(sessions, department_id):
    async with sessions() as session:
        item = await service.create_item(session, draft=draft(department_id), editor="张三")
        await service.update_item(
            session, item_id=item.id, draft=draft(department_id, fees="5元"), expected_version=1, editor="李四"
        )
        with pytest.raises(Conflict) as refused:
            await service.update_item(
                session, item_id=item.id, draft=draft(department_id, fees="6元"), expected_version=1, editor="王五"
            )
    assert refused.value.code == "item_version_conflict"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": "  "}, "item_name_required"),
        ({"fees": ""}, "item_fees_required"),
        ({"section": "其他"}, "item_section_invalid"),
        ({"code": ""}, "item_code_required"),
        ({"status": "deleted"}, "item_status_invalid"),
    ],
)
async def test_bad_drafts_are_refused_with_a_named_error(sessions, department_id, changes, code):
    async with sessions() as session:
        with pytest.raises(Invalid) as refused:
            await service.create_item(session, draft=draft(department_id, **changes), editor="张三")
    assert refused.value.code == code
    assert refused.value.message  # a sentence for the editor, in Chinese


async def test_duplicate_code_and_unknown_department_are_refused(sessions, department_id):
    async with sessions() as session:
        await service.create_item(session, draft=draft(department_id), editor="张三")
        with pytest.raises(Conflict):
            await service.create_item(session, draft=draft(department_id, name="另一事项"), editor="张三")
        with pytest.raises(NotFound):
            await service.create_item(session, draft=draft(department_id + 99, code="X-2"), editor="张三")


async def test_list_items_pages_and_filters_by_department(sessions, department_id):
    async with sessions() as session:
        for n in range(5):
            await service.create_item(session, draft=draft(department_id, code=f"C-{n}", name=f"事项{n}"), editor="a")
        await session.commit()
        total, page = await service.list_items(session, page=2, size=2, department_id=department_id)
        assert total == 5 and [i.name for i in page] == ["事项2", "事项3"]
        total, _ = await service.list_items(session, page=1, size=2, department_id=department_id + 1)
        assert total == 0
        await service.create_item(session, draft=draft(department_id, code="D-1", status="draft"), editor="a")
        total, _ = await service.list_items(session, page=1, size=10, status="published")
        assert total == 5
