"""A person's dashboard: what it holds, and that it costs the same few statements at any size."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session

from okrbot.handlers.home import build_dashboard, home_visited
from okrbot.storage.models import Confidence
from tests.reminder_factories import Seed

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
THIS_WEEK = date(2026, 11, 30)


def _red_kpi(seed: Seed, area: Any, name: str, owner: str = "U_ALICE") -> Any:
    return seed.kpi(area, name, owner=owner, values={THIS_WEEK - timedelta(days=7): 6.1})


def test_dashboard_holds_my_key_results_my_kpis_and_what_needs_attention_in_my_areas(
    sqlite_engine: Engine,
) -> None:
    seed = Seed(sqlite_engine)
    marketing = seed.area("Marketing")
    sales = seed.area("Sales", leads=("U_ALICE",))
    elsewhere = seed.area("Product")
    goal = seed.objective(marketing, "Grow signups", owner="U_BOB")
    never = seed.key_result(goal, "Newsletter launched")
    checked = seed.key_result(goal, "Signups to 500")
    seed.checkin(checked, at=NOW - timedelta(days=3), confidence=Confidence.OFF_TRACK)
    seed.key_result(goal, "Bob's own", owner="U_BOB")
    mine_red = _red_kpi(seed, marketing, "Conversion rate")
    fixed_red = _red_kpi(seed, marketing, "Activation")
    seed.objective(marketing, "Fix activation", owner="U_BOB", aligned_kpi=fixed_red)
    seed.kpi(marketing, "Traffic", values={THIS_WEEK - timedelta(days=7): 9.0})
    others_red = _red_kpi(seed, sales, "Pipeline", owner="U_BOB")
    _red_kpi(seed, elsewhere, "Uptime", owner="U_BOB")
    quiet = seed.objective(sales, "Enter Spain", owner="U_BOB")
    seed.key_result(quiet, "Five deals", owner="U_BOB")

    with Session(sqlite_engine) as session:
        dashboard = build_dashboard(
            session, workspace_id=seed.workspace_id, user_id="U_ALICE", now=NOW
        )

    assert [kr.view.key_result.title for kr in dashboard.key_results] == [
        "Newsletter launched",  # never checked in comes first
        "Signups to 500",
    ]
    assert dashboard.key_results[0].view.key_result.id == never.id
    assert [(k.view.kpi.name, k.needs_fix) for k in dashboard.kpis] == [
        ("Activation", False),
        ("Conversion rate", True),
        ("Traffic", False),
    ]
    assert mine_red.id is not None
    by_area = {a.area.name: a for a in dashboard.areas}
    assert sorted(by_area) == ["Marketing", "Sales"]  # not Product: not hers
    assert [k.view.kpi.id for k in by_area["Sales"].red_kpis] == [others_red.id]
    assert [v.objective.title for v in by_area["Sales"].objectives] == ["Enter Spain"]
    assert [v.objective.title for v in by_area["Marketing"].objectives] == ["Grow signups"]
    assert by_area["Marketing"].red_kpis == ()  # her own red KPIs are listed above
    assert dashboard.welcome is True


def test_the_welcome_is_for_the_first_visit_only(sqlite_engine: Engine) -> None:
    seed = Seed(sqlite_engine)
    with Session(sqlite_engine) as session:
        assert home_visited(session, workspace_id=seed.workspace_id, user_id="U_ALICE")
        assert not home_visited(session, workspace_id=seed.workspace_id, user_id="U_ALICE")
        dashboard = build_dashboard(
            session, workspace_id=seed.workspace_id, user_id="U_ALICE", now=NOW
        )
    assert dashboard.welcome is False


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def on_execute(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def _statements_for(engine: Engine, seed: Seed) -> int:
    with counted(engine) as statements, Session(engine) as session:
        build_dashboard(session, workspace_id=seed.workspace_id, user_id="U_ALICE", now=NOW)
    return len(statements)


def test_the_dashboard_costs_the_same_statements_at_any_size(any_engine: Engine) -> None:
    """One key result and one KPI, or sixty and twenty across five areas: same statements."""
    seed = Seed(any_engine)
    area = seed.area("Area 0")
    seed.key_result(seed.objective(area, "Goal"), "KR")
    _red_kpi(seed, area, "KPI")
    small = _statements_for(any_engine, seed)

    for number in range(1, 5):
        area = seed.area(f"Area {number}", leads=("U_ALICE",))
        for goal_number in range(3):
            goal = seed.objective(area, f"Goal {number}.{goal_number}", owner="U_BOB")
            for kr_number in range(5):
                kr = seed.key_result(goal, f"KR {number}.{goal_number}.{kr_number}")
                seed.checkin(kr, at=NOW - timedelta(days=kr_number))
        for kpi_number in range(5):
            _red_kpi(seed, area, f"KPI {number}.{kpi_number}", owner="U_BOB")
    large = _statements_for(any_engine, seed)
    assert large == small
    assert small <= 16
