"""Search benchmark (`make bench-search`): search latency at the search service's gRPC and through the gateway's
JSON API, and the time from a catalog edit to the edit being searchable, on the full sample catalog.

Prints a table and writes the figures to `.local/bench/search-<timestamp>.json`.
"""

import argparse
import asyncio
import itertools
import os
import random
import signal
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import grpc

from benchmarks.figures import table, write_record
from benchmarks.freshness import measure_freshness, refresh_interval, seconds
from benchmarks.load import BENCHMARK, LoadRun, run_load
from benchmarks.stack import BenchPortal, running_portal
from portal.search.v1 import search_pb2, search_pb2_grpc
from search import relevance

PAGE_SIZE = 10  # the gateway's default page
REQUEST_TIMEOUT = 5.0
# No click log yet, so popularity is a judgement: residents mostly type everyday names and short questions (the
# owners' development set is made of such), seldom pinyin, initials or traditional characters.
SHARED_SET_WEIGHT = 4
CATEGORY_WEIGHTS = {"colloquial": 4, "official": 3, "sentence": 3, "lookup": 3}
PATHS = ("search gRPC", "gateway HTTP")
CPU_COLUMNS = (BENCHMARK, "gateway", "search", "opensearch", "indexer", "catalog", "nats")


@dataclass(frozen=True)
class LatencyRun:
    path: str
    concurrency: int
    load: LoadRun


def weighted_queries() -> Counter[str]:
    """Each distinct query of the relevance sets with its weight in the mix."""
    weights: Counter[str] = Counter()
    if relevance.SHARED_SET.exists():
        for query in relevance.load_queries(relevance.SHARED_SET):
            weights[query.text] += SHARED_SET_WEIGHT
    for query in relevance.load_queries(relevance.OWN_SET):
        weights[query.text] += CATEGORY_WEIGHTS.get(query.category, 1)
    return weights


def query_mix(weights: Counter[str], count: int, seed: int) -> list[str]:
    """A fixed sequence of `count` queries drawn by weight: the same for every path and every run."""
    texts = sorted(weights)
    return random.Random(seed).choices(texts, [weights[t] for t in texts], k=count)


class GrpcSearch:
    def __init__(self, address: str):
        self._channel = grpc.aio.insecure_channel(address)
        self._stub = search_pb2_grpc.SearchServiceStub(self._channel)

    async def __call__(self, query: str) -> None:
        request = search_pb2.SearchRequest(query=query, page=1, size=PAGE_SIZE)
        await self._stub.Search(request, timeout=REQUEST_TIMEOUT)

    async def close(self) -> None:
        await self._channel.close()


class GatewaySearch:
    """aiohttp, not httpx: httpx spends ~3 ms of CPU per request here, aiohttp under 1 ms, and the load generator
    shares two cores with the portal. (aiohttp is pinned already: opensearch-py's async transport uses it.)"""

    def __init__(self, base_url: str):
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        self._session = aiohttp.ClientSession(base_url, timeout=timeout)

    async def __call__(self, query: str) -> None:
        async with self._session.get("/api/v1/search", params={"q": query, "size": PAGE_SIZE}) as response:
            body = await response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {body[:200].decode(errors='replace')}")

    async def close(self) -> None:
        await self._session.close()


async def measure_latency(
    search_address: str,
    gateway_url: str,
    mix: list[str],
    *,
    concurrencies: list[int],
    warmup: int,
    time_limit: float,
    process_ids: dict[str, int] | None = None,
) -> list[LatencyRun]:
    """For each concurrency, the whole mix through each path, after `warmup` unmeasured requests per path."""
    targets = {PATHS[0]: GrpcSearch(search_address), PATHS[1]: GatewaySearch(gateway_url)}
    try:
        for path, target in targets.items():
            warmup_mix = itertools.islice(itertools.cycle(mix), warmup)
            warm = await run_load(target, warmup_mix, concurrency=max(concurrencies), time_limit=time_limit)
            _progress(f"{path}: {warm.summary.count} warm-up requests, p50 {warm.summary.p50_ms:.1f} ms")
        runs = []
        for concurrency in concurrencies:
            for path, target in targets.items():
                load = await run_load(
                    target, mix, concurrency=concurrency, time_limit=time_limit, process_ids=process_ids
                )
                runs.append(LatencyRun(path, concurrency, load))
                _progress(
                    f"{path} at concurrency {concurrency}: {load.summary.count} requests, p50 "
                    f"{load.summary.p50_ms:.1f} ms, {load.summary.errors} errors"
                )
        return runs
    finally:
        for target in targets.values():
            await target.close()


