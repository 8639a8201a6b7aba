"""What residents and the portal office see around the results: facets and filters, did-you-mean, autocomplete,
best bets, popularity from clicks, and an empty query that still helps."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from portal.catalog.v1 import catalog_pb2
from portal_common.errors import Invalid, NotFound
from search.service import Filters
from services.search.tests.catalog_events import event, index_and_refresh

DRAFT = catalog_pb2.ITEM_STATUS_DRAFT


@pytest.fixture
async def city(engine, alias):
    await index_and_refresh(
        engine,
        alias,
        [
            event(1, 1, "机动车驾驶证补领", aliases=["驾照补办"], department_id=7, audience="个人", online=True),
            event(2, 1, "机动车驾驶证初次申领", department_id=7, audience="个人"),
            event(3, 1, "居民身份证补领", department_id=8, audience="个人", online=True),
            event(4, 1, "营业执照补领、换发", department_id=9, audience="法人", item_type="行政许可"),
            event(5, 1, "残疾人证办理", aliases=["残疾证"], department_id=10, audience="个人,法人"),
            event(6, 1, "驾驶证草稿事项", status=DRAFT, department_id=7),
        ],
    )


def facet(result, name: str) -> dict[str, int]:
    return next({v.value: v.count for v in f.values} for f in result.facets if f.name == name)


async def test_facets_count_the_results_and_filters_narrow_them(items, city):
    result = await items.search(query="补领")
    assert result.total == 3
    assert facet(result, "department") == {"7": 1, "8": 1, "9": 1}
    assert facet(result, "online") == {"true": 2, "false": 1}
    assert facet(result, "audience") == {"个人": 2, "法人": 1}

    online = await items.search(query="补领", filters=Filters(online=True, department_id=8))
    assert [hit.title for hit in online.hits] == ["居民身份证补领"]
    companies = await items.search(query="补领", filters=Filters(audience="法人", item_type="行政许可"))
    assert [hit.title for hit in companies.hits] == ["营业执照补领、换发"]


async def test_an_empty_query_answers_no_items_but_where_to_browse(items, city):
    result = await items.search(query="  ")
    assert (result.total, result.hits) == (0, [])
    assert sum(facet(result, "section").values()) == 5  # every published item, no draft


async def test_an_empty_query_with_a_filter_browses_that_part_of_the_catalog(items, city):
    result = await items.search(query="", filters=Filters(department_id=7))
    assert sorted(hit.title for hit in result.hits) == ["机动车驾驶证初次申领", "机动车驾驶证补领"]


async def test_a_homophone_slip_gets_a_did_you_mean(items, city):
    result = await items.search(query="驾驶正")
    assert result.suggestion == "驾驶证"
    assert result.hits[0].title.startswith("机动车驾驶证")
    assert (await items.search(query="残记证办理")).suggestion == "残疾证办理"


async def test_words_that_matched_are_never_corrected(items, city):
    assert (await items.search(query="驾驶证")).suggestion == ""
    assert (await items.search(query="营业执照")).suggestion == ""


async def test_autocomplete_offers_names_by_prefix_tail_and_pinyin_but_no_draft(items, city):
    async def offered(prefix):
        return [s.text for s in await items.suggest(prefix=prefix)]

    assert set(await offered("机动车")) == {"机动车驾驶证初次申领", "机动车驾驶证补领"}
    assert set(await offered("驾驶证")) == {"机动车驾驶证初次申领", "机动车驾驶证补领"}  # a tail, no draft
    assert await offered("jiaz") == ["机动车驾驶证补领"]  # 驾照 in pinyin
    assert await offered("sfz") == [] and await offered("jmsfz") == ["居民身份证补领"]
    assert await offered("駕照") == ["机动车驾驶证补领"]  # traditional characters fold
    assert await offered("") == []


async def test_a_best_bet_comes_first_until_it_expires(items, city):
    assert (await items.search(query="补领")).hits[0].title != "残疾人证办理"
    soon = datetime.now(UTC) + timedelta(days=1)
    await items.best_bets.pin(query="补领", item_id=5, expires_at=soon, created_by="office")
    result = await items.search(query="补领怎么办")  # the pin matches the intent, not the wording
    assert (result.hits[0].title, result.hits[0].pinned) == ("残疾人证办理", True)
    assert [b.item_id for b in await items.best_bets.list()] == [5]

    await items.best_bets.remove(query="补领", item_id=5)
    assert (await items.search(query="补领")).hits[0].title != "残疾人证办理"


async def test_an_expired_best_bet_is_ignored(items, city):
    expiry = datetime.now(UTC) + timedelta(seconds=2)
    await items.best_bets.pin(query="补领", item_id=5, expires_at=expiry, created_by="office")
    assert (await items.search(query="补领")).hits[0].pinned
    await asyncio.sleep((expiry - datetime.now(UTC)).total_seconds() + 0.1)
    assert not any(hit.pinned for hit in (await items.search(query="补领")).hits)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (dict(item_id=6), "item_not_found"),  # a draft cannot be pinned
        (dict(item_id=999), "item_not_found"),
        (dict(query="  "), "query_required"),
        (dict(expires_at=datetime.now(UTC) - timedelta(days=1)), "expiry_invalid"),
        (dict(expires_at=datetime.now(UTC) + timedelta(days=400)), "expiry_invalid"),
    ],
)
async def test_a_bad_best_bet_is_refused_by_name(items, city, change, code):
    pin = dict(query="补领", item_id=5, expires_at=datetime.now(UTC) + timedelta(days=1), created_by="office")
    with pytest.raises((Invalid, NotFound)) as refused:
        await items.best_bets.pin(**(pin | change))
    assert refused.value.code == code


async def test_clicks_reorder_near_ties_but_never_beat_a_better_match(items, city, engine, alias):
    async def click(item_id: int, times: int) -> None:
        for _ in range(times):
            await items.popularity.record(item_id)
        await engine.indices.refresh(index=f"{alias}.clicks")
        await items.popularity.refresh()

    ranked = [hit.item_id for hit in (await items.search(query="机动车驾驶证")).hits]
    assert set(ranked[:2]) == {1, 2}
    underdog = ranked[1]
    await click(underdog, 200)
    assert (await items.popularity.clicks())[underdog] == 200
    assert [hit.item_id for hit in (await items.search(query="机动车驾驶证")).hits][0] == underdog

    # However popular, an item is not put above the exact name of another.
    await click(2, 1000)
    assert (await items.search(query="驾照补办")).hits[0].item_id == 1
