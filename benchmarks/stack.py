"""The portal for a benchmark: NATS, OpenSearch and every service as local processes on free loopback ports, with
the whole sample catalog indexed before any figure is taken. Everything is stopped on leaving, even on Ctrl-C."""

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.figures import process_cpu_seconds
from portal_common.local_stack import (
    ADMIN_USERNAME,
    UNLIMITED_RATES,
    PortalStack,
    running_infrastructure,
    running_stack,
)
from portal_common.testing import NatsServer

ADMIN_PASSWORD = "bench-admin-password"
# The load comes from one address: the gateway's per-client rate limits would measure themselves.


@dataclass
class BenchPortal:
    stack: PortalStack
    nats: NatsServer
    opensearch_url: str
    published_items: int
    indexed_seconds: float  # from the catalog's start until every published item was searchable
    indexing_cpu_seconds: dict[str, float]  # per process, from its start until then
    admin_password: str = ADMIN_PASSWORD
    # Documents the pipeline wrote and the seconds it took, from the first document on (processes started first).
    pipeline: tuple[int, float] | None = None

    @property
    def index_alias(self) -> str:
        return self.stack.env["SEARCH_INDEX_ALIAS"]

    @property
    def admin(self) -> tuple[str, str]:
        return ADMIN_USERNAME, self.admin_password

    def process_ids(self) -> dict[str, int]:
        """Each process of the portal by name, for CPU accounting."""
        ids = {name: process.pid for name, process in self.stack.processes.items()}
        if self.nats.process:
            ids["nats"] = self.nats.process.pid
        engine = _child_running("java")
        if engine:
            ids["opensearch"] = engine
        return ids


@contextlib.contextmanager
def running_portal(
    folder: Path, *, sample_items: int, index_timeout: float = 600, env: dict[str, str] | None = None
) -> Iterator[BenchPortal]:
    """`env`: settings of the services on top of the stack's own."""
    with contextlib.ExitStack() as cleanup:
        nats, opensearch_url = cleanup.enter_context(running_infrastructure(folder))
        (folder / "stack").mkdir()
        alias = f"bench-items-{uuid.uuid4().hex[:8]}"
        growth = cleanup.enter_context(IndexGrowth(f"{opensearch_url}/{alias}/_count"))
        stack = cleanup.enter_context(
            running_stack(
                folder / "stack",
                nats_url=nats.url,
                nats_monitor_url=nats.monitor_url,
                opensearch_url=opensearch_url,
                sample_items=sample_items,
                admin_password=ADMIN_PASSWORD,
                env={**UNLIMITED_RATES, "SEARCH_INDEX_ALIAS": alias, **(env or {})},
            )
        )
        try:
            published = stack.wait_until_indexed(index_timeout)
        except BaseException:
            stack.print_log_tails()
            raise
        indexed_seconds = time.monotonic() - stack.started_at["catalog"]
        growth.stop()
        portal = BenchPortal(stack, nats, opensearch_url, published, indexed_seconds, {}, pipeline=growth.rate())
        portal.indexing_cpu_seconds = {name: process_cpu_seconds(pid) for name, pid in portal.process_ids().items()}
        yield portal


class IndexGrowth:
    """The documents of an index counted every quarter second from a thread: how fast the pipeline fills it once
    it runs, apart from the time its processes take to start."""

    def __init__(self, count_url: str):
        self._url = count_url
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._count, name="index-growth", daemon=True)
        self.samples: list[tuple[float, int]] = []

    def _count(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self._stop.wait(0.25):
                with contextlib.suppress(Exception):  # no index yet, or a slow answer: the next sample will do
                    self.samples.append((time.monotonic(), client.get(self._url).json()["count"]))

    def __enter__(self) -> "IndexGrowth":
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def rate(self) -> tuple[int, float] | None:
        """Documents written and seconds taken from the first document counted until the count stopped growing."""
        counted = [(at, count) for at, count in self.samples if count > 0]
        if not counted:
            return None
        top = max(count for _, count in counted)
        first_at, first = counted[0]
        top_at = next(at for at, count in counted if count == top)
        return (top - first, top_at - first_at) if top_at > first_at else None


def _child_running(program: str) -> int | None:
    """The process id of this process's child running `program` (the engine's launcher execs java)."""
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            name, rest = stat.read_text().rsplit(")", 1)
            if rest.split()[1] == me and name.endswith(f"({program}"):
                return int(stat.parent.name)
    return None
