"""Catalog events into a real OpenSearch index, and searching it: versions never regress, poison is named."""

import pytest
from nats.aio.msg import Msg

from portal.catalog.v1 import catalog_pb2
from portal_common.errors import Invalid, Unavailable
from portal_common.messaging import Poison
from search import engine as search_engine
from search.service import ItemSearch
from services.search.tests.catalog_events import event, index_and_refresh


async def titles(items: ItemSearch, query: str) -> list[str]:
    result = await items.search(query=query, page=1, size=10)
    return [hit.title for hit in result.hits]


async def test_indexed_item_is_found_by_name_and_alias(engine, alias, items):
    outcomes = await index_and_refresh(engine, alias, [event(1, 1, "机动车驾驶证补领", aliases=["驾照补办"])])
    assert outcomes == [None]
    assert await titles(items, "驾驶证补领") == ["机动车驾驶证补领"]
    assert await titles(items, "驾照补办") == ["机动车驾驶证补领"]


async def test_an_older_version_never_overwrites_a_newer_one(engine, alias, items):
    await index_and_refresh(engine, alias, [event(2, 2, "居住证申领")])
    outcomes = await index_and_refresh(engine, alias, [event(2, 1, "暂住证申领（旧名）"), event(2, 2, "居住证申领")])
    assert outcomes == [None, None]  # late and repeated events are done, not retried
    document = await engine.get(index=alias, id="2")
    assert (document["_version"], document["_source"]["title"]) == (2, "居住证申领")


async def test_withdrawn_and_draft_items_are_not_found(engine, alias, items):
    await index_and_refresh(
        engine,
        alias,
        [
            event(3, 1, "结婚登记"),
            event(4, 1, "离婚登记", status=catalog_pb2.ITEM_STATUS_DRAFT),
            event(3, 2, "结婚登记", status=catalog_pb2.ITEM_STATUS_WITHDRAWN),
        ],
    )
    assert await titles(items, "登记") == []


async def test_undecodable_event_is_poison_and_the_rest_of_the_batch_is_indexed(engine, alias, items):
    garbage = Msg(_client=None, subject="catalog.item.changed", data=b"\xff\x00not a protobuf")
    outcomes = await index_and_refresh(engine, alias, [garbage, event(5, 1, "普通护照签发")])
    assert isinstance(outcomes[0], Poison) and outcomes[1] is None
    assert await titles(items, "护照") == ["普通护照签发"]


async def test_matches_are_highlighted(engine, alias, items):
    await index_and_refresh(engine, alias, [event(6, 1, "住房公积金提取")])
    result = await items.search(query="公积金", page=1, size=10)
    assert "<em>" in result.hits[0].highlight


@pytest.mark.parametrize(
    ("query", "page", "size", "code"),
    [("查" * 101, 1, 10, "query_too_long"), ("护照", 0, 10, "page_invalid"), ("护照", 1001, 10, "page_invalid")],
)
async def test_bad_queries_get_a_named_error(items, query, page, size, code):
    with pytest.raises(Invalid) as refused:
        await items.search(query=query, page=page, size=size)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "query",
    ["機動車駕駛證補領", "jiazhao", "jsz", "驾驶正补领", "驾照丢了怎么办", "驾照补办"],
)
async def test_residents_own_words_find_the_service(engine, alias, items, query):
    await index_and_refresh(
        engine,
        alias,
        [event(11, 1, "机动车驾驶证补领", aliases=["驾照补办", "驾照丢了"]), event(12, 1, "居民身份证补领")],
    )
    assert (await titles(items, query))[:1] == ["机动车驾驶证补领"]


async def test_typed_pinyin_of_a_whole_alias_beats_items_sharing_one_word(engine, alias, items):
    await index_and_refresh(
        engine,
        alias,
        [event(21, 1, "最低生活保障审批", aliases=["低保"]), event(22, 1, "低保边缘家庭认定")],
    )
    assert (await titles(items, "dibao"))[:1] == ["最低生活保障审批"]
    assert (await titles(items, "低保"))[:1] == ["最低生活保障审批"]


async def test_a_search_with_no_time_left_before_its_callers_deadline_is_refused_with_the_reason(engine, alias, items):
    await index_and_refresh(engine, alias, [event(40, 1, "机动车驾驶证补领")])
    with search_engine.deadline(0.1), pytest.raises(Unavailable) as refused:  # less than the answer margin
        await items.search(query="驾驶证")
    assert refused.value.code == "search_timeout" and refused.value.message
    with search_engine.deadline(30):
        assert await titles(items, "驾驶证") == ["机动车驾驶证补领"]
