"""A PNG of a run over time: requests and failures a second with the users, latency percentiles (locust's 10-second
window), and the load generator's own CPU, from locust's --csv-full-history file and our CPU samples."""

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402


def history(csv_file: Path) -> list[dict]:
    """The "Aggregated" rows of locust's stats history: one a second, every request together."""
    with csv_file.open(newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["Name"] == "Aggregated"]


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:  # "N/A" before the first request
        return float("nan")


def draw(csv_file: Path, cpu_samples: list[tuple[float, float]], png: Path, title: str) -> None:
    rows = history(csv_file)
    if not rows:
        return
    start = int(rows[0]["Timestamp"])
    seconds = [int(row["Timestamp"]) - start for row in rows]
    figure, (load, latency, cpu) = plt.subplots(3, 1, sharex=True, figsize=(11, 9))
    figure.suptitle(title)
    load.plot(seconds, [number(r["Requests/s"]) for r in rows], label="requests/s")
    load.plot(seconds, [number(r["Failures/s"]) for r in rows], label="failures/s", color="red")
    load.plot(seconds, [number(r["User Count"]) for r in rows], label="users", color="grey", linestyle="--")
    load.legend(loc="upper left")
    for column in ("50%", "95%", "99%"):
        latency.plot(seconds, [number(r[column]) for r in rows], label=f"p{column[:-1]}")
    latency.set_ylabel("ms (10 s window)")
    latency.set_yscale("log")
    latency.legend(loc="upper left")
    cpu.plot([t - start for t, _ in cpu_samples], [share for _, share in cpu_samples], color="purple")
    cpu.axhline(90, color="red", linestyle=":")
    cpu.set_ylabel("locust CPU % of a core\n(busiest process)")
    cpu.set_xlabel("seconds")
    figure.tight_layout()
    figure.savefig(png, dpi=100)
    plt.close(figure)
