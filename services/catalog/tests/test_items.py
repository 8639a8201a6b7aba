"""Staff edits to items: permitted, validated, versioned, audited and announced in one transaction (on SQLite and
PostgreSQL)."""

import pytest
from sqlalchemy import select

from catalog import service
from catalog.models import MIGRATIONS, ItemAudit, OutboxEvent
from catalog.service import Actor, ItemFilter
from portal.events.v1 import events_pb2
from portal_common.errors import Conflict, Forbidden, Invalid, NotFound
from portal_common.testing import migrated_sessions

OFFICE = Actor(username="office", role="portal_office")


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(database_url, MIGRATIONS) as factory:
        yield factory


@pytest.fixture
async def departments(sessions) -> tuple[int, int]:
    async with sessions() as session:
        police = await service.create_department(
            session, fields={"name": "市公安局交通警察支队", "kind": "政府部门"}, actor=OFFICE
        )
        civil = await service.create_department(session, fields={"name": "市民政局", "kind": "政府部门"}, actor=OFFICE)
        await session.commit()
        return police.id, civil.id


def guide(department_id: int, **changes) -> dict:
    fields = {
        "code": "YT-TEST-0001",
        "name": "机动车驾驶证补领",
        "section": "办事服务",
        "item_type": "行政许可",
        "department_id": department_id,
        "fees": "工本费10元",
        "aliases": [{"name": "驾照补办", "source": "群众常用"}, {"name": " 驾照丢了 "}],
        "audience": "个人",
        "themes": ["交通出行", "证件办理"],
        "life_events": ["出行"],
        "materials": [{"name": "居民身份证", "form": "原件", "copies": 1, "required": True}],
        "steps": [{"title": "受理", "description": "窗口核验身份"}, {"title": "制证"}],
        "case_type": "即办件",
        "legal_time_limit_days": 1,
        "promised_time_limit_days": 0,
        "consultation_phone": "0535-6789986",
        "legal_basis": [{"law": "《机动车驾驶证申领和使用规定》", "articles": "第六十二条"}],
        "status": "published",
    }
    return {**fields, **changes}


def staff_of(department_id: int) -> Actor:
    return Actor(username=f"staff-{department_id}", role="department", department_id=department_id)


async def create(sessions, department_id: int, actor: Actor | None = None, **changes):
    async with sessions() as session:
        item = await service.create_item(
            session, fields=guide(department_id, **changes), actor=actor or staff_of(department_id)
        )
        await session.commit()
        return item


async def test_created_item_is_audited_and_announced(sessions, departments):
    police, _ = departments
    item = await create(sessions, police)
    async with sessions() as session:
        stored = await service.get_item(session, item_id=item.id)
        audit = (await session.scalars(select(ItemAudit))).one()
        outbox = (await session.scalars(select(OutboxEvent).where(OutboxEvent.subject == "catalog.item.changed"))).one()
    assert stored.version == 1
    assert stored.aliases == [{"name": "驾照补办", "source": "群众常用"}, {"name": "驾照丢了", "source": "工作人员"}]
    assert (audit.editor, audit.version) == (f"staff-{police}", 1)
    event = events_pb2.CatalogItemChanged.FromString(outbox.payload)
    assert (event.item.id, event.item.version, event.item.name) == (item.id, 1, "机动车驾驶证补领")
    assert event.item.department_name == "市公安局交通警察支队"
    assert event.item.materials[0].name == "居民身份证" and event.item.legal_time_limit_days == 1
    assert outbox.published_at is None


async def test_update_bumps_version_and_records_what_changed(sessions, departments):
    police, _ = departments
    item = await create(sessions, police)
    async with sessions() as session:
        updated = await service.update_item(
            session, item_id=item.id, fields=guide(police, fees="不收费"), expected_version=1, actor=staff_of(police)
        )
        await session.commit()
    assert updated.version == 2
    async with sessions() as session:
        audits = (await session.scalars(select(ItemAudit).order_by(ItemAudit.version))).all()
        events = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq))).all()
    assert audits[-1].changes == {"fees": ["工本费10元", "不收费"]}
    versions = [
        events_pb2.CatalogItemChanged.FromString(e.payload).item.version
        for e in events
        if e.subject == "catalog.item.changed"
    ]
    assert versions == [1, 2]


