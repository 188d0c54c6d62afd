"""The "what we tried" ledger: the golden table of the outcome rule, and reading a KPI's ledger.

Read a row of the table as: "an objective that ran from `started` to `ended` (None: still
active), against a KPI with these settings and these values, has this outcome on `today`".
Unless a row says otherwise the KPI is weekly, *stay at or above 7*, and the objective ran from
Monday 5 October to Friday 30 October 2026, so values count from the week of 5 October to the
week of 9 November (the week it ended, and two more).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from okrbot.handlers.ledger import Outcome, Verdict, kpi_ledger, ledger_summaries, ran, verdict
from okrbot.storage.db import session_scope
from okrbot.storage.models import (
    Area,
    Cadence,
    KeyResult,
    Kpi,
    KpiValue,
    Objective,
    ObjectiveStatus,
    TargetType,
)
from tests.kpi_factories import add_values, make_area, make_kpi

STARTED = date(2026, 10, 5)  # a Monday
ENDED = date(2026, 10, 30)  # the Friday of the week of 26 October
WEEK_OF_ENDING = date(2026, 10, 26)
LAST_COUNTED = date(2026, 11, 9)  # two weeks after the week it ended
RECOVERED, NOT_RECOVERED, IN_PROGRESS = (
    Outcome.RECOVERED,
    Outcome.NOT_RECOVERED,
    Outcome.IN_PROGRESS,
)
AT_LEAST_7: dict[str, Any] = {"target_type": TargetType.AT_LEAST, "target": 7.0}


def kpi(**fields: Any) -> Kpi:
    values = {**AT_LEAST_7, **fields}
    return Kpi(id=1, workspace_id=1, area_id=1, name="k", owner_id="U", **values)


def values(*pairs: tuple[date, float]) -> list[KpiValue]:
    return [
        KpiValue(workspace_id=1, kpi_id=1, period_start=start, value=value, author_id="U")
        for start, value in pairs
    ]


def weeks(start: date, count: int) -> date:
    return start + timedelta(weeks=count)


# (why, KPI settings, values, started, ended, today, outcome, first healthy period)
Row = tuple[str, dict[str, Any], list[KpiValue], date, date | None, date, Outcome, date | None]
GOLDEN: list[Row] = [
    (
        "healthy in the week it started",
        {},
        values((STARTED, 7.2)),
        STARTED,
        ENDED,
        date(2026, 12, 1),
        RECOVERED,
        STARTED,
    ),
    (
        "healthy in the second week after the one it ended in",
        {},
        values((STARTED, 6.1), (LAST_COUNTED, 7.4)),
        STARTED,
        ENDED,
        date(2026, 12, 1),
        RECOVERED,
        LAST_COUNTED,
    ),
    (
        "exactly on the target counts as healthy",
        {},
        values((WEEK_OF_ENDING, 7.0)),
        STARTED,
        ENDED,
        date(2026, 12, 1),
        RECOVERED,
        WEEK_OF_ENDING,
    ),
    (
        "healthy only in the third week after: too late to be its doing",
        {},
        values((STARTED, 6.1), (weeks(LAST_COUNTED, 1), 7.5)),
        STARTED,
        ENDED,
        date(2026, 12, 1),
        NOT_RECOVERED,
        None,
    ),
    (
        "healthy only before it started proves nothing",
        {},
        values((weeks(STARTED, -1), 7.5), (STARTED, 6.0)),
        STARTED,
        ENDED,
        date(2026, 12, 1),
        NOT_RECOVERED,
        None,
    ),
    (
        "ended, still red, and the second week after is not over: in progress",
        {},
        values((STARTED, 6.1), (WEEK_OF_ENDING, 6.5)),
        STARTED,
        ENDED,
        date(2026, 11, 15),  # the Sunday of the last week that counts
        IN_PROGRESS,
        None,
    ),
    (
        "ended, still red, and the second week after is over: not recovered",
        {},
        values((STARTED, 6.1), (WEEK_OF_ENDING, 6.5)),
        STARTED,
        ENDED,
        date(2026, 11, 16),  # the Monday after it
        NOT_RECOVERED,
        None,
    ),
    (
        "still active and still red: in progress, however late",
        {},
        values((STARTED, 6.1)),
        STARTED,
        None,
        date(2027, 3, 1),
        IN_PROGRESS,
        None,
    ),
    (
        "still active: a healthy value long after its period still counts",
        {},
        values((STARTED, 6.1), (date(2027, 2, 1), 7.1)),
        STARTED,
        None,
        date(2027, 3, 1),
        RECOVERED,
        date(2027, 2, 1),
    ),
    (
        "watch is not healthy: 7.2 with a warning margin of 0.5",
        {"warning_margin": 0.5},
        values((WEEK_OF_ENDING, 7.2)),
        STARTED,
        ENDED,
        date(2026, 12, 1),
        NOT_RECOVERED,
        None,
    ),
    (
        "stay at or below 2: back under the ceiling",
        {"target_type": TargetType.AT_MOST, "target": 2.0},
        values((STARTED, 2.6), (WEEK_OF_ENDING, 1.9)),
        STARTED,
        ENDED,
        date(2026, 12, 1),
        RECOVERED,
        WEEK_OF_ENDING,
    ),
    (
        "stay between 3 and 5: back inside the range",
        {"target_type": TargetType.BETWEEN, "target": 3.0, "target_high": 5.0},
        values((STARTED, 5.6), (weeks(STARTED, 1), 4.2)),
        STARTED,
        ENDED,
        date(2026, 12, 1),
        RECOVERED,
        weeks(STARTED, 1),
    ),
    (
        # The line runs from 100 on 1 Oct to 160 on 30 Dec: 120 by the week of 26 Oct's
        # Sunday (1 Nov) is behind it, 131 by 15 Nov (the line is at 130) is above it.
        "increase to 160: judged against the line at each period's end",
        {
            "target_type": TargetType.INCREASE_TO,
            "target": 160.0,
            "baseline": 100.0,
            "baseline_date": date(2026, 10, 1),
            "target_date": date(2026, 12, 30),
        },
        values((WEEK_OF_ENDING, 120.0), (LAST_COUNTED, 131.0)),
        STARTED,
        ENDED,
        date(2026, 12, 1),
        RECOVERED,
        LAST_COUNTED,
    ),
    (
        "monthly: the month it ended and two more count (December)",
        {"cadence": Cadence.MONTHLY},
        values((date(2026, 10, 1), 6.0), (date(2026, 12, 1), 7.5)),
        STARTED,
        date(2026, 10, 20),
        date(2027, 2, 1),
        RECOVERED,
        date(2026, 12, 1),
    ),
    (
        "monthly: still red in December, and January has begun",
        {"cadence": Cadence.MONTHLY},
        values((date(2026, 10, 1), 6.0), (date(2026, 12, 1), 6.5)),
        STARTED,
        date(2026, 10, 20),
        date(2027, 1, 1),
        NOT_RECOVERED,
        None,
    ),
    (
        "monthly: still red, and December is not over",
        {"cadence": Cadence.MONTHLY},
        values((date(2026, 10, 1), 6.0)),
        STARTED,
        date(2026, 10, 20),
        date(2026, 12, 31),
        IN_PROGRESS,
        None,
    ),
    (
        "no values at all, long after: not recovered",
        {},
        [],
        STARTED,
        ENDED,
        date(2027, 1, 4),
        NOT_RECOVERED,
        None,
    ),
]


@pytest.mark.parametrize("row", GOLDEN, ids=[row[0] for row in GOLDEN])
def test_the_outcome_rule(row: Row) -> None:
    _, settings, kpi_values, started, ended, today, outcome, recovered_in = row
    found = verdict(kpi(**settings), kpi_values, started=started, ended=ended, today=today)
    assert (found.outcome, found.recovered_in) == (outcome, recovered_in)


def test_an_ended_objective_says_until_when_a_recovery_still_counts() -> None:
    """In progress after its end: the last week that counts is two weeks after the last one."""
    found = verdict(kpi(), [], started=STARTED, ended=ENDED, today=date(2026, 11, 2))
    assert found == Verdict(IN_PROGRESS, recovered_in=None, window_end=LAST_COUNTED)


# ---- when an objective ran --------------------------------------------------------------
def objective(**fields: Any) -> Objective:
    values: dict[str, Any] = {
        "workspace_id": 1,
        "area_id": 1,
        "title": "Fix it",
        "owner_id": "U",
        "period_start": date(2026, 10, 1),
        "period_end": date(2026, 12, 31),
        "created_at": datetime(2026, 9, 20, 9, 0, tzinfo=UTC),
        **fields,
    }
    return Objective(**values)


def test_it_starts_with_its_period_or_when_it_was_created_if_later() -> None:
    """A fix set up mid-quarter started when it was set up, not on the quarter's first day."""
    assert ran(objective(), "Europe/Berlin") == (date(2026, 10, 1), None)
    late = objective(created_at=datetime(2026, 11, 9, 8, 0, tzinfo=UTC))
    assert ran(late, "Europe/Berlin") == (date(2026, 11, 9), None)


