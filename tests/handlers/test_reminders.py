"""Who is due a check-in reminder, and when: golden rules, and the quiet key results query."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from okrbot.handlers.reminders import (
    Owner,
    ReminderTime,
    claim_due_nudges,
    due_nudge,
    owners_to_remind,
    snooze_end,
    snoozed,
    waking,
)
from okrbot.storage.models import ObjectiveStatus
from tests.reminder_factories import Seed

MONDAY_10 = ReminderTime(weekday=0, hour=10, minute=0)
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday, week 49


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# ---- waking hours ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2026, 11, 30, 5, 30), utc(2026, 11, 30, 7, 0)),  # 06:30 Berlin → 08:00 that day
        (utc(2026, 11, 30, 11, 0), utc(2026, 11, 30, 11, 0)),  # 12:00 Berlin: as it is
        (utc(2026, 11, 30, 18, 0), utc(2026, 11, 30, 18, 0)),  # 19:00 sharp is still allowed
        (utc(2026, 11, 30, 18, 30), utc(2026, 12, 1, 7, 0)),  # 19:30 → 08:00 the next day
    ],
)
def test_a_nudge_outside_8_to_19_waits_for_the_next_morning(
    moment: datetime, expected: datetime
) -> None:
    """Nobody is nudged before 08:00 or after 19:00 on their own wall clock."""
    assert waking(moment, "Europe/Berlin") == expected


# ---- the week's nudge -------------------------------------------------------------------------
def test_los_angeles_owner_is_nudged_at_their_own_noon_not_at_3am() -> None:
    """Monday 12:00 means 12:00 in Los Angeles for an owner there (20:00 UTC), not 03:00."""
    noon = [ReminderTime(0, 12, 0)]
    la = "America/Los_Angeles"
    assert due_nudge(noon, la, utc(2026, 11, 30, 11, 0)) is None  # 03:00 in LA
    assert due_nudge(noon, la, utc(2026, 11, 30, 19, 59)) is None  # 11:59 in LA
    nudge = due_nudge(noon, la, utc(2026, 11, 30, 20, 0))
    assert nudge is not None
    assert (nudge.period, nudge.due_at) == ("2026-W49", utc(2026, 11, 30, 20, 0))


def test_a_time_before_8_is_kept_until_8_not_dropped() -> None:
    """An area reminding at 06:00 reaches its owner at 08:00 local the same day."""
    early = [ReminderTime(0, 6, 0)]
    assert due_nudge(early, "Europe/Berlin", utc(2026, 11, 30, 5, 0)) is None  # 06:00 Berlin
    nudge = due_nudge(early, "Europe/Berlin", utc(2026, 11, 30, 7, 0))  # 08:00 Berlin
    assert nudge is not None
    assert nudge.due_at == utc(2026, 11, 30, 7, 0)


def test_a_sunday_evening_time_goes_out_monday_morning_for_its_own_week() -> None:
    """Sunday 20:00 waits for Monday 08:00 and still counts as the Sunday's week."""
    sunday_evening = [ReminderTime(6, 20, 0)]
    assert due_nudge(sunday_evening, "UTC", utc(2026, 12, 6, 20, 0)) is None
    nudge = due_nudge(sunday_evening, "UTC", utc(2026, 12, 7, 8, 0))
    assert nudge is not None
    assert (nudge.period, nudge.due_at) == ("2026-W49", utc(2026, 12, 7, 8, 0))


def test_with_key_results_in_several_areas_the_earliest_time_wins() -> None:
    times = [ReminderTime(2, 9, 0), ReminderTime(0, 15, 30), ReminderTime(4, 8, 0)]
    nudge = due_nudge(times, "UTC", utc(2026, 12, 1, 9, 0))
    assert nudge is not None
    assert nudge.due_at == utc(2026, 11, 30, 15, 30)


def test_a_missed_nudge_is_sent_up_to_36_hours_late_in_waking_hours() -> None:
    """okrbot down at the time: the nudge goes out when it is back, unless a day and a half
    passed; and never at night."""
    assert due_nudge([MONDAY_10], "UTC", utc(2026, 11, 30, 22, 0)) is None  # night
    assert due_nudge([MONDAY_10], "UTC", utc(2026, 12, 1, 18, 0)) is not None  # 32 h late
    assert due_nudge([MONDAY_10], "UTC", utc(2026, 12, 1, 22, 0)) is None  # night again
    assert due_nudge([MONDAY_10], "UTC", utc(2026, 12, 3, 10, 0)) is None  # long gone


