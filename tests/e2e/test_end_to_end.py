"""The stack as a resident and an operator meet it: through the gateway, with the services behind it."""

import time

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from portal_common.testing import free_port, wait_for
from tests.e2e.conftest import ADMIN_PASSWORD, bearer


def gateway_search(stack, query: str) -> dict:
    response = httpx.get(f"{stack.gateway_url}/api/v1/search", params={"q": query})
    assert response.status_code == 200, response.text
    return response.json()


def wait_until_found(stack, query: str, title: str, timeout: float) -> float:
    """Seconds until `title` is among the first results for `query`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if title in [hit["title"] for hit in gateway_search(stack, query)["items"][:3]]:
            return time.monotonic() - started
        time.sleep(0.1)
    pytest.fail(f"{title} not found for {query!r} within {timeout}s")


def test_readyz_reports_every_dependency(stack):
    response = httpx.get(f"{stack.gateway_url}/readyz")
    assert response.status_code == 200
    body = response.json()
    assert set(body["dependencies"]) == {"catalog", "search", "feedback", "nats", "opensearch"}
    assert all(d["ok"] for d in body["dependencies"].values())


def test_readyz_names_the_dependency_that_is_down(stack):
    port = free_port()
    stack.start(
        "gateway-degraded",
        "gateway",
        "serve",
        env={"GATEWAY_HTTP_PORT": str(port), "GATEWAY_FEEDBACK_ADDRESS": f"127.0.0.1:{free_port()}"},
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: httpx.get(f"{url}/healthz").status_code == 200, 30, "second gateway")
    response = httpx.get(f"{url}/readyz")
    assert response.status_code == 503
    dependencies = response.json()["dependencies"]
    assert dependencies["feedback"]["ok"] is False
    assert all(dependencies[name]["ok"] for name in ("catalog", "search", "nats", "opensearch"))


def test_sample_catalog_is_searchable_through_the_gateway(stack, indexed):
    wait_until_found(stack, "驾照补办", "机动车驾驶证补领", timeout=5)


def test_item_created_through_catalog_grpc_is_found_within_5_seconds(stack, indexed):
    with grpc.insecure_channel(stack.catalog_address) as channel:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        login = catalog.Login(catalog_pb2.LoginRequest(username="admin", password=ADMIN_PASSWORD))
        department = catalog.ListDepartments(catalog_pb2.ListDepartmentsRequest()).items[0]
        item = catalog_pb2.ServiceItem(
            code="YT-E2E-0001",
            name="犬只登记",
            aliases=[catalog_pb2.Alias(name="养狗证", source="群众常用")],
            section="办事服务",
            department_id=department.id,
            fees="不收费",
            status=catalog_pb2.ITEM_STATUS_PUBLISHED,
        )
        catalog.CreateItem(
            catalog_pb2.CreateItemRequest(item=item), metadata=(("authorization", f"Bearer {login.token}"),)
        )
    seconds = wait_until_found(stack, "养狗证", "犬只登记", timeout=5)
    print(f"created → searchable through the gateway in {seconds:.2f}s")


def test_one_trace_follows_an_edit_from_gateway_through_nats_into_search(stack, trace_collector, admin_token):
    departments = httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"]
    item = {
        "code": "YT-E2E-0002",
        "name": "读者证挂失",
        "section": "办事服务",
        "department_id": departments[0]["id"],
        "fees": "不收费",
        "status": "published",
    }
    response = httpx.post(f"{stack.gateway_url}/api/v1/admin/items", json=item, headers=bearer(admin_token))
    assert response.status_code == 201, response.text

    def trace_reaches_search():
        gateway_spans = [s for s in trace_collector.spans() if s.service == "gateway" and "admin/items" in s.name]
        for root in gateway_spans:
            services = {s.service for s in trace_collector.spans() if s.trace_id == root.trace_id}
            names = {s.name for s in trace_collector.spans() if s.trace_id == root.trace_id}
            if {"catalog", "search"} <= services and "catalog.item.changed process" in names:
                return True
        return False

    try:
        wait_for(trace_reaches_search, 15, "one trace spanning gateway → catalog → NATS → search")
    except TimeoutError:
        seen = sorted({(s.service, s.name, s.trace_id[:8]) for s in trace_collector.spans() if "publish" not in s.name})
        pytest.fail(f"no single trace reached search; spans seen: {seen}")


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/items/999999", 404, "item_not_found"),
        ("/api/v1/departments/999999", 404, "department_not_found"),
        ("/api/v1/search?q=x&online=perhaps", 422, "invalid_request"),
        ("/api/v1/search?q=x&size=500", 422, "invalid_request"),
        ("/api/v1/items/not-a-number", 422, "invalid_request"),
        ("/api/v1/tickets/20990101000001?code=ABCDEF", 404, "ticket_not_found"),
    ],
)
def test_bad_requests_get_a_json_code_and_a_chinese_message(stack, path, status, code):
    response = httpx.get(f"{stack.gateway_url}{path}")
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_back_office_refuses_a_missing_session(stack):
    response = httpx.get(f"{stack.gateway_url}/api/v1/admin/items")
    assert response.status_code == 401 and response.json()["code"] == "login_required"


def test_resident_submits_and_tracks_a_consultation_without_an_account(stack):
    ticket = {
        "kind": "consultation",
        "subject": "公积金提取要多久",
        "body": "提取住房公积金多久到账？",
        "contact_name": "李四",
        "contact_phone": "13900139000",
    }
    created = httpx.post(f"{stack.gateway_url}/api/v1/tickets", json=ticket)
    assert created.status_code == 201
    ticket_no, code = created.json()["ticket_no"], created.json()["query_code"]
    tracked = httpx.get(f"{stack.gateway_url}/api/v1/tickets/{ticket_no}", params={"code": code})
    assert tracked.status_code == 200
    assert tracked.json()["status"] == "submitted" and tracked.json()["subject"] == "公积金提取要多久"
    assert [step["step"] for step in tracked.json()["history"]] == ["submitted"]
    assert "13900139000" not in tracked.text and "李四" not in tracked.text
    assert tracked.json()["contact_name"] == "李*" and tracked.json()["contact_phone"] == "139****9000"


def test_lists_answer_total_and_items(stack):
    items = httpx.get(f"{stack.gateway_url}/api/v1/items", params={"size": 5}).json()
    assert items["total"] >= 58 and len(items["items"]) == 5
    assert {"id", "title", "department"} <= set(items["items"][0])


def test_desktop_pages_render_in_chinese(stack):
    home = httpx.get(stack.gateway_url + "/")
    assert home.status_code == 200 and "办事服务" in home.text and "市公安局" in home.text
    wait_until_found(stack, "驾照补办", "机动车驾驶证补领", timeout=30)
    results = httpx.get(stack.gateway_url + "/search", params={"q": "驾照补办"})
    assert "机动车驾驶证补领" in results.text
    item_id = gateway_search(stack, "驾照补办")["items"][0]["id"]
    guide = httpx.get(f"{stack.gateway_url}/items/{item_id}")
    assert guide.status_code == 200
    assert all(heading in guide.text for heading in ("所属部门", "申请材料", "办理流程", "收费标准", "驾照补办"))
    missing = httpx.get(stack.gateway_url + "/items/999999")
    assert missing.status_code == 404 and "不存在" in missing.text


def test_a_service_reports_not_serving_while_it_drains(stack):
    port = free_port()
    process = stack.start(
        "catalog-draining", "catalog", "serve", env={"CATALOG_GRPC_PORT": str(port), "DRAIN_DELAY_SECONDS": "3"}
    )
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)

        def status():
            return health.Check(
                health_pb2.HealthCheckRequest(service="portal.catalog.v1.CatalogService"), timeout=1
            ).status

        wait_for(lambda: status() == health_pb2.HealthCheckResponse.SERVING, 30, "catalog", process)
        process.terminate()
        wait_for(lambda: status() == health_pb2.HealthCheckResponse.NOT_SERVING, 3, "NOT_SERVING while draining")
    assert process.wait(15) == 0


def test_services_describe_themselves_by_reflection(stack):
    with grpc.insecure_channel(stack.catalog_address) as channel:
        services = ProtoReflectionDescriptorDatabase(channel).get_services()
    assert {"portal.catalog.v1.CatalogService", "grpc.health.v1.Health"} <= set(services)


def test_residents_never_see_a_draft(stack, admin_token):
    departments = httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"]
    draft = {
        "code": "YT-E2E-DRAFT",
        "name": "尚未发布的事项",
        "section": "办事服务",
        "department_id": departments[0]["id"],
        "fees": "不收费",
        "status": "draft",
    }
    created = httpx.post(f"{stack.gateway_url}/api/v1/admin/items", json=draft, headers=bearer(admin_token)).json()
    assert httpx.get(f"{stack.gateway_url}/api/v1/items/{created['id']}").status_code == 404
    listed = httpx.get(f"{stack.gateway_url}/api/v1/items", params={"size": 100}).json()["items"]
    assert created["id"] not in [item["id"] for item in listed]


@pytest.mark.parametrize(
    "params",
    [
        {"q": '{"query": {"match_all": {}}}'},
        {"q": 'title:* OR 1=1 AND "'},
        {"q": "\\/[](){}^~*?:!"},
        {"q": "驾照😀🚗"},
        {"q": "\ufffd\ufffd驾照"},
        {"q": "？？？"},
        {"q": "'"},
        {"q": "x" * 10_000},
        {"q": "驾照", "page": 1000, "size": 50},
        {"q": "驾照", "page": -1},
        {"q": ""},
        {"q": "驾照", "department_id": "1 OR 1=1"},
        {"q": "驾照", "section": "办事服务' OR '1'='1"},
    ],
)
def test_hostile_search_input_never_breaks_the_service(stack, params):
    response = httpx.get(f"{stack.gateway_url}/api/v1/search", params=params)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["code"] and response.json()["message"]
    else:
        assert "total" in response.json()
