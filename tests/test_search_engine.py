"""The local engine is a real OpenSearch 2.x with the analysis modules search relies on."""

import pytest
from opensearchpy import OpenSearch


@pytest.fixture(scope="module")
def engine(opensearch_url) -> OpenSearch:
    return OpenSearch(hosts=[opensearch_url])


def tokens(engine: OpenSearch, body: dict) -> list[str]:
    return [t["token"] for t in engine.indices.analyze(body=body)["tokens"]]


def test_engine_is_opensearch_2(engine):
    version = engine.info()["version"]
    assert version["distribution"] == "opensearch"
    assert version["number"].startswith("2.")


def test_synonym_graph_expands_a_colloquial_name(engine):
    body = {
        "tokenizer": "whitespace",
        "filter": [{"type": "synonym_graph", "synonyms": ["驾照, 机动车驾驶证"]}],
        "text": "驾照",
    }
    assert set(tokens(engine, body)) == {"驾照", "机动车驾驶证"}


def test_cjk_bigram_splits_chinese_into_overlapping_pairs(engine):
    body = {"tokenizer": "standard", "filter": ["cjk_width", "cjk_bigram"], "text": "驾驶证补领"}
    assert tokens(engine, body) == ["驾驶", "驶证", "证补", "补领"]