async def test_unchanged_save_is_not_a_new_version(sessions, departments):
    police, _ = departments
    item = await create(sessions, police)
    async with sessions() as session:
        again = await service.update_item(
            session, item_id=item.id, fields=guide(police), expected_version=1, actor=staff_of(police)
        )
        await session.commit()
    assert again.version == 1


async def test_stale_edit_is_refused(sessions, departments):
    police, _ = departments
    item = await create(sessions, police)
    async with sessions() as session:
        await service.update_item(
            session, item_id=item.id, fields=guide(police, fees="5元"), expected_version=1, actor=staff_of(police)
        )
        await session.commit()
    async with sessions() as session:
        with pytest.raises(Conflict) as refused:
            await service.update_item(
                session, item_id=item.id, fields=guide(police, fees="6元"), expected_version=1, actor=staff_of(police)
            )
    assert refused.value.code == "item_version_conflict"


async def test_concurrent_edits_of_one_item_never_overwrite_silently(sessions, departments):
    police, _ = departments
    item = await create(sessions, police)
    first, second = sessions(), sessions()
    try:
        # Both editors opened version 1 before either saved.
        await service.get_item(first, item_id=item.id)
        await service.get_item(second, item_id=item.id)
        await service.update_item(
            first, item_id=item.id, fields=guide(police, fees="5元"), expected_version=1, actor=staff_of(police)
        )
        await first.commit()
        with pytest.raises(Conflict):
            await service.update_item(
                second, item_id=item.id, fields=guide(police, fees="6元"), expected_version=1, actor=staff_of(police)
            )
            await second.commit()
    finally:
        await first.close()
        await second.close()
    async with sessions() as session:
        stored = await service.get_item(session, item_id=item.id)
    assert (stored.fees, stored.version) == ("5元", 2)


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"name": "  "}, "field_required", "name"),
        ({"fees": ""}, "field_required", "fees"),
        ({"name": "长" * 201}, "field_too_long", "name"),
        ({"section": "其他"}, "field_invalid", "section"),
        ({"consultation_phone": "call me"}, "phone_invalid", "consultation_phone"),
        ({"legal_time_limit_days": -1}, "time_limit_negative", "legal_time_limit_days"),
        (
            {"legal_time_limit_days": 10, "promised_time_limit_days": 20},
            "promised_exceeds_legal",
            "promised_time_limit_days",
        ),
        ({"materials": [{"name": ""}]}, "field_required", "materials[0].name"),
        ({"online": True, "online_url": ""}, "field_required", "online_url"),
        ({"status": "deleted"}, "field_invalid", "status"),
    ],
)
async def test_bad_guides_are_refused_naming_the_field_and_the_reason(sessions, departments, changes, code, field):
    police, _ = departments
    async with sessions() as session:
        with pytest.raises(Invalid) as refused:
            await service.create_item(session, fields=guide(police, **changes), actor=staff_of(police))
    assert (refused.value.code, refused.value.field) == (code, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)


async def test_duplicate_code_and_unknown_department_are_refused(sessions, departments):
    police, _ = departments
    await create(sessions, police)
    async with sessions() as session:
        with pytest.raises(Conflict):
            await service.create_item(session, fields=guide(police, name="另一事项"), actor=OFFICE)
        with pytest.raises(NotFound) as unknown:
            await service.create_item(session, fields=guide(police + 99, code="X-2"), actor=OFFICE)
    assert unknown.value.field == "department_id"


async def test_staff_touch_only_their_own_departments_items(sessions, departments):
    police, civil = departments
    item = await create(sessions, police)
    outsider = staff_of(civil)
    async with sessions() as session:
        with pytest.raises(Forbidden):
            await service.create_item(session, fields=guide(police, code="X-3"), actor=outsider)
        with pytest.raises(Forbidden):
            await service.update_item(
                session, item_id=item.id, fields=guide(police, fees="1元"), expected_version=1, actor=outsider
            )
        with pytest.raises(Forbidden):  # nor move their own draft into another department
            await service.update_item(
                session, item_id=item.id, fields=guide(civil), expected_version=1, actor=staff_of(police)
            )
        with pytest.raises(Forbidden):
            await service.set_item_status(
                session, item_id=item.id, status="withdrawn", expected_version=1, actor=outsider
            )
        with pytest.raises(Forbidden):
            await service.create_department(session, fields={"name": "新部门"}, actor=staff_of(police))
        withdrawn = await service.set_item_status(
            session, item_id=item.id, status="withdrawn", expected_version=1, actor=OFFICE
        )
        await session.commit()
    assert withdrawn.status == "withdrawn" and withdrawn.version == 2


