"""Figures per kind of request, written by locust itself when it quits (only locust holds every response time:
the CSV files give percentiles per request name, which cannot be merged into a kind's)."""

import json
import os
from pathlib import Path

from locust.runners import MasterRunner, WorkerRunner
from locust.stats import StatsEntry


def kind_of(name: str) -> str:
    return name.split(":", 1)[0]


def figures(entry: StatsEntry, seconds: float) -> dict:
    """`seconds`: the run's, so that a kind's rate is its share of the whole run."""
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": round(entry.num_requests / seconds, 2) if seconds else 0.0,
        "p50_ms": entry.get_response_time_percentile(0.50) or 0,
        "p95_ms": entry.get_response_time_percentile(0.95) or 0,
        "p99_ms": entry.get_response_time_percentile(0.99) or 0,
        "max_ms": round(entry.max_response_time or 0, 1),
        "error_rate": round(entry.num_failures / entry.num_requests, 5) if entry.num_requests else 0.0,
    }


def kinds(stats) -> dict[str, dict]:
    """ "overall" and each kind (the part of a request's name before the colon), every request of it merged."""
    merged: dict[str, StatsEntry] = {}
    for entry in stats.entries.values():
        kind = kind_of(entry.name)
        merged.setdefault(kind, StatsEntry(stats, kind, "")).extend(entry)
    total = stats.total
    seconds = (total.last_request_timestamp or total.start_time) - total.start_time
    return {
        "overall": figures(total, seconds),
        **{kind: figures(entry, seconds) for kind, entry in sorted(merged.items())},
    }


def write(environment, folder: str | None, shape_class, edits: list[dict]) -> None:
    """figures.json from the process that holds the totals (local or master); each process's staff edits."""
    if not folder:
        return
    runner = environment.runner
    if edits:
        Path(folder, f"staff-edits-{os.getpid()}.json").write_text(json.dumps(edits))
    if isinstance(runner, WorkerRunner):
        return
    record = {
        "kinds": kinds(environment.stats),
        "steps": getattr(shape_class, "steps", None),
        "locust_cpu_warning": bool(
            getattr(runner, "cpu_warning_emitted", False)
            or (isinstance(runner, MasterRunner) and getattr(runner, "worker_cpu_warning_emitted", False))
        ),
    }
    Path(folder, "figures.json").write_text(json.dumps(record, ensure_ascii=False, indent=2))
