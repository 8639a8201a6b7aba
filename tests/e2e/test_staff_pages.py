"""The back-office pages on the running stack, used as a browser without JavaScript uses them (forms read from
the page and posted back): items and departments kept current, tickets worked from submission to the resident's
answer, the inbox, experiences and rating appeals; role checks, CSRF on every form, sessions required."""

import json
import re
import uuid
from collections.abc import Iterator
from functools import partial

import httpx
import pytest
from playwright.sync_api import expect

from portal_common.local_stack import ADMIN_USERNAME
from portal_common.testing import wait_for
from tests.e2e import test_browser
from tests.e2e.conftest import ADMIN_PASSWORD, bearer
from tests.e2e.page_forms import form_of
from tests.e2e.test_browser import check_accessibility, open_page, shoot
from tests.e2e.test_feedback_through_gateway import two_weeks_later
from tests.e2e.test_pages import ARTIFACTS, csrf_of

# Several test runs share the machine's cores: a request may wait longer than httpx's default 5 s.
get, post = partial(httpx.get, timeout=30), partial(httpx.post, timeout=30)
PASSWORD = "a long enough password"
PHONE = "13700137000"


def login(stack, username: str, password: str = PASSWORD) -> httpx.Client:
    """A browser session that logged in through the form."""
    client = httpx.Client(base_url=stack.gateway_url, timeout=30)
    token = csrf_of(client.get("/staff/login"))
    answer = client.post("/staff/login", data={"username": username, "password": password, "csrf_token": token})
    assert answer.status_code == 303, answer.text
    return client


def new_clerk(stack, admin_token: str, department_id: int) -> str:
    username = f"page-{uuid.uuid4().hex[:8]}"
    member = {"username": username, "password": PASSWORD, "role": "department", "department_id": department_id}
    created = post(f"{stack.gateway_url}/api/v1/admin/staff", json=member, headers=bearer(admin_token))
    assert created.status_code == 201, created.text
    return username


def submit(client: httpx.Client, page: httpx.Response, action: str, **changes) -> httpx.Response:
    """Post the form on `page` that posts to `action`, with some values changed (as a person types them)."""
    return client.post(action, data={**form_of(page, action), **changes})


def error_next_to(page: httpx.Response, field_id: str) -> str:
    found = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', page.text)
    assert found, f"no message next to {field_id}"
    return found.group(1)


@pytest.fixture(scope="module")
def departments(stack) -> tuple[int, int]:
    first, second = get(f"{stack.gateway_url}/api/v1/departments").json()["items"][:2]
    return first["id"], second["id"]


@pytest.fixture(scope="module")
def office(stack) -> httpx.Client:
    client = login(stack, ADMIN_USERNAME, ADMIN_PASSWORD)
    yield client
    client.close()


@pytest.fixture(scope="module")
def clerks(stack, admin_token, departments):
    first, second = (login(stack, new_clerk(stack, admin_token, d)) for d in departments)
    yield first, second
    first.close()
    second.close()


def new_ticket(stack, department_id: int = 0, **changes) -> dict:
    ticket = {
        "kind": "consultation",
        "subject": "补领驾驶证要带什么",
        "body": "驾驶证丢了，补领需要带哪些材料？",
        "contact_name": "钱八",
        "contact_phone": PHONE,
        "department_id": department_id,
        **changes,
    }
    key = {"Idempotency-Key": uuid.uuid4().hex}
    answer = post(f"{stack.gateway_url}/api/v1/tickets", json=ticket, headers=key)
    assert answer.status_code == 201, answer.text
    return answer.json()


def track(stack, ticket: dict) -> httpx.Response:
    """What the resident sees with the ticket's number and code."""
    return get(f"{stack.gateway_url}/api/v1/tickets/{ticket['ticket_no']}", params={"code": ticket["query_code"]})