async def test_items_are_filtered_and_paged_by_cursor(sessions, departments):
    police, civil = departments
    for n in range(5):
        await create(
            sessions,
            police,
            code=f"C-{n}",
            name=f"交管事项{n}",
            online=n % 2 == 0,
            online_url="https://www.example.gov.cn" if n % 2 == 0 else "",
        )
    await create(
        sessions, civil, code="M-1", name="结婚登记", themes=["婚姻登记"], life_events=["婚姻"], audience="个人,法人"
    )
    await create(sessions, civil, code="M-2", name="草稿事项", status="draft")
    async with sessions() as session:
        seen, token = [], ""
        while True:
            total, page, token = await service.list_items(
                session, filters=ItemFilter(department_id=police), page_size=2, page_token=token
            )
            seen += [i.name for i in page]
            if not token:
                break
        assert total == 5 and seen == [f"交管事项{n}" for n in range(5)]
        total, page, _ = await service.list_items(session, filters=ItemFilter(life_event="婚姻"))
        assert [i.name for i in page] == ["结婚登记"]
        total, _, _ = await service.list_items(session, filters=ItemFilter(online=True))
        assert total == 3
        total, _, _ = await service.list_items(session, filters=ItemFilter(audience="法人", status="published"))
        assert total == 1
        total, _, _ = await service.list_items(session, filters=ItemFilter(status="published"))
        assert total == 6
        with pytest.raises(Invalid):
            await service.list_items(session, filters=ItemFilter(), page_token="not-a-token")
        counts = await service.count_items(session)
    assert dict(counts.sections) == {"办事服务": 6}
    assert dict(counts.life_events) == {"出行": 5, "婚姻": 1}
    assert dict(counts.audiences) == {"个人": 6, "法人": 1}


async def test_renaming_a_department_issues_a_new_version_of_its_items(sessions, departments):
    police, civil = departments
    item = await create(sessions, police)
    other = await create(sessions, civil, code="YT-TEST-0002")
    async with sessions() as session:
        await service.update_department(
            session,
            department_id=police,
            fields={"name": "市公安局交警支队", "kind": "政府部门"},
            expected_version=0,
            actor=OFFICE,
        )
        await session.commit()
    async with sessions() as session:
        renamed = await service.get_item(session, item_id=item.id)
        assert renamed.version == item.version + 1
        assert (await service.get_item(session, item_id=other.id)).version == other.version
        audit = (await session.scalars(select(ItemAudit).where(ItemAudit.item_id == item.id))).all()
        assert audit[-1].changes == {"department_name": ["市公安局交通警察支队", "市公安局交警支队"]}
        outbox = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq))).all()
        announced = events_pb2.CatalogItemChanged.FromString(outbox[-1].payload).item
        assert (announced.id, announced.version, announced.department_name) == (
            item.id,
            item.version + 1,
            "市公安局交警支队",
        )


async def test_a_department_keeps_its_own_description_and_the_office_keeps_its_identity(sessions, departments):
    police, civil = departments
    own = {"name": "市公安局交通警察支队", "kind": "政府部门", "functions": "负责道路交通管理。", "staffing_quota": 120}
    async with sessions() as session:
        department = await service.update_department(
            session, department_id=police, fields=own, expected_version=0, actor=staff_of(police)
        )
        await session.commit()
        assert (department.functions, department.staffing_quota) == ("负责道路交通管理。", 120)
    async with sessions() as session:
        with pytest.raises(Forbidden) as other:
            await service.update_department(
                session, department_id=civil, fields={"name": "市民政局"}, expected_version=0, actor=staff_of(police)
            )
        assert other.value.message == "您只能维护本部门的信息"
        with pytest.raises(Forbidden) as renamed:
            await service.update_department(
                session,
                department_id=police,
                fields={**own, "name": "交警队"},
                expected_version=0,
                actor=staff_of(police),
            )
        assert (renamed.value.field, renamed.value.message) == ("name", "部门的名称只能由门户办公室修改")
