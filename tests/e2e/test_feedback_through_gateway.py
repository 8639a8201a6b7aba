"""Feedback through the gateway's JSON API, on the running stack: residents' tickets, ratings and stories, and the
staff's work on them with real catalog sessions. The feedback service checks the roles itself."""

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from feedback import scheduler
from feedback.config import FeedbackSettings
from feedback.models import Ticket
from portal_common.database import create_engine, session_factory
from portal_common.outbox import utcnow
from portal_common.testing import wait_for
from tests.e2e.conftest import bearer

PASSWORD = "a long enough password"


def consultation(**changes) -> dict:
    return {
        "kind": "consultation",
        "subject": "居住证办理需要多久",
        "body": "外地户口，在本市居住满半年，办理居住证需要多少个工作日？",
        "contact_name": "赵六",
        "contact_phone": "13700137000",
        **changes,
    }


@pytest.fixture(scope="module")
def departments(stack) -> tuple[int, int]:
    first, second = httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"][:2]
    return first["id"], second["id"]


@pytest.fixture(scope="module")
def office(stack, admin_token) -> httpx.Client:
    client = httpx.Client(base_url=stack.gateway_url, headers=bearer(admin_token))
    yield client
    client.close()


def clerk_of(stack, admin_token, department_id: int) -> httpx.Client:
    username = f"fb-{uuid.uuid4().hex[:8]}"
    created = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/staff",
        headers=bearer(admin_token),
        json={"username": username, "password": PASSWORD, "role": "department", "department_id": department_id},
    )
    assert created.status_code == 201, created.text
    token = httpx.post(
        f"{stack.gateway_url}/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    ).json()["token"]
    return httpx.Client(base_url=stack.gateway_url, headers=bearer(token))


@pytest.fixture(scope="module")
def clerks(stack, admin_token, departments) -> tuple[httpx.Client, httpx.Client]:
    first, second = (clerk_of(stack, admin_token, d) for d in departments)
    yield first, second
    first.close()
    second.close()


def submit(stack, ticket: dict, key: str = "") -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return httpx.post(f"{stack.gateway_url}/api/v1/tickets", json=ticket, headers=headers)


def step(client: httpx.Client, ticket_no: str, action: str, **fields) -> httpx.Response:
    return client.post(f"/api/v1/admin/tickets/{ticket_no}/transitions", json={"action": action, **fields})


def test_a_retried_submission_answers_the_same_ticket(stack):
    key = uuid.uuid4().hex
    first = submit(stack, consultation(), key)
    again = submit(stack, consultation(), key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and set(first.json()) == {"ticket_no", "query_code"}
    other = submit(stack, consultation(body="另一个问题"), key)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert other.json()["field"] == "Idempotency-Key"


@pytest.mark.parametrize(
    ("ticket", "status", "code", "field"),
    [
        (consultation(body="长" * 2001), 400, "ticket_body_invalid", "body"),
        (consultation(subject=""), 400, "ticket_subject_invalid", "subject"),
        (consultation(contact_phone="打电话给我"), 400, "ticket_phone_invalid", "contact_phone"),
        (consultation(homepage="http://cheap-pills.example"), 400, "submission_refused", ""),
        (consultation(kind="praise"), 422, "invalid_request", "kind"),
        (consultation(body="长" * 30_000), 422, "invalid_request", "body"),
    ],
)
def test_bad_submissions_get_a_code_a_chinese_message_and_the_field(stack, ticket, status, code, field):
    response = submit(stack, ticket)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body.get("field", "") == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_markup_comes_back_as_the_text_that_was_typed(stack):
    typed = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    created = submit(stack, consultation(subject=typed, body=typed)).json()
    tracked = httpx.get(
        f"{stack.gateway_url}/api/v1/tickets/{created['ticket_no']}", params={"code": created["query_code"]}
    )
    assert tracked.headers["content-type"].startswith("application/json")
    assert tracked.json()["subject"] == typed and tracked.json()["body"] == typed


def test_a_complaint_is_forwarded_extended_answered_and_rated(stack, office, clerks, departments):
    first, second = clerks
    created = submit(stack, consultation(kind="complaint", subject="窗口推诿", body="窗口让我去另一个部门")).json()
    ticket_no, code = created["ticket_no"], created["query_code"]

    assert step(first, ticket_no, "accept").json()["code"] == "forbidden_role"
    assert step(office, ticket_no, "accept").json()["status"] == "accepted"
    assigned = step(office, ticket_no, "assign", department_id=departments[0]).json()
    assert assigned["status"] == "assigned" and assigned["handling_department_id"] == departments[0]

    assert second.get(f"/api/v1/admin/tickets/{ticket_no}").status_code == 403
    assert step(second, ticket_no, "sign").json()["code"] == "forbidden_department"
    mine = first.get("/api/v1/admin/tickets", params={"status": "assigned"}).json()
    assert ticket_no in [t["ticket_no"] for t in mine["items"]]
    staff_view = first.get(f"/api/v1/admin/tickets/{ticket_no}").json()
    assert staff_view["contact_phone"] == "13700137000" and staff_view["allowed_actions"] == ["sign", "return"]

    assert step(first, ticket_no, "sign").json()["status"] == "in_progress"
    requested = step(first, ticket_no, "request_extension", days=2, note="需要调取窗口录像")
    assert requested.json()["extension_days_requested"] == 2
    granted = step(office, ticket_no, "grant_extension").json()
    assert granted["deadline"] > assigned["deadline"]
    stale = step(first, ticket_no, "answer", note="x", version=assigned["version"])
    assert stale.status_code == 409 and stale.json()["code"] == "ticket_version_conflict"
    answered = step(first, ticket_no, "answer", note="已核实，对窗口人员进行了批评教育，请再次前来办理。")
    assert answered.json()["status"] == "answered"

    rating = {"target": "ticket", "ticket_no": ticket_no, "code": code, "level": "satisfied", "comment": "处理及时"}
    assert httpx.post(f"{stack.gateway_url}/api/v1/ratings", json=rating).status_code == 201
    tracked = httpx.get(f"{stack.gateway_url}/api/v1/tickets/{ticket_no}", params={"code": code}).json()
    assert tracked["status"] == "closed"
    assert [h["step"] for h in tracked["history"]] == [
        "submitted", "accepted", "assigned", "signed", "extension_requested", "extension_granted", "answered",
        "rated_satisfied",
    ]  # fmt: skip
    assert "13700137000" not in str(tracked) and "需要调取窗口录像" not in str(tracked)

    def told() -> bool:
        inbox = first.get("/api/v1/admin/inbox").json()
        return {"ticket.assigned", "ticket.extension_granted"} <= {e["kind"] for e in inbox["items"]}

    wait_for(told, 15, "the department's inbox filled from the events")


def test_a_returned_ticket_goes_back_to_the_portal_office(stack, office, clerks, departments):
    first, second = clerks
    ticket_no = submit(stack, consultation()).json()["ticket_no"]
    step(office, ticket_no, "accept")
    step(office, ticket_no, "assign", department_id=departments[1])
    assert step(second, ticket_no, "return").json()["code"] == "ticket_note_required"
    returned = step(second, ticket_no, "return", note="属于另一个部门的职责").json()
    assert (returned["status"], returned["bounce_count"], returned["handling_department_id"]) == ("returned", 1, 0)
    reassigned = step(office, ticket_no, "assign", department_id=departments[0]).json()
    assert reassigned["handling_department_id"] == departments[0]


def test_a_rejected_ticket_tells_the_resident_why(stack, office):
    created = submit(stack, consultation(subject="广告", body="代办各类证件")).json()
    step(office, created["ticket_no"], "reject", note="与政务服务无关")
    tracked = httpx.get(
        f"{stack.gateway_url}/api/v1/tickets/{created['ticket_no']}", params={"code": created["query_code"]}
    ).json()
    assert tracked["status"] == "rejected" and tracked["history"][-1]["note"] == "与政务服务无关"


def two_weeks_later(stack, ticket_no: str) -> None:
    """As if two weeks went by: the deadline moves into the past, then one scheduler pass runs (the service runs one
    every minute on its own)."""
    settings = FeedbackSettings(database_url=stack.env["FEEDBACK_DATABASE_URL"])

    async def run() -> None:
        engine = create_engine(settings.database_url)
        async with engine.begin() as connection:
            await connection.execute(
                update(Ticket).where(Ticket.ticket_no == ticket_no).values(deadline_at=utcnow() - timedelta(days=10))
            )
        await scheduler.run_once(session_factory(engine), policy=settings.policy(), now=utcnow())
        await engine.dispose()

    asyncio.run(run())


def test_overdue_tickets_are_chased_and_listed(stack, office, clerks, departments):
    first, second = clerks
    ticket_no = submit(stack, consultation()).json()["ticket_no"]
    step(office, ticket_no, "accept")
    step(office, ticket_no, "assign", department_id=departments[0])
    step(first, ticket_no, "sign")

    two_weeks_later(stack, ticket_no)
    for client in (office, first):
        overdue = client.get("/api/v1/admin/tickets/overdue").json()
        assert ticket_no in [t["ticket_no"] for t in overdue["items"]]
    assert ticket_no not in [t["ticket_no"] for t in second.get("/api/v1/admin/tickets/overdue").json()["items"]]
    ticket = first.get(f"/api/v1/admin/tickets/{ticket_no}").json()
    assert ticket["deadline_stage"] == "escalated"
    assert [h["step"] for h in ticket["history"]][-4:] == ["due_soon", "overdue", "reminded", "escalated"]
    assert step(office, ticket_no, "remind", note="请今日办结").json()["history"][-1]["step"] == "reminded"


def test_a_bad_rating_opens_a_rectification_ticket_and_counts_in_the_scores(stack, clerks, departments):
    first, _ = clerks
    rating = {"target": "department", "department_id": departments[0], "level": "very_dissatisfied"}
    made = httpx.post(f"{stack.gateway_url}/api/v1/ratings", json={**rating, "comment": "排队两小时"})
    assert made.status_code == 201
    rectification = made.json()["rectification"]
    assert first.get(f"/api/v1/admin/tickets/{rectification['ticket_no']}").json()["source"] == "rating"
    scores = httpx.get(f"{stack.gateway_url}/api/v1/department-scores", params={"department_id": departments[0]})
    assert scores.json()["items"][0]["count"] >= 1 and "levels" in scores.json()["items"][0]
    bad = httpx.post(f"{stack.gateway_url}/api/v1/ratings", json={**rating, "level": "meh"})
    assert bad.status_code == 422

    appeal = first.post(f"/api/v1/admin/ratings/{made.json()['id']}/appeal", json={"reason": "恶意差评"})
    assert appeal.status_code == 200 and appeal.json()["status"] == "appealed"


def test_a_shared_experience_is_moderated_then_published(stack, office, clerks, departments):
    first, _ = clerks
    story = {
        "title": "一次办好",
        "body": "材料齐全，一次就办好了。",
        "department_id": departments[0],
        "author_name": "孙七",
    }
    created = httpx.post(f"{stack.gateway_url}/api/v1/experiences", json=story)
    assert created.status_code == 201 and created.json()["status"] == "pending"
    moderation = f"/api/v1/admin/experiences/{created.json()['id']}/moderation"
    assert first.post(moderation, json={"decision": "publish"}).status_code == 403
    assert office.post(moderation, json={"decision": "publish"}).json()["status"] == "published"
    noted = first.post(f"/api/v1/admin/experiences/{created.json()['id']}/notes", json={"body": "感谢您的肯定"})
    assert noted.status_code == 201
    listed = httpx.get(f"{stack.gateway_url}/api/v1/experiences", params={"department_id": departments[0]}).json()
    shown = next(e for e in listed["items"] if e["id"] == created.json()["id"])
    assert (
        shown["author"] == "孙*" and shown["notes"][0]["body"] == "感谢您的肯定" and "author" not in shown["notes"][0]
    )


def test_an_answered_consultation_is_published_as_questions_and_answers(stack, office):
    item = httpx.get(f"{stack.gateway_url}/api/v1/items", params={"size": 1}).json()["items"][0]
    ticket_no = submit(stack, consultation(item_id=item["id"], public=True)).json()["ticket_no"]
    step(office, ticket_no, "accept")
    step(office, ticket_no, "answer", note="一般7个工作日内办结。")
    assert step(office, ticket_no, "publish").json()["qa_published"] is True
    questions = httpx.get(f"{stack.gateway_url}/api/v1/items/{item['id']}/questions").json()
    assert questions["items"][0]["ticket_no"] == ticket_no and questions["items"][0]["asker"] == "赵*"


def test_staff_endpoints_need_a_session(stack):
    for path in ("/api/v1/admin/tickets", "/api/v1/admin/tickets/overdue", "/api/v1/admin/inbox"):
        response = httpx.get(f"{stack.gateway_url}{path}")
        assert response.status_code == 401 and response.json()["code"] == "login_required"