def take_step(client: httpx.Client, ticket_no: str, action: str, **fields) -> httpx.Response:
    page = client.get(f"/staff/tickets/{ticket_no}")
    assert page.status_code == 200, page.text
    return submit(client, page, f"/staff/tickets/{ticket_no}/steps/{action}", **fields)


def staff_view(client: httpx.Client, ticket_no: str) -> httpx.Response:
    return client.get(f"/staff/tickets/{ticket_no}")


# --- items -----------------------------------------------------------------------------------------------------


def first_item_of(client: httpx.Client) -> int:
    return int(re.search(r'href="/staff/items/(\d+)"', client.get("/staff").text).group(1))


def test_a_clerk_edits_materials_and_steps_and_residents_see_them(stack, clerks, departments):
    clerk, _ = clerks
    item_id = first_item_of(clerk)
    action = f"/staff/items/{item_id}"
    page = clerk.get(action)
    rows = len(re.findall(r'name="materials-\d+-name"', page.text))

    grown = submit(clerk, page, action, add="materials")
    assert grown.status_code == 200 and f'name="materials-{rows}-name"' in grown.text
    typed = {f"materials-{rows}-name": "居住证明（页面新增）", f"materials-{rows}-copies": "两份"}
    refused = submit(clerk, grown, action, **typed)
    assert refused.status_code == 400 and error_next_to(refused, f"materials-{rows}-copies") == "应为整数"
    assert 'value="居住证明（页面新增）"' in refused.text  # what was typed stays

    with_step = submit(clerk, refused, action, **{f"materials-{rows}-copies": "2", "add": "steps"})
    steps = len(re.findall(r'name="steps-\d+-title"', with_step.text)) - 1
    saved = submit(clerk, with_step, action, **{f"steps-{steps}-title": "窗口领证（页面新增）", "save": "1"})
    assert saved.status_code == 303 and saved.headers["location"] == f"{action}?done=saved"

    item = get(f"{stack.gateway_url}/api/v1/items/{item_id}").json()
    assert {"name": "居住证明（页面新增）", "copies": 2}.items() <= item["materials"][-1].items()
    assert item["steps"][-1]["title"] == "窗口领证（页面新增）"
    public = get(f"{stack.gateway_url}/items/{item_id}").text
    assert "居住证明（页面新增）" in public and "窗口领证（页面新增）" in public

    page = clerk.get(saved.headers["location"])
    assert "已保存" in page.text and "修改记录" in page.text and "申请材料（已修改）" in page.text
    removed = submit(clerk, page, action, remove=f"materials-{rows}")
    assert "居住证明（页面新增）" not in removed.text
    assert submit(clerk, removed, action, save="1").status_code == 303
    assert "居住证明（页面新增）" not in str(get(f"{stack.gateway_url}/api/v1/items/{item_id}").json())


def test_the_catalog_message_shows_next_to_the_row_and_a_stale_form_shows_the_current_values(stack, clerks):
    clerk, _ = clerks
    item_id = first_item_of(clerk)
    action = f"/staff/items/{item_id}"
    grown = submit(clerk, clerk.get(action), action, add="staff_in_charge")
    last = len(re.findall(r'name="staff_in_charge-\d+-name"', grown.text)) - 1
    bad = {f"staff_in_charge-{last}-name": "李四", f"staff_in_charge-{last}-phone": "不是电话"}
    refused = submit(clerk, grown, action, **bad)
    assert refused.status_code == 400
    assert error_next_to(refused, f"staff_in_charge-{last}-phone") == "承办人员“不是电话”不是有效的电话号码"
    assert 'value="不是电话"' in refused.text

    stale = clerk.get(action)
    assert submit(clerk, stale, action, fees="工本费10元（先保存）").status_code == 303
    conflict = submit(clerk, stale, action, fees="工本费20元（后保存）")
    assert conflict.status_code == 409
    assert "该事项已被他人修改" in conflict.text and "收费标准" in conflict.text
    assert 'value="工本费10元（先保存）"' in conflict.text and "工本费20元" not in conflict.text


