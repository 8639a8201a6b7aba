"""A closed-loop load generator: a few workers, each sending its next request as soon as the last one answered,
and the CPU every process of the portal spent meanwhile."""

import asyncio
import itertools
import math
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

from benchmarks.figures import Summary, own_cpu_seconds, process_cpu_seconds, summarize

Request = Callable[[str], Awaitable[object]]  # raises when the request failed
BENCHMARK = "benchmark"  # this process, the load generator, in CPU figures


@dataclass(frozen=True)
class LoadRun:
    summary: Summary
    cpu_seconds: dict[str, float]  # per process, "benchmark" being this one
    first_errors: list[str] = field(default_factory=list)


class CpuMeter:
    """CPU seconds each process spends between `__enter__` and `__exit__`."""

    def __init__(self, process_ids: Mapping[str, int]):
        self._ids = dict(process_ids)
        self.seconds: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        return {BENCHMARK: own_cpu_seconds(), **{name: process_cpu_seconds(pid) for name, pid in self._ids.items()}}

    def __enter__(self) -> "CpuMeter":
        self._start = self._now()
        return self

    def __exit__(self, *_) -> None:
        end = self._now()
        self.seconds = {name: end[name] - self._start[name] for name in end if not math.isnan(end[name])}


async def run_load(
    request: Request,
    queries: Iterable[str],
    *,
    concurrency: int,
    time_limit: float,
    process_ids: Mapping[str, int] | None = None,
) -> LoadRun:
    """Send every query (or as many as `time_limit` seconds allow) through `concurrency` workers."""
    pending = iter(queries)
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + time_limit

    async def worker() -> None:
        for query in pending:  # one iterator shared by the workers: each query is sent once
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                await request(query)
            except Exception as error:  # counted, and the run goes on
                errors.append(f"{query!r}: {type(error).__name__}: {error}"[:300])
            else:
                latencies.append(time.perf_counter() - started)

    with CpuMeter(process_ids or {}) as cpu:
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return LoadRun(summarize(latencies, errors=len(errors), seconds=seconds), cpu.seconds, errors[:5])


async def measure_paths(
    targets: Mapping[str, Request],
    mix: list[str],
    *,
    concurrency: int,
    warmup: int,
    time_limit: float,
    process_ids: Mapping[str, int] | None = None,
    progress: Callable[[str], None] = print,
    warmup_mix: list[str] | None = None,
) -> dict[str, LoadRun]:
    """The same `mix` through each target in turn, after `warmup` unmeasured requests through each (the engine's JIT
    and every cache warm up before any figure is taken), drawn from `warmup_mix` when given (paths that must not
    be answered from a cache in the measured run)."""
    for name, target in targets.items():
        warm_mix = itertools.islice(itertools.cycle(warmup_mix or mix), warmup)
        warm = await run_load(target, warm_mix, concurrency=concurrency, time_limit=time_limit)
        progress(f"{name}: {warm.summary.count} warm-up requests, {warm.summary.errors} errors")
    runs = {}
    for name, target in targets.items():
        runs[name] = load = await run_load(
            target, mix, concurrency=concurrency, time_limit=time_limit, process_ids=process_ids
        )
        progress(
            f"{name} at concurrency {concurrency}: {load.summary.count} requests, {load.summary.per_second:.1f}/s, "
            f"p95 {load.summary.p95_ms:.1f} ms, {load.summary.errors} errors"
        )
    return runs
