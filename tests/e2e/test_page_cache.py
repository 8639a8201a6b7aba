"""The gateway's page cache on a gateway of its own (the shared stack runs without it, so that every other test
reads its own writes at once): popular pages are rendered once, a change made through any gateway shows as soon as
its event arrives, and nothing meant for one visitor is ever kept."""

import time
import uuid

import httpx
import pytest

from portal_common.testing import wait_for
from tests.e2e.conftest import bearer, second_gateway

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
SEARCH_PAGE_SECONDS = 1.0


@pytest.fixture(scope="module")
def cached(stack) -> httpx.Client:
    url = second_gateway(
        stack,
        "gateway-page-cache",
        GATEWAY_PAGE_CACHE_MB="8",
        GATEWAY_PAGE_CACHE_SECONDS="600",  # longer than any test: only an event can refresh a kept page
        GATEWAY_UNKEYED_PAGE_CACHE_SECONDS=str(SEARCH_PAGE_SECONDS),
    )
    with httpx.Client(base_url=url) as client:
        yield client


@pytest.fixture()
def item(stack, admin_token) -> dict:
    """A published item of this test's own, so that editing it disturbs no other test."""
    department = httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"][0]
    body = {
        "code": f"YT-CACHE-{uuid.uuid4().hex[:8]}",
        "name": "缓存测试事项",
        "section": "办事服务",
        "department_id": department["id"],
        "fees": "不收费",
        "status": "published",
    }
    response = httpx.post(f"{stack.gateway_url}/api/v1/admin/items", json=body, headers=bearer(admin_token))
    assert response.status_code == 201, response.text
    return {**body, **response.json()}


def kept(cached: httpx.Client, path: str) -> httpx.Response:
    """The page once the cache answers it: a page rendered while an event about its sources was on its way (the
    test item's own creation, say) is not kept, so the first renderings may not be."""
    wait_for(lambda: cached.get(path).headers.get("x-cache") == "HIT", 15, f"{path} kept")
    return cached.get(path)


def test_a_page_is_rendered_once_then_answered_and_revalidated_from_the_cache(cached, item):
    rendered = cached.get(f"/items/{item['id']}")
    assert rendered.status_code == 200 and "x-cache" not in rendered.headers
    first, second = kept(cached, f"/items/{item['id']}"), cached.get(f"/items/{item['id']}")
    assert first.status_code == second.status_code == 200
    assert first.headers["x-cache"] == second.headers["x-cache"] == "HIT"
    assert second.text == first.text == rendered.text and second.headers["etag"] == rendered.headers["etag"]
    assert second.headers["content-security-policy"]  # the security headers go on kept pages too
    assert second.headers["surrogate-key"].startswith(f"item-{item['id']} ")

    revalidated = cached.get(f"/items/{item['id']}", headers={"If-None-Match": rendered.headers["etag"]})
    assert revalidated.status_code == 304 and revalidated.headers["x-cache"] == "HIT" and not revalidated.content

    phone = cached.get(f"/items/{item['id']}", headers={"User-Agent": IPHONE})  # offered the WAP twin: another page
    assert "x-cache" not in phone.headers and phone.text != first.text


def test_an_edit_through_another_gateway_shows_as_soon_as_its_event_arrives(stack, cached, item, admin_token):
    assert item["name"] in kept(cached, f"/items/{item['id']}").text
    renamed = {**item, "name": "缓存测试事项（已更名）"}
    body = {k: renamed[k] for k in ("code", "name", "section", "department_id", "fees", "status", "version")}
    response = httpx.put(f"{stack.gateway_url}/api/v1/admin/items/{item['id']}", json=body, headers=bearer(admin_token))
    assert response.status_code == 200, response.text
    wait_for(lambda: renamed["name"] in cached.get(f"/items/{item['id']}").text, 15, "the renamed item on the page")


def test_a_rating_shows_on_the_kept_item_page(stack, cached, item):
    before = kept(cached, f"/items/{item['id']}")
    rating = {"target": "item", "item_id": item["id"], "level": "very_satisfied", "comment": "指南清楚"}
    response = httpx.post(f"{stack.gateway_url}/api/v1/ratings", json=rating)
    assert response.status_code == 201, response.text
    wait_for(lambda: "指南清楚" in cached.get(f"/items/{item['id']}").text, 15, "the new rating on the item page")
    assert cached.get(f"/items/{item['id']}").headers["etag"] != before.headers["etag"]


def test_search_results_are_kept_only_briefly(cached, indexed):
    assert "x-cache" not in cached.get("/search", params={"q": "护照"}).headers
    assert cached.get("/search", params={"q": "护照"}).headers["x-cache"] == "HIT"
    time.sleep(SEARCH_PAGE_SECONDS + 0.5)
    assert "x-cache" not in cached.get("/search", params={"q": "护照"}).headers


@pytest.mark.parametrize("path", ["/interaction/consult", "/interaction/track", "/m/consult", "/staff/login"])
def test_pages_for_one_visitor_are_never_kept(cached, path):
    for _ in range(2):
        response = cached.get(path)
        assert response.status_code == 200 and "x-cache" not in response.headers, path
        assert "public" not in response.headers["cache-control"]