def test_publish_and_withdraw_from_the_edit_page(stack, clerks):
    clerk, _ = clerks
    item_id = first_item_of(clerk)
    status = f"/staff/items/{item_id}/status"
    page = clerk.get(f"/staff/items/{item_id}")
    withdrawn = submit(clerk, page, status, status="withdrawn")
    assert withdrawn.status_code == 303
    assert get(f"{stack.gateway_url}/api/v1/items/{item_id}").status_code == 404
    page = clerk.get(withdrawn.headers["location"])
    assert "已撤回" in page.text
    assert submit(clerk, page, status, status="published").status_code == 303
    assert get(f"{stack.gateway_url}/api/v1/items/{item_id}").status_code == 200


def test_a_department_keeps_its_description_but_not_its_name(stack, clerks, office, departments):
    clerk, _ = clerks
    own, other = departments
    assert clerk.get("/staff/departments").headers["location"] == f"/staff/departments/{own}"
    action = f"/staff/departments/{own}"
    page = clerk.get(action)
    assert re.search(r'id="name" name="name" value="[^"]*" readonly', page.text)
    grown = submit(clerk, page, action, add="internal_structure")
    last = len(re.findall(r'name="internal_structure-\d+-name"', grown.text)) - 1
    typed = {"functions": "负责本市有关工作（页面修改）", f"internal_structure-{last}-name": "便民服务科"}
    saved = submit(clerk, grown, action, **typed)
    assert saved.status_code == 303
    department = get(f"{stack.gateway_url}/api/v1/departments/{own}").json()
    assert department["functions"] == "负责本市有关工作（页面修改）"
    assert department["internal_structure"][-1]["name"] == "便民服务科"

    renamed = submit(clerk, clerk.get(action), action, name="改名了")
    assert renamed.status_code == 403 and error_next_to(renamed, "name") == "部门的名称只能由门户办公室修改"
    foreign = submit(clerk, clerk.get(f"/staff/departments/{other}"), f"/staff/departments/{other}")
    assert foreign.status_code == 403 and "您只能维护本部门的信息" in foreign.text
    assert "部门管理" in office.get("/staff/departments").text


# --- tickets -----------------------------------------------------------------------------------------------------


def test_a_ticket_lives_through_the_pages_to_the_residents_answer(stack, office, clerks, departments):
    clerk, other_clerk = clerks
    item = get(f"{stack.gateway_url}/api/v1/items", params={"department_id": departments[0], "size": 1})
    item_id = item.json()["items"][0]["id"]
    ticket = new_ticket(stack, departments[0], item_id=item_id, public=True)
    ticket_no = ticket["ticket_no"]

    assert ticket_no in office.get("/staff/triage").text
    page = staff_view(office, ticket_no)
    assert PHONE in page.text and "钱八" in page.text  # staff see the contact details
    assert take_step(office, ticket_no, "accept").status_code == 303
    unassigned = take_step(office, ticket_no, "assign")
    assert unassigned.status_code == 400 and error_next_to(unassigned, "assign-department_id") == "请选择承办部门"
    assert take_step(office, ticket_no, "assign", department_id=str(departments[0])).status_code == 303

    queue = clerk.get("/staff/tickets?status=assigned")
    assert ticket_no in queue.text and re.search(r'待签收 <span class="badge">[1-9]\d*</span>', queue.text)
    forbidden = staff_view(other_clerk, ticket_no)
    assert forbidden.status_code == 403 and "无权访问" in forbidden.text and "您只能查看本部门的件" in forbidden.text
    assert ticket_no not in other_clerk.get("/staff/tickets").text

    assert take_step(clerk, ticket_no, "sign").status_code == 303
    answer = "带身份证和一寸照片到车管所窗口即可补领。"
    answered = take_step(clerk, ticket_no, "answer", note=answer, publish="on")
    assert answered.status_code == 303, answered.text
    page = clerk.get(answered.headers["location"])
    assert "已答复办结" in page.text or "已答复" in page.text
    assert "已公开为问答" in page.text
    assert "/steps/unpublish" in page.text and '/steps/publish"' not in page.text

    tracked = track(stack, ticket)
    assert tracked.json()["status"] == "answered" and tracked.json()["answer"] == answer
    questions = get(f"{stack.gateway_url}/api/v1/items/{item_id}/questions").json()["items"]
    assert ticket_no in [q["ticket_no"] for q in questions]


