"""What readers get: messages identical to the protobuf JSON form of the rows, and the home page's department list
and counts kept in each replica, yet never behind a write any replica made (on SQLite and PostgreSQL)."""

import contextlib

import grpc
import pytest
from google.protobuf import json_format
from sqlalchemy import select

from catalog import sample_data, service
from catalog.convert import STATUS_TO_PROTO, department_to_proto, item_to_proto, unit_to_proto
from catalog.grpc_api import CatalogServicer
from catalog.models import MIGRATIONS, Department, ServiceItem, Unit
from catalog.service import Actor
from portal.catalog.v1 import catalog_pb2 as pb
from portal.catalog.v1 import catalog_pb2_grpc
from portal_common.testing import free_port, migrated_sessions

OFFICE = Actor(username="office", role="portal_office")
SAMPLE_ITEMS = 200  # the smallest sample catalog holds 185


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(database_url, MIGRATIONS) as factory:
        yield factory


def json_form(row, message, **extra):
    """The row as the protobuf JSON form reads it: the reference the direct construction must match byte for byte."""
    values = {c.key: getattr(row, c.key) for c in row.__table__.columns}
    values["updated_at"] = values["updated_at"].isoformat() if "updated_at" in values else None
    values = {k: v for k, v in {**values, **extra}.items() if v is not None}
    return json_format.ParseDict(values, message, ignore_unknown_fields=True).SerializeToString()


async def test_rows_become_the_same_bytes_as_their_json_form(sessions):
    async with sessions() as session:
        assert await sample_data.load_if_empty(session, item_count=SAMPLE_ITEMS) == SAMPLE_ITEMS
    async with sessions() as session:
        items = (await session.scalars(select(ServiceItem))).all()
        for item in items:
            expected = json_form(
                item,
                pb.ServiceItem(),
                status=STATUS_TO_PROTO[item.status],
                department_name=item.department.name,
                accepting_unit_name=item.accepting_unit.name if item.accepting_unit else "",
                handling_unit_name=item.handling_unit.name if item.handling_unit else "",
            )
            assert item_to_proto(item).SerializeToString() == expected
        for department in (await session.scalars(select(Department))).all():
            expected = json_form(department, pb.Department(), item_count=7)
            assert department_to_proto(department, 7).SerializeToString() == expected
        for unit in (await session.scalars(select(Unit))).all():
            assert unit_to_proto(unit).SerializeToString() == json_form(unit, pb.Unit())
    assert any(i.latitude is not None for i in items) and any(i.accepting_unit for i in items)


@contextlib.asynccontextmanager
async def replica(sessions):
    """One catalog replica: its own servicer (and so its own kept answers) on the shared database."""
    server = grpc.aio.server()
    catalog_pb2_grpc.add_CatalogServiceServicer_to_server(CatalogServicer(sessions, on_commit=lambda: None), server)
    port = free_port()
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield catalog_pb2_grpc.CatalogServiceStub(channel)
    finally:
        await channel.close()
        await server.stop(None)


async def home_page(stub, department_id: int) -> tuple:
    departments = await stub.ListDepartments(pb.ListDepartmentsRequest())
    counts = await stub.CountItems(pb.CountItemsRequest())
    department = await stub.GetDepartment(pb.GetDepartmentRequest(id=department_id))
    return departments, counts, department


async def write(sessions, change):
    async with sessions() as session:
        await change(session)
        await session.commit()


async def test_kept_answers_follow_every_write_of_any_replica(sessions):
    async with sessions() as session:
        await sample_data.load_if_empty(session, item_count=SAMPLE_ITEMS)
    async with replica(sessions) as reader, replica(sessions) as other:
        item = (await other.ListItems(pb.ListItemsRequest(status=pb.ITEM_STATUS_PUBLISHED, page_size=1))).items[0]
        departments, counts, holder = await home_page(reader, item.department_id)
        assert await home_page(reader, item.department_id) == (departments, counts, holder)
        assert await reader.GetItem(pb.GetItemRequest(id=item.id)) == item

        await write(
            sessions,
            lambda session: service.set_item_status(
                session, item_id=item.id, status="withdrawn", expected_version=item.version, actor=OFFICE
            ),
        )
        after = await home_page(reader, holder.id)
        assert after == await home_page(other, holder.id)
        assert after[2].item_count == holder.item_count - 1
        assert sum(c.count for c in after[1].sections) == sum(c.count for c in counts.sections) - 1
        withdrawn = await reader.GetItem(pb.GetItemRequest(id=item.id))
        assert (withdrawn.status, withdrawn.version) == (pb.ITEM_STATUS_WITHDRAWN, item.version + 1)

        await write(
            sessions,
            lambda session: service.update_department(
                session,
                department_id=holder.id,
                fields={"name": "市政务服务管理办公室", "kind": holder.kind},
                expected_version=holder.version,
                actor=OFFICE,
            ),
        )
        renamed = await reader.GetDepartment(pb.GetDepartmentRequest(id=holder.id))
        assert (renamed.name, renamed.version) == ("市政务服务管理办公室", holder.version + 1)
        assert renamed in (await reader.ListDepartments(pb.ListDepartmentsRequest())).items
        assert (await reader.GetItem(pb.GetItemRequest(id=item.id))).department_name == "市政务服务管理办公室"
        assert await reader.GetItem(pb.GetItemRequest(id=item.id)) == await other.GetItem(pb.GetItemRequest(id=item.id))


@pytest.mark.parametrize(
    ("call", "details"),
    [("GetDepartment", "部门 999 不存在"), ("GetItem", "事项 999 不存在")],
)
async def test_an_unknown_department_or_item_is_not_found(sessions, call, details):
    request = pb.GetDepartmentRequest(id=999) if call == "GetDepartment" else pb.GetItemRequest(id=999)
    async with replica(sessions) as reader:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await getattr(reader, call)(request)
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND
    assert refused.value.details() == details
