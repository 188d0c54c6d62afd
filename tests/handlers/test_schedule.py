"""When a digest is due: one local wall-clock instant per ISO week, across DST changes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from okrbot.handlers.schedule import (
    CATCH_UP,
    WeeklySchedule,
    current_period,
    latest_occurrence,
    occurrence_in_week,
    period_label,
    too_late,
    week_start,
)

BERLIN = WeeklySchedule("Europe/Berlin", weekday=0, hour=9, minute=0)
NEW_YORK = WeeklySchedule("America/New_York", weekday=0, hour=9, minute=0)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_period_is_the_iso_week_of_the_local_date() -> None:
    """Weeks are named like "2026-W49", including the 53rd week that ends 2026."""
    assert period_label(date(2026, 11, 30)) == "2026-W49"
    assert period_label(date(2027, 1, 1)) == "2026-W53"
    assert period_label(date(2027, 1, 4)) == "2027-W01"
    assert week_start("2026-W49") == date(2026, 11, 30)


def test_the_week_follows_the_area_clock_not_utc() -> None:
    """Late Sunday in New York is already Monday (a new week) in Berlin."""
    sunday_night = utc(2026, 12, 7, 2, 0)  # Sunday 21:00 in New York, Monday 03:00 in Berlin
    assert current_period(sunday_night, "America/New_York") == "2026-W49"
    assert current_period(sunday_night, "Europe/Berlin") == "2026-W50"


def test_monday_nine_in_berlin_and_new_york_are_different_instants() -> None:
    """09:00 on the area's wall clock: 08:00 UTC in Berlin, 14:00 UTC in New York (winter)."""
    monday = date(2026, 11, 30)
    assert occurrence_in_week(BERLIN, monday).due_at == utc(2026, 11, 30, 8, 0)
    assert occurrence_in_week(NEW_YORK, monday).due_at == utc(2026, 11, 30, 14, 0)


def test_the_latest_occurrence_switches_at_the_due_minute() -> None:
    """A minute before 09:00 the latest digest is last week's; at 09:00 it is this week's."""
    before = latest_occurrence(BERLIN, utc(2026, 11, 30, 7, 59))
    at = latest_occurrence(BERLIN, utc(2026, 11, 30, 8, 0))
    assert (before.period, before.due_at) == ("2026-W48", utc(2026, 11, 23, 8, 0))
    assert (at.period, at.due_at) == ("2026-W49", utc(2026, 11, 30, 8, 0))


def test_a_digest_is_sent_up_to_24_hours_late_and_skipped_after() -> None:
    due = utc(2026, 11, 30, 8, 0)
    assert not too_late(due, due)
    assert not too_late(due, due + CATCH_UP - timedelta(minutes=1))
    assert too_late(due, due + CATCH_UP)


def test_an_unknown_time_zone_reads_as_utc() -> None:
    """A zone name this machine does not know never stops the schedule."""
    schedule = WeeklySchedule("Mars/Olympus_Mons", weekday=0, hour=9, minute=0)
    assert occurrence_in_week(schedule, date(2026, 11, 30)).due_at == utc(2026, 11, 30, 9, 0)


def _occurrences_minute_by_minute(
    schedule: WeeklySchedule, start: datetime, days: int
) -> list[tuple[datetime, str, datetime]]:
    """(first minute seen, period, due_at) of every distinct latest occurrence in the range."""
    seen: list[tuple[datetime, str, datetime]] = []
    now = start
    while now < start + timedelta(days=days):
        found = latest_occurrence(schedule, now)
        if not seen or seen[-1][1] != found.period:
            seen.append((now, found.period, found.due_at))
        now += timedelta(minutes=1)
    return seen


DST_WEEKS = [
    pytest.param("Europe/Berlin", date(2026, 3, 23), id="berlin-march"),
    pytest.param("Europe/Berlin", date(2026, 10, 19), id="berlin-october"),
    pytest.param("America/New_York", date(2026, 3, 2), id="new-york-march"),
    pytest.param("America/New_York", date(2026, 10, 26), id="new-york-november"),
]


@pytest.mark.parametrize(("timezone", "monday"), DST_WEEKS)
@pytest.mark.parametrize("weekday", [0, 6], ids=["monday", "sunday"])
def test_clock_changes_neither_skip_nor_double_a_digest(
    timezone: str, monday: date, weekday: int
) -> None:
    """Minute by minute across the week the clocks change: one digest a week, at 09:00 local."""
    schedule = WeeklySchedule(timezone, weekday=weekday, hour=9, minute=0)
    start = datetime.combine(monday, datetime.min.time(), tzinfo=ZoneInfo(timezone))
    seen = _occurrences_minute_by_minute(schedule, start.astimezone(UTC), days=14)
    periods = [period for _, period, _ in seen]
    assert len(periods) == len(set(periods)) == 3  # the week before, the change week, after
    for first_minute, _, due_at in seen[1:]:
        assert first_minute == due_at  # it becomes due exactly at its instant
        local = due_at.astimezone(ZoneInfo(timezone))
        assert (local.weekday(), local.hour, local.minute) == (weekday, 9, 0)
    # A week apart, give or take the hour the clocks moved.
    gaps = {seen[i + 1][2] - seen[i][2] for i in range(len(seen) - 1)}
    assert all(abs(gap - timedelta(days=7)) <= timedelta(hours=1) for gap in gaps)


@pytest.mark.parametrize(
    ("timezone", "day", "hour", "minute", "expected_utc"),
    [
        # Clocks jump 02:00 → 03:00: 02:30 does not exist and reads as 03:30 local.
        pytest.param(
            "Europe/Berlin", date(2026, 3, 29), 2, 30, utc(2026, 3, 29, 1, 30), id="berlin-gap"
        ),
        pytest.param(
            "America/New_York", date(2026, 3, 8), 2, 30, utc(2026, 3, 8, 7, 30), id="new-york-gap"
        ),
        # Clocks go back: the time happens twice; the digest takes the first.
        pytest.param(
            "Europe/Berlin", date(2026, 10, 25), 2, 30, utc(2026, 10, 25, 0, 30), id="berlin-fold"
        ),
        pytest.param(
            "America/New_York",
            date(2026, 11, 1),
            1,
            30,
            utc(2026, 11, 1, 5, 30),
            id="new-york-fold",
        ),
    ],
)
def test_a_time_that_does_not_exist_or_happens_twice_is_due_once(
    timezone: str, day: date, hour: int, minute: int, expected_utc: datetime
) -> None:
    """A schedule on the changing hour itself: exactly one instant that week."""
    schedule = WeeklySchedule(timezone, weekday=day.weekday(), hour=hour, minute=minute)
    assert occurrence_in_week(schedule, day).due_at == expected_utc
    start = datetime.combine(day - timedelta(days=day.weekday()), datetime.min.time(), tzinfo=UTC)
    seen = _occurrences_minute_by_minute(schedule, start - timedelta(days=1), days=9)
    this_week = [s for s in seen if s[1] == period_label(day)]
    assert len(this_week) == 1
    assert this_week[0][0] == expected_utc
