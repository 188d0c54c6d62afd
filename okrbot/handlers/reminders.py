"""Weekly check-in reminders: who is due a nudge at an instant, and claiming it exactly once.

**What is quiet.** A key result is *quiet* when nobody (its owner or anyone else) checked in on
it for `QUIET_AFTER` (7 days), it existed before then, and its objective is active. One that
follows a KPI is not quiet when the KPI got a value in those 7 days (which covers this week:
the value moves it, no check-in needed). "No nudge for someone who checked in recently" follows
from this, key result by key result: a person whose key results all had a check-in in the last
7 days (e.g. 2 days ago) has nothing quiet and gets no nudge; one who checked in on one key
result but left another quiet for weeks is nudged about the quiet one only.

**When.** Once per ISO week of the owner's own time zone (Slack's `tz`), at the reminder
weekday and time of the area of their quiet key results, read on the owner's wall clock; with
quiet key results in several areas, the earliest of those times in the week. Nobody is nudged
before 08:00 or after 19:00 local: a nudge due then waits for the next allowed time (08:00 the
same or the next morning) and keeps the week it was due in. A nudge missed while okrbot was
down is still sent at an allowed time up to `CATCH_UP` (36 hours) late; older, the week passes.

**Who not.** People who turned reminders off, and people snoozed through the week.

**Once.** Each nudge is claimed in the database (kind "reminder", subject the user id, period
the owner's ISO week) before it is sent, so restarts, overlapping ticks and several processes
never send it twice.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from okrbot.handlers.progress import kr_progress
from okrbot.handlers.schedule import (
    ABANDONED_AFTER,
    Occurrence,
    WeeklySchedule,
    occurrence_in_week,
    week_start,
    zone,
)
from okrbot.storage import runs
from okrbot.storage.models import RunKind, ScheduledRun, UserPreference
from okrbot.storage.preferences import preferences_of
from okrbot.storage.reminders import QuietKeyResult, quiet_key_results

QUIET_AFTER = timedelta(days=7)
EARLIEST = time(8, 0)
LATEST = time(19, 0)
CATCH_UP = timedelta(hours=36)
NOT_QUIET_ANY_MORE = "nothing to remind of any more (checked in, snoozed, or reminders off)"

Person = tuple[int, str]  # (workspace id, user id)


# ---- pure rules ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ReminderTime:
    """An area's reminder weekday (Monday is 0) and time, read on the owner's wall clock."""

    weekday: int
    hour: int
    minute: int


def waking(moment: datetime, timezone: str) -> datetime:
    """`moment`, or the next instant from 08:00 to 19:00 on the wall clock of `timezone`."""
    local = moment.astimezone(zone(timezone))
    if EARLIEST <= local.time().replace(tzinfo=None) <= LATEST:
        return moment
    day = local.date() if local.time() < EARLIEST else local.date() + timedelta(days=1)
    return datetime.combine(day, EARLIEST, tzinfo=zone(timezone)).astimezone(UTC)


def is_waking(now: datetime, timezone: str) -> bool:
    """True from 08:00 to 19:00 on the wall clock of `timezone`."""
    return EARLIEST <= now.astimezone(zone(timezone)).time().replace(tzinfo=None) <= LATEST


def week_nudge(times: Iterable[ReminderTime], timezone: str, day: date) -> Occurrence:
    """The nudge of the local ISO week containing `day`: the earliest time, moved to waking hours.

    Its period stays the week it was due in, even when 19:30 on a Sunday moves it to Monday.
    """
    found = []
    for at in times:
        schedule = WeeklySchedule(timezone, at.weekday, at.hour, at.minute)
        due = occurrence_in_week(schedule, day)
        found.append(Occurrence(period=due.period, due_at=waking(due.due_at, timezone)))
    return min(found, key=lambda occurrence: occurrence.due_at)


def due_nudge(times: Sequence[ReminderTime], timezone: str, now: datetime) -> Occurrence | None:
    """The nudge due at `now` (this week's, or last week's still waiting), or None.

    None before the week's time, outside 08:00 to 19:00 local, and once `CATCH_UP` has passed.
    """
    if not times or not is_waking(now, timezone):
        return None
    today = now.astimezone(zone(timezone)).date()
    for day in (today, today - timedelta(weeks=1)):
        nudge = week_nudge(times, timezone, day)
        if nudge.due_at <= now:
            return nudge if now - nudge.due_at < CATCH_UP else None
    return None


def snoozed(snoozed_until: date | None, period: str) -> bool:
    """True when a snooze covers the week `period` (its Monday is on or before the last day)."""
    return snoozed_until is not None and week_start(period) <= snoozed_until


def snooze_end(today: date) -> date:
    """ "Snooze for a week": through the end (Sunday) of next week."""
    return today - timedelta(days=today.weekday()) + timedelta(days=13)


# ---- who has quiet key results ----------------------------------------------------------
@dataclass(frozen=True)
class QuietKr:
    """One key result in a nudge, as the message shows it."""

    key_result_id: int
    title: str
    objective_title: str
    area_name: str
    progress: float
    last_checkin_at: datetime | None


@dataclass(frozen=True)
class Owner:
    """Someone with quiet key results who wants reminders."""

    workspace_id: int
    team_id: str
    user_id: str
    timezone: str | None  # as stored; None until Slack has told us
    fallback_timezone: str  # their first quiet key result's area's, if Slack never tells
    snoozed_until: date | None
    times: tuple[ReminderTime, ...]  # of the areas of their quiet key results
    key_results: tuple[QuietKr, ...]

    @property
    def person(self) -> Person:
        return (self.workspace_id, self.user_id)


def owners_to_remind(session: Session, *, now: datetime) -> list[Owner]:
    """Everyone with quiet key results at `now` who has not turned reminders off; two
    statements however many there are."""
    rows = quiet_key_results(
        session, quiet_since=now - QUIET_AFTER, kpi_quiet_since=now - QUIET_AFTER
    )
    by_owner: dict[Person, list[QuietKeyResult]] = defaultdict(list)
    for row in rows:
        by_owner[(row.key_result.workspace_id, row.key_result.owner_id)].append(row)
    preferences = preferences_of(session, by_owner)
    owners = []
    for key, quiet in by_owner.items():
        preference = preferences.get(key) or UserPreference(workspace_id=key[0], user_id=key[1])
        if preference.reminders_enabled:
            owners.append(_owner(key, quiet, preference))
    return owners


def _owner(key: Person, quiet: list[QuietKeyResult], preference: UserPreference) -> Owner:
    times = {
        ReminderTime(row.area.reminder_weekday, row.area.reminder_hour, row.area.reminder_minute)
        for row in quiet
    }
    return Owner(
        workspace_id=key[0],
        team_id=quiet[0].team_id,
        user_id=key[1],
        timezone=preference.timezone,
        fallback_timezone=quiet[0].area.timezone,
        snoozed_until=preference.snoozed_until,
        times=tuple(sorted(times, key=lambda t: (t.weekday, t.hour, t.minute))),
        key_results=tuple(_quiet_kr(row) for row in quiet),
    )


def _quiet_kr(row: QuietKeyResult) -> QuietKr:
    assert row.key_result.id is not None
    return QuietKr(
        key_result_id=row.key_result.id,
        title=row.key_result.title,
        objective_title=row.objective.title,
        area_name=row.area.name,
        progress=kr_progress(row.key_result),
        last_checkin_at=row.last_checkin_at,
    )


# ---- claiming -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Nudge:
    """One person's reminder for one week, claimed by this process: send it, then record it."""

    claim: runs.Claim
    workspace_id: int
    team_id: str
    user_id: str
    period: str
    key_results: tuple[QuietKr, ...]


