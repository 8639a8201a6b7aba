"""Timings into figures: percentiles, summaries of a run, CPU seconds, a printed table and a JSON record."""

import json
import math
import os
import resource
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parents[1] / ".local" / "bench"


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (0..1), linearly interpolated between the closest ranks (numpy's default)."""
    if not values:
        return math.nan
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be within 0..1, not {fraction}")
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass(frozen=True)
class Summary:
    """Latencies of the successful requests, in milliseconds; rate over the run's wall time."""

    count: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else math.nan


def summarize(latencies: Sequence[float], *, errors: int = 0, seconds: float = 0.0) -> Summary:
    """`latencies` in seconds."""
    millis = [value * 1000 for value in latencies]
    return Summary(
        count=len(millis),
        errors=errors,
        seconds=seconds,
        p50_ms=percentile(millis, 0.50),
        p95_ms=percentile(millis, 0.95),
        p99_ms=percentile(millis, 0.99),
        mean_ms=sum(millis) / len(millis) if millis else math.nan,
        max_ms=max(millis, default=math.nan),
    )


def own_cpu_seconds() -> float:
    """User plus system CPU of this process: the load generator competes with the stack for the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU of another process so far (Linux /proc); NaN once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    # After the command name: state is field 3, utime and stime are fields 14 and 15 of stat(5).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table: the first column left-aligned, the figures right-aligned (NaN shown as -)."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        first, *figures = zip(values, widths, strict=True)
        return "  ".join([first[0].ljust(first[1]), *(value.rjust(width) for value, width in figures)])

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in cells)]).rstrip()


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def write_record(name: str, figures: dict, started: datetime) -> Path:
    """`.local/bench/<name>-<timestamp>.json`, so runs can be compared later."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-{started.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(_plain(figures), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _plain(value: object) -> object:
    """JSON-ready: summaries as objects, times as ISO strings, NaN (nothing measured) as null."""
    if isinstance(value, Summary):
        return _plain({**value.__dict__, "per_second": value.per_second})
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
