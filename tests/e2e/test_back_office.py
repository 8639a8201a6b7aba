"""The back office through the gateway: sessions, CSRF, and what each staff member may touch."""

import uuid

import grpc
import httpx
import pytest

from gateway.auth import SESSION_COOKIE
from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from tests.e2e.conftest import bearer

PASSWORD = "a long enough password"


def departments(stack) -> list[dict]:
    return httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"]


def guide(department_id: int, **changes) -> dict:
    return {
        "code": f"E2E-{uuid.uuid4().hex[:10]}",
        "name": f"测试事项{uuid.uuid4().hex[:6]}",
        "section": "办事服务",
        "department_id": department_id,
        "fees": "不收费",
        "status": "published",
        **changes,
    }


@pytest.fixture(scope="module")
def two_departments(stack) -> tuple[int, int]:
    first, second = departments(stack)[:2]
    return first["id"], second["id"]


@pytest.fixture(scope="module")
def clerk(stack, admin_token, two_departments) -> httpx.Client:
    """A browser session of a staff member of the first department (cookie + CSRF token)."""
    username = f"clerk-{uuid.uuid4().hex[:6]}"
    created = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/staff",
        headers=bearer(admin_token),
        json={
            "username": username,
            "password": PASSWORD,
            "role": "department",
            "display_name": "王窗口",
            "department_id": two_departments[0],
        },
    )
    assert created.status_code == 201, created.text
    browser = httpx.Client(base_url=stack.gateway_url)
    login = browser.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200
    assert (
        "httponly" in login.headers["set-cookie"].lower() and "samesite=strict" in login.headers["set-cookie"].lower()
    )
    browser.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    yield browser
    browser.close()


def test_a_cookie_session_needs_the_csrf_token_for_changes(stack, clerk, two_departments):
    without = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/items", json=guide(two_departments[0]), cookies=clerk.cookies
    )
    assert without.status_code == 403 and without.json()["code"] == "csrf_failed"
    with_token = clerk.post("/api/v1/admin/items", json=guide(two_departments[0]))
    assert with_token.status_code == 201, with_token.text


def test_staff_cannot_touch_another_departments_items_by_any_path(stack, clerk, admin_token, two_departments):
    own, other = two_departments
    theirs = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/items", json=guide(other), headers=bearer(admin_token)
    ).json()
    attempts = [
        clerk.post("/api/v1/admin/items", json=guide(other)),
        clerk.put(f"/api/v1/admin/items/{theirs['id']}", json=guide(other, code=theirs["code"], version=1)),
        clerk.post(f"/api/v1/admin/items/{theirs['id']}/status", json={"status": "withdrawn", "version": 1}),
        clerk.get(f"/api/v1/admin/items/{theirs['id']}/audit"),
    ]
    assert [a.status_code for a in attempts] == [403] * 4
    assert {a.json()["code"] for a in attempts} == {"forbidden_department"}
    mine = clerk.post("/api/v1/admin/items", json=guide(own)).json()
    moved = clerk.put(f"/api/v1/admin/items/{mine['id']}", json=guide(other, code=mine["code"], version=1))
    assert moved.status_code == 403
    office_only = [
        clerk.post("/api/v1/admin/departments", json={"name": "新设部门"}),
        clerk.post("/api/v1/admin/staff", json={"username": "x", "password": PASSWORD, "role": "portal_office"}),
        clerk.get("/api/v1/admin/staff"),
    ]
    assert [a.status_code for a in office_only] == [403] * 3
    after = httpx.get(f"{stack.gateway_url}/api/v1/items/{theirs['id']}").json()
    assert after["version"] == 1 and after["status"] == "published"