def claim_due_nudges(
    session: Session, owners: Sequence[Owner], *, timezones: dict[Person, str], now: datetime
) -> list[Nudge]:
    """Claim every nudge due at `now` that no other tick or process has claimed."""
    due: list[tuple[Owner, Occurrence]] = []
    for owner in owners:
        timezone = timezones.get(owner.person) or owner.fallback_timezone
        occurrence = due_nudge(owner.times, timezone, now)
        if occurrence is not None and not snoozed(owner.snoozed_until, occurrence.period):
            due.append((owner, occurrence))
    taken = runs.taken(session, kind=RunKind.REMINDER, periods={o.period for _, o in due})
    nudges = []
    for owner, occurrence in due:
        if (owner.workspace_id, owner.user_id, occurrence.period) in taken:
            continue
        claim = runs.claim(
            session,
            workspace_id=owner.workspace_id,
            kind=RunKind.REMINDER,
            subject=owner.user_id,
            period=occurrence.period,
            due_at=occurrence.due_at,
            now=now,
        )
        if claim is not None:
            nudges.append(_nudge(claim, owner, occurrence.period))
    return nudges


def reclaim_failed_nudges(
    session: Session, owners: Sequence[Owner], *, timezones: dict[Person, str], now: datetime
) -> list[Nudge]:
    """Take over nudges that failed or whose process died, in waking hours; a person with
    nothing quiet any more (or reminders off) is recorded as skipped instead."""
    by_person = {owner.person: owner for owner in owners}
    abandoned_before = now - ABANDONED_AFTER
    nudges = []
    for run in runs.retryable(
        session, kind=RunKind.REMINDER, due_after=now - CATCH_UP, abandoned_before=abandoned_before
    ):
        owner = by_person.get((run.workspace_id, run.subject))
        timezone = _timezone_of(owner, timezones)
        if timezone is not None and not is_waking(now, timezone):
            continue
        claim = _reclaim(session, run, now=now, abandoned_before=abandoned_before)
        if claim is None:
            continue
        if owner is None or snoozed(owner.snoozed_until, run.period):
            runs.mark_skipped(session, claim, now=now, reason=NOT_QUIET_ANY_MORE)
        else:
            nudges.append(_nudge(claim, owner, run.period))
    return nudges


