"""The harness's arithmetic, on hand-worked examples."""

import math
import re

import pytest

from search.relevance import Query, Report, _ndcg, load_queries


def test_recall_mrr_from_ranks():
    report = Report("set", ranks=[1, 3, 4, None], ndcgs=[1.0, 0.5, 0.0, 0.0])
    assert report.recall_at_3 == 0.5
    assert report.mrr == pytest.approx((1 + 1 / 3 + 1 / 4) / 4)
    assert report.ndcg_at_10 == 0.375


def test_ndcg_rewards_right_answers_near_the_top():
    query = Query("驾照", re.compile("驾驶证"), "colloquial")
    assert _ndcg(["机动车驾驶证补领", "其他"], query, relevant_in_catalog=1) == 1.0
    assert _ndcg(["其他", "机动车驾驶证补领"], query, relevant_in_catalog=1) == pytest.approx(1 / math.log2(3))
    assert _ndcg(["其他"], query, relevant_in_catalog=1) == 0.0


def test_query_sets_skip_comments(tmp_path):
    path = tmp_path / "set.tsv"
    path.write_text("# query\texpected\tcategory\n驾照补办\t驾驶证.*补\tcolloquial\n\n", encoding="utf-8")
    [query] = load_queries(path)
    assert (query.text, query.category) == ("驾照补办", "colloquial")
    assert query.expected.search("机动车驾驶证补领")