def test_a_returned_ticket_is_reassigned_and_its_department_asks_for_more_time(stack, office, clerks, departments):
    first, second = clerks
    ticket_no = new_ticket(stack, kind="complaint", subject="窗口态度差")["ticket_no"]
    take_step(office, ticket_no, "accept")
    take_step(office, ticket_no, "assign", department_id=str(departments[0]))

    refused = take_step(first, ticket_no, "return", note="")
    assert refused.status_code == 400 and "请填写" in error_next_to(refused, "return-note")
    assert take_step(first, ticket_no, "return", note="不属于本部门职责，应由另一部门办理").status_code == 303
    triage = office.get("/staff/triage")
    returned = triage.text.split('id="q-returned"', 1)[1].split("</section>", 1)[0]
    assert ticket_no in returned
    assert "不属于本部门职责" in staff_view(office, ticket_no).text
    assert take_step(office, ticket_no, "assign", department_id=str(departments[1])).status_code == 303

    assert take_step(second, ticket_no, "sign").status_code == 303
    bad_days = take_step(second, ticket_no, "request_extension", days="五天", note="需要现场核实")
    assert bad_days.status_code == 400 and error_next_to(bad_days, "request_extension-days") == "应为整数"
    assert "需要现场核实" in bad_days.text
    asked = take_step(second, ticket_no, "request_extension", days="5", note="需要现场核实")
    assert asked.status_code == 303
    assert "申请延期 5 天" in staff_view(office, ticket_no).text
    assert take_step(office, ticket_no, "grant_extension", note="同意").status_code == 303
    assert "同意延期" in staff_view(second, ticket_no).text


def test_each_role_sees_only_the_steps_it_may_take(stack, office, clerks, departments):
    clerk, _ = clerks
    ticket_no = new_ticket(stack)["ticket_no"]
    office_page = staff_view(office, ticket_no).text
    assert all(f"/steps/{a}" in office_page for a in ("accept", "reject", "merge"))
    take_step(office, ticket_no, "accept")
    take_step(office, ticket_no, "assign", department_id=str(departments[0]))
    clerk_page = clerk.get(f"/staff/tickets/{ticket_no}")
    assert "/steps/sign" in clerk_page.text and "/steps/accept" not in clerk_page.text
    form = {**form_of(clerk_page, f"/staff/tickets/{ticket_no}/steps/sign")}
    forced = clerk.post(f"/staff/tickets/{ticket_no}/steps/reopen", data={**form, "note": "x"})
    assert forced.status_code == 403 and "您的角色不能进行“重新办理”操作" in forced.text
    assert "/staff/triage" not in clerk.get("/staff").text  # the office's queues are not in a department's menu


def test_overdue_tickets_are_marked_in_the_queues_and_listed_for_the_office(stack, office, clerks, departments):
    clerk, _ = clerks
    ticket_no = new_ticket(stack, departments[0], subject="超期未办的件")["ticket_no"]
    take_step(office, ticket_no, "accept")
    take_step(office, ticket_no, "assign", department_id=str(departments[0]))
    take_step(clerk, ticket_no, "sign")
    two_weeks_later(stack, ticket_no)
    marked = rf'href="/staff/tickets/{ticket_no}">(?:(?!</tr>).)*<span class="mark escalated">已督办</span>'
    assert re.search(marked, office.get("/staff/overdue").text, re.DOTALL)
    assert re.search(marked, clerk.get("/staff/tickets?status=in_progress").text, re.DOTALL)
    assert take_step(office, ticket_no, "remind", note="请今日办结").status_code == 303
    assert "请今日办结" in staff_view(clerk, ticket_no).text


