"""The load generator's own CPU, sampled each second while it runs. Locust shares the two cores with the portal:
a locust process near a full core delays its own requests, and its latencies then measure locust, not the portal."""

import os
import threading
import time
from dataclasses import dataclass, field

import psutil

SATURATED_PERCENT = 90  # of one core (a Python process cannot use more than one)
SATURATED_SECONDS = 5  # in a row: a short spike (spawning users) does not spoil a run


@dataclass
class LocustCpu:
    pid: int
    samples: list[tuple[float, float]] = field(default_factory=list)  # (unix time, busiest locust process %)
    total_cpu_seconds: float = 0.0  # every locust process together
    load_averages: list[float] = field(default_factory=list)  # the machine's 1-minute load average, each sample
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._sample, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _sample(self) -> None:
        processes: dict[int, psutil.Process] = {}
        spent: dict[int, float] = {}
        while not self._stop.wait(1.0):
            try:
                root = psutil.Process(self.pid)
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            busiest = 0.0
            for process in tree:
                known = processes.setdefault(process.pid, process)
                try:
                    busiest = max(busiest, known.cpu_percent(None))  # since the previous sample
                    times = known.cpu_times()
                    spent[process.pid] = times.user + times.system
                except psutil.NoSuchProcess:
                    continue
            self.samples.append((time.time(), busiest))
            self.load_averages.append(os.getloadavg()[0])
            self.total_cpu_seconds = sum(spent.values())

    @property
    def saturated_seconds(self) -> int:
        """The longest run of samples with a locust process at or above SATURATED_PERCENT of a core."""
        longest = current = 0
        for _, share in self.samples:
            current = current + 1 if share >= SATURATED_PERCENT else 0
            longest = max(longest, current)
        return longest

    @property
    def saturated(self) -> bool:
        return self.saturated_seconds >= SATURATED_SECONDS

    def summary(self) -> dict:
        shares = [share for _, share in self.samples] or [0.0]
        return {
            "busiest_process_mean_percent": round(sum(shares) / len(shares), 1),
            "busiest_process_max_percent": round(max(shares), 1),
            "all_processes_cpu_seconds": round(self.total_cpu_seconds, 1),
            "saturated_seconds_in_a_row": self.saturated_seconds,
            "saturated": self.saturated,
            "machine_load_average_max": round(max(self.load_averages, default=0.0), 1),
        }