def test_second_writer_gets_a_conflict_and_the_audit_shows_the_first(stack, clerk, two_departments):
    item = clerk.post("/api/v1/admin/items", json=guide(two_departments[0])).json()
    body = {k: v for k, v in guide(two_departments[0]).items() if k != "code"}
    first = clerk.put(
        f"/api/v1/admin/items/{item['id']}", json={**body, "code": item["code"], "version": 1, "fees": "工本费5元"}
    )
    second = clerk.put(
        f"/api/v1/admin/items/{item['id']}", json={**body, "code": item["code"], "version": 1, "fees": "工本费6元"}
    )
    assert first.status_code == 200 and second.status_code == 409
    assert second.json()["code"] == "item_version_conflict"
    audit = clerk.get(f"/api/v1/admin/items/{item['id']}/audit").json()["items"]
    assert [e["version"] for e in audit] == [1, 2]
    assert audit[-1]["changes"]["fees"][1] == "工本费5元" and audit[-1]["editor"].startswith("clerk-")


def test_invalid_guide_names_the_field(stack, clerk, two_departments):
    response = clerk.post(
        "/api/v1/admin/items", json=guide(two_departments[0], consultation_phone="打电话", legal_time_limit_days=-2)
    )
    assert response.status_code == 400
    assert response.json()["field"] in {"consultation_phone", "legal_time_limit_days"}


def test_logout_ends_the_session(stack, admin_token, two_departments):
    username = f"temp-{uuid.uuid4().hex[:6]}"
    httpx.post(
        f"{stack.gateway_url}/api/v1/admin/staff",
        headers=bearer(admin_token),
        json={"username": username, "password": PASSWORD, "role": "department", "department_id": two_departments[0]},
    )
    token = httpx.post(
        f"{stack.gateway_url}/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    ).json()["token"]
    assert httpx.get(f"{stack.gateway_url}/api/v1/auth/me", headers=bearer(token)).status_code == 200
    assert httpx.post(f"{stack.gateway_url}/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    after = httpx.get(f"{stack.gateway_url}/api/v1/auth/me", headers=bearer(token))
    assert after.status_code == 401 and after.json()["code"] == "session_invalid"


def test_residents_browse_by_section_and_department(stack):
    convenience = httpx.get(f"{stack.gateway_url}/api/v1/items", params={"section": "便民查询", "size": 5}).json()
    assert convenience["total"] > 0 and {i["section"] for i in convenience["items"]} == {"便民查询"}
    second_page = httpx.get(
        f"{stack.gateway_url}/api/v1/items",
        params={"section": "便民查询", "size": 5, "cursor": convenience["next_cursor"]},
    ).json()
    assert not {i["id"] for i in second_page["items"]} & {i["id"] for i in convenience["items"]}
    counts = httpx.get(f"{stack.gateway_url}/api/v1/counts").json()
    assert {"办事服务", "便民查询", "机构编制"} <= {s["name"] for s in counts["sections"]}
    department = departments(stack)[0]
    page = httpx.get(f"{stack.gateway_url}/api/v1/departments/{department['id']}").json()
    assert page["name"] == department["name"] and page["functions"] and "units" in page


def test_the_catalog_grpc_api_itself_refuses_missing_and_foreign_sessions(stack, clerk, two_departments):
    own, other = two_departments
    item = catalog_pb2.ServiceItem(
        code=f"GRPC-{uuid.uuid4().hex[:8]}",
        name=f"直连事项{uuid.uuid4().hex[:6]}",
        section="办事服务",
        fees="不收费",
        department_id=other,
    )
    token = clerk.cookies.get(SESSION_COOKIE)
    with grpc.insecure_channel(stack.catalog_address) as channel:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        with pytest.raises(grpc.RpcError) as anonymous:
            catalog.CreateItem(catalog_pb2.CreateItemRequest(item=item))
        with pytest.raises(grpc.RpcError) as foreign:
            catalog.CreateItem(
                catalog_pb2.CreateItemRequest(item=item), metadata=(("authorization", f"Bearer {token}"),)
            )
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert foreign.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "forbidden:" in stack.log("catalog")  # refused attempts are logged for the portal office
