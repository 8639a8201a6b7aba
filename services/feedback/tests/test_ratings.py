"""Ratings (好差评) through the feedback gRPC API: rectification tickets for bad ones, appeals, and the monthly
department scores (SQLite and PostgreSQL)."""

from datetime import UTC, datetime

import grpc
import pytest

from portal.feedback.v1 import feedback_pb2 as pb
from services.feedback.tests.support import FIRST, SECOND, error_code

pytestmark = pytest.mark.usefixtures("sessions")


async def rate(api, ip: str = "10.1.1.1", **fields) -> pb.SubmitRatingResponse:
    return await api.stub.SubmitRating(pb.SubmitRatingRequest(**fields), metadata=(("x-portal-client-ip", ip),))


async def rate_item(api, level, item_id: int = 501, **fields) -> pb.SubmitRatingResponse:
    return await rate(api, target=pb.RATING_TARGET_ITEM, item_id=item_id, level=level, **fields)


async def ratings_of(api, token: str, **fields) -> pb.ListRatingsResponse:
    return await api.as_staff(token, "ListRatings", pb.ListRatingsRequest(**fields))


async def test_a_good_rating_is_counted_and_opens_nothing(api):
    made = await rate_item(api, pb.RATING_LEVEL_SATISFIED, scores={"accuracy": 5, "attitude": 4})
    assert made.id and not made.rectification_ticket_no
    listed = await ratings_of(api, "first")
    assert [(r.id, r.department_id, r.status) for r in listed.items] == [(made.id, FIRST, "counted")]
    assert (await ratings_of(api, "second")).total == 0


async def test_a_bad_rating_opens_a_rectification_ticket_for_the_department(api):
    made = await rate_item(api, pb.RATING_LEVEL_DISSATISFIED, comment="窗口人员态度差，材料清单与指南不符")
    assert made.rectification_ticket_no and made.rectification_query_code
    ticket = await api.as_staff("first", "GetTicket", pb.GetTicketRequest(ticket_no=made.rectification_ticket_no))
    assert (ticket.kind, ticket.status, ticket.source) == (
        pb.TICKET_KIND_COMPLAINT,
        pb.TICKET_STATUS_ASSIGNED,
        "rating",
    )
    assert ticket.handling_department_id == FIRST and ticket.HasField("deadline")
    assert ticket.body == "窗口人员态度差，材料清单与指南不符" and ticket.allowed_actions == ["sign", "return"]
    tracked = await api.stub.TrackTicket(
        pb.TrackTicketRequest(ticket_no=made.rectification_ticket_no, query_code=made.rectification_query_code)
    )
    assert tracked.status == pb.TICKET_STATUS_ASSIGNED

    department = await rate(api, target=pb.RATING_TARGET_DEPARTMENT, department_id=SECOND, level=1)
    ticket = await api.as_staff(
        "second", "GetTicket", pb.GetTicketRequest(ticket_no=department.rectification_ticket_no)
    )
    assert ticket.handling_department_id == SECOND


async def test_without_the_catalog_the_rectification_waits_for_the_portal_office(api):
    api.catalog.reachable = False
    made = await rate_item(api, pb.RATING_LEVEL_VERY_DISSATISFIED)
    ticket = await api.as_staff("office", "GetTicket", pb.GetTicketRequest(ticket_no=made.rectification_ticket_no))
    assert (ticket.status, ticket.handling_department_id) == (pb.TICKET_STATUS_SUBMITTED, 0)


ITEM = {"target": pb.RATING_TARGET_ITEM, "item_id": 501}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"target": pb.RATING_TARGET_ITEM, "item_id": 999, "level": 4}, "item_not_found"),
        ({"target": pb.RATING_TARGET_ITEM, "item_id": 0, "level": 4}, "item_required"),
        ({"target": pb.RATING_TARGET_DEPARTMENT, "department_id": 999, "level": 4}, "department_not_found"),
        (ITEM, "rating_level_invalid"),
        ({"level": 4}, "rating_target_invalid"),
        (
            {"target": pb.RATING_TARGET_ITEM, "item_id": 501, "level": 4, "scores": {"speed": 5}},
            "rating_scores_invalid",
        ),
        (
            {"target": pb.RATING_TARGET_ITEM, "item_id": 501, "level": 4, "scores": {"attitude": 9}},
            "rating_scores_invalid",
        ),
        (
            {"target": pb.RATING_TARGET_ITEM, "item_id": 501, "level": 4, "comment": "长" * 501},
            "rating_comment_invalid",
        ),
        ({"target": pb.RATING_TARGET_ITEM, "item_id": 501, "level": 4, "honeypot": "x"}, "submission_refused"),
        ({"target": pb.RATING_TARGET_TICKET, "ticket_no": "20261102000001", "level": 4}, "ticket_not_found"),
    ],
)
async def test_bad_ratings_are_refused(api, fields, code):
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await rate(api, **fields)
    assert error_code(refused.value) == code
    assert (await ratings_of(api, "office")).total == 0