def test_rejecting_tells_the_resident_why(stack, office):
    ticket = new_ticket(stack)
    assert take_step(office, ticket["ticket_no"], "reject", note="").status_code == 400
    assert take_step(office, ticket["ticket_no"], "reject", note="诉求不属于本平台受理范围").status_code == 303
    tracked = track(stack, ticket)
    assert tracked.json()["status"] == "rejected"
    assert "诉求不属于本平台受理范围" in [h["note"] for h in tracked.json()["history"]]


# --- inbox, experiences, ratings ---------------------------------------------------------------------------------


def test_inbox_experiences_and_rating_appeals(stack, office, clerks, departments):
    clerk, _ = clerks
    story = {"title": "半小时办完", "body": "窗口很快。", "department_id": departments[0], "author_name": "孙七"}
    experience_id = post(f"{stack.gateway_url}/api/v1/experiences", json=story).json()["id"]
    queue = office.get("/staff/experiences")
    assert "半小时办完" in queue.text
    moderation = f"/staff/experiences/{experience_id}/moderation"
    unexplained = submit(office, queue, moderation, decision="reject")
    assert unexplained.status_code == 400 and error_next_to(unexplained, f"moderate-{experience_id}")
    assert submit(office, queue, moderation, decision="publish").status_code == 303
    notes = f"/staff/experiences/{experience_id}/notes"
    assert submit(clerk, clerk.get("/staff/experiences"), notes, body="已回访，感谢肯定").status_code == 303
    shown = get(f"{stack.gateway_url}/api/v1/experiences", params={"department_id": departments[0]}).json()
    assert "已回访，感谢肯定" in str(shown)

    rating = {"target": "department", "department_id": departments[0], "level": "very_dissatisfied", "comment": "恶意"}
    rating_id = post(f"{stack.gateway_url}/api/v1/ratings", json=rating).json()["id"]
    ratings = clerk.get("/staff/ratings")
    reason = "同一号码一天内差评二十次"
    assert submit(clerk, ratings, f"/staff/ratings/{rating_id}/appeal", reason=reason).status_code == 303
    review = office.get("/staff/ratings")
    assert reason in review.text
    reviewed = submit(office, review, f"/staff/ratings/{rating_id}/review", decision="uphold", note="查实")
    assert reviewed.status_code == 303
    assert "申诉成立" in clerk.get("/staff/ratings?status=excluded").text

    wait_for(lambda: "/staff/inbox/" in clerk.get("/staff/inbox?unread=1").text, 20, "the inbox filled from events")
    inbox = clerk.get("/staff/inbox?unread=1")
    before = int(re.search(r'<h1>消息 <span class="badge">(\d+)</span>', inbox.text).group(1))
    entry = re.search(r'action="(/staff/inbox/\d+/read)"', inbox.text).group(1)
    assert submit(clerk, inbox, entry).status_code == 303
    after = int(re.search(r'<h1>消息 <span class="badge">(\d+)</span>', clerk.get("/staff/inbox").text).group(1))
    assert after == before - 1


# --- sessions, CSRF, errors ------------------------------------------------------------------------------------------

FORMS = [
    "/staff/logout",
    "/staff/items/1",
    "/staff/items/1/status",
    "/staff/departments/1",
    *(f"/staff/tickets/T-1/steps/{a}" for a in ("accept", "reject", "merge", "assign", "sign", "return")),
    *(f"/staff/tickets/T-1/steps/{a}" for a in ("request_extension", "grant_extension", "deny_extension")),
    *(f"/staff/tickets/T-1/steps/{a}" for a in ("answer", "close", "reopen", "remind", "escalate", "publish")),
    "/staff/tickets/T-1/steps/unpublish",
    "/staff/inbox/1/read",
    "/staff/experiences/1/moderation",
    "/staff/experiences/1/notes",
    "/staff/ratings/1/appeal",
    "/staff/ratings/1/review",
]


