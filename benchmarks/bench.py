"""`make bench`: the portal against its yardsticks, side by side in one run, on a stack of its own.

R1 search req/s through the gateway ÷ the same bodies sent to the engine · R2 item page req/s ÷ a bare FastAPI app
served the same way · R3 events indexed/s through outbox → NATS → indexer ÷ a direct bulk load of the same documents
· R4 p95 edit → searchable ÷ the engine's refresh interval, at several intervals · R5 full reindex ÷ the direct bulk
load · search p95 and index size as the catalog grows · peak RSS of each process. Prints one table with the goal and
a verdict per line, writes it to benchmarks/RESULTS.md and every figure to `.local/bench/bench-<timestamp>.json`.
"""

import argparse
import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import grpc
from opensearchpy import AsyncOpenSearch

from benchmarks import documents, report
from benchmarks.freshness import measure_freshness, published_ids
from benchmarks.load import measure_paths, run_load
from benchmarks.memory import MemorySampler
from benchmarks.queries import query_mix, weighted_queries
from benchmarks.stack import BenchPortal, running_portal
from benchmarks.targets import (
    BARE_APP,
    EngineSearch,
    GatewaySearch,
    GrpcSearch,
    ItemPage,
    engine_bodies,
    start_bare_app,
)
from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from portal_common.testing import SERVICE_PYTHONPATH, stop
from search import index

RESULTS_FILE = Path(__file__).with_name("RESULTS.md")