async def test_ratings_from_one_address_are_limited(api, policy):
    for _ in range(policy.ip_hourly_limit):
        await rate_item(api, pb.RATING_LEVEL_SATISFIED)
    with pytest.raises(grpc.aio.AioRpcError) as flooded:
        await rate_item(api, pb.RATING_LEVEL_SATISFIED)
    assert flooded.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    await rate(api, ip="10.9.9.9", target=pb.RATING_TARGET_ITEM, item_id=501, level=4)


async def test_a_malicious_rating_is_appealed_and_reviewed(api):
    unfair = await rate_item(api, pb.RATING_LEVEL_VERY_DISSATISFIED, comment="广告：代办证件 138xxxx")
    fair = await rate_item(api, pb.RATING_LEVEL_DISSATISFIED, comment="排队太久")

    async def appeal(token, rating_id, reason="恶意差评，内容为广告"):
        return await api.as_staff(token, "AppealRating", pb.AppealRatingRequest(id=rating_id, reason=reason))

    async def review(token, rating_id, decision, note=""):
        request = pb.ReviewAppealRequest(id=rating_id, decision=decision, note=note)
        return await api.as_staff(token, "ReviewAppeal", request)

    for token, code in (("second", "forbidden_department"), ("office", "forbidden_department")):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await appeal(token, unfair.id)
        assert error_code(refused.value) == code
    assert (await appeal("first", unfair.id)).status == "appealed"
    assert (await appeal("first", fair.id)).status == "appealed"
    queue = await ratings_of(api, "office", status="appealed")
    assert {r.id for r in queue.items} == {unfair.id, fair.id}
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await review("first", unfair.id, "uphold")
    assert error_code(refused.value) == "forbidden_role"

    assert (await review("office", unfair.id, "uphold")).status == "excluded"
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await review("office", fair.id, "reject")
    assert error_code(refused.value) == "review_note_invalid"  # a rejection says why
    assert (await review("office", fair.id, "reject", "评价内容属实")).status == "counted"
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await appeal("first", fair.id)
    assert error_code(refused.value) == "rating_not_appealable"

    scores = await api.stub.ListDepartmentScores(pb.ListDepartmentScoresRequest(month="2026-11"))
    assert [(s.department_id, s.count) for s in scores.items] == [(FIRST, 1)]  # the upheld appeal is left out


async def test_monthly_department_scores_with_counts(api, clock):
    clock.now = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)  # 1 November, 01:00 in Beijing
    await rate_item(api, pb.RATING_LEVEL_VERY_SATISFIED, scores={"efficiency": 5})
    clock.now = datetime(2026, 10, 31, 15, 0, tzinfo=UTC)  # still October in Beijing
    await rate_item(api, pb.RATING_LEVEL_VERY_DISSATISFIED)
    clock.now = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
    await rate_item(api, pb.RATING_LEVEL_SATISFIED, scores={"efficiency": 3, "attitude": 4})
    await rate_item(api, pb.RATING_LEVEL_DISSATISFIED)
    await rate(api, target=pb.RATING_TARGET_DEPARTMENT, department_id=SECOND, level=3)

    november = await api.stub.ListDepartmentScores(pb.ListDepartmentScoresRequest())
    assert november.month == "2026-11"
    first, second = november.items
    assert (first.department_id, first.count, first.average_level) == (FIRST, 3, round((5 + 4 + 2) / 3, 2))
    assert first.satisfaction_rate == round(2 / 3, 4)
    assert dict(first.level_counts) == {
        "very_satisfied": 1, "satisfied": 1, "basically_satisfied": 0, "dissatisfied": 1, "very_dissatisfied": 0
    }  # fmt: skip
    assert dict(first.sub_scores) == {"efficiency": 4.0, "attitude": 4.0}
    assert (second.department_id, second.count, second.satisfaction_rate) == (SECOND, 1, 1.0)
    october = await api.stub.ListDepartmentScores(pb.ListDepartmentScoresRequest(month="2026-10", department_id=FIRST))
    assert [(s.count, s.average_level) for s in october.items] == [(1, 1.0)]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await api.stub.ListDepartmentScores(pb.ListDepartmentScoresRequest(month="2026-13"))
    assert error_code(refused.value) == "month_invalid"