@pytest.mark.parametrize(
    ("timezone", "monday", "expected"),
    [
        ("Europe/Berlin", date(2027, 3, 29), utc(2027, 3, 29, 8, 0)),  # just after spring
        ("Europe/Berlin", date(2027, 11, 1), utc(2027, 11, 1, 9, 0)),  # just after autumn
        ("America/New_York", date(2027, 3, 15), utc(2027, 3, 15, 14, 0)),
        ("America/New_York", date(2027, 11, 8), utc(2027, 11, 8, 15, 0)),
    ],
)
def test_clock_changes_keep_10_local(timezone: str, monday: date, expected: datetime) -> None:
    """The week after clocks change, the nudge still comes at 10:00 on the wall clock."""
    assert due_nudge([MONDAY_10], timezone, expected - timedelta(minutes=1)) is None
    nudge = due_nudge([MONDAY_10], timezone, expected)
    assert nudge is not None
    assert nudge.due_at == expected
    assert nudge.period == f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"


# ---- snoozing -------------------------------------------------------------------------------
def test_snoozing_skips_next_week_and_the_week_after_resumes() -> None:
    until = snooze_end(date(2026, 12, 2))  # clicked on Wednesday of week 49
    assert until == date(2026, 12, 13)  # the Sunday of week 50
    assert snoozed(until, "2026-W50")
    assert not snoozed(until, "2026-W51")
    assert not snoozed(None, "2026-W50")


# ---- who has quiet key results (SQLite and PostgreSQL) --------------------------------------
def _krs(owners: list[Owner], user_id: str) -> list[str]:
    return [kr.title for o in owners if o.user_id == user_id for kr in o.key_results]


def test_only_quiet_key_results_of_active_objectives_count(any_engine: Engine) -> None:
    """Quiet = no check-in by anyone for 7 days; closed objectives, new key results, and key
    results whose KPI got a value this week are left out; opting out removes the person."""
    seed = Seed(any_engine)
    area = seed.area()
    goal = seed.objective(area, "Grow signups")
    quiet = seed.key_result(goal, "Signups to 500")
    seed.checkin(quiet, at=NOW - timedelta(days=10))
    lately = seed.key_result(goal, "Trial conversion", owner="U_BOB")
    seed.checkin(lately, at=NOW - timedelta(days=2), author="U_LEAD")  # someone else did
    seed.key_result(seed.objective(area, "Old", status=ObjectiveStatus.CLOSED), "Done thing")
    seed.key_result(goal, "Brand new", created_at=NOW - timedelta(days=3))
    fresh_kpi = seed.kpi(area, "Conversion", values={date(2026, 11, 30): 7.5}, recorded_at=NOW)
    seed.key_result(goal, "Follows a fresh KPI", kpi=fresh_kpi)
    old_kpi = seed.kpi(area, "Churn", values={date(2026, 10, 5): 3.0})
    seed.key_result(goal, "Follows a quiet KPI", kpi=old_kpi)
    seed.key_result(goal, "Opted out's", owner="U_DAVE")
    seed.preference("U_DAVE", reminders_enabled=False)

    with Session(any_engine) as session:
        owners = owners_to_remind(session, now=NOW)

    assert sorted(o.user_id for o in owners) == ["U_ALICE"]
    assert _krs(owners, "U_ALICE") == ["Signups to 500", "Follows a quiet KPI"]
    signups = owners[0].key_results[0]
    assert signups.last_checkin_at == NOW - timedelta(days=10)
    assert owners[0].times == (MONDAY_10,)


def test_a_nudge_is_claimed_once(any_engine: Engine) -> None:
    """Claiming the same week's nudge again (another tick, another process) gets nothing."""
    seed = Seed(any_engine)
    seed.key_result(seed.objective(seed.area(), "Grow"), "Signups")
    due = utc(2026, 11, 30, 9, 0)  # Monday 10:00 in Berlin
    zones = {(seed.workspace_id, "U_ALICE"): "Europe/Berlin"}
    with Session(any_engine) as session:
        owners = owners_to_remind(session, now=due)
        first = claim_due_nudges(session, owners, timezones=zones, now=due)
        session.commit()
    with Session(any_engine) as session:
        again = claim_due_nudges(session, owners, timezones=zones, now=due + timedelta(minutes=1))
        session.commit()
    assert [(n.user_id, n.period) for n in first] == [("U_ALICE", "2026-W49")]
    assert again == []