def test_it_ends_the_day_it_was_closed_where_the_kpi_is() -> None:
    """Closed at 23:30 UTC on a Sunday: in Berlin it is already Monday."""
    closed = objective(
        status=ObjectiveStatus.ACHIEVED, closed_at=datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
    )
    assert ran(closed, "Europe/Berlin") == (date(2026, 10, 1), date(2026, 11, 2))
    assert ran(closed, "America/New_York") == (date(2026, 10, 1), date(2026, 11, 1))


def test_a_closed_objective_without_a_closing_moment_ends_with_its_period() -> None:
    missed = objective(status=ObjectiveStatus.MISSED, closed_at=None)
    assert ran(missed, "UTC") == (date(2026, 10, 1), date(2026, 12, 31))


# ---- reading a KPI's ledger ---------------------------------------------------------------
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday of the week of 30 November


def aligned(
    session: Session,
    area: Area,
    target: Kpi,
    title: str,
    *,
    status: ObjectiveStatus = ObjectiveStatus.ACTIVE,
    start: date = date(2026, 10, 1),
    end: date = date(2026, 12, 31),
    closed: datetime | None = None,
    progress: tuple[float, float] = (0.0, 0.0),  # (current, target) of its one key result
) -> Objective:
    row = Objective(
        workspace_id=area.workspace_id,
        area_id=area.id or 0,
        title=title,
        owner_id="U_OWNER",
        period_start=start,
        period_end=end,
        status=status,
        aligned_kpi_id=target.id,
        created_at=datetime.combine(start, datetime.min.time(), tzinfo=UTC),
        closed_at=closed,
    )
    session.add(row)
    session.flush()
    current, goal = progress
    session.add(
        KeyResult(
            workspace_id=area.workspace_id,
            objective_id=row.id or 0,
            title="KR",
            owner_id="U_OWNER",
            start_value=0.0,
            target_value=goal or 1.0,
            current_value=current,
        )
    )
    session.flush()
    return row