async def test_an_upheld_appeal_withdraws_the_rectification_ticket(api):
    unfair = await rate_item(api, pb.RATING_LEVEL_VERY_DISSATISFIED, comment="广告：代办证件")
    fair = await rate_item(api, pb.RATING_LEVEL_DISSATISFIED, comment="排队太久")
    for made in (unfair, fair):
        await api.as_staff("first", "AppealRating", pb.AppealRatingRequest(id=made.id, reason="恶意差评"))
    await api.as_staff("office", "ReviewAppeal", pb.ReviewAppealRequest(id=unfair.id, decision="uphold", note="广告"))
    await api.as_staff("office", "ReviewAppeal", pb.ReviewAppealRequest(id=fair.id, decision="reject", note="属实"))

    def ticket(made):
        return api.as_staff("first", "GetTicket", pb.GetTicketRequest(ticket_no=made.rectification_ticket_no))

    withdrawn, kept = await ticket(unfair), await ticket(fair)
    assert withdrawn.status == pb.TICKET_STATUS_CLOSED and withdrawn.steps[-1].label == "申诉成立，撤销整改"
    assert "广告" in withdrawn.steps[-1].note and "answer" not in withdrawn.allowed_actions
    assert kept.status == pb.TICKET_STATUS_ASSIGNED  # a rejected appeal leaves the department's work to do
    tracked = await api.stub.TrackTicket(
        pb.TrackTicketRequest(ticket_no=unfair.rectification_ticket_no, query_code=unfair.rectification_query_code)
    )
    assert tracked.status == pb.TICKET_STATUS_CLOSED and tracked.steps[-1].actor == "系统"


async def test_an_upheld_appeal_leaves_an_already_closed_rectification_alone(api):
    made = await rate_item(api, pb.RATING_LEVEL_DISSATISFIED)
    number = made.rectification_ticket_no
    await api.step("first", number, "sign")
    await api.step("first", number, "answer", note="已整改")
    await api.step("office", number, "close")
    await api.as_staff("first", "AppealRating", pb.AppealRatingRequest(id=made.id, reason="恶意差评"))
    await api.as_staff("office", "ReviewAppeal", pb.ReviewAppealRequest(id=made.id, decision="uphold"))
    closed = await api.as_staff("first", "GetTicket", pb.GetTicketRequest(ticket_no=number))
    assert closed.status == pb.TICKET_STATUS_CLOSED and closed.steps[-1].action == "closed"


async def test_an_items_ratings_summary_counts_levels_sub_scores_and_shows_recent_comments(api, clock):
    empty = await api.stub.GetItemRatings(pb.GetItemRatingsRequest(item_id=501, comments=5))
    assert empty.count == 0 and not empty.HasField("updated_at") and set(empty.level_counts.values()) == {0}
    await rate_item(api, pb.RATING_LEVEL_VERY_SATISFIED, scores={"accuracy": 5, "attitude": 4}, comment="很快")
    await rate_item(api, pb.RATING_LEVEL_SATISFIED, scores={"accuracy": 3})
    clock.advance(hours=1)
    spam = await rate_item(api, pb.RATING_LEVEL_VERY_DISSATISFIED, comment="广告")
    await rate_item(api, pb.RATING_LEVEL_SATISFIED, item_id=502)  # another item
    summary = await api.stub.GetItemRatings(pb.GetItemRatingsRequest(item_id=501, comments=5))
    assert summary.count == 3 and summary.level_counts["very_dissatisfied"] == 1
    assert summary.satisfaction_rate == round(2 / 3, 4)
    assert dict(summary.sub_scores) == {"accuracy": 4.0, "attitude": 4.0}
    assert [c.comment for c in summary.comments] == ["广告", "很快"]
    assert summary.updated_at.ToDatetime(UTC) == clock.now  # the spam's rectification ticket, opened now

    await api.as_staff("first", "AppealRating", pb.AppealRatingRequest(id=spam.id, reason="恶意差评"))
    under_appeal = await api.stub.GetItemRatings(pb.GetItemRatingsRequest(item_id=501, comments=5))
    assert [c.comment for c in under_appeal.comments] == ["很快"] and under_appeal.count == 3
    clock.advance(hours=1)
    await api.as_staff("office", "ReviewAppeal", pb.ReviewAppealRequest(id=spam.id, decision="uphold"))
    after = await api.stub.GetItemRatings(pb.GetItemRatingsRequest(item_id=501))
    assert after.count == 2 and after.satisfaction_rate == 1.0 and not after.comments
    assert after.updated_at.ToDatetime(UTC) == clock.now  # the decision changed the page: so does Last-Modified
