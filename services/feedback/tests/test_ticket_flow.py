"""Every step of a ticket through the feedback gRPC API, as the gateway calls it, with the roles that may and may
not take it (SQLite and PostgreSQL)."""

import grpc
import pytest
from sqlalchemy import select

from feedback import flow, scheduler
from feedback.models import OutboxEvent
from portal.events.v1 import events_pb2
from portal.feedback.v1 import feedback_pb2 as pb
from services.feedback.tests.support import FIRST, SECOND, error_code

pytestmark = pytest.mark.usefixtures("sessions")


def status(ticket) -> str:
    return pb.TicketStatus.Name(ticket.status).removeprefix("TICKET_STATUS_").lower()


async def refused(call, code: str, grpc_status: grpc.StatusCode) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    assert (error.value.code(), error_code(error.value)) == (grpc_status, code)


async def new_ticket(api, **fields) -> tuple[str, str]:
    created = await api.submit(**fields)
    return created.ticket_no, created.query_code


async def assigned(api, department: int = FIRST, **fields) -> str:
    ticket_no, _ = await new_ticket(api, **fields)
    await api.step("office", ticket_no, "accept")
    await api.step("office", ticket_no, "assign", department_id=department)
    return ticket_no


async def track(api, ticket_no: str, code: str) -> pb.PublicTicket:
    return await api.stub.TrackTicket(pb.TrackTicketRequest(ticket_no=ticket_no, query_code=code))


async def rate(api, ticket_no: str, code: str, level) -> pb.SubmitRatingResponse:
    request = pb.SubmitRatingRequest(
        target=pb.RATING_TARGET_TICKET, ticket_no=ticket_no, query_code=code, level=level, comment="谢谢"
    )
    return await api.stub.SubmitRating(request)


async def test_a_consultation_goes_from_submission_to_closed(api, sessions):
    ticket_no, code = await new_ticket(api)
    assert status(await api.step("office", ticket_no, "accept")) == "accepted"
    ticket = await api.step("office", ticket_no, "assign", department_id=FIRST, note="请车管所答复")
    assert (status(ticket), ticket.handling_department_id) == ("assigned", FIRST)
    assert ticket.deadline.ToDatetime().isoformat() == "2026-11-05T02:00:00"  # three working days from Monday
    assert status(await api.step("first", ticket_no, "sign")) == "in_progress"
    ticket = await api.step("first", ticket_no, "answer", note="携带身份证到车管所窗口办理，当场补发。")
    assert status(ticket) == "answered" and ticket.answer.startswith("携带身份证")

    await rate(api, ticket_no, code, pb.RATING_LEVEL_VERY_SATISFIED)

    public = await track(api, ticket_no, code)
    assert status(public) == "closed"
    assert [s.action for s in public.steps] == [
        "submitted", "accepted", "assigned", "signed", "answered", "rated_satisfied"
    ]  # fmt: skip
    assert [s.actor for s in public.steps] == ["市民", "门户办公室", "门户办公室", "承办部门", "承办部门", "市民"]
    assert "请车管所答复" not in str(public)  # an internal instruction stays internal
    assert "clerk-first" not in str(public) and "13800138000" not in str(public)
    staff = await api.as_staff("office", "GetTicket", pb.GetTicketRequest(ticket_no=ticket_no))
    assert staff.contact_phone == "13800138000" and staff.steps[2].note == "请车管所答复"
    assert [s.actor for s in staff.steps][1:5] == ["office", "office", "clerk-first", "clerk-first"]

    async with sessions() as session:
        subjects = [row.subject for row in (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)))]
    assert subjects == [
        "feedback.ticket.created",
        "feedback.ticket.accepted",
        "feedback.ticket.assigned",
        "feedback.ticket.signed",
        "feedback.ticket.answered",
        "feedback.ticket.rated_satisfied",
        "feedback.rating.made",
    ]
    assert len(api.commits) == 6  # the relay was woken after every change


async def test_rejected_with_a_reason_the_resident_reads(api):
    ticket_no, code = await new_ticket(api)
    await refused(api.step("office", ticket_no, "reject"), "ticket_note_required", grpc.StatusCode.INVALID_ARGUMENT)
    ticket = await api.step("office", ticket_no, "reject", note="不属于政务服务范围，请拨打12345")
    assert status(ticket) == "rejected"
    public = await track(api, ticket_no, code)
    assert public.steps[-1].note == "不属于政务服务范围，请拨打12345" and public.steps[-1].label == "不予受理"
    await refused(
        api.step("office", ticket_no, "assign", department_id=FIRST),
        "ticket_status_invalid",
        grpc.StatusCode.ABORTED,
    )


