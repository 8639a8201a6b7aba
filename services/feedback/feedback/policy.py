"""The feedback service's configurable rules of the game: deadlines, caps and limits (built from the settings)."""

from dataclasses import dataclass, field
from datetime import datetime

from feedback.workdays import WorkCalendar


@dataclass(frozen=True)
class Policy:
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    deadline_days: dict[str, int] = field(
        default_factory=lambda: {"consultation": 3, "complaint": 13, "suggestion": 15, "help": 5}
    )
    escalate_after_days: int = 3
    max_returns: int = 3
    max_extension_days: int = 10
    rating_window_days: int = 7
    ip_hourly_limit: int = 60
    phone_daily_limit: int = 20

    def deadline(self, kind: str, start: datetime) -> datetime:
        return self.calendar.add_working_days(start, self.deadline_days.get(kind, 5))

    def deadline_moments(self, deadline: datetime) -> dict[int, datetime]:
        """When each deadline stage begins: due soon one working day before, overdue at the deadline, a reminder
        (催办) a working day after it, escalation (督办) later."""
        add = self.calendar.add_working_days
        return {
            1: add(deadline, -1),
            2: deadline,
            3: add(deadline, 1),
            4: add(deadline, max(self.escalate_after_days, 2)),
        }