def _timezone_of(owner: Owner | None, timezones: dict[Person, str]) -> str | None:
    if owner is None:
        return None
    return timezones.get(owner.person) or owner.fallback_timezone


def _reclaim(
    session: Session, run: ScheduledRun, *, now: datetime, abandoned_before: datetime
) -> runs.Claim | None:
    assert run.id is not None
    return runs.reclaim(session, run_id=run.id, now=now, abandoned_before=abandoned_before)


def _nudge(claim: runs.Claim, owner: Owner, period: str) -> Nudge:
    return Nudge(
        claim=claim,
        workspace_id=owner.workspace_id,
        team_id=owner.team_id,
        user_id=owner.user_id,
        period=period,
        key_results=owner.key_results,
    )


# ---- after sending ------------------------------------------------------------------------
def nudge_sent(session: Session, nudge: Nudge, *, channel_id: str, ts: str, now: datetime) -> None:
    runs.record_posted(session, nudge.claim, channel_id=channel_id, progress=runs.Progress(ts, 1))
    runs.mark_sent(session, nudge.claim, now=now)


def nudge_failed(session: Session, nudge: Nudge, *, error: str, now: datetime) -> None:
    """A send that may work later: the next tick tries again (in waking hours)."""
    runs.mark_failed(session, nudge.claim, now=now, error=error)


def nudge_undeliverable(session: Session, nudge: Nudge, *, error: str, now: datetime) -> None:
    """Slack will never take this DM (the person left, or blocks the app): stop trying."""
    runs.mark_skipped(session, nudge.claim, now=now, reason=error)