async def test_a_duplicate_is_merged_into_the_first_ticket(api):
    first, _ = await new_ticket(api)
    second, code = await new_ticket(api)
    await refused(
        api.step("office", second, "merge", duplicate_of=second),
        "duplicate_of_invalid",
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    ticket = await api.step("office", second, "merge", duplicate_of=first)
    assert status(ticket) == "merged" and ticket.duplicate_of == first
    assert (await track(api, second, code)).duplicate_of == first


async def test_returned_tickets_are_reassigned_until_the_bounce_cap(api, policy):
    ticket_no = await assigned(api, FIRST)
    await refused(api.step("first", ticket_no, "return"), "ticket_note_required", grpc.StatusCode.INVALID_ARGUMENT)
    ticket = await api.step("first", ticket_no, "return", note="不属于本部门职责，应由人社局办理")
    assert (status(ticket), ticket.bounce_count, ticket.handling_department_id) == ("returned", 1, 0)
    assert not ticket.HasField("deadline")
    await refused(  # once returned, the department no longer holds it
        api.as_staff("first", "GetTicket", pb.GetTicketRequest(ticket_no=ticket_no)),
        "forbidden_department",
        grpc.StatusCode.PERMISSION_DENIED,
    )
    for bounce in range(2, policy.max_returns + 1):
        await api.step("office", ticket_no, "assign", department_id=SECOND if bounce % 2 == 0 else FIRST)
        holder = "second" if bounce % 2 == 0 else "first"
        assert (await api.step(holder, ticket_no, "return", note="非本部门职责")).bounce_count == bounce
    ticket = await api.step("office", ticket_no, "assign", department_id=SECOND)
    await refused(
        api.step("second", ticket_no, "return", note="还是不归我们"),
        "return_limit_reached",
        grpc.StatusCode.ABORTED,
    )
    assert status(await api.step("second", ticket_no, "sign")) == "in_progress"


async def test_an_extension_is_asked_before_the_deadline_and_granted_or_denied(api, clock):
    ticket_no = await assigned(api, FIRST, kind=pb.TICKET_KIND_COMPLAINT)
    ticket = await api.step("first", ticket_no, "sign")
    deadline = ticket.deadline.ToDatetime()
    await refused(
        api.step("first", ticket_no, "request_extension", extension_days=30, note="需现场核查"),
        "extension_days_invalid",
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    ticket = await api.step("first", ticket_no, "request_extension", extension_days=2, note="需现场核查")
    assert ticket.extension_days_requested == 2
    await refused(
        api.step("first", ticket_no, "request_extension", extension_days=1, note="再等等"),
        "extension_pending",
        grpc.StatusCode.ABORTED,
    )
    await refused(api.step("first", ticket_no, "grant_extension"), "forbidden_role", grpc.StatusCode.PERMISSION_DENIED)
    ticket = await api.step("office", ticket_no, "grant_extension")
    # Thursday 19 November + 2 working days = Monday 23 November.
    assert (deadline.isoformat(), ticket.deadline.ToDatetime().isoformat()) == (
        "2026-11-19T02:00:00",
        "2026-11-23T02:00:00",
    )
    assert ticket.extension_days_requested == 0

    await api.step("first", ticket_no, "request_extension", extension_days=3, note="还需要三天")
    ticket = await api.step("office", ticket_no, "deny_extension", note="期限已延长过一次")
    assert ticket.deadline.ToDatetime().isoformat() == "2026-11-23T02:00:00"
    await refused(
        api.step("office", ticket_no, "deny_extension", note="x"), "no_extension_pending", grpc.StatusCode.ABORTED
    )

    clock.advance(days=30)
    await refused(
        api.step("first", ticket_no, "request_extension", extension_days=1, note="来不及了"),
        "deadline_passed",
        grpc.StatusCode.ABORTED,
    )


async def test_an_overdue_ticket_is_marked_reminded_escalated_and_listed(api, sessions, clock, policy):
    ticket_no = await assigned(api, FIRST)  # Monday: due Thursday 10:00
    await api.step("first", ticket_no, "sign")
    listed = await api.as_staff("office", "ListOverdueTickets", pb.ListOverdueTicketsRequest())
    assert listed.total == 0

    clock.advance(days=3, hours=1)  # Thursday 11:00
    await scheduler.run_once(sessions, policy=policy, now=clock.now)
    for who in ("office", "first"):
        listed = await api.as_staff(who, "ListOverdueTickets", pb.ListOverdueTicketsRequest())
        assert [t.ticket_no for t in listed.items] == [ticket_no]
    assert (await api.as_staff("second", "ListOverdueTickets", pb.ListOverdueTicketsRequest())).total == 0
    ticket = await api.as_staff("office", "GetTicket", pb.GetTicketRequest(ticket_no=ticket_no))
    assert ticket.deadline_stage == "overdue"
    assert [s.action for s in ticket.steps][-2:] == ["due_soon", "overdue"]

    clock.advance(days=5)  # the next Tuesday: reminded on Friday, escalated on Tuesday
    await scheduler.run_once(sessions, policy=policy, now=clock.now)
    ticket = await api.as_staff("office", "GetTicket", pb.GetTicketRequest(ticket_no=ticket_no))
    assert [s.action for s in ticket.steps][-2:] == ["reminded", "escalated"]
    assert {s.actor for s in ticket.steps[-4:]} == {"scheduler"}

    ticket = await api.step("office", ticket_no, "remind", note="请今天内办结")  # a 催办 by hand, too
    assert ticket.steps[-1].action == "reminded" and ticket.deadline_stage == "escalated"
    await api.step("first", ticket_no, "answer", note="已办结")
    assert (await api.as_staff("office", "ListOverdueTickets", pb.ListOverdueTicketsRequest())).total == 0


async def test_a_dissatisfied_resident_reopens_the_ticket_for_the_same_department(api, clock):
    ticket_no, code = await new_ticket(api)
    await api.step("office", ticket_no, "accept")
    await api.step("office", ticket_no, "assign", department_id=FIRST)
    await api.step("first", ticket_no, "sign")
    await api.step("first", ticket_no, "answer", note="请到窗口咨询")
    clock.advance(days=1)

    await rate(api, ticket_no, code, pb.RATING_LEVEL_DISSATISFIED)

    ticket = await api.as_staff("first", "GetTicket", pb.GetTicketRequest(ticket_no=ticket_no))
    assert (status(ticket), ticket.reopen_count, ticket.handling_department_id) == ("reopened", 1, FIRST)
    assert ticket.deadline.ToDatetime().isoformat() == "2026-11-06T02:00:00"  # three working days from Tuesday
    assert ticket.allowed_actions == ["sign", "answer"]
    await api.step("first", ticket_no, "sign")
    await api.step("first", ticket_no, "answer", note="已电话联系并当面解答")
    await rate(api, ticket_no, code, pb.RATING_LEVEL_SATISFIED)
    assert status(await track(api, ticket_no, code)) == "closed"

    with pytest.raises(grpc.aio.AioRpcError) as again:  # a closed ticket takes no second rating
        await rate(api, ticket_no, code, pb.RATING_LEVEL_VERY_DISSATISFIED)
    assert error_code(again.value) == "ticket_not_ratable"
    ticket = await api.step("office", ticket_no, "reopen", note="市民来电，问题仍未解决")
    assert (status(ticket), ticket.reopen_count) == ("reopened", 2)


async def test_the_office_may_answer_itself_and_publish_it_as_questions_and_answers(api):
    ticket_no, _ = await new_ticket(api, item_id=501, public=True)
    private_no, _ = await new_ticket(api, item_id=501, public=False)
    for number in (ticket_no, private_no):
        await api.step("office", number, "accept")
        await api.step("office", number, "answer", note="补领驾驶证需本人身份证，可在网上办理。")
    await refused(
        api.step("office", private_no, "publish"), "publication_not_allowed", grpc.StatusCode.INVALID_ARGUMENT
    )
    await refused(api.step("first", ticket_no, "publish"), "forbidden_department", grpc.StatusCode.PERMISSION_DENIED)
    assert (await api.step("office", ticket_no, "publish")).qa_published

    questions = await api.stub.ListItemQuestions(pb.ListItemQuestionsRequest(item_id=501))
    assert [q.ticket_no for q in questions.items] == [ticket_no]
    assert questions.items[0].asker == "王**" and "13800138000" not in str(questions)
    await api.step("office", ticket_no, "unpublish")
    assert (await api.stub.ListItemQuestions(pb.ListItemQuestionsRequest(item_id=501))).total == 0


async def test_a_stale_view_is_refused(api):
    ticket_no, _ = await new_ticket(api)
    ticket = await api.step("office", ticket_no, "accept")
    await refused(
        api.step("office", ticket_no, "assign", department_id=FIRST, expected_version=ticket.version - 1),
        "ticket_version_conflict",
        grpc.StatusCode.ABORTED,
    )
    ticket = await api.step("office", ticket_no, "assign", department_id=FIRST, expected_version=ticket.version)
    assert status(ticket) == "assigned"


# --- who may do what ---------------------------------------------------------------------------------------


async def test_each_staff_action_is_refused_to_the_roles_it_is_not_for(api):
    ticket_no, _ = await new_ticket(api)
    for action in flow.STAFF_ACTIONS:
        rule = flow.RULES[action]
        if flow.OFFICE not in rule.roles:
            await refused(api.step("office", ticket_no, action), "forbidden_role", grpc.StatusCode.PERMISSION_DENIED)
        if flow.DEPARTMENT not in rule.roles:
            await refused(api.step("first", ticket_no, action), "forbidden_role", grpc.StatusCode.PERMISSION_DENIED)
        await refused(api.step("nobody", ticket_no, action), "session_invalid", grpc.StatusCode.UNAUTHENTICATED)
        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await api.stub.TransitionTicket(pb.TransitionTicketRequest(ticket_no=ticket_no, action=action))
        assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    for method, request in (
        ("ListTickets", pb.ListTicketsRequest()),
        ("ListOverdueTickets", pb.ListOverdueTicketsRequest()),
        ("GetTicket", pb.GetTicketRequest(ticket_no=ticket_no)),
        ("ListInbox", pb.ListInboxRequest()),
        ("ListExperiences", pb.ListExperiencesRequest()),
        ("ListRatings", pb.ListRatingsRequest()),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await getattr(api.stub, method)(request)
        assert (anonymous.value.code(), error_code(anonymous.value)) == (
            grpc.StatusCode.UNAUTHENTICATED,
            "login_required",
        )
    await refused(api.step("office", ticket_no, "fly"), "ticket_action_invalid", grpc.StatusCode.INVALID_ARGUMENT)


async def test_a_department_works_and_sees_only_its_own_tickets(api):
    mine = await assigned(api, FIRST)
    theirs = await assigned(api, SECOND)
    await new_ticket(api)  # still with the portal office
    attempts = [
        api.as_staff("first", "GetTicket", pb.GetTicketRequest(ticket_no=theirs)),
        api.step("first", theirs, "sign"),
        api.step("first", theirs, "return", note="x"),
        api.as_staff("first", "ListTickets", pb.ListTicketsRequest(department_id=SECOND)),
    ]
    for attempt in attempts:
        await refused(attempt, "forbidden_department", grpc.StatusCode.PERMISSION_DENIED)
    listed = await api.as_staff("first", "ListTickets", pb.ListTicketsRequest())
    assert [t.ticket_no for t in listed.items] == [mine]
    everything = await api.as_staff("office", "ListTickets", pb.ListTicketsRequest())
    assert everything.total == 3
    by_department = await api.as_staff("office", "ListTickets", pb.ListTicketsRequest(department_id=SECOND))
    assert [t.ticket_no for t in by_department.items] == [theirs]
    waiting = await api.as_staff("office", "ListTickets", pb.ListTicketsRequest(status=pb.TICKET_STATUS_SUBMITTED))
    assert waiting.total == 1


async def test_staff_lists_page_through_every_ticket(api):
    numbers = [(await new_ticket(api))[0] for _ in range(5)]
    seen, token = [], ""
    while True:
        page = await api.as_staff("office", "ListTickets", pb.ListTicketsRequest(page_size=2, page_token=token))
        seen += [t.ticket_no for t in page.items]
        token = page.next_page_token
        if not token:
            break
    assert seen == numbers[::-1] and page.total == 5


async def test_every_step_is_an_event_with_its_department(api, sessions):
    ticket_no = await assigned(api, FIRST)
    await api.step("first", ticket_no, "return", note="不归本部门")
    async with sessions() as session:
        rows = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.subject == "feedback.ticket.returned"))
        ).all()
    event = events_pb2.TicketChanged.FromString(rows[0].payload)
    assert (event.ticket_no, event.previous_department_id, event.department_id) == (ticket_no, FIRST, 0)
    assert (event.from_status, event.to_status) == (pb.TICKET_STATUS_ASSIGNED, pb.TICKET_STATUS_RETURNED)
