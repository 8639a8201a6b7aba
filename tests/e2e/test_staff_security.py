"""Staff accounts under attack, through the gateway: password guessing, session fixation, logout, CSRF on every
staff action, a department reaching for another's tickets, and residents' contact details kept out of every public
answer. The gateway trusts X-Forwarded-For from 127.0.0.1 (uvicorn's default), which lets a test speak from other
addresses."""

import re
import uuid

import httpx
import pytest

from gateway.auth import SESSION_COOKIE
from tests.e2e.conftest import bearer
from tests.e2e.test_feedback_through_gateway import clerk_of, consultation, step, submit
from tests.e2e.test_pages import csrf_of

PASSWORD = "a long enough password"
ATTACKER, OWNER = {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "198.51.100.21"}


def new_clerk(stack, admin_token, department_id: int) -> str:
    username = f"sec-{uuid.uuid4().hex[:8]}"
    created = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/staff",
        headers=bearer(admin_token),
        json={"username": username, "password": PASSWORD, "role": "department", "department_id": department_id},
    )
    assert created.status_code == 201, created.text
    return username


def log_in(stack, username: str, password: str = PASSWORD, headers: dict | None = None) -> httpx.Response:
    body = {"username": username, "password": password}
    return httpx.post(f"{stack.gateway_url}/api/v1/auth/login", json=body, headers=headers)


@pytest.fixture(scope="module")
def department_ids(stack) -> tuple[int, int]:
    first, second = httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"][:2]
    return first["id"], second["id"]


def test_guessing_locks_the_guessers_address_out_but_not_the_owner(stack, admin_token, department_ids):
    username = new_clerk(stack, admin_token, department_ids[0])
    guesses = [log_in(stack, username, f"guess-{n}-password", ATTACKER) for n in range(5)]
    assert {(g.status_code, g.json()["code"]) for g in guesses} == {(401, "login_failed")}
    locked = log_in(stack, username, headers=ATTACKER)  # even the right password
    assert locked.status_code == 401 and locked.json()["code"] == "account_locked"
    assert "锁定" in locked.json()["message"] and "token" not in locked.json()
    assert log_in(stack, username, headers=OWNER).status_code == 200


def test_a_planted_session_cookie_is_replaced_at_login_and_logout_ends_the_session(stack, admin_token, department_ids):
    username = new_clerk(stack, admin_token, department_ids[0])
    planted = "attacker-chosen-session-id"
    with httpx.Client(base_url=stack.gateway_url, cookies={SESSION_COOKIE: planted}) as browser:
        first = browser.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert first.status_code == 200 and first.cookies[SESSION_COOKIE] not in ("", planted)
        token = first.json()["token"]
        assert browser.get("/api/v1/auth/me").json()["username"] == username
    assert httpx.get(f"{stack.gateway_url}/api/v1/auth/me", cookies={SESSION_COOKIE: planted}).status_code == 401
    second = log_in(stack, username).json()["token"]
    assert second != token  # every login is a new session

    logout = httpx.post(f"{stack.gateway_url}/api/v1/auth/logout", headers=bearer(token))
    assert logout.status_code == 204
    for path in ("/api/v1/auth/me", "/api/v1/admin/items", "/api/v1/admin/tickets", "/api/v1/admin/inbox"):
        after = httpx.get(f"{stack.gateway_url}{path}", headers=bearer(token))
        assert after.status_code == 401 and after.json()["code"] == "session_invalid", path
        assert httpx.get(f"{stack.gateway_url}{path}", cookies={SESSION_COOKIE: token}).status_code == 401
    assert httpx.get(f"{stack.gateway_url}/api/v1/auth/me", headers=bearer(second)).status_code == 200


def staff_changes(openapi: dict) -> list[tuple[str, str]]:
    """Every state-changing staff route of the API, with its path parameters filled in."""
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in openapi["paths"].items()
        if path.startswith("/api/v1/admin/") or path == "/api/v1/auth/logout"
        for method in operations
        if method in ("post", "put", "patch", "delete")
    ]


def test_every_staff_change_with_the_cookie_needs_the_csrf_token(stack, admin_token, department_ids):
    username = new_clerk(stack, admin_token, department_ids[0])
    with httpx.Client(base_url=stack.gateway_url) as browser:
        login = browser.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        changes = staff_changes(browser.get("/openapi.json").json())
        assert len(changes) >= 15, changes
        for headers in ({}, {"X-CSRF-Token": "0" * 64}, {"X-CSRF-Token": login.json()["token"]}):
            for method, path in changes:
                answer = browser.request(method, path, json={}, headers=headers)
                assert (answer.status_code, answer.json()["code"]) == (403, "csrf_failed"), (method, path, headers)
        assert browser.get("/api/v1/auth/me").status_code == 200  # nothing above ended the session


