"""The verdicts of `make bench`: each ratio next to its goal in one table, the figures behind it in smaller tables,
and the whole written to benchmarks/RESULTS.md (the README links it)."""

import math
from dataclasses import dataclass
from pathlib import Path

from benchmarks.figures import table, write_record
from benchmarks.load import BENCHMARK

__all__ = ["write", "write_record", "Goal", "verdict_rows"]

PYTHON_SERVICES = ("catalog", "search", "indexer", "feedback", "gateway")
MB = 2**20
FULL_SCALE = 1_000_000
# The paths whose requests per second make R1 and R2.
GATEWAY_SEARCH, ENGINE_SEARCH = "gateway HTTP", "engine direct"
GATEWAY_PAGE, BARE_PAGE = "gateway item page", "bare FastAPI"
GATEWAY_PAGE_MIX = "gateway, residents' mix"


@dataclass(frozen=True)
class Goal:
    at_least: bool
    target: float
    unit: str = ""

    def __str__(self) -> str:
        return f"{'≥' if self.at_least else '≤'} {self.target:g}{self.unit}"

    def verdict(self, value: float) -> str:
        if value is None or math.isnan(value):
            return "not measured"
        if (value >= self.target) if self.at_least else (value <= self.target):
            return "met"
        return f"missed by {abs(value / self.target - 1):.0%}"


R1, R2, R3, R4, R5 = Goal(True, 0.5), Goal(True, 0.3), Goal(True, 0.5), Goal(False, 1.3), Goal(False, 2)
SCALE = Goal(False, 2)
MEMORY = Goal(False, 150, " MB")


def _ratio(figure: str, portal: float, yardstick: float, goal: Goal, note: str = "") -> list:
    ratio = portal / yardstick if yardstick else math.nan
    return [figure, portal, yardstick, ratio, str(goal), goal.verdict(ratio) + note]


def verdict_rows(figures: dict) -> list[list]:
    search, pages, indexing = figures["search"], figures["item_page"], figures["indexing"]
    rows = [
        _ratio(
            "R1 search req/s: gateway ÷ engine direct",
            search[GATEWAY_SEARCH]["per_second"],
            search[ENGINE_SEARCH]["per_second"],
            R1,
        ),
        _ratio(
            "R2 item page req/s: gateway ÷ bare FastAPI",
            pages[GATEWAY_PAGE]["per_second"],
            pages[BARE_PAGE]["per_second"],
            R2,
        ),
        _ratio(
            "R2 the same, residents' mix (page cache)",
            pages[GATEWAY_PAGE_MIX]["per_second"],
            pages[BARE_PAGE]["per_second"],
            R2,
        ),
        _ratio(
            "R3 events indexed/s: pipeline ÷ direct bulk",
            indexing["pipeline_per_second"],
            indexing["bulk_per_second"],
            R3,
        ),
    ]
    for fresh in figures["freshness"]:
        interval = fresh["refresh_seconds"]
        rows.append(
            _ratio(
                f"R4 p95 edit→searchable ms ÷ refresh {interval:g} s", fresh["searchable"].p95_ms, interval * 1000, R4
            )
        )
    rows.append(_ratio("R5 reindex s ÷ direct bulk s", figures["reindex"]["seconds"], indexing["bulk_seconds"], R5))
    scale = figures["scale"]
    if len(scale) > 1:
        small, large = scale[0], scale[-1]
        note = "" if large["items"] >= FULL_SCALE else f" (goal is at {FULL_SCALE:,}; not run)"
        rows.append(
            _ratio(
                f"search p95 ms at {large['items']:,} ÷ at {small['items']:,} items",
                large["search"].p95_ms,
                small["search"].p95_ms,
                SCALE,
                note,
            )
        )
    for name in PYTHON_SERVICES:
        peak = figures["memory"]["under_load"].get(name, math.nan) / MB
        rows.append([f"peak RSS under load: {name}", peak, MEMORY.target, math.nan, str(MEMORY), MEMORY.verdict(peak)])
    return rows


