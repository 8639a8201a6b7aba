"""Searching the published catalog: relevance, best bets, popularity, facets, did-you-mean and autocomplete.

User text only ever lands in term and match values, never in query syntax.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from opensearchpy import AsyncOpenSearch

from portal_common.errors import Invalid
from search import analysis
from search.best_bets import BestBets
from search.engine import call
from search.popularity import Popularity, boost
from search.synonyms import SynonymFile

MAX_QUERY_LENGTH = 100
MAX_PAGE_SIZE = 50
MAX_RESULT_WINDOW = 10_000  # the engine's index.max_result_window
RERANK_WINDOW = 50  # the first results are reordered by popularity; later pages keep the engine's order
PIN_BOOST = 10_000
PUBLISHED = {"term": {"status": "published"}}
SOURCE = ["id", "title", "aliases", "department", "department_id", "section", "summary", "online"]
LOCAL_COPY = re.compile(r"（[^（）]*）$")  # 事项（芝罘区）: a district's copy of a city-wide item
ONLINE_LABELS = {"true": "可在线办理", "false": "需到现场办理"}


@dataclass(frozen=True)
class Filters:
    department_id: int = 0
    section: str = ""
    item_type: str = ""
    audience: str = ""
    online: bool | None = None

    def clauses(self) -> list[dict]:
        terms = {"department_id": self.department_id or None, "online": self.online}
        terms |= {name: getattr(self, name) or None for name in ("section", "item_type", "audience")}
        for name, value in terms.items():
            if isinstance(value, str) and len(value) > 50:
                raise Invalid("filter_invalid", "筛选条件无效", field=name)
        return [{"term": {name: value}} for name, value in terms.items() if value is not None]


@dataclass(frozen=True)
class Hit:
    item_id: int
    title: str
    department: str
    department_id: int
    section: str
    summary: str
    online: bool
    score: float
    highlight: str
    pinned: bool = False
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facet:
    name: str
    values: list[FacetValue]


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    suggestion: str = ""
    facets: list[Facet] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    text: str
    item_id: int


class ItemSearch:
    def __init__(
        self,
        engine: AsyncOpenSearch,
        alias: str,
        synonyms: SynonymFile,
        best_bets: BestBets | None = None,
        popularity: Popularity | None = None,
    ):
        self._engine = engine
        self._alias = alias
        self._synonyms = synonyms
        self.best_bets = best_bets or BestBets(engine, alias)
        self.popularity = popularity or Popularity(engine, alias)

    async def search(self, *, query: str, page: int = 1, size: int = 10, filters: Filters = Filters()) -> SearchResult:
        text = analysis.normalize(_checked_query(query))
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE or page * size > MAX_RESULT_WINDOW:
            raise Invalid("page_invalid", f"页码从1开始，每页1到{MAX_PAGE_SIZE}条，最多查看前{MAX_RESULT_WINDOW}条")
        conditions = [PUBLISHED, *filters.clauses()]
        if not text and len(conditions) == 1:
            return await self._catalog_facets()  # nothing asked yet: show where to start browsing
        pinned = await self.best_bets.pinned_for(text) if text else []
        body = self.query_body(text, page=page, size=size, filters=filters, pinned=pinned)
        response = await call(self._engine.search(index=self._alias, body=body))
        hits = [_hit(raw, pinned) for raw in response["hits"]["hits"]]
        if _reranked(text, page, size):
            hits = (await self._by_popularity(hits))[(page - 1) * size : page * size]
        return SearchResult(
            total=response["hits"]["total"]["value"],
            hits=hits,
            suggestion=did_you_mean(text, hits) if text else "",
            facets=_facets(response["aggregations"]),
        )

    def query_body(self, text: str, *, page: int, size: int, filters: Filters, pinned: list[int]) -> dict:
        """The engine request for normalized `text` (the benchmark sends the same bodies to the engine directly)."""
        reranked = _reranked(text, page, size)
        relevance = self._relevance(text, pinned) if text else {"match_all": {}}
        return {
            "query": {"bool": {"must": relevance, "filter": [PUBLISHED, *filters.clauses()]}},
            "from": 0 if reranked else (page - 1) * size,
            "size": RERANK_WINDOW if reranked else size,
            "track_total_hits": True,
            "_source": SOURCE,
            "highlight": {"encoder": "html", "fields": {"title": {"number_of_fragments": 0}}},
            "aggs": FACET_AGGREGATIONS,
            **({} if text else {"sort": [{"title.raw": "asc"}]}),
        }

    def _relevance(self, text: str, pinned: list[int]) -> dict:
        clauses = pinyin_clauses(text) if analysis.is_pinyin(text) else self._chinese_clauses(text)
        if pinned:
            pins = {"ids": {"values": [str(item_id) for item_id in pinned]}}
            clauses.append({"constant_score": {"filter": pins, "boost": PIN_BOOST}})
        return {"bool": {"should": clauses}}

    def _chinese_clauses(self, text: str) -> list[dict]:
        core = analysis.intent(text)
        clauses = [
            # A name or alias typed exactly is the answer.
            {"term": {"names_exact": {"value": core, "boost": 20}}},
            {"multi_match": {"query": core, "fields": ["title^3", "aliases^3", "summary", "department"]}},
            # A name that covers most of what was typed beats a short one that covers a little of it.
            {"multi_match": {"query": core, "fields": ["title", "aliases"], "minimum_should_match": "70%"}},
            {"match": {"words": {"query": " ".join(analysis.words(core)), "boost": 0.5}}},
            # Same sound, other character: the input method's slips.
            {"match": {"pinyin_pairs": {"query": " ".join(analysis.pinyin_pairs(core)), "boost": 0.5}}},
        ]
        if sound := analysis.name_pinyin(core):  # a whole name that sounds the same (驾驶正 → 驾驶证)
            clauses.append({"term": {"names_pinyin": {"value": sound, "boost": 10}}})
        dictionary = self._synonyms.current()
        found = dictionary.matches(text)
        if rewritten := [analysis.intent(alternative) for alternative in dictionary.expand(text, found)]:
            # The best reading counts, not their sum: five readings of one query are not five matches.
            fields = ["title^3", "aliases^3", "summary"]
            clauses.append(
                {"dis_max": {"queries": [{"multi_match": {"query": r, "fields": fields}} for r in rewritten]}}
            )
            clauses += [{"term": {"names_exact": {"value": r, "boost": 10}}} for r in rewritten]
        for _, meanings in found:  # 跑滴滴 → the licence by its name
            clauses += [{"term": {"names_exact": {"value": meaning, "boost": 10}}} for meaning in meanings]
        return clauses

    async def _by_popularity(self, hits: list[Hit]) -> list[Hit]:
        clicks = await self.popularity.clicks()
        return sorted(hits, key=lambda h: (h.pinned, h.score * boost(clicks.get(h.item_id, 0))), reverse=True)

    async def _catalog_facets(self) -> SearchResult:
        body = {"query": {"bool": {"filter": [PUBLISHED]}}, "size": 0, "aggs": FACET_AGGREGATIONS}
        response = await call(self._engine.search(index=self._alias, body=body))
        return SearchResult(total=0, hits=[], facets=_facets(response["aggregations"]))

    async def suggest(self, *, prefix: str, size: int = 8) -> list[Suggestion]:
        text = analysis.normalize(_checked_query(prefix))
        if analysis.is_pinyin(text):
            text = text.replace(" ", "").replace("'", "")
        if not text:
            return []
        size = min(max(size, 1), 20)
        completion = {"field": "suggest", "size": size * 10, "contexts": {"status": ["published"]}}
        body = {"suggest": {"names": {"prefix": text, "completion": completion}}, "_source": ["id", "title"]}
        response = await call(self._engine.search(index=self._alias, body=body))
        found: dict[str, Suggestion] = {}
        for option in response["suggest"]["names"][0]["options"]:
            source = option["_source"]
            name = LOCAL_COPY.sub("", source["title"])  # one line for an item and its copies per district
            found.setdefault(name, Suggestion(name, source["id"]))
        return list(found.values())[:size]


def _reranked(text: str, page: int, size: int) -> bool:
    """The first results of a query are reordered by popularity, so the engine is asked for the whole window."""
    return bool(text) and page * size <= RERANK_WINDOW


def _checked_query(text: str) -> str:
    query = " ".join(text.split())
    if len(query) > MAX_QUERY_LENGTH:
        raise Invalid("query_too_long", f"查询内容不能超过{MAX_QUERY_LENGTH}个字")
    return query


def pinyin_clauses(text: str) -> list[dict]:
    joined, *parts = analysis.typed_pinyin(text)
    return [
        # The pinyin of a whole name or alias is the answer; then names holding the words typed.
        {"term": {"names_pinyin": {"value": joined, "boost": 20}}},
        # Initials are often ambiguous (jsz: 驾驶证, 教师证, 借书证): a whole name's initials count less.
        {"term": {"names_initials": {"value": joined, "boost": 4}}},
        {"term": {"pinyin_words": {"value": joined, "boost": 3}}},
        *({"term": {"pinyin_words": part}} for part in parts if part != joined),
        {"multi_match": {"query": text, "fields": ["title", "aliases"]}},
    ]


def did_you_mean(text: str, hits: list[Hit]) -> str:
    """A correction when the query's words are in no top result but a name sounds like them; never a
    correction of words that matched."""
    names = [name for hit in hits[:5] for name in _normalized(hit.names)]
    if analysis.is_pinyin(text):
        joined = analysis.typed_pinyin(text)[0]
        return next((name for name in names if analysis.name_pinyin(name) == joined), "")
    core = analysis.intent(text)
    if any(core in name for name in names):
        return ""
    for name in names:
        if part := analysis.homophone_in(core, name):
            return text.replace(core, part)
    return ""


@lru_cache(maxsize=10_000)
def _normalized(names: tuple[str, ...]) -> tuple[str, ...]:
    """An item's names as queries are normalized: the top results of popular queries are the same items again and
    again, and OpenCC costs ~5 µs a name."""
    return tuple(map(analysis.normalize, names))


def _hit(raw: dict, pinned: list[int]) -> Hit:
    source = raw["_source"]
    return Hit(
        item_id=source["id"],
        title=source["title"],
        department=source["department"],
        department_id=source.get("department_id", 0),
        section=source["section"],
        summary=source.get("summary", ""),
        online=source.get("online", False),
        score=raw["_score"] or 0.0,
        highlight=raw.get("highlight", {}).get("title", [""])[0],
        pinned=source["id"] in pinned,
        names=(source["title"], *source.get("aliases", [])),
    )


FACET_AGGREGATIONS = {
    "department": {
        "terms": {"field": "department_id", "size": 30},
        "aggs": {"name": {"terms": {"field": "department.raw", "size": 1}}},
    },
    "section": {"terms": {"field": "section", "size": 10}},
    "item_type": {"terms": {"field": "item_type", "size": 30}},
    "audience": {"terms": {"field": "audience", "size": 5}},
    "online": {"terms": {"field": "online", "size": 2}},
}


def _facets(aggregations: dict) -> list[Facet]:
    facets = []
    for name in FACET_AGGREGATIONS:
        values = []
        for bucket in aggregations[name]["buckets"]:
            value = str(bucket.get("key_as_string", bucket["key"]))
            if name == "department":
                label = next((b["key"] for b in bucket["name"]["buckets"]), value)
            else:
                label = ONLINE_LABELS.get(value, value) if name == "online" else value
            values.append(FacetValue(value, label, bucket["doc_count"]))
        facets.append(Facet(name, values))
    return facets
