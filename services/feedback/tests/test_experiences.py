"""Shared experiences (分享政府办事经历) through the feedback gRPC API: moderated before publication, followed up
by staff, listed for the home page (SQLite and PostgreSQL)."""

import grpc
import pytest

from portal.feedback.v1 import feedback_pb2 as pb
from services.feedback.tests.support import FIRST, SECOND, error_code

pytestmark = pytest.mark.usefixtures("sessions")
STORY = "上午九点到政务大厅，取号后十分钟就办完了，窗口工作人员很耐心。"


async def share(api, **fields) -> pb.SubmitExperienceResponse:
    defaults = dict(
        title="补办身份证很顺利", body=STORY, department_id=FIRST, author_name="李小红", contact_phone="13900139000"
    )
    request = pb.SubmitExperienceRequest(**{**defaults, **fields})
    return await api.stub.SubmitExperience(request, metadata=(("x-portal-client-ip", "10.2.2.2"),))


async def published(api, **fields) -> pb.ListExperiencesResponse:
    return await api.stub.ListPublishedExperiences(pb.ListPublishedExperiencesRequest(**fields))


async def moderate(api, token: str, experience_id: int, decision: str, reason: str = "") -> pb.Experience:
    request = pb.ModerateExperienceRequest(id=experience_id, decision=decision, reason=reason)
    return await api.as_staff(token, "ModerateExperience", request)


async def test_a_story_is_published_after_moderation_with_its_author_masked(api):
    shared = await share(api)
    assert shared.status == "pending"
    assert (await published(api)).total == 0
    queue = await api.as_staff("office", "ListExperiences", pb.ListExperiencesRequest(status="pending"))
    assert [e.id for e in queue.items] == [shared.id] and queue.items[0].contact_phone == "13900139000"

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await moderate(api, "first", shared.id, "publish")
    assert error_code(refused.value) == "forbidden_role"
    assert (await moderate(api, "office", shared.id, "publish")).status == "published"

    home = await published(api)
    assert [(e.title, e.author) for e in home.items] == [("补办身份证很顺利", "李**")]
    assert "13900139000" not in str(home) and "李小红" not in str(home)
    assert (await published(api, department_id=SECOND)).total == 0
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await moderate(api, "office", shared.id, "reject", "重复")
    assert error_code(again.value) == "experience_already_moderated"


async def test_a_rejected_story_says_why_and_stays_hidden(api):
    shared = await share(api, body="广告内容")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await moderate(api, "office", shared.id, "reject")
    assert error_code(refused.value) == "moderation_reason_invalid"
    rejected = await moderate(api, "office", shared.id, "reject", "与办事经历无关")
    assert (rejected.status, rejected.reject_reason) == ("rejected", "与办事经历无关")
    assert (await published(api)).total == 0


async def test_the_department_concerned_adds_follow_up_notes(api):
    shared = await share(api)
    await moderate(api, "office", shared.id, "publish")
    note = pb.AddExperienceNoteRequest(id=shared.id, body="我们已陪同该市民到窗口核实，并改进了取号提示。")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await api.as_staff("second", "AddExperienceNote", note)
    assert error_code(refused.value) == "forbidden_department"
    noted = await api.as_staff("first", "AddExperienceNote", note)
    assert [(n.department_id, n.author) for n in noted.notes] == [(FIRST, "clerk-first")]
    shown = (await published(api, department_id=FIRST)).items[0]
    assert [(n.department_id, n.author, n.body) for n in shown.notes] == [(FIRST, "", note.body)]
    mine = await api.as_staff("first", "ListExperiences", pb.ListExperiencesRequest())
    theirs = await api.as_staff("second", "ListExperiences", pb.ListExperiencesRequest())
    assert (mine.total, theirs.total) == (1, 0)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": ""}, "experience_title_invalid"),
        ({"body": "长" * 3001}, "experience_body_invalid"),
        ({"department_id": 0}, "experience_subject_required"),
        ({"contact_phone": "nope"}, "experience_phone_invalid"),
        ({"honeypot": "http://spam"}, "submission_refused"),
    ],
)
async def test_bad_stories_are_refused(api, fields, code):
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await share(api, **fields)
    assert error_code(refused.value) == code


async def test_the_home_page_list_pages_newest_first(api):
    ids = []
    for n in range(3):
        shared = await share(api, title=f"经历{n}")
        await moderate(api, "office", shared.id, "publish")
        ids.append(shared.id)
    first_page = await published(api, page_size=2)
    second_page = await published(api, page_size=2, page_token=first_page.next_page_token)
    assert [e.id for e in [*first_page.items, *second_page.items]] == ids[::-1] and first_page.total == 3
