"""Periods: a weekly KPI's period is its ISO week (starting Monday), a monthly one's its month.

Which period a moment falls in depends on the area's time zone: late on Sunday in Berlin is
already Monday in Tokyo.
"""

from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

from okrbot.storage.models import Cadence


@cache
def known_timezones() -> frozenset[str]:
    """Every IANA time zone name this machine knows (from tzdata)."""
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    return name in known_timezones()


def local_date(now: datetime, tz: str) -> date:
    """The calendar date at `now` in the time zone `tz`."""
    return now.astimezone(ZoneInfo(tz)).date()


def period_start(cadence: Cadence, day: date) -> date:
    """The first day of the period containing `day`: the ISO week's Monday, or the month's 1st."""
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def previous_period(cadence: Cadence, start: date) -> date:
    """The start of the period before the one starting at `start`."""
    if cadence == Cadence.MONTHLY:
        return (start - timedelta(days=1)).replace(day=1)
    return start - timedelta(days=7)


def next_period(cadence: Cadence, start: date) -> date:
    if cadence == Cadence.MONTHLY:
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=7)


def period_end(cadence: Cadence, start: date) -> date:
    """The last day of the period starting at `start`."""
    return next_period(cadence, start) - timedelta(days=1)


@lru_cache(maxsize=256)
def recent_periods(cadence: Cadence, day: date, count: int) -> tuple[date, ...]:
    """The starts of the `count` periods ending with the one containing `day`, oldest first.

    Cached: a digest asks the same question for each of its thousands of KPIs.
    """
    starts = [period_start(cadence, day)]
    while len(starts) < count:
        starts.append(previous_period(cadence, starts[-1]))
    return tuple(reversed(starts))
