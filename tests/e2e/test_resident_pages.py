"""The residents' side of feedback on the pages, desktop and WAP, over HTTP on the running stack: the tracking page,
an item's Q&A and ratings, rating forms, shared experiences, the public department scores, and what the pages do
while the feedback service is down."""

import re
import uuid
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest

from portal_common.testing import free_port
from tests.e2e.conftest import bearer, second_gateway
from tests.e2e.test_pages import csrf_of

CONTACT = {"contact_name": "赵六", "contact_phone": "13700137000"}
SITES = {"desktop": ("", "/interaction"), "wap": ("/m", "/m")}


def resident(stack, name: str) -> httpx.Client:
    """A browser of its own address (the feedback service limits submissions per address)."""
    address = f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
    return httpx.Client(base_url=stack.gateway_url, headers={"X-Forwarded-For": address, "User-Agent": name})


@pytest.fixture(scope="module")
def office(stack, admin_token) -> httpx.Client:
    with httpx.Client(base_url=stack.gateway_url, headers=bearer(admin_token)) as client:
        yield client


@pytest.fixture(scope="module")
def department(stack) -> dict:
    return max(httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"], key=lambda d: d["item_count"])


def new_item(office: httpx.Client, department_id: int) -> dict:
    """A published item of its own, so that its Q&A and ratings are this test's alone."""
    guide = {
        "code": f"FB-{uuid.uuid4().hex[:8]}",
        "name": f"评价测试事项{uuid.uuid4().hex[:4]}",
        "section": "办事服务",
        "department_id": department_id,
        "fees": "不收费",
        "status": "published",
    }
    created = office.post("/api/v1/admin/items", json=guide)
    assert created.status_code == 201, created.text
    return created.json()


def step(office: httpx.Client, number: str, action: str, **fields) -> dict:
    response = office.post(f"/api/v1/admin/tickets/{number}/transitions", json={"action": action, **fields})
    assert response.status_code == 200, response.text
    return response.json()


def submitted(stack, **fields) -> dict:
    """A ticket submitted through the API, from an address of its own."""
    body = {"kind": "consultation", "subject": "居住证要多久", "body": "外地户口办居住证要几天？", **CONTACT, **fields}
    with resident(stack, "api") as client:
        response = client.post("/api/v1/tickets", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def forwarded_consultation(stack, office, *, department_id: int) -> dict:
    """A consultation accepted, forwarded to the department and chased (催办) by the portal office."""
    created = submitted(stack)
    step(office, created["ticket_no"], "accept")
    step(office, created["ticket_no"], "assign", department_id=department_id)
    step(office, created["ticket_no"], "remind")
    return created


@pytest.mark.parametrize("site", SITES)
def test_the_tracking_page_shows_status_deadline_history_and_no_contact_details(stack, office, department, site):
    prefix, forms = SITES[site]
    created = forwarded_consultation(stack, office, department_id=department["id"])
    number, code = created["ticket_no"], created["query_code"]
    with resident(stack, site) as browser:
        tracked = browser.post(
            f"{forms}/track",
            data={"number": number, "code": code, "csrf_token": csrf_of(browser.get(f"{forms}/track"))},
        )
        assert tracked.status_code == 303 and tracked.headers["location"] == f"{prefix}/tickets/{number}?code={code}"
        page = browser.get(tracked.headers["location"])
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    for text in ("已转交承办部门", "居住证要多久", "提交", "受理", "转办", "催办", department["name"], "门户办公室"):
        assert text in page.text, text
    assert re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d前", page.text)  # the deadline, in local time
    assert "赵六" not in page.text and "13700137000" not in page.text


@pytest.mark.parametrize("site", SITES)
def test_a_wrong_or_missing_code_never_tells_whether_the_number_exists(stack, site):
    prefix, _ = SITES[site]
    created = submitted(stack, kind="suggestion", subject="建议", body="多开窗口")
    with resident(stack, site) as browser:
        answers = [
            browser.get(f"{prefix}/tickets/{created['ticket_no']}", params={"code": "AAAAAA"}),
            browser.get(f"{prefix}/tickets/{created['ticket_no']}"),
            browser.get(f"{prefix}/tickets/29990101999999", params={"code": "AAAAAA"}),
        ]
    assert {a.status_code for a in answers} == {404}
    messages = {re.search(r"没有找到[^<]*", a.text).group(0) for a in answers}
    assert messages == {"没有找到该件，请核对编号和查询码"}
    assert all('name="number"' in a.text for a in answers)  # the form to try again


def test_the_consult_confirmation_links_to_the_tracking_page(stack):
    with resident(stack, "confirm") as browser:
        form = browser.get("/interaction/consult")
        fields = {"kind": "help", "title": "求助", "content": "老人行动不便", "csrf_token": csrf_of(form)}
        done = browser.post("/interaction/consult", data=fields)
        link = re.search(r'href="(/tickets/\d+\?code=\w+)"', done.text).group(1)
        assert "已提交" in browser.get(link).text
        bot = browser.post("/interaction/consult", data={**fields, "homepage": "http://cheap-pills.example"})
        assert bot.status_code == 400 and "老人行动不便" in bot.text and 'class="hp"' in bot.text


@pytest.mark.parametrize("site", SITES)
def test_rating_an_item_from_its_page_updates_its_summary_and_cache(stack, office, department, site):
    prefix, forms = SITES[site]
    item = new_item(office, department["id"])
    with resident(stack, site) as browser:
        before = browser.get(f"{prefix}/items/{item['id']}")
        assert before.status_code == 200 and "提交评价" in before.text and "csrf_token" not in before.text
        assert re.search(r"<title>([^<]*)</title>", before.text).group(1).startswith(item["name"])
        typed = {"item_id": str(item["id"]), "level": "very_satisfied", "score_accuracy": "5", "comment": "窗口很耐心"}
        confirm = browser.post(f"{forms}/rate", data=typed)  # from the cached page: nothing is submitted yet
        assert confirm.status_code == 200 and "请核对您的评价" in confirm.text and "窗口很耐心" in confirm.text
        assert confirm.headers["cache-control"] == "private, no-store"
        done = browser.post(f"{forms}/rate", data={**typed, "csrf_token": csrf_of(confirm)})
        assert done.status_code == 201 and "感谢您的评价" in done.text
        refused = browser.post(f"{forms}/rate", data={**typed, "level": "", "csrf_token": csrf_of(confirm)})
        assert refused.status_code == 400 and "请选择评价等级" in refused.text and "窗口很耐心" in refused.text
        after = browser.get(f"{prefix}/items/{item['id']}", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert "窗口很耐心" in after.text and "100%" in after.text
    assert parsedate_to_datetime(after.headers["last-modified"]) >= parsedate_to_datetime(
        before.headers["last-modified"]
    )
    assert f"feedback-item-{item['id']}" in after.headers["surrogate-key"]
    summary = httpx.get(f"{stack.gateway_url}/api/v1/items/{item['id']}/ratings").json()
    assert (
        summary["count"] == 1
        and summary["levels"]["very_satisfied"] == 1
        and summary["sub_scores"] == {"accuracy": 5.0}
    )


def test_a_bad_rating_tells_the_resident_how_to_follow_the_rectification(stack, office, department):
    item = new_item(office, department["id"])
    with resident(stack, "bad rating") as browser:
        token = csrf_of(browser.get("/interaction/rate", params={"item_id": item["id"]}))
        typed = {
            "item_id": str(item["id"]),
            "level": "dissatisfied",
            "comment": "材料清单与指南不符",
            "csrf_token": token,
        }
        done = browser.post("/interaction/rate", data=typed)
        assert done.status_code == 201 and "整改件编号" in done.text
        link = re.search(r'href="(/tickets/\d+\?code=\w+)"', done.text).group(1)
        assert "已转交承办部门" in browser.get(link).text


def test_the_department_page_offers_rating_consulting_and_its_scores(stack, department):
    with resident(stack, "department") as browser:
        page = browser.get(f"/departments/{department['id']}")
        assert f'href="/interaction/scores?department_id={department["id"]}"' in page.text and "评价本部门" in page.text
        assert re.search(r"<title>([^<]*)</title>", page.text).group(1).startswith(department["name"])
        consult = browser.get(f"/interaction/consult?department_id={department['id']}")
        assert f'name="department_id" value="{department["id"]}"' in consult.text and department["name"] in consult.text
        token = csrf_of(consult)
        typed = {
            "department_id": str(department["id"]),
            "level": "satisfied",
            "score_attitude": "4",
            "csrf_token": token,
        }
        assert browser.post("/interaction/rate", data=typed).status_code == 201
        scores = browser.get("/interaction/scores", params={"department_id": department["id"]})
    assert scores.status_code == 200 and department["name"] in scores.text and "满意率" in scores.text
    month = f"{datetime.now():%Y-%m}"
    assert httpx.get(f"{stack.gateway_url}/interaction/scores", params={"month": month}).status_code == 200
    assert httpx.get(f"{stack.gateway_url}/interaction/scores", params={"month": "2026-13"}).status_code == 400
    assert "评价" in httpx.get(f"{stack.gateway_url}/m/departments/{department['id']}").text


@pytest.mark.parametrize("site", SITES)
def test_a_shared_experience_is_moderated_then_listed_with_the_staff_note(stack, office, department, site):
    prefix, forms = SITES[site]
    title = f"补办社保卡很顺利{uuid.uuid4().hex[:4]}"
    with resident(stack, site) as browser:
        form = browser.get(f"{forms}/share", params={"department_id": department["id"]})
        typed = {"title": title, "body": "", "department_id": str(department["id"]), "csrf_token": csrf_of(form)}
        refused = browser.post(f"{forms}/share", data=typed)
        assert refused.status_code == 400 and title in refused.text
        done = browser.post(f"{forms}/share", data={**typed, "body": "窗口一次说清了材料", "author_name": "李四"})
        assert done.status_code == 201 and "审核" in done.text
    assert title not in httpx.get(f"{stack.gateway_url}{forms}/experiences").text  # not before moderation
    pending = office.get("/api/v1/admin/experiences", params={"status": "pending", "size": 100}).json()["items"]
    post = next(p for p in pending if p["title"] == title)
    assert office.post(f"/api/v1/admin/experiences/{post['id']}/moderation", json={"decision": "publish"}).is_success
    assert office.post(f"/api/v1/admin/experiences/{post['id']}/notes", json={"body": "已回访，谢谢支持"}).is_success
    for path in (f"{forms}/experiences", "/"):
        page = httpx.get(f"{stack.gateway_url}{path}")
        assert title in page.text and "已回访，谢谢支持" in page.text and "李四" not in page.text, path


def test_feedback_down_leaves_the_item_page_and_keeps_what_was_typed(stack, office, department):
    item = new_item(office, department["id"])
    url = second_gateway(stack, "gateway-feedback-down", GATEWAY_FEEDBACK_ADDRESS=f"127.0.0.1:{free_port()}")
    for path in (f"/items/{item['id']}", f"/m/items/{item['id']}"):
        page = httpx.get(f"{url}{path}")
        assert page.status_code == 200 and item["name"] in page.text and "暂时无法显示" in page.text, path
        assert page.headers["cache-control"] == "private, no-store"
    home = httpx.get(f"{url}/")
    assert home.status_code == 200 and "办事经历暂时无法显示" in home.text
    with httpx.Client(base_url=url) as browser:
        for forms in ("/interaction", "/m"):
            token = csrf_of(browser.get(f"{forms}/rate", params={"item_id": item["id"]}))
            typed = {"item_id": str(item["id"]), "level": "satisfied", "comment": "人少很快", "csrf_token": token}
            page = browser.post(f"{forms}/rate", data=typed)
            assert page.status_code == 503 and "评价服务暂时不可用" in page.text and "人少很快" in page.text
            token = csrf_of(browser.get(f"{forms}/share"))
            typed = {"title": "办证经历", "body": "跑了三次", "csrf_token": token}
            page = browser.post(f"{forms}/share", data=typed)
            assert page.status_code == 503 and "分享服务暂时不可用" in page.text and "跑了三次" in page.text


@pytest.mark.parametrize("site", SITES)
def test_the_resident_rates_the_answer_on_the_tracking_page(stack, office, site):
    prefix, forms = SITES[site]
    outcomes = {}
    for level in ("satisfied", "very_dissatisfied"):
        created = submitted(stack)
        step(office, created["ticket_no"], "accept")
        step(office, created["ticket_no"], "answer", note="携带身份证和居住证明，7个工作日办结")
        url = f"{prefix}/tickets/{created['ticket_no']}?code={created['query_code']}"
        with resident(stack, site) as browser:
            page = browser.get(url)
            assert "评价办理结果" in page.text and "7个工作日办结" in page.text
            fields = {"ticket_no": created["ticket_no"], "code": created["query_code"], "level": level}
            done = browser.post(f"{forms}/rate", data={**fields, "comment": "谢谢", "csrf_token": csrf_of(page)})
            assert done.status_code == 201 and "感谢您的评价" in done.text
            outcomes[level] = browser.get(url).text
    assert "已办结" in outcomes["satisfied"] and "评价办理结果" not in outcomes["satisfied"]
    assert "已重新办理" in outcomes["very_dissatisfied"]
