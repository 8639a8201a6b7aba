"""Resident memory of the portal's processes, sampled from /proc while load runs (a worker process a server forks
counts as a process of its own, named after its parent)."""

import contextlib
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

SAMPLE_EVERY = 0.2  # seconds


def rss_bytes(pid: int, field: str = "VmRSS") -> int | None:
    """A memory figure of /proc/<pid>/status (VmRSS now, VmHWM the peak since start); None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for tasks in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in tasks.read_text().split()]
    return found


class MemorySampler:
    """Peak RSS per process name over the `sampling()` blocks, and each process's own lifetime peak (VmHWM)."""

    def __init__(self, process_ids: Mapping[str, int]):
        self._ids = dict(process_ids)
        self.peak: dict[str, int] = {}

    def _processes(self) -> Iterator[tuple[str, int]]:
        for name, pid in self._ids.items():
            yield name, pid
            for child in children(pid):
                yield name, child

    def sample(self) -> None:
        for name, pid in self._processes():
            if (rss := rss_bytes(pid)) is not None:
                self.peak[name] = max(self.peak.get(name, 0), rss)

    def lifetime_peak(self) -> dict[str, int]:
        peaks: dict[str, int] = {}
        for name, pid in self._processes():
            if (peak := rss_bytes(pid, "VmHWM")) is not None:
                peaks[name] = max(peaks.get(name, 0), peak)
        return peaks

    @contextlib.contextmanager
    def sampling(self) -> Iterator[None]:
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(SAMPLE_EVERY):
                self.sample()

        thread = threading.Thread(target=loop, name="memory-sampler", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            self.sample()
