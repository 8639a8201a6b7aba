"""Load shapes, chosen with LOAD_PROFILE (day, step or steady) and sized by LOAD_USERS and LOAD_DURATION.

A simulated resident makes about one request a second (the journeys wait 0.5-1.5 s between steps), so users are
close to requests per second while the portal keeps up."""

import os

from budgets import Budgets
from locust import LoadTestShape

SPAWN_RATE = 50  # users started per second: a minute's peak arrives within seconds, as a real morning does

# Share of the day's peak in each hour (00:00 to 23:00) for a government service portal: a quiet night, a morning
# peak when the halls open, a dip at lunch, a second peak in the afternoon, a tail in the evening.
DAY_CURVE = (
    0.04, 0.03, 0.02, 0.02, 0.02, 0.03, 0.08, 0.30, 0.70, 1.00, 1.00, 0.85,
    0.50, 0.60, 0.90, 0.95, 0.85, 0.60, 0.35, 0.30, 0.30, 0.25, 0.15, 0.08,
)  # fmt: skip


def setting(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def day_fraction(hour: float) -> float:
    """The day curve at `hour` (0-24), linear between the hourly points."""
    below = int(hour) % 24
    above = (below + 1) % 24
    share = hour - int(hour)
    return DAY_CURVE[below] * (1 - share) + DAY_CURVE[above] * share


class DayShape(LoadTestShape):
    """A day of traffic compressed into LOAD_DURATION seconds, peaking at LOAD_USERS users."""

    def tick(self):
        duration = setting("LOAD_DURATION", 180)
        run_time = self.get_run_time()
        if run_time >= duration:
            return None
        users = max(1, round(setting("LOAD_USERS", 500) * day_fraction(24 * run_time / duration)))
        return users, SPAWN_RATE


class SteadyShape(LoadTestShape):
    """LOAD_USERS users for LOAD_DURATION seconds (the budget of a sustained rate)."""

    def tick(self):
        if self.get_run_time() >= setting("LOAD_DURATION", 300):
            return None
        return int(setting("LOAD_USERS", 500)), SPAWN_RATE


class StepShape(LoadTestShape):
    """LOAD_STEP_USERS more users every LOAD_STEP_SECONDS until the overall budget (p99, error rate) breaks within a
    step or LOAD_USERS is reached. `steps` keeps each step's figures; the last one that kept the budget is the
    portal's throughput."""

    steps: list[dict] = []

    def __init__(self):
        super().__init__()
        self.budget = Budgets.load().overall
        self.step_started = (0.0, 0, 0)  # run time, requests, failures at the start of the current step

    def tick(self):
        step_users = int(setting("LOAD_STEP_USERS", 50))
        step_seconds = setting("LOAD_STEP_SECONDS", 30)
        run_time = self.get_run_time()
        step = int(run_time // step_seconds)
        if step > len(self.steps):  # a step just ended: judge it before raising the load
            self.steps.append(self._judge(step_users * step))
            if not self.steps[-1]["kept_budget"] or step_users * (step + 1) > setting("LOAD_USERS", 2000):
                return None
        return step_users * (step + 1), SPAWN_RATE

    def _judge(self, users: int) -> dict:
        total = self.runner.stats.total
        started_at, requests, failures = self.step_started
        seconds = self.get_run_time() - started_at
        done, failed = total.num_requests - requests, total.num_failures - failures
        self.step_started = (self.get_run_time(), total.num_requests, total.num_failures)
        # The current window (the last 10 s) lies inside the step once a step is longer than the window.
        p99 = total.get_current_response_time_percentile(0.99) or 0
        error_rate = failed / done if done else 0.0
        return {
            "users": users,
            "rps": round(done / seconds, 1) if seconds else 0.0,
            "p99_ms": p99,
            "error_rate": round(error_rate, 5),
            "kept_budget": p99 <= self.budget.p99_ms and error_rate <= self.budget.error_rate,
        }


PROFILES = {"day": DayShape, "steady": SteadyShape, "step": StepShape}
