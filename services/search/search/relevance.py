"""The relevance harness (`make eval`): index the sample catalog into a throwaway index, run query sets, print
recall@3, MRR and nDCG@10 per set with the misses, and fail when a set misses its target.

A query set is a TSV file: `query<TAB>regex that the title of a right answer matches<TAB>what it tests`, lines
starting with # are comments. Relevance is binary: a result is right when its title matches the regex.
"""

import argparse
import asyncio
import math
import re
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import json_format
from opensearchpy import AsyncOpenSearch
from opensearchpy.helpers import async_bulk

from portal.catalog.v1 import catalog_pb2
from search import index, synonyms
from search.service import ItemSearch

OWN_SET = Path(__file__).resolve().parents[1] / "eval" / "queries.tsv"
SHARED_SET = Path(__file__).resolve().parents[4] / "shared" / "eval" / "search-dev.tsv"
# recall@3 each set must reach: every query of the owners' development set, 95% of our own.
TARGETS = {"search-dev.tsv": 1.0, "queries.tsv": 0.95}


@dataclass(frozen=True)
class Query:
    text: str
    expected: re.Pattern
    category: str


@dataclass
class Report:
    name: str
    ranks: list[int | None] = field(default_factory=list)  # 1-based rank of the first right answer in the top 10
    ndcgs: list[float] = field(default_factory=list)
    misses: list[tuple[Query, list[str]]] = field(default_factory=list)

    @property
    def recall_at_3(self) -> float:
        return sum(1 for r in self.ranks if r and r <= 3) / len(self.ranks)

    @property
    def mrr(self) -> float:
        return sum(1 / r for r in self.ranks if r) / len(self.ranks)

    @property
    def ndcg_at_10(self) -> float:
        return sum(self.ndcgs) / len(self.ndcgs)


def load_queries(path: Path) -> list[Query]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, expected, *rest = line.split("\t")
        queries.append(Query(text, re.compile(expected), rest[0] if rest else ""))
    return queries


def sample_items() -> Iterator[catalog_pb2.ServiceItem]:
    """The sample city as the catalog would publish it (ids in generation order)."""
    from catalog.sample.generator import build_catalog

    catalog = build_catalog()
    departments = {d["key"]: (number, d["name"]) for number, d in enumerate(catalog.departments, 1)}
    for number, row in enumerate(catalog.items, 1):
        department_id, department_name = departments[row["department"]]
        fields = {k: v for k, v in row.items() if v is not None}
        fields.update(
            id=number,
            version=1,
            department_id=department_id,
            department_name=department_name,
            status=f"ITEM_STATUS_{row['status'].upper()}",
        )
        yield json_format.ParseDict(fields, catalog_pb2.ServiceItem(), ignore_unknown_fields=True)


async def build_index(engine: AsyncOpenSearch, alias: str) -> list[str]:
    """Index the sample catalog behind `alias`; return every title (for the ideal ranking of nDCG)."""
    await index.ensure_index(engine, alias)
    items = list(sample_items())
    actions = ({"_index": alias, "_id": str(i.id), "_source": index.item_document(i)} for i in items)
    await async_bulk(engine, actions, chunk_size=500, refresh="wait_for", request_timeout=120)
    return [i.name for i in items]


def _ndcg(titles: list[str], query: Query, relevant_in_catalog: int) -> float:
    gains = [1.0 if query.expected.search(t) else 0.0 for t in titles[:10]]
    dcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(gains))
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(relevant_in_catalog, 10)))
    return dcg / ideal if ideal else 0.0


async def evaluate(items: ItemSearch, name: str, queries: list[Query], all_titles: list[str]) -> Report:
    report = Report(name)
    for query in queries:
        result = await items.search(query=query.text, page=1, size=10)
        titles = [hit.title for hit in result.hits]
        rank = next((n for n, title in enumerate(titles, 1) if query.expected.search(title)), None)
        report.ranks.append(rank)
        report.ndcgs.append(_ndcg(titles, query, sum(1 for t in all_titles if query.expected.search(t))))
        if not rank or rank > 3:
            report.misses.append((query, titles[:3]))
    return report


def print_report(report: Report) -> None:
    print(
        f"\n== {report.name}: {len(report.ranks)} queries  recall@3 {report.recall_at_3:.3f}  "
        f"MRR {report.mrr:.3f}  nDCG@10 {report.ndcg_at_10:.3f}"
    )
    for query, top in report.misses:
        print(f"  miss [{query.category}] {query.text!r} wants /{query.expected.pattern}/ got {top}")


async def run(engine_url: str, sets: list[Path]) -> bool:
    engine = index.client(engine_url)
    alias = f"eval-{uuid.uuid4().hex[:8]}"
    try:
        titles = await build_index(engine, alias)
        items = ItemSearch(engine, alias, synonyms.SynonymFile(synonyms.DEFAULT_FILE))
        passed = True
        for path in sets:
            report = await evaluate(items, path.name, load_queries(path), titles)
            print_report(report)
            target = TARGETS.get(path.name)
            if target is not None and report.recall_at_3 < target:
                print(f"  below target: recall@3 {report.recall_at_3:.3f} < {target}")
                passed = False
        return passed
    finally:
        await engine.indices.delete(index=f"{alias}-*", ignore_unavailable=True)
        await engine.close()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m search.relevance", description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, help="query sets (default: ours, and the shared one if present)")
    parser.add_argument("--engine", help="an OpenSearch URL to use (default: start a throwaway engine)")
    args = parser.parse_args()
    sets = args.sets or [p for p in (SHARED_SET, OWN_SET) if p.exists()]
    if args.engine:
        return 0 if asyncio.run(run(args.engine, sets)) else 1
    from portal_common.testing import running_opensearch

    with tempfile.TemporaryDirectory(prefix="portal-eval-") as folder, running_opensearch(Path(folder)) as url:
        return 0 if asyncio.run(run(url, sets)) else 1


if __name__ == "__main__":
    sys.exit(main())
