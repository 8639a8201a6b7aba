"""Events are never lost: edits made while NATS is down, by a catalog process that is then killed, all reach the
stream exactly once after both come back."""

import asyncio
import signal

import grpc
import nats
import pytest

from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from portal.events.v1 import events_pb2
from portal_common.testing import NatsServer, free_port, run_module, start_module, stop, wait_for

PASSWORD = "crash-test-password"


@pytest.fixture
def nats_alone(tmp_path):
    server = NatsServer(free_port(), free_port(), tmp_path / "nats-store", tmp_path / "nats.log")
    server.start()
    yield server
    server.stop()


def catalog_env(tmp_path, nats_server: NatsServer, port: int) -> dict[str, str]:
    return {
        "CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/catalog.db",
        "CATALOG_GRPC_PORT": str(port),
        "CATALOG_ADMIN_PASSWORD": PASSWORD,
        "NATS_URL": nats_server.url,
    }


def serving(address: str) -> bool:
    with grpc.insecure_channel(address) as channel:
        catalog_pb2_grpc.CatalogServiceStub(channel).ListDepartments(catalog_pb2.ListDepartmentsRequest(), timeout=1)
    return True


def create_items(address: str, department_id: int, token: str, codes: range) -> None:
    with grpc.insecure_channel(address) as channel:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        for n in codes:
            item = catalog_pb2.ServiceItem(
                code=f"CRASH-{n}",
                name=f"事项{n}",
                section="办事服务",
                fees="不收费",
                department_id=department_id,
                status=catalog_pb2.ITEM_STATUS_PUBLISHED,
            )
            catalog.CreateItem(
                catalog_pb2.CreateItemRequest(item=item), metadata=(("authorization", f"Bearer {token}"),), timeout=5
            )


async def stream_contents(url: str, expected: int) -> list[tuple[str, int, int]]:
    """(subject, id, version) of every message on the CATALOG stream, waiting for `expected` of them."""
    connection = await nats.connect(url)
    js = connection.jetstream()
    async with asyncio.timeout(30):
        while (await js.stream_info("CATALOG")).state.messages < expected:  # noqa: ASYNC110 (polling a server)
            await asyncio.sleep(0.2)
    await asyncio.sleep(1)  # room for a duplicate to show up, if one were coming
    subscription = await js.pull_subscribe("catalog.>", stream="CATALOG")
    messages = await subscription.fetch(expected + 10, timeout=3)
    await connection.close()
    contents = []
    for message in messages:
        if message.subject == "catalog.item.changed":
            item = events_pb2.CatalogItemChanged.FromString(message.data).item
            contents.append((message.subject, item.id, item.version))
        else:
            department = events_pb2.DepartmentChanged.FromString(message.data).department
            contents.append((message.subject, department.id, department.version))
    return contents


def test_edits_made_while_nats_is_down_arrive_exactly_once_after_a_crash(tmp_path, nats_alone):
    port = free_port()
    env = catalog_env(tmp_path, nats_alone, port)
    address = f"127.0.0.1:{port}"
    run_module(["catalog", "migrate"], env)
    run_module(["catalog", "bootstrap-admin"], env)
    catalog = start_module(["catalog", "serve"], env, tmp_path / "catalog.log")
    try:
        wait_for(lambda: serving(address), 30, "catalog", catalog)
        with grpc.insecure_channel(address) as channel:
            stub = catalog_pb2_grpc.CatalogServiceStub(channel)
            token = stub.Login(catalog_pb2.LoginRequest(username="admin", password=PASSWORD)).token
            department = stub.CreateDepartment(
                catalog_pb2.CreateDepartmentRequest(department=catalog_pb2.Department(name="市测试局")),
                metadata=(("authorization", f"Bearer {token}"),),
            )
        create_items(address, department.id, token, range(5))  # published while NATS is up

        nats_alone.stop()
        create_items(address, department.id, token, range(5, 25))  # accepted, waiting in the outbox
        catalog.send_signal(signal.SIGKILL)
        catalog.wait()

        nats_alone.start()
        catalog = start_module(["catalog", "serve"], env, tmp_path / "catalog.log")
        contents = asyncio.run(stream_contents(nats_alone.url, expected=26))
    finally:
        stop(catalog)

    items = [(item_id, version) for subject, item_id, version in contents if subject == "catalog.item.changed"]
    assert len(items) == 25 and len(set(items)) == 25  # every edit, none twice
    assert [c for c in contents if c[0] == "catalog.department.changed"] == [
        ("catalog.department.changed", department.id, 1)
    ]
