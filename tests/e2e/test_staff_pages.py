"""The back-office pages: a department clerk logs in with the form, lists and edits their own items, sees the
catalog's validation message next to the field, and cannot post without the session's CSRF token."""

import html
import re
import uuid

import httpx

from tests.e2e.conftest import bearer
from tests.e2e.test_pages import csrf_of

PASSWORD = "a long enough password"
EDITED = ("name", "fees", "visits_required", "hours", "consultation_phone", "complaint_phone", "online_url")


def form_values(page: httpx.Response) -> dict:
    values = {"csrf_token": csrf_of(page), "version": re.search(r'name="version" value="(\d+)"', page.text).group(1)}
    for name in EDITED:
        found = re.search(rf'id="{name}" name="{name}" value="([^"]*)"', page.text)
        values[name] = html.unescape(found.group(1)) if found else ""
    return values


def test_a_clerk_edits_an_item_of_their_department_through_the_pages(stack, admin_token):
    department_id = httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"][0]["id"]
    username = f"page-clerk-{uuid.uuid4().hex[:6]}"
    member = {"username": username, "password": PASSWORD, "role": "department", "department_id": department_id}
    assert httpx.post(f"{stack.gateway_url}/api/v1/admin/staff", json=member, headers=bearer(admin_token)).is_success

    with httpx.Client(base_url=stack.gateway_url) as browser:
        assert browser.get("/staff").headers["location"] == "/staff/login"
        token = csrf_of(browser.get("/staff/login"))
        wrong = browser.post("/staff/login", data={"username": username, "password": "nope", "csrf_token": token})
        assert wrong.status_code == 401
        login = browser.post("/staff/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert login.status_code == 303 and "httponly" in login.headers["set-cookie"].lower()
        listing = browser.get("/staff")
        item_id = int(re.search(r'href="/staff/items/(\d+)"', listing.text).group(1))
        assert httpx.get(f"{stack.gateway_url}/api/v1/items/{item_id}").json()["department_id"] == department_id

        form = browser.get(f"/staff/items/{item_id}")
        values = form_values(form)
        refused = browser.post(f"/staff/items/{item_id}", data={**values, "consultation_phone": "不是电话"})
        assert refused.status_code == 400
        assert re.search(r'id="consultation_phone-error">咨询电话“不是电话”不是有效的电话号码<', refused.text)
        forged = browser.post(f"/staff/items/{item_id}", data={**values, "csrf_token": "forged"})
        assert forged.status_code == 403

        saved = browser.post(f"/staff/items/{item_id}", data={**values, "fees": "工本费5元（页面编辑）"})
        assert saved.status_code == 303 and saved.headers["location"] == f"/staff/items/{item_id}?saved=1"
        assert "已保存" in browser.get(saved.headers["location"]).text
        assert httpx.get(f"{stack.gateway_url}/api/v1/items/{item_id}").json()["fees"] == "工本费5元（页面编辑）"
