"""The portal for a benchmark: NATS, OpenSearch and every service as local processes on free loopback ports, with
the whole sample catalog indexed before any figure is taken. Everything is stopped on leaving, even on Ctrl-C."""

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.figures import process_cpu_seconds
from portal_common.local_stack import ADMIN_USERNAME, PortalStack, running_stack
from portal_common.testing import NatsServer, free_port, running_opensearch

ADMIN_PASSWORD = "bench-admin-password"


@dataclass
class BenchPortal:
    stack: PortalStack
    nats: NatsServer
    opensearch_url: str
    published_items: int
    indexed_seconds: float  # from the catalog's start until every published item was searchable
    indexing_cpu_seconds: dict[str, float]  # per process, from its start until then

    @property
    def index_alias(self) -> str:
        return self.stack.env["SEARCH_INDEX_ALIAS"]

    @property
    def admin(self) -> tuple[str, str]:
        return ADMIN_USERNAME, ADMIN_PASSWORD

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
def running_portal(folder: Path, *, sample_items: int, index_timeout: float = 600) -> Iterator[BenchPortal]:
    with contextlib.ExitStack() as cleanup:
        nats = NatsServer(free_port(), free_port(), folder / "nats-store", folder / "nats.log")
        cleanup.callback(nats.stop)
        nats.start()
        (folder / "opensearch").mkdir()
        opensearch_url = cleanup.enter_context(running_opensearch(folder / "opensearch"))
        (folder / "stack").mkdir()
        stack = cleanup.enter_context(
            running_stack(
                folder / "stack",
                nats_url=nats.url,
                nats_monitor_url=nats.monitor_url,
                opensearch_url=opensearch_url,
                sample_items=sample_items,
                admin_password=ADMIN_PASSWORD,
            )
        )
        try:
            published = stack.wait_until_indexed(index_timeout)
        except BaseException:
            stack.print_log_tails()
            raise
        indexed_seconds = time.monotonic() - stack.started_at["catalog"]
        portal = BenchPortal(stack, nats, opensearch_url, published, indexed_seconds, {})
        portal.indexing_cpu_seconds = {name: process_cpu_seconds(pid) for name, pid in portal.process_ids().items()}
        yield portal


def _child_running(program: str) -> int | None:
    """The process id of this process's child running `program` (the engine's launcher execs java)."""
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            name, rest = stat.read_text().rsplit(")", 1)
            if rest.split()[1] == me and name.endswith(f"({program}"):
                return int(stat.parent.name)
    return None