def _load_rows(runs: dict) -> list[list]:
    rows = []
    for path, run in runs.items():
        cpu = run["cpu_seconds"]
        rows.append(
            [path, run["count"], run["errors"], run["p50_ms"], run["p95_ms"], run["p99_ms"], run["per_second"]]
            + [100 * cpu.get(BENCHMARK, math.nan) / run["seconds"] if run["seconds"] else math.nan]
            + [cpu.get(name, math.nan) for name in ("gateway", "search", "opensearch")]
        )
    return rows


def render(figures: dict) -> str:
    machine, args = figures["machine"], figures["arguments"]
    indexing, reindex = figures["indexing"], figures["reindex"]
    load_headers = ["path", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "req/s", "bench CPU %"]
    load_headers += ["gateway CPU s", "search CPU s", "engine CPU s"]
    parts = [
        f"{machine['cpus']} CPUs, load average {machine['load_average'][0]:.1f} at the start; concurrency "
        f"{args['concurrency']}, {args['requests']} requests per path after {args['warmup']} warm-up requests.",
        "",
        table(["figure", "portal", "yardstick", "ratio", "goal", "verdict"], verdict_rows(figures)),
        "",
        "Search (the same query mix; the engine gets the bodies the search service builds):",
        table(load_headers, _load_rows(figures["search"])),
        "",
        "Item pages (distinct published items, none from the page cache; then items drawn as residents ask for them,"
        " the k-th most popular in proportion to 1/k; the bare app is served by the gateway's own serve()):",
        table(load_headers, _load_rows(figures["item_page"])),
        "",
        "Indexing (pipeline: from the first document indexed until the last, the sample's events in the stream):",
        table(
            ["items", "pipeline docs", "pipeline s", "pipeline/s", "doc build ms", "bulk s", "bulk/s"]
            + ["reindex s", "reindex wall s"],
            [
                [
                    indexing["items"],
                    indexing["pipeline_documents"],
                    indexing["pipeline_seconds"],
                    indexing["pipeline_per_second"],
                    indexing["document_ms"],
                    indexing["bulk_seconds"],
                    indexing["bulk_per_second"],
                    reindex["seconds"],
                    reindex["wall_seconds"],
                ]
            ],
        ),
        "",
        "Edit → searchable (UpdateItem answered → search gRPC finds the edit):",
        table(
            ["refresh s", "edits", "not found", "p50 ms", "p95 ms", "max ms", "UpdateItem p50 ms"],
            [
                [
                    f["refresh_seconds"],
                    f["searchable"].count,
                    f["searchable"].errors,
                    f["searchable"].p50_ms,
                    f["searchable"].p95_ms,
                    f["searchable"].max_ms,
                    f["update"].p50_ms,
                ]
                for f in figures["freshness"]
            ],
        ),
        "",
        "Scale (generated items, the service's document builder, bulk-loaded; the query mix at concurrency 1):",
        table(
            ["items", "index MB", "build s", "bulk s", "step s", "searches", "p50 ms", "p95 ms", "p99 ms"],
            [
                [
                    s["items"],
                    s["index_bytes"] / MB,
                    s["building_seconds"],
                    s["bulk_seconds"],
                    s["step_seconds"],
                    s["search"].count,
                    s["search"].p50_ms,
                    s["search"].p95_ms,
                    s["search"].p99_ms,
                ]
                for s in figures["scale"]
            ],
        ),
        "",
        "Memory (MB; under load: sampled every 0.2 s during the runs above; lifetime: the kernel's VmHWM):",
        table(
            ["process", "under load", "lifetime peak"],
            [
                [name, peak / MB, figures["memory"]["lifetime"].get(name, math.nan) / MB]
                for name, peak in sorted(figures["memory"]["under_load"].items())
            ],
        ),
    ]
    return "\n".join(parts)


def write(figures: dict, path: Path) -> str:
    text = render(figures)
    started = figures["started_at"]
    path.write_text(
        "# Benchmark results\n\n"
        f"Written by `make bench` (`benchmarks/bench.py`) on {started:%Y-%m-%d %H:%M} UTC with "
        f"`{figures['arguments'].get('command', 'make bench')}`. Every figure comes from one run on a machine that "
        "other work shares: absolute figures are noisy, the ratios (measured side by side) less so.\n\n"
        f"```\n{text}\n```\n",
        encoding="utf-8",
    )
    return text