def gateway_over_grpc(runs: list[LatencyRun]) -> list[dict]:
    """Gateway ÷ gRPC for each concurrency: what the HTTP hop and the gateway add."""
    ratios = []
    by_key = {(run.path, run.concurrency): run.load.summary for run in runs}
    for concurrency in sorted({run.concurrency for run in runs}):
        direct, gateway = by_key[(PATHS[0], concurrency)], by_key[(PATHS[1], concurrency)]
        figures = {f: getattr(gateway, f"{f}_ms") / getattr(direct, f"{f}_ms") for f in ("p50", "p95", "p99", "mean")}
        ratios.append({"concurrency": concurrency, **figures, "per_second": gateway.per_second / direct.per_second})
    return ratios


async def run(portal: BenchPortal, args: argparse.Namespace) -> dict:
    load_average = os.getloadavg()  # other work on the machine takes cores from the portal and the load generator
    weights = weighted_queries()
    mix = query_mix(weights, args.requests, args.seed)
    stack = portal.stack
    _progress(f"latency: {args.requests} requests per path and concurrency, {len(weights)} distinct queries")
    runs = await measure_latency(
        stack.search_address,
        stack.gateway_url,
        mix,
        concurrencies=args.concurrency,
        warmup=args.warmup,
        time_limit=args.time_limit,
        process_ids=portal.process_ids(),
    )
    interval = refresh_interval(portal.opensearch_url, portal.index_alias)
    _progress(f"freshness: {args.edits} edits (refresh interval {interval})")
    username, password = portal.admin
    freshness = await measure_freshness(
        stack.catalog_address,
        stack.search_address,
        username=username,
        password=password,
        edits=args.edits,
        refresh_seconds=seconds(interval),
        seed=args.seed,
    )
    return {
        "benchmark": "search",
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_average": load_average},
        "catalog": {
            "sample_items": args.items,
            "published": portal.published_items,
            "indexed_seconds": portal.indexed_seconds,
            "indexing_cpu_seconds": portal.indexing_cpu_seconds,
        },
        "query_mix": {"distinct_queries": len(weights), "requests": args.requests, "warmup": args.warmup},
        "latency": [
            {
                "path": r.path,
                "concurrency": r.concurrency,
                **r.load.summary.__dict__,
                "per_second": r.load.summary.per_second,
                "cpu_seconds": r.load.cpu_seconds,
                "first_errors": r.load.first_errors,
            }
            for r in runs
        ],
        "gateway_over_grpc": gateway_over_grpc(runs),
        "freshness": {
            "edits": args.edits,
            "refresh_interval": interval,
            "poll_interval_ms": freshness.poll_interval * 1000,
            "searchable": freshness.searchable,
            "update_item": freshness.update,
            "not_found_item_ids": freshness.not_found,
        },
    }


