"""The search benchmark's plumbing, in miniature on the end-to-end stack (`make bench-search` runs it in full)."""

from benchmarks.freshness import measure_freshness, refresh_interval, seconds
from benchmarks.search import PATHS, measure_latency, query_mix, weighted_queries
from portal_common.local_stack import ADMIN_USERNAME
from tests.e2e.conftest import ADMIN_PASSWORD


async def test_latency_through_both_paths_and_edits_until_searchable(stack):
    mix = query_mix(weighted_queries(), 20, seed=1)
    runs = await measure_latency(
        stack.search_address, stack.gateway_url, mix, concurrencies=[2], warmup=5, time_limit=20
    )
    assert [(r.path, r.load.summary.count, r.load.summary.errors) for r in runs] == [(p, 20, 0) for p in PATHS]
    interval = refresh_interval(stack.env["OPENSEARCH_URL"], stack.env["SEARCH_INDEX_ALIAS"])
    freshness = await measure_freshness(
        stack.catalog_address,
        stack.search_address,
        username=ADMIN_USERNAME,
        password=ADMIN_PASSWORD,
        edits=2,
        refresh_seconds=seconds(interval),
        give_up_after=15,
    )
    assert freshness.searchable.count == 2 and not freshness.not_found
    assert 0 < freshness.searchable.max_ms < 15_000
