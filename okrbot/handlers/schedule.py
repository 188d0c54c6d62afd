"""When an area's weekly digest is due: one local wall-clock instant per ISO week.

The due instant is the area's weekday and time, read on the wall clock of its time zone, in
each ISO week of that zone. There is exactly one per week, and the week names the claim
("2026-W49"), so daylight-saving changes can neither skip nor double a digest:

- a time that does not exist that day (02:30 when clocks jump from 02:00 to 03:00) is read
  with the offset from before the jump, so it falls an hour later on the new wall clock (03:30);
- a time that happens twice (02:30 when clocks go back) means its first occurrence.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A digest missed while the bot was down still goes out if it is less late than this.
CATCH_UP = timedelta(hours=24)
# A claim that was neither sent nor failed after this long belongs to a process that died.
ABANDONED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class WeeklySchedule:
    """A weekday (Monday is 0) and a time on the wall clock of a time zone."""

    timezone: str
    weekday: int
    hour: int
    minute: int


@dataclass(frozen=True)
class Occurrence:
    """One week's due instant and the label of its week."""

    period: str  # the ISO week of the local date, e.g. "2026-W49"
    due_at: datetime  # in UTC


def zone(name: str) -> ZoneInfo:
    """The time zone called `name`; UTC for a name this machine does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def period_label(day: date) -> str:
    """The ISO week of `day`: "2026-W49"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(period: str) -> date:
    """The Monday of an ISO week label such as "2026-W49"."""
    year, _, week = period.partition("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def current_period(now: datetime, timezone: str) -> str:
    """The ISO week that `now` falls in on the wall clock of `timezone`."""
    return period_label(now.astimezone(zone(timezone)).date())


def occurrence_in_week(schedule: WeeklySchedule, day: date) -> Occurrence:
    """The due instant in the ISO week that contains the local date `day`."""
    local_day = day - timedelta(days=day.weekday()) + timedelta(days=schedule.weekday)
    wall_clock = datetime.combine(
        local_day, time(schedule.hour, schedule.minute), tzinfo=zone(schedule.timezone)
    )
    return Occurrence(period=period_label(local_day), due_at=wall_clock.astimezone(UTC))


def latest_occurrence(schedule: WeeklySchedule, now: datetime) -> Occurrence:
    """The most recent due instant at or before `now`."""
    today = now.astimezone(zone(schedule.timezone)).date()
    this_week = occurrence_in_week(schedule, today)
    if this_week.due_at <= now:
        return this_week
    return occurrence_in_week(schedule, today - timedelta(weeks=1))


def too_late(due_at: datetime, now: datetime) -> bool:
    """True when a digest due at `due_at` is too old to send at `now` (it is skipped)."""
    return now - due_at >= CATCH_UP