async def run(portal: BenchPortal, args: argparse.Namespace) -> dict:
    memory = MemorySampler(portal.process_ids())
    # Index creation, refreshes and deletions of whole indices take long on a busy machine: no 10 s limit here.
    engine = AsyncOpenSearch(hosts=[portal.opensearch_url], timeout=120, max_retries=0)
    figures: dict = {"machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()}}
    try:
        with memory.sampling():
            figures["search"] = await search_paths(portal, args)
            figures["item_page"] = await item_pages(portal, args)
            figures["indexing"] = await pipeline_and_bulk(portal, engine)
            figures["reindex"] = reindex_command(portal)
            figures["freshness"] = await freshness(portal, engine, args)
        figures["memory"] = {"under_load": memory.peak, "lifetime": memory.lifetime_peak()}
        figures["scale"] = [await scale_step(portal, engine, size, args) for size in args.scale]
    finally:
        await engine.close()
    return figures


async def search_paths(portal: BenchPortal, args: argparse.Namespace) -> dict:
    mix = query_mix(weighted_queries(), args.requests, args.seed)
    stack = portal.stack
    bodies = engine_bodies(mix, portal.index_alias)
    targets = {
        report.GATEWAY_SEARCH: GatewaySearch(stack.gateway_url),
        "search gRPC": GrpcSearch(stack.search_address),
        report.ENGINE_SEARCH: EngineSearch(portal.opensearch_url, portal.index_alias, bodies),
    }
    return await _measure(targets, mix, portal, args)


async def item_pages(portal: BenchPortal, args: argparse.Namespace) -> dict:
    ids = await _published(portal)
    # Distinct items as far as they go, and the warm-up on other items: a page seen twice would measure the
    # gateway's page cache, not the page.
    shuffled = [str(i) for i in random.Random(args.seed).sample(ids, len(ids))]
    pages = (shuffled * (args.requests // len(shuffled) + 1))[: args.requests]
    warmup_pages = shuffled[args.requests :] or shuffled
    bare_url = start_bare_app(portal.stack)
    targets = {report.GATEWAY_PAGE: ItemPage(portal.stack.gateway_url), report.BARE_PAGE: ItemPage(bare_url)}
    try:
        runs = await _measure(targets, pages, portal, args, warmup_pages)
    finally:
        stop(portal.stack.processes.pop(BARE_APP))
    # Residents do not ask for every item alike: the k-th most asked-for is asked for in proportion to 1/k, as in
    # the load tests (load-tests/mix.py), and the pages asked for most come from the page cache.
    popularity = [1 / rank for rank in range(1, len(shuffled) + 1)]
    popular = random.Random(args.seed).choices(shuffled, popularity, k=args.requests)
    mix_target = {report.GATEWAY_PAGE_MIX: ItemPage(portal.stack.gateway_url)}
    return runs | await _measure(mix_target, popular, portal, args)


async def _measure(
    targets: dict, mix: list[str], portal: BenchPortal, args: argparse.Namespace, warmup_mix: list[str] | None = None
) -> dict:
    try:
        runs = await measure_paths(
            targets,
            mix,
            concurrency=args.concurrency,
            warmup=args.warmup,
            time_limit=args.time_limit,
            process_ids=portal.process_ids(),
            progress=_progress,
            warmup_mix=warmup_mix,
        )
    finally:
        for target in targets.values():
            await target.close()
    return {
        name: {
            **run.summary.__dict__,
            "per_second": run.summary.per_second,
            "cpu_seconds": run.cpu_seconds,
            "first_errors": run.first_errors,
        }
        for name, run in runs.items()
    }


async def pipeline_and_bulk(portal: BenchPortal, engine: AsyncOpenSearch) -> dict:
    """The pipeline's rate while the stack started (every sample item's event went outbox → NATS → indexer →
    engine; from the first document indexed, when that was seen) against a direct bulk load of the same items'
    documents into a fresh index."""
    items = await _all_items(portal.stack.catalog_address)
    started = time.perf_counter()
    name = f"{portal.index_alias}-bench-bulk"
    bodies = list(documents.bulk_actions(name, items))
    building = time.perf_counter() - started
    await documents.create_index(engine, name, {"refresh_interval": "-1"})
    try:
        bulk = await documents.bulk_load(engine, name, bodies)
    finally:
        await engine.indices.delete(index=name)
    _progress(f"direct bulk load: {bulk.documents} documents in {bulk.seconds:.1f} s (built in {building:.1f} s)")
    written, seconds = portal.pipeline or (len(items), portal.indexed_seconds)
    return {
        "items": len(items),
        "pipeline_documents": written,
        "pipeline_seconds": seconds,
        "pipeline_per_second": written / seconds,
        "document_ms": building / len(items) * 1000,
        "bulk_seconds": bulk.seconds,
        "bulk_per_second": bulk.per_second,
    }


def reindex_command(portal: BenchPortal) -> dict:
    """`python -m search reindex` against the running stack, as an operator runs it."""
    env = {**os.environ, "PYTHONPATH": SERVICE_PYTHONPATH, **portal.stack.env}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "search", "reindex"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"python -m search reindex failed:\n{done.stderr[-3000:]}")
    own = re.search(r"items loaded, \d+ events replayed, in ([\d.]+)s", done.stderr + done.stdout)
    _progress(f"reindex: {wall:.1f} s in all" + (f", {own[1]} s by its own account" if own else ""))
    return {"wall_seconds": wall, "seconds": float(own[1]) if own else wall}


async def freshness(portal: BenchPortal, engine: AsyncOpenSearch, args: argparse.Namespace) -> list[dict]:
    """Edit → searchable at each refresh interval (set on the live index); the definition's interval afterwards."""
    results = []
    username, password = portal.admin
    try:
        for interval in args.refresh_intervals:
            await _set_refresh(engine, portal.index_alias, f"{interval:g}s")
            edits = max(args.min_edits, round(args.edits / interval))
            _progress(f"edit → searchable: {edits} edits at refresh interval {interval:g} s")
            found = await measure_freshness(
                portal.stack.catalog_address,
                portal.stack.search_address,
                username=username,
                password=password,
                edits=edits,
                refresh_seconds=interval,
                give_up_after=max(30, 10 * interval),
                seed=args.seed + len(results),
            )
            results.append({"refresh_seconds": interval, "searchable": found.searchable, "update": found.update})
    finally:
        await _set_refresh(engine, portal.index_alias, index.index_definition()["settings"]["refresh_interval"])
    return results


async def _set_refresh(engine: AsyncOpenSearch, alias: str, interval: str) -> None:
    await engine.indices.put_settings(index=alias, body={"index": {"refresh_interval": interval}})


async def scale_step(portal: BenchPortal, engine: AsyncOpenSearch, size: int, args: argparse.Namespace) -> dict:
    """`size` generated items built and bulk-loaded into an index of their own, then the query mix against it."""
    started = time.perf_counter()
    name = f"{portal.index_alias}-bench-scale-{size}"
    await documents.create_index(engine, name, {"refresh_interval": "-1"})
    try:
        bulk = await documents.bulk_load(engine, name, documents.bulk_actions(name, documents.sample_items(size)))
        count, size_bytes = await documents.index_size(engine, name)
        mix = query_mix(weighted_queries(), args.scale_requests, args.seed)
        target = EngineSearch(portal.opensearch_url, name, engine_bodies(mix, name))
        try:
            await run_load(target, mix[: args.scale_requests // 2], concurrency=1, time_limit=args.time_limit)
            load = await run_load(target, mix, concurrency=1, time_limit=args.time_limit)
        finally:
            await target.close()
    finally:
        await engine.indices.delete(index=name)
    seconds = time.perf_counter() - started
    _progress(
        f"scale {size}: {count} documents, {size_bytes / 2**20:.0f} MB, search p95 {load.summary.p95_ms:.1f} ms, "
        f"step took {seconds:.0f} s"
    )
    return {
        "items": size,
        "documents": count,
        "index_bytes": size_bytes,
        "building_seconds": bulk.building_seconds,
        "bulk_seconds": bulk.seconds,
        "search": load.summary,
        "step_seconds": seconds,
    }


async def _published(portal: BenchPortal) -> list[int]:
    async with grpc.aio.insecure_channel(portal.stack.catalog_address) as channel:
        return await published_ids(catalog_pb2_grpc.CatalogServiceStub(channel))


async def _all_items(address: str) -> list[catalog_pb2.ServiceItem]:
    """Every item of the catalog, every status, as the indexer received them."""
    items, token = [], ""
    async with grpc.aio.insecure_channel(address) as channel:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        while True:
            request = catalog_pb2.ListItemsRequest(page_size=100, page_token=token)
            page = await catalog.ListItems(request, timeout=30)
            items += page.items
            token = page.next_page_token
            if not token:
                return items


def _progress(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of item counts, e.g. 7000,100000") from None
    if not sizes or min(sizes) < 200:
        raise argparse.ArgumentTypeError("each size must be at least 200 items")
    return sizes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=7200, help="sample catalog of the stack")
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per path (R1, R2)")
    parser.add_argument("--warmup", type=int, default=1500, help="unmeasured requests per path first")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight (R1, R2)")
    parser.add_argument("--edits", type=int, default=60, help="edits timed at a 1 s refresh interval (R4)")
    parser.add_argument("--min-edits", type=int, default=20, help="edits at least per refresh interval (R4)")
    parser.add_argument("--refresh-intervals", type=float, nargs="+", default=[1, 5], help="seconds (R4)")
    parser.add_argument("--scale", type=_sizes, default=[7000, 100000], help="catalog sizes, e.g. 7000,100000,1000000")
    parser.add_argument("--scale-requests", type=int, default=600, help="measured searches per catalog size")
    parser.add_argument("--time-limit", type=float, default=120, help="seconds at most per load run")
    parser.add_argument("--index-timeout", type=float, default=1800, help="seconds at most to index the sample")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--results", type=Path, default=RESULTS_FILE, help="where the table goes")
    return parser.parse_args(argv)


def finish(figures: dict, args: argparse.Namespace, argv: list[str], started: datetime) -> str:
    """Note how the run was made, write the table to `args.results`; return the table."""
    command = f'make bench BENCH_ARGS="{" ".join(argv)}"' if argv else "make bench"
    arguments = {name: str(value) for name, value in vars(args).items()} | {"command": command}
    figures |= {"arguments": arguments, "started_at": started, "finished_at": datetime.now(UTC)}
    _progress(f"figures written to {report.write_record('bench', figures, started)}")
    return report.write(figures, args.results)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # unwinds like Ctrl-C: every process of the stack is stopped
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
    text = finish(figures, args, sys.argv[1:] if argv is None else argv, started)
    print("\n" + text)
    print(f"\nTable written to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
