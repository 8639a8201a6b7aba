"""Working days: deadlines skip weekends and holidays and count make-up working days (调休)."""

from datetime import UTC, date, datetime

import pytest

from feedback.policy import Policy
from feedback.workdays import WorkCalendar, parse_days

BEIJING_10AM = 2  # 10:00 in Beijing is 02:00 UTC


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, BEIJING_10AM, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (date(2026, 11, 2), 3, date(2026, 11, 5)),  # Monday + 3 → Thursday
        (date(2026, 11, 5), 3, date(2026, 11, 10)),  # Thursday + 3 → next Tuesday
        (date(2026, 11, 7), 1, date(2026, 11, 9)),  # assigned on Saturday: Monday is the first working day
        (date(2026, 11, 2), 13, date(2026, 11, 19)),
        (date(2026, 11, 9), -1, date(2026, 11, 6)),  # a working day before Monday is Friday
    ],
)
def test_deadlines_skip_weekends(start, days, end):
    assert WorkCalendar().add_working_days(at(start), days) == at(end)


def test_holidays_are_skipped_and_make_up_days_counted():
    calendar = WorkCalendar(holidays=parse_days(["2026-10-01..2026-10-07"]), extra_workdays=parse_days(["2026-10-10"]))
    # Assigned Wednesday 30 September with 3 working days: Thursday 8, Friday 9, Saturday 10 October (worked).
    assert calendar.add_working_days(at(date(2026, 9, 30)), 3) == at(date(2026, 10, 10))
    assert calendar.add_working_days(at(date(2026, 9, 30)), 4) == at(date(2026, 10, 12))
    assert calendar.is_working_day(date(2026, 10, 10)) and not calendar.is_working_day(date(2026, 10, 5))


def test_the_deadline_stages_follow_the_deadline():
    deadline = at(date(2026, 11, 5))  # Thursday
    moments = Policy().deadline_moments(deadline)
    assert moments == {
        1: at(date(2026, 11, 4)),  # due soon the working day before
        2: deadline,  # overdue
        3: at(date(2026, 11, 6)),  # 催办 the working day after
        4: at(date(2026, 11, 10)),  # 督办 three working days after
    }


def test_a_malformed_holiday_is_refused():
    with pytest.raises(ValueError):
        parse_days(["2026-02-30"])
    with pytest.raises(ValueError):
        parse_days(["2026-10-07..2026-10-01"])
