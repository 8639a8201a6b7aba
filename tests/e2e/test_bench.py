"""`make bench` in miniature on the end-to-end stack: tiny loads and sizes, every figure of the table measured."""

import time
from datetime import UTC, datetime

from benchmarks import bench, report
from benchmarks.stack import BenchPortal
from tests.e2e.conftest import ADMIN_PASSWORD

TINY = "--requests 30 --warmup 10 --edits 2 --min-edits 2 --refresh-intervals 1 --scale 200,300 --scale-requests 20"


async def test_the_table_has_every_ratio_and_a_verdict(stack, nats_server, opensearch_url, indexed, tmp_path):
    published = stack.wait_until_indexed(60)
    since_start = time.monotonic() - stack.started_at["catalog"]
    portal = BenchPortal(stack, nats_server, opensearch_url, published, since_start, {}, ADMIN_PASSWORD)
    args = bench.parse_args([*TINY.split(), "--results", str(tmp_path / "RESULTS.md")])

    figures = await bench.run(portal, args)
    text = bench.finish(figures, args, TINY.split(), datetime.now(UTC))

    for runs in (figures["search"], figures["item_page"]):
        assert [(run["count"], run["errors"]) for run in runs.values()] == [(30, 0)] * len(runs)
    rows = report.verdict_rows(figures)
    labels = [row[0].split()[0] for row in rows]
    assert [label for label in labels if label.startswith("R")] == ["R1", "R2", "R2", "R3", "R4", "R5"]
    assert sum(row[0].startswith("peak RSS") for row in rows) == len(report.PYTHON_SERVICES)
    assert any(row[0].startswith("search p95") for row in rows)
    assert all(row[-1].startswith(("met", "missed by")) for row in rows), rows
    written = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert text in written and "R5 reindex" in written
