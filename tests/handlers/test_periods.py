"""Periods: ISO weeks from Monday, months from the 1st, in the area's time zone."""

from datetime import UTC, date, datetime

import pytest

from okrbot.handlers.periods import (
    is_timezone,
    local_date,
    period_end,
    period_start,
    previous_period,
    recent_periods,
)
from okrbot.storage.models import Cadence


def test_local_date_follows_the_time_zone() -> None:
    """Sunday 23:30 in UTC is already Monday in Berlin and still Sunday in New York."""
    now = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert local_date(now, "UTC") == date(2026, 12, 6)
    assert local_date(now, "Europe/Berlin") == date(2026, 12, 7)
    assert local_date(now, "America/New_York") == date(2026, 12, 6)


@pytest.mark.parametrize(
    ("day", "weekly", "monthly"),
    [
        (date(2026, 11, 30), date(2026, 11, 30), date(2026, 11, 1)),  # a Monday
        (date(2026, 12, 6), date(2026, 11, 30), date(2026, 12, 1)),  # the Sunday after
        (date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 1)),  # ISO week across the year
    ],
)
def test_period_start(day: date, weekly: date, monthly: date) -> None:
    assert period_start(Cadence.WEEKLY, day) == weekly
    assert period_start(Cadence.MONTHLY, day) == monthly


def test_previous_period_and_end() -> None:
    assert previous_period(Cadence.WEEKLY, date(2026, 11, 30)) == date(2026, 11, 23)
    assert previous_period(Cadence.MONTHLY, date(2026, 3, 1)) == date(2026, 2, 1)
    assert previous_period(Cadence.MONTHLY, date(2026, 1, 1)) == date(2025, 12, 1)
    assert period_end(Cadence.WEEKLY, date(2026, 11, 30)) == date(2026, 12, 6)
    assert period_end(Cadence.MONTHLY, date(2026, 2, 1)) == date(2026, 2, 28)


def test_recent_periods_end_with_the_current_one() -> None:
    starts = recent_periods(Cadence.MONTHLY, date(2026, 2, 14), 3)
    assert starts == (date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1))
    assert len(recent_periods(Cadence.WEEKLY, date(2026, 2, 14), 12)) == 12


def test_is_timezone_accepts_iana_names_only() -> None:
    assert is_timezone("Europe/Berlin")
    assert is_timezone("UTC")
    assert not is_timezone("Mars/Olympus")
    assert not is_timezone("../etc/passwd")
    assert not is_timezone("")
