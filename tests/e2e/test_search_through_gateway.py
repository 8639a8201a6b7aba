"""Search as residents and the portal office use it through the gateway: facets, browsing, autocomplete, clicks,
did-you-mean on the page, and best bets managed in the back office."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from opensearchpy import OpenSearch

from tests.e2e.conftest import bearer
from tests.e2e.test_end_to_end import gateway_search


def test_facets_come_with_results_and_narrow_them(stack, indexed):
    everything = gateway_search(stack, "补领")
    departments = everything["facets"]["department"]
    assert len(departments) >= 2 and sum(d["count"] for d in departments) == everything["total"]
    chosen = departments[0]
    narrowed = httpx.get(
        f"{stack.gateway_url}/api/v1/search", params={"q": "补领", "department_id": chosen["value"], "size": 50}
    ).json()
    assert narrowed["total"] == chosen["count"]
    assert {hit["department"] for hit in narrowed["items"]} == {chosen["label"]}


def test_an_empty_query_is_a_helpful_empty_result(stack, indexed):
    response = httpx.get(f"{stack.gateway_url}/api/v1/search", params={"q": ""})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 0 and body["items"] == []
    assert {"department", "section", "item_type", "audience", "online"} <= set(body["facets"])
    page = httpx.get(f"{stack.gateway_url}/search")
    assert page.status_code == 200 and "也可以按下面的分类浏览" in page.text


def test_autocomplete_by_characters_and_by_pinyin(stack, indexed):
    def offered(prefix: str) -> list[str]:
        response = httpx.get(f"{stack.gateway_url}/api/v1/suggest", params={"q": prefix})
        assert response.status_code == 200
        return [item["title"] for item in response.json()["items"]]

    assert offered("机动车驾驶证") and all("机动车驾驶证" in title for title in offered("机动车驾驶证"))
    assert "机动车驾驶证补领" in offered("jiazhaobu")  # 驾照补办, its alias, in pinyin
    assert offered("") == []


def test_a_homophone_slip_is_offered_the_right_word_on_the_page(stack, indexed):
    page = httpx.get(f"{stack.gateway_url}/search", params={"q": "驾驶正补领"})
    assert "您是不是要找" in page.text and "驾驶证补领" in page.text


def test_opening_a_result_counts_a_click_and_lands_on_the_item(stack, indexed):
    item_id = gateway_search(stack, "驾照补办")["items"][0]["id"]
    opened = httpx.get(f"{stack.gateway_url}/search/go", params={"q": "驾照补办", "id": item_id})
    assert opened.status_code == 303 and opened.headers["location"] == f"/items/{item_id}"
    refused = httpx.post(f"{stack.gateway_url}/api/v1/search/clicks", json={"query": "驾照", "item_id": 0})
    assert refused.status_code == 422

    engine = OpenSearch(stack.env["OPENSEARCH_URL"])
    clicks_index = f"{stack.env['SEARCH_INDEX_ALIAS']}.clicks"
    engine.indices.refresh(index=clicks_index)
    counted = engine.search(index=clicks_index, body={"query": {"term": {"item_id": item_id}}})
    assert sum(hit["_source"]["clicks"] for hit in counted["hits"]["hits"]) >= 1


def test_the_portal_office_pins_a_best_bet_and_department_staff_cannot(stack, indexed, admin_token):
    target = gateway_search(stack, "居民身份证")["items"][0]
    query = f"置顶测试{uuid.uuid4().hex[:4]}"
    expires_at = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    bet = {"query": query, "item_id": target["id"], "expires_at": expires_at}

    clerk_token = _department_staff_token(stack, admin_token)
    refused = httpx.post(f"{stack.gateway_url}/api/v1/admin/best-bets", json=bet, headers=bearer(clerk_token))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden_role"
    assert httpx.post(f"{stack.gateway_url}/api/v1/admin/best-bets", json=bet).status_code == 401

    pinned = httpx.post(f"{stack.gateway_url}/api/v1/admin/best-bets", json=bet, headers=bearer(admin_token))
    assert pinned.status_code == 201, pinned.text
    first = gateway_search(stack, query)["items"][0]
    assert (first["id"], first["pinned"]) == (target["id"], True)
    listed = httpx.get(f"{stack.gateway_url}/api/v1/admin/best-bets", headers=bearer(admin_token)).json()
    assert {"query": query, "item_id": target["id"]}.items() <= next(
        b for b in listed["items"] if b["query"] == query
    ).items()

    removed = httpx.delete(
        f"{stack.gateway_url}/api/v1/admin/best-bets",
        params={"query": query, "item_id": target["id"]},
        headers=bearer(admin_token),
    )
    assert removed.status_code == 204
    assert not any(hit["pinned"] for hit in gateway_search(stack, query)["items"])


def test_a_best_bet_for_a_missing_item_is_refused_in_chinese(stack, admin_token):
    expires_at = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    response = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/best-bets",
        json={"query": "驾照", "item_id": 99_999_999, "expires_at": expires_at},
        headers=bearer(admin_token),
    )
    assert response.status_code == 404 and response.json()["code"] == "item_not_found"
    assert "不存在" in response.json()["message"]


def _department_staff_token(stack, admin_token: str) -> str:
    department_id = httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"][0]["id"]
    username, password = f"staff-{uuid.uuid4().hex[:6]}", "a long enough password"
    member = {"username": username, "password": password, "role": "department", "department_id": department_id}
    created = httpx.post(f"{stack.gateway_url}/api/v1/admin/staff", json=member, headers=bearer(admin_token))
    assert created.status_code == 201, created.text
    login = httpx.post(f"{stack.gateway_url}/api/v1/auth/login", json={"username": username, "password": password})
    return login.json()["token"]