def test_staff_forms_need_the_sessions_csrf_token(stack, admin_token, department_ids):
    username = new_clerk(stack, admin_token, department_ids[0])
    item = httpx.get(f"{stack.gateway_url}/api/v1/items", params={"department_id": department_ids[0], "size": 1})
    item_id = item.json()["items"][0]["id"]
    with httpx.Client(base_url=stack.gateway_url) as browser:
        assert browser.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}).status_code == 200
        for path in (f"/staff/items/{item_id}", "/staff/logout"):
            for token in ({}, {"csrf_token": "forged"}):
                answer = browser.post(path, data={"name": "被篡改的名称", **token})
                assert answer.status_code == 403 and "页面已过期" in answer.text, path
                assert "Traceback" not in answer.text
        assert browser.get("/api/v1/auth/me").status_code == 200
    after = httpx.get(f"{stack.gateway_url}/api/v1/items/{item_id}").json()
    assert after["name"] != "被篡改的名称"


def test_a_department_reaching_for_another_departments_tickets_is_refused_and_logged(
    stack, admin_token, department_ids
):
    own, other = department_ids
    office = httpx.Client(base_url=stack.gateway_url, headers=bearer(admin_token))
    intruder = clerk_of(stack, admin_token, own)
    intruder_name = intruder.get("/api/v1/auth/me").json()["username"]
    ticket_no = submit(stack, consultation(kind="complaint")).json()["ticket_no"]
    step(office, ticket_no, "accept")
    assert step(office, ticket_no, "assign", department_id=other).status_code == 200
    attempts = [
        intruder.get(f"/api/v1/admin/tickets/{ticket_no}"),
        step(intruder, ticket_no, "sign"),
        step(intruder, ticket_no, "answer", note="冒名答复"),
        intruder.get("/api/v1/admin/tickets", params={"department_id": other}),
    ]
    assert [(a.status_code, a.json()["code"]) for a in attempts] == [(403, "forbidden_department")] * 4
    assert "13700137000" not in str([a.text for a in attempts])
    history = office.get(f"/api/v1/admin/tickets/{ticket_no}").json()
    assert history["status"] == "assigned" and [h["step"] for h in history["history"]][-1] == "assigned"
    refusals = [line for line in stack.log("feedback").splitlines() if f"forbidden: {intruder_name}" in line]
    assert len(refusals) >= 4, refusals  # the audit trail: who tried what on which department's work
    office.close()
    intruder.close()


def test_a_residents_name_and_phone_appear_in_no_public_answer(stack, admin_token):
    name, phone = "欧阳翠花", "13987654321"
    office = httpx.Client(base_url=stack.gateway_url, headers=bearer(admin_token))
    item = httpx.get(f"{stack.gateway_url}/api/v1/items", params={"size": 1}).json()["items"][0]
    created = submit(stack, consultation(item_id=item["id"], public=True, contact_name=name, contact_phone=phone))
    ticket_no, code = created.json()["ticket_no"], created.json()["query_code"]
    step(office, ticket_no, "accept")
    step(office, ticket_no, "answer", note="请携带身份证原件办理。")
    assert step(office, ticket_no, "publish").status_code == 200
    story = {"title": "办事顺利", "body": "很快办完。", "item_id": item["id"], "author_name": name}
    story["contact_phone"] = phone
    story_id = httpx.post(f"{stack.gateway_url}/api/v1/experiences", json=story).json()["id"]
    assert office.post(f"/api/v1/admin/experiences/{story_id}/moderation", json={"decision": "publish"}).is_success
    assert office.get(f"/api/v1/admin/tickets/{ticket_no}").json()["contact_phone"] == phone  # staff see it

    public = [
        f"/api/v1/tickets/{ticket_no}?code={code}",
        f"/api/v1/items/{item['id']}/questions",
        f"/api/v1/experiences?item_id={item['id']}",
        f"/api/v1/items/{item['id']}",
        f"/items/{item['id']}",
        f"/m/items/{item['id']}",
        "/interaction",
    ]
    with httpx.Client(base_url=stack.gateway_url, follow_redirects=True) as resident:  # a track form leads on
        answers = {path: resident.get(path) for path in public}  # to the ticket's own page
        for track in ("/interaction/track", "/m/track"):
            form = {"number": ticket_no, "code": code, "csrf_token": csrf_of(resident.get(track))}
            answers[track] = resident.post(track, data=form)
    assert all(a.status_code == 200 for a in answers.values()), {p: a.status_code for p, a in answers.items()}
    shown = "\n".join(a.text for a in answers.values())
    assert ticket_no in shown  # the pages did show the ticket and the story
    for secret in (name, name[1:], phone, phone[3:]):
        assert secret not in shown, secret
    office.close()
