"""The budgets of budgets.toml, and the verdict of a run's figures against them."""

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

BUDGETS_FILE = Path(__file__).with_name("budgets.toml")
METRICS = ("p50_ms", "p95_ms", "p99_ms", "error_rate")


class BudgetFileError(ValueError):
    pass


@dataclass(frozen=True)
class Budget:
    p50_ms: float
    p95_ms: float
    p99_ms: float
    error_rate: float

    @classmethod
    def parse(cls, name: str, table: dict) -> "Budget":
        missing = [metric for metric in METRICS if metric not in table]
        unknown = sorted(set(table) - set(METRICS))
        if missing or unknown:
            raise BudgetFileError(f"budget {name!r}: missing {missing}, unknown {unknown}; expected {list(METRICS)}")
        if any(not isinstance(table[m], int | float) or table[m] < 0 for m in METRICS):
            raise BudgetFileError(f"budget {name!r}: every figure must be a number >= 0")
        return cls(**{metric: float(table[metric]) for metric in METRICS})


@dataclass(frozen=True)
class Budgets:
    overall: Budget
    kinds: dict[str, Budget]

    @classmethod
    def load(cls, path: Path = BUDGETS_FILE) -> "Budgets":
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if "overall" not in data:
            raise BudgetFileError(f"{path}: an [overall] budget is required")
        kinds = {name: Budget.parse(name, table) for name, table in data.get("kinds", {}).items()}
        return cls(Budget.parse("overall", data["overall"]), kinds)


@dataclass(frozen=True)
class Verdict:
    kind: str
    metric: str
    limit: float
    measured: float | None  # None: no request of this kind was made

    @property
    def kept(self) -> bool:
        return self.measured is not None and self.measured <= self.limit

    def line(self) -> str:
        if self.measured is None:
            return f"FAIL  {self.kind:<12} {self.metric:<10} no request of this kind was made"
        unit = "" if self.metric == "error_rate" else " ms"
        text = f"{self.kind:<12} {self.metric:<10} {self.measured:g}{unit} (budget {self.limit:g}{unit})"
        if self.kept:
            return f"ok    {text}"
        over = self.measured - self.limit
        share = f", {over / self.limit:.0%} over" if self.limit else ""
        return f"FAIL  {text}: over by {over:g}{unit}{share}"


def judge(budgets: Budgets, figures: dict[str, dict]) -> list[Verdict]:
    """One verdict per budgeted metric; `figures` maps "overall" and each kind to its measured metrics."""
    judged = [("overall", budgets.overall), *budgets.kinds.items()]
    return [
        Verdict(kind, field.name, getattr(budget, field.name), figures.get(kind, {}).get(field.name))
        for kind, budget in judged
        for field in fields(Budget)
    ]
