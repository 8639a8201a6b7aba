"""Searching the published catalog."""

from dataclasses import dataclass

from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import ConnectionTimeout

from portal_common.errors import Invalid, Unavailable
from search import analysis

MAX_QUERY_LENGTH = 100
MAX_PAGE_SIZE = 50
PUBLISHED = {"term": {"status": "published"}}


@dataclass(frozen=True)
class Hit:
    item_id: int
    title: str
    department: str
    section: str
    score: float
    highlight: str


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    suggestion: str = ""


def _clean_query(text: str) -> str:
    query = " ".join(text.split())
    if not query:
        raise Invalid("query_required", "请输入要查找的事项或问题")
    if len(query) > MAX_QUERY_LENGTH:
        raise Invalid("query_too_long", f"查询内容不能超过{MAX_QUERY_LENGTH}个字")
    return query


async def search(engine: AsyncOpenSearch, alias: str, *, query: str, page: int, size: int) -> SearchResult:
    query = _clean_query(query)
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE or page * size > 10_000:
        raise Invalid("page_invalid", f"页码从1开始，每页1到{MAX_PAGE_SIZE}条")
    body = {
        "query": {"bool": {"must": _relevance(query), "filter": [PUBLISHED]}},
        "from": (page - 1) * size,
        "size": size,
        "track_total_hits": True,
        "_source": ["id", "title", "department", "section"],
        "highlight": {"encoder": "html", "fields": {"title": {"number_of_fragments": 0}}},
    }
    response = await _call(engine.search(index=alias, body=body))
    hits = [
        Hit(
            item_id=hit["_source"]["id"],
            title=hit["_source"]["title"],
            department=hit["_source"]["department"],
            section=hit["_source"]["section"],
            score=hit["_score"] or 0.0,
            highlight=hit.get("highlight", {}).get("title", [""])[0],
        )
        for hit in response["hits"]["hits"]
    ]
    return SearchResult(total=response["hits"]["total"]["value"], hits=hits)


def _relevance(query: str) -> dict:
    """What the query means, as engine clauses. User text only ever lands in term/match values, never in query
    syntax."""
    text = analysis.normalize(query)
    if analysis.is_pinyin(text):
        joined, *parts = analysis.typed_pinyin(text)
        return {
            "bool": {
                "should": [
                    # The pinyin of a whole name or alias is the answer; then names holding the words typed.
                    {"term": {"names_pinyin": {"value": joined, "boost": 20}}},
                    {"term": {"pinyin_words": {"value": joined, "boost": 3}}},
                    *({"term": {"pinyin_words": part}} for part in parts if part != joined),
                    {"multi_match": {"query": text, "fields": ["title", "aliases"]}},
                ]
            }
        }
    core = analysis.intent(text)
    return {
        "bool": {
            "should": [
                # A name or alias typed exactly is the answer.
                {"term": {"names_exact": {"value": core, "boost": 20}}},
                {"multi_match": {"query": core, "fields": ["title^3", "aliases^3", "summary", "department"]}},
                # Same sound, other character: the input method's slips.
                {"match": {"pinyin_pairs": {"query": " ".join(analysis.pinyin_pairs(core)), "boost": 0.5}}},
            ]
        }
    }


async def suggest(engine: AsyncOpenSearch, alias: str, *, prefix: str, size: int) -> list[str]:
    prefix = _clean_query(prefix)
    size = min(max(size, 1), 20)
    body = {
        "query": {"bool": {"must": {"match_phrase_prefix": {"title": prefix}}, "filter": [PUBLISHED]}},
        "size": size,
        "_source": ["title"],
    }
    response = await _call(engine.search(index=alias, body=body))
    return [hit["_source"]["title"] for hit in response["hits"]["hits"]]


async def _call(request):
    try:
        return await request
    except (EngineConnectionError, ConnectionTimeout) as error:
        raise Unavailable("search_unavailable", "搜索暂时不可用，请稍后再试") from error