def test_the_ledger_lists_every_objective_aligned_newest_first_with_progress_and_outcome(
    any_engine: Engine,
) -> None:
    """Open and closed ones, with how far they got and whether the KPI got healthy again."""
    with session_scope(any_engine) as session:
        area = make_area(session)
        conversion = make_kpi(session, area)
        add_values(
            session,
            conversion,
            (date(2026, 7, 6), 6.2),
            (date(2026, 8, 3), 7.3),  # healthy while the Q3 objective ran
            (date(2026, 10, 5), 6.1),
            (date(2026, 11, 23), 6.4),
        )
        aligned(
            session,
            area,
            conversion,
            "Optimise the funnel",
            status=ObjectiveStatus.ACHIEVED,
            start=date(2026, 7, 1),
            end=date(2026, 9, 30),
            closed=datetime(2026, 9, 30, 12, 0, tzinfo=UTC),
            progress=(5.0, 10.0),
        )
        aligned(
            session,
            area,
            conversion,
            "Cut checkout steps",
            status=ObjectiveStatus.MISSED,
            start=date(2026, 10, 1),
            end=date(2026, 10, 31),
            closed=datetime(2026, 10, 30, 12, 0, tzinfo=UTC),
        )
        aligned(session, area, conversion, "Get conversion back to 7 %", start=date(2026, 11, 2))
        workspace_id, kpi_id = area.workspace_id, conversion.id or 0
    with session_scope(any_engine) as session:
        ledger = kpi_ledger(session, workspace_id=workspace_id, kpi_id=kpi_id, now=NOW)
    assert [(e.objective.title, e.outcome, e.progress) for e in ledger] == [
        ("Get conversion back to 7 %", IN_PROGRESS, 0.0),
        ("Cut checkout steps", NOT_RECOVERED, 0.0),
        ("Optimise the funnel", RECOVERED, 0.5),
    ]
    assert ledger[2].verdict.recovered_in == date(2026, 8, 3)


def test_objectives_aligned_elsewhere_or_not_at_all_are_not_in_the_ledger(
    any_engine: Engine,
) -> None:
    """Another KPI's fix, an unaligned objective, and another workspace's id all stay out."""
    with session_scope(any_engine) as session:
        area = make_area(session)
        conversion = make_kpi(session, area)
        churn = make_kpi(session, area, name="Churn")
        aligned(session, area, churn, "Reduce churn")
        other = make_area(session, team="T_OTHER")
        workspace_id, kpi_id, other_id = area.workspace_id, conversion.id or 0, other.workspace_id
    with session_scope(any_engine) as session:
        assert kpi_ledger(session, workspace_id=workspace_id, kpi_id=kpi_id, now=NOW) == []
        churn_id = churn.id or 0
        assert kpi_ledger(session, workspace_id=other_id, kpi_id=churn_id, now=NOW) == []


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_ledgers_of_many_kpis_cost_the_same_statements_as_of_one(sqlite_engine: Engine) -> None:
    """The digest asks for every red KPI's ledger at once: 1 KPI or 30, the same statements."""
    counted = []
    for team, size in (("T_ONE", 1), ("T_MANY", 30)):
        with session_scope(sqlite_engine) as session:
            area = make_area(session, team=team)
            ids = []
            for number in range(size):
                target = make_kpi(session, area, name=f"KPI {number}")
                add_values(session, target, (date(2026, 11, 23), 6.0))
                aligned(session, area, target, f"Fix {number}")
                ids.append(target.id or 0)
            workspace_id = area.workspace_id
        with session_scope(sqlite_engine) as session, counting(sqlite_engine) as seen:
            ledgers = ledger_summaries(session, workspace_id=workspace_id, kpi_ids=ids, now=NOW)
        assert len(ledgers) == size
        counted.append(len([s for s in seen if s.startswith("SELECT")]))
    assert counted[0] == counted[1] <= 7
