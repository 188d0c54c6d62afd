"""The digest's neutral content: order, counts, fixes in progress, and a constant query count."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event

from okrbot.handlers.digest import Bucket, Digest, build_digest
from okrbot.storage.db import session_scope
from tests import digest_seed as seed

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday of 2026-W49
THIS_WEEK = date(2026, 11, 30)
LAST_WEEK = THIS_WEEK - timedelta(weeks=1)


def _digest(engine: Engine, workspace_id: int, area_id: int, period: str | None = None) -> Digest:
    with session_scope(engine) as session:
        digest = build_digest(
            session, workspace_id=workspace_id, area_id=area_id, now=NOW, period=period
        )
    assert digest is not None
    return digest


def _one_of_each(engine: Engine) -> tuple[int, int, dict[str, int]]:
    workspace_id = seed.workspace(engine)
    area_id = seed.area(engine, workspace_id, "Marketing", channel="C_MARKETING")
    kpis = {
        "Healthy signups": seed.kpi(
            engine, workspace_id, area_id, "Healthy signups", values={THIS_WEEK: 9}
        ),
        "No data churn": seed.kpi(engine, workspace_id, area_id, "No data churn"),
        "Stale NPS": seed.kpi(
            engine, workspace_id, area_id, "Stale NPS", values={THIS_WEEK - timedelta(weeks=3): 9}
        ),
        "Watch retention": seed.kpi(
            engine,
            workspace_id,
            area_id,
            "Watch retention",
            values={THIS_WEEK: 7.5},
            warning_margin=1,
        ),
        "Red conversion": seed.kpi(
            engine, workspace_id, area_id, "Red conversion", values={LAST_WEEK: 7.4, THIS_WEEK: 6.1}
        ),
        "Red bounce": seed.kpi(engine, workspace_id, area_id, "Red bounce", values={THIS_WEEK: 2}),
    }
    return workspace_id, area_id, kpis


def test_kpis_come_red_watch_stale_no_data_healthy_with_counts(any_engine: Engine) -> None:
    """The digest lists what needs attention first, and counts every KPI in one bucket."""
    workspace_id, area_id, _ = _one_of_each(any_engine)
    digest = _digest(any_engine, workspace_id, area_id)
    assert [(kpi.bucket, kpi.view.kpi.name) for kpi in digest.kpis] == [
        (Bucket.UNHEALTHY, "Red bounce"),
        (Bucket.UNHEALTHY, "Red conversion"),
        (Bucket.WATCH, "Watch retention"),
        (Bucket.STALE, "Stale NPS"),
        (Bucket.NO_DATA, "No data churn"),
        (Bucket.HEALTHY, "Healthy signups"),
    ]
    assert digest.counts == {
        Bucket.UNHEALTHY: 2,
        Bucket.WATCH: 1,
        Bucket.STALE: 1,
        Bucket.NO_DATA: 1,
        Bucket.HEALTHY: 1,
    }
    assert sum(digest.counts.values()) == digest.total == 6


def test_a_red_kpi_with_an_aligned_objective_shows_the_fix_in_progress(any_engine: Engine) -> None:
    """An open objective aligned to a red KPI is its fix; a red KPI without one has no fix."""
    workspace_id, area_id, kpis = _one_of_each(any_engine)
    seed.objective(
        any_engine,
        workspace_id,
        area_id,
        "Win back conversion",
        aligned_kpi_id=kpis["Red conversion"],
    )
    seed.objective(any_engine, workspace_id, area_id, "Launch the blog")
    digest = _digest(any_engine, workspace_id, area_id)
    by_name = {kpi.view.kpi.name: kpi for kpi in digest.kpis}
    conversion = by_name["Red conversion"]
    assert conversion.fix_in_progress
    assert [fix.objective.title for fix in conversion.fixes] == ["Win back conversion"]
    assert not by_name["Red bounce"].fix_in_progress
    assert by_name["Red bounce"].fixes == ()
    assert sorted(view.objective.title for view in digest.objectives) == [
        "Launch the blog",
        "Win back conversion",
    ]


def test_the_week_is_the_area_local_week_or_the_scheduled_one(any_engine: Engine) -> None:
    workspace_id, area_id, _ = _one_of_each(any_engine)
    assert _digest(any_engine, workspace_id, area_id).period == "2026-W49"
    scheduled = _digest(any_engine, workspace_id, area_id, period="2026-W48")
    assert (scheduled.period, scheduled.week_start) == ("2026-W48", date(2026, 11, 23))


def test_another_workspace_sees_no_digest_of_this_area(any_engine: Engine) -> None:
    """An area id from another workspace builds nothing."""
    _, area_id, _ = _one_of_each(any_engine)
    other = seed.workspace(any_engine, "T_OTHER")
    with session_scope(any_engine) as session:
        assert build_digest(session, workspace_id=other, area_id=area_id, now=NOW) is None


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _area_with(engine: Engine, workspace_id: int, name: str, count: int) -> int:
    """An area whose KPIs are half red (each with a fix-OKR), half healthy, plus objectives."""
    area_id = seed.area(engine, workspace_id, name, channel=f"C_{name.upper()}")
    for number in range(count):
        value = 6.0 if number % 2 else 8.0
        kpi_id = seed.kpi(
            engine,
            workspace_id,
            area_id,
            f"{name} KPI {number:04d}",
            values={LAST_WEEK: value, THIS_WEEK: value},
        )
        if number % 2 and number < 40:
            seed.objective(engine, workspace_id, area_id, f"Fix {number}", aligned_kpi_id=kpi_id)
    return area_id


def test_building_costs_the_same_statements_for_10_and_1000_kpis(sqlite_engine: Engine) -> None:
    """The number of SQL statements does not grow with the number of KPIs."""
    workspace_id = seed.workspace(sqlite_engine)
    small = _area_with(sqlite_engine, workspace_id, "Small", 10)
    large = _area_with(sqlite_engine, workspace_id, "Large", 1000)
    counted = []
    for area_id in (small, large):
        with _statements(sqlite_engine) as seen:
            digest = _digest(sqlite_engine, workspace_id, area_id)
        counted.append(len(seen))
        assert digest.counts[Bucket.UNHEALTHY] == digest.total // 2
    assert counted[0] == counted[1]
