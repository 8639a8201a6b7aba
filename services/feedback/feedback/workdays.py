"""Working days: deadlines are counted in them. Monday to Friday, minus public holidays, plus the weekend days
worked instead (调休) — both lists are configuration, published by the State Council each winter."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_days(values: Iterable[str]) -> frozenset[date]:
    """Dates as "2026-10-01" or inclusive ranges "2026-10-01..2026-10-07"."""
    days: set[date] = set()
    for value in values:
        first, _, last = value.strip().partition("..")
        start = date.fromisoformat(first)
        end = date.fromisoformat(last) if last else start
        if end < start:
            raise ValueError(f"range ends before it starts: {value}")
        days.update(start + timedelta(n) for n in range((end - start).days + 1))
    return frozenset(days)


class WorkCalendar:
    def __init__(self, timezone: str = "Asia/Shanghai", holidays=frozenset(), extra_workdays=frozenset()):
        self.zone = ZoneInfo(timezone)
        self._holidays = frozenset(holidays)
        self._extra_workdays = frozenset(extra_workdays)

    def is_working_day(self, day: date) -> bool:
        if day in self._extra_workdays:
            return True
        return day.weekday() < 5 and day not in self._holidays

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """The same time of day, `days` working days later (earlier when negative). From a day off, the first
        working day counts as one: assigned on Saturday with one day to go, the deadline is Monday."""
        local = moment.astimezone(self.zone)
        step = 1 if days >= 0 else -1
        day, remaining = local.date(), abs(days)
        while remaining:
            day += timedelta(step)
            if self.is_working_day(day):
                remaining -= 1
        return datetime.combine(day, local.timetz()).astimezone(moment.tzinfo)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def month_bounds(self, month: str) -> tuple[datetime, datetime]:
        """The moments (in UTC, as stored) a month "YYYY-MM" starts and ends in the calendar's zone."""
        start = date.fromisoformat(f"{month}-01")
        end = (start + timedelta(32)).replace(day=1)
        return tuple(datetime.combine(day, time(), self.zone).astimezone(UTC) for day in (start, end))