def report(figures: dict) -> str:
    catalog, mix = figures["catalog"], figures["query_mix"]
    lines = [
        f"Search benchmark: {catalog['published']} published items of {catalog['sample_items']}, indexed "
        f"{catalog['indexed_seconds']:.1f} s after the catalog started; {figures['machine']['cpus']} CPUs, load "
        f"average {figures['machine']['load_average'][0]:.1f} before the runs",
        f"Query mix: {mix['distinct_queries']} distinct queries by weight, {mix['requests']} requests per run "
        f"after {mix['warmup']} warm-up requests per path; page size {PAGE_SIZE}",
        "CPU seconds per process from its start until the sample was indexed: "
        + ", ".join(f"{name} {cpu:.1f}" for name, cpu in catalog["indexing_cpu_seconds"].items()),
        "",
    ]
    latency_rows = [
        [r["path"], r["concurrency"], r["count"], r["errors"], r["p50_ms"], r["p95_ms"], r["p99_ms"], r["mean_ms"]]
        + [r["max_ms"], r["per_second"], r["cpu_seconds"].get(BENCHMARK, float("nan"))]
        for r in figures["latency"]
    ]
    ratio_rows = [
        ["gateway ÷ gRPC", r["concurrency"], "", "", r["p50"], r["p95"], r["p99"], r["mean"], ""]
        + [r["per_second"], ""]
        for r in figures["gateway_over_grpc"]
    ]
    headers = ["path", "conc", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms", "req/s"]
    lines += [table([*headers, "bench CPU s"], latency_rows + ratio_rows), ""]
    cpu_rows = [
        [r["path"], r["concurrency"], r["seconds"], *(r["cpu_seconds"].get(n, float("nan")) for n in CPU_COLUMNS)]
        for r in figures["latency"]
    ]
    lines += ["CPU seconds spent by each process during each run:"]
    lines += [table(["path", "conc", "wall s", *CPU_COLUMNS], cpu_rows), ""]
    fresh = figures["freshness"]
    searchable, update = fresh["searchable"], fresh["update_item"]
    lines += [
        f"Edit → searchable (UpdateItem answered → search gRPC finds the item; polled every "
        f"{fresh['poll_interval_ms']:.0f} ms; engine refresh_interval {fresh['refresh_interval']}):",
        table(
            ["measure", "edits", "not found", "p50 ms", "p95 ms", "max ms", "mean ms"],
            [
                ["edit → searchable", searchable.count, searchable.errors, searchable.p50_ms, searchable.p95_ms]
                + [searchable.max_ms, searchable.mean_ms],
                ["UpdateItem call", update.count, "", update.p50_ms, update.p95_ms, update.max_ms, update.mean_ms],
            ],
        ),
    ]
    return "\n".join(lines)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _progress(message: str) -> None:
    print(f"[bench-search] {message}", flush=True)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=_positive, default=2000, help="measured requests per path and concurrency")
    # The engine's JIT needs several thousand searches before its CPU per search settles (25 ms → 5 ms here).
    parser.add_argument("--warmup", type=int, default=3000, help="unmeasured requests per path first")
    parser.add_argument(
        "--concurrency", type=_positive, nargs="+", default=[1, 4], help="concurrent requests in flight"
    )
    parser.add_argument("--edits", type=_positive, default=120, help="catalog edits timed until searchable")
    parser.add_argument("--items", type=_positive, default=7200, help="sample catalog size")
    parser.add_argument("--index-timeout", type=float, default=1200, help="seconds at most to index the sample")
    parser.add_argument("--time-limit", type=float, default=180, help="seconds at most per latency run")
    parser.add_argument("--seed", type=int, default=7, help="seed of the query mix and of the edited items")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so every process of the stack is stopped on the way out.
    signal.signal(signal.SIGTERM, _interrupt)
    started = datetime.now(UTC)
    _progress(f"starting NATS, OpenSearch and the portal with {args.items} sample items")
    try:
        with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
            with running_portal(Path(folder), sample_items=args.items, index_timeout=args.index_timeout) as portal:
                _progress(f"{portal.published_items} published items indexed in {portal.indexed_seconds:.1f} s")
                figures = asyncio.run(run(portal, args))
    except KeyboardInterrupt:
        _progress("interrupted; every process stopped")
        return 130
    figures = {**figures, "started_at": started, "finished_at": datetime.now(UTC)}
    print("\n" + report(figures))
    print(f"\nFigures written to {write_record('search', figures, started)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
