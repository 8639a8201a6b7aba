"""The benchmarks' arithmetic: percentiles, summaries, engine durations, the query mix."""

import math

import pytest

from benchmarks.figures import percentile, summarize, table
from benchmarks.freshness import seconds
from benchmarks.queries import CATEGORY_WEIGHTS, query_mix, weighted_queries
from benchmarks.report import Goal


def test_percentiles_interpolate_between_the_closest_ranks():
    assert percentile([4, 1, 3, 2], 0.5) == 2.5
    assert percentile([1, 2, 3, 4], 0) == 1 and percentile([1, 2, 3, 4], 1) == 4
    hundred = list(range(1, 101))
    assert percentile(hundred, 0.95) == pytest.approx(95.05)
    assert percentile(hundred, 0.99) == pytest.approx(99.01)
    assert percentile([7.0], 0.99) == 7.0
    assert math.isnan(percentile([], 0.5))
    with pytest.raises(ValueError):
        percentile([1], 95)


def test_a_summary_is_in_milliseconds_and_counts_only_successes():
    summary = summarize([0.010, 0.020, 0.030, 0.040], errors=2, seconds=2.0)
    assert (summary.count, summary.errors, summary.per_second) == (4, 2, 2.0)
    assert summary.p50_ms == pytest.approx(25) and summary.mean_ms == pytest.approx(25)
    assert summary.max_ms == pytest.approx(40)
    assert math.isnan(summarize([], errors=3).p95_ms)


def test_engine_durations_in_seconds():
    assert [seconds(d) for d in ("1s", "500ms", "2m", "-1", "30")] == [1, 0.5, 120, 0, 0.03]
    with pytest.raises(ValueError):
        seconds("soon")


def test_the_query_mix_is_fixed_and_favours_everyday_queries():
    weights = weighted_queries()
    assert len(weights) > 300
    assert query_mix(weights, 500, seed=3) == query_mix(weights, 500, seed=3)
    categories = {q: c for q, c in _own_categories()}
    everyday = {q for q, c in categories.items() if CATEGORY_WEIGHTS.get(c, 1) > 1}
    share = sum(q in everyday for q in query_mix(weights, 5000, seed=3)) / 5000
    assert share > len(everyday) / len(weights)


def test_tables_align_the_figures():
    printed = table(["path", "p50 ms"], [["gRPC", 3.14159], ["gateway", 12.345], ["none", math.nan]])
    assert printed.splitlines() == [
        "path     p50 ms",
        "-------  ------",
        "gRPC       3.14",
        "gateway    12.3",
        "none          -",
    ]


def test_a_verdict_says_by_how_much_a_goal_is_missed():
    at_least_half, at_most_twice = Goal(True, 0.5), Goal(False, 2)
    assert (at_least_half.verdict(0.6), at_least_half.verdict(0.5)) == ("met", "met")
    assert at_least_half.verdict(0.4) == "missed by 20%"
    assert at_most_twice.verdict(3.0) == "missed by 50%"
    assert Goal(False, 150, " MB").verdict(math.nan) == "not measured"
    assert (str(at_least_half), str(Goal(False, 150, " MB"))) == ("≥ 0.5", "≤ 150 MB")


def _own_categories():
    from search import relevance

    return [(q.text, q.category) for q in relevance.load_queries(relevance.OWN_SET)]