def test_every_form_refuses_a_post_without_the_sessions_token(stack, office):
    for action in FORMS:
        for token in ({}, {"csrf_token": "forged"}):
            refused = office.post(action, data={"note": "x", **token})
            assert refused.status_code == 403, action
            assert "页面已过期，请刷新后重试" in refused.text, action
    good = csrf_of(office.get("/staff"))
    foreign = office.post("/staff/items/1", data={"csrf_token": good}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert office.get("/staff").status_code == 200  # still logged in: no refused post logged anyone out
    token = csrf_of(get(f"{stack.gateway_url}/staff/login"))
    assert post(f"{stack.gateway_url}/staff/login", data={"csrf_token": token}).status_code == 403


def test_pages_need_a_session_and_unknown_pages_say_so(stack, office):
    pages = ("/staff", "/staff/items/1", "/staff/tickets", "/staff/triage", "/staff/overdue", "/staff/inbox")
    for path in (*pages, "/staff/experiences", "/staff/ratings", "/staff/departments", "/staff/tickets/T-1"):
        answer = get(f"{stack.gateway_url}{path}")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login?next="), path
    back = get(f"{stack.gateway_url}/staff/login", params={"next": "/staff/tickets"})
    assert 'name="next" value="/staff/tickets"' in back.text
    evil = get(f"{stack.gateway_url}/staff/login", params={"next": "//evil.example/"})
    assert 'name="next" value="/staff"' in evil.text
    missing = office.get("/staff/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.text
    assert office.get("/staff/tickets/NO-SUCH-1").status_code == 404


# --- in a real browser -------------------------------------------------------------------------------------------

browser = test_browser.browser  # the same fixture: one chromium for this module's browser test


@pytest.fixture(scope="module")
def staff_axe() -> Iterator[dict]:
    report: dict = {}
    yield report
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "staff-axe-results.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))


def test_a_clerk_works_a_ticket_and_an_item_in_a_browser(stack, admin_token, office, departments, browser, staff_axe):
    username = new_clerk(stack, admin_token, departments[0])
    ticket_no = new_ticket(stack, departments[0], subject="浏览器里办理的件")["ticket_no"]
    take_step(office, ticket_no, "accept")
    take_step(office, ticket_no, "assign", department_id=str(departments[0]))

    page = open_page(browser, 1280)
    page.goto(f"{stack.gateway_url}/staff/tickets/{ticket_no}")  # no session yet: the log-in form, then back here
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/staff/tickets/{ticket_no}")
    expect(page.locator("h1")).to_contain_text("浏览器里办理的件")
    check_accessibility(page, "staff ticket", staff_axe)
    shoot(page, "staff-1280-1-ticket")
    page.get_by_role("button", name="签收").click()
    expect(page.locator(".notice")).to_contain_text("已签收")
    page.fill("#answer-note", "请携带身份证到窗口办理。")
    page.get_by_role("button", name="答复").click()
    expect(page.locator(".notice")).to_contain_text("已答复办结")
    check_accessibility(page, "staff ticket answered", staff_axe)
    shoot(page, "staff-1280-2-ticket-answered")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the ticket page reads on a phone
    shoot(page, "staff-360-ticket-answered")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{stack.gateway_url}/staff")
    page.locator("table a").first.click()
    page.wait_for_url("**/staff/items/*")
    rows = page.locator("#materials tbody tr").count()
    page.get_by_role("button", name="增加一行申请材料").click()  # a plain submit: works without JavaScript
    expect(page.locator("#materials tbody tr")).to_have_count(rows + 1)
    check_accessibility(page, "staff item edit", staff_axe)
    shoot(page, "staff-1280-3-item-edit")
    page.close()
