"""A sample workspace to explore okrbot without Slack: three areas, their KPIs and OKRs.

The story it tells: Marketing's website conversion rate must stay at or above 7 %; after twelve
healthy weeks it has just dropped below. Last quarter an objective about optimising conversion
was achieved. Sales has a stale KPI nobody updated for a month.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from okrbot.storage.models import (
    Area,
    CheckIn,
    Confidence,
    KeyResult,
    KeyResultKind,
    Kpi,
    KpiValue,
    Objective,
    ObjectiveStatus,
    TargetType,
    UnitKind,
    ValueSource,
)
from okrbot.storage.workspaces import ensure_workspace, find_workspace

DEMO_WORKSPACE = "T_DEMO"
DEMO_TIMEZONE = "Europe/Berlin"
LEAD = "U_DEMO_LEAD"
OWNERS = {"Marketing": "U_DEMO_MAYA", "Sales": "U_DEMO_SAM", "Product": "U_DEMO_PRIYA"}
WEEKS = 13


@dataclass(frozen=True)
class KpiSeed:
    name: str
    unit_kind: UnitKind
    unit_label: str
    target_type: TargetType
    target: float
    values: tuple[float, ...]  # one a week, oldest first, ending this week
    weeks_silent: int = 0  # how many recent weeks have no value (a stale KPI)
    target_high: float | None = None


def _series(start: float, step: float, last: float | None = None) -> tuple[float, ...]:
    values = [round(start + step * (i % 4) - step * (i % 3), 2) for i in range(WEEKS)]
    if last is not None:
        values[-1] = last
    return tuple(values)


KPIS: dict[str, tuple[KpiSeed, ...]] = {
    "Marketing": (
        KpiSeed(
            "Website conversion rate",
            UnitKind.PERCENT,
            "",
            TargetType.AT_LEAST,
            7.0,
            _series(7.6, 0.15, last=6.1),
        ),
        KpiSeed(
            "Newsletter subscribers",
            UnitKind.COUNT,
            "",
            TargetType.AT_LEAST,
            12000,
            tuple(12100.0 + 80 * i for i in range(WEEKS)),
        ),
        KpiSeed(
            "Cost per lead", UnitKind.CURRENCY, "EUR", TargetType.AT_MOST, 45, _series(38, 1.5)
        ),
    ),
    "Sales": (
        KpiSeed(
            "Pipeline coverage",
            UnitKind.TEXT,
            "x",
            TargetType.BETWEEN,
            3.0,
            _series(3.6, 0.2),
            target_high=5.0,
        ),
        KpiSeed(
            "Win rate",
            UnitKind.PERCENT,
            "",
            TargetType.AT_LEAST,
            25,
            _series(27, 0.5),
            weeks_silent=4,
        ),
    ),
    "Product": (
        KpiSeed(
            "Weekly active teams",
            UnitKind.COUNT,
            "",
            TargetType.AT_LEAST,
            800,
            tuple(820.0 + 6 * i for i in range(WEEKS)),
        ),
        KpiSeed("Monthly churn", UnitKind.PERCENT, "", TargetType.AT_MOST, 3.0, _series(2.4, 0.1)),
    ),
}


def seed_demo(session: Session, *, today: date, now: datetime) -> bool:
    """Seed the sample workspace once; False when it was already there (nothing is added)."""
    if find_workspace(session, external_id=DEMO_WORKSPACE) is not None:
        return False
    workspace_id = ensure_workspace(session, external_id=DEMO_WORKSPACE)
    monday = today - timedelta(days=today.weekday())
    for index, (area_name, seeds) in enumerate(KPIS.items()):
        area = Area(
            workspace_id=workspace_id,
            name=area_name,
            channel_id=f"C_DEMO_{area_name.upper()}",
            timezone=DEMO_TIMEZONE,
            leads=[LEAD],
        )
        session.add(area)
        session.flush()
        assert area.id is not None
        for seed in seeds:
            _seed_kpi(session, workspace_id, area.id, seed, monday=monday, area=area_name)
        _seed_objectives(session, workspace_id, area, today=today, now=now, index=index)
    return True


def _seed_kpi(
    session: Session, workspace_id: int, area_id: int, seed: KpiSeed, *, monday: date, area: str
) -> None:
    kpi = Kpi(
        workspace_id=workspace_id,
        area_id=area_id,
        name=seed.name,
        owner_id=OWNERS[area],
        unit_kind=seed.unit_kind,
        unit_label=seed.unit_label,
        target_type=seed.target_type,
        target=seed.target,
        target_high=seed.target_high,
    )
    session.add(kpi)
    session.flush()
    assert kpi.id is not None
    recorded = seed.values[: len(seed.values) - seed.weeks_silent]
    for weeks_ago, value in zip(range(WEEKS - 1, -1, -1), recorded, strict=False):
        session.add(
            KpiValue(
                workspace_id=workspace_id,
                kpi_id=kpi.id,
                period_start=monday - timedelta(weeks=weeks_ago),
                value=value,
                source=ValueSource.IMPORT,
                author_id=OWNERS[area],
            )
        )


def _seed_objectives(
    session: Session,
    workspace_id: int,
    area: Area,
    *,
    today: date,
    now: datetime,
    index: int,
) -> None:
    assert area.id is not None
    owner = OWNERS[area.name]
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter_end = _quarter_end(quarter_start)
    active = Objective(
        workspace_id=workspace_id,
        area_id=area.id,
        title=ACTIVE_TITLES[area.name],
        owner_id=owner,
        period_start=quarter_start,
        period_end=quarter_end,
    )
    session.add(active)
    session.flush()
    assert active.id is not None
    for position, (title, start, target, current, confidence) in enumerate(ACTIVE_KRS[area.name]):
        kr = KeyResult(
            workspace_id=workspace_id,
            objective_id=active.id,
            position=position,
            title=title,
            owner_id=owner,
            kind=KeyResultKind.METRIC,
            start_value=start,
            target_value=target,
            current_value=current,
        )
        session.add(kr)
        session.flush()
        assert kr.id is not None
        session.add(
            CheckIn(
                workspace_id=workspace_id,
                key_result_id=kr.id,
                author_id=owner,
                value=current,
                confidence=confidence,
                comment="Weekly check-in from the demo.",
                created_at=now - timedelta(days=2 + index + position),
            )
        )
    if area.name == "Marketing":
        _seed_achieved_conversion_objective(session, workspace_id, area.id, owner, quarter_start)


def _seed_achieved_conversion_objective(
    session: Session, workspace_id: int, area_id: int, owner: str, quarter_start: date
) -> None:
    last_quarter_start = _shift_quarter(quarter_start, -1)
    achieved = Objective(
        workspace_id=workspace_id,
        area_id=area_id,
        title="Optimise the website's conversion funnel",
        owner_id=owner,
        period_start=last_quarter_start,
        period_end=quarter_start - timedelta(days=1),
        status=ObjectiveStatus.ACHIEVED,
    )
    session.add(achieved)
    session.flush()
    assert achieved.id is not None
    uplift = KeyResult(
        workspace_id=workspace_id,
        objective_id=achieved.id,
        title="Conversion-rate uplift per month",
        owner_id=owner,
        start_value=0,
        target_value=5,
        current_value=5,
        unit="%",
    )
    session.add(uplift)
    session.flush()
    assert uplift.id is not None
    for week, value in enumerate((1.5, 3.0, 4.2, 5.0)):
        session.add(
            CheckIn(
                workspace_id=workspace_id,
                key_result_id=uplift.id,
                author_id=owner,
                value=value,
                confidence=Confidence.ON_TRACK,
                created_at=datetime.combine(
                    last_quarter_start + timedelta(weeks=3 * week + 2), time(9), tzinfo=UTC
                ),
            )
        )


def _quarter_end(start: date) -> date:
    return _shift_quarter(start, 1) - timedelta(days=1)


def _shift_quarter(start: date, quarters: int) -> date:
    months = start.year * 12 + start.month - 1 + 3 * quarters
    return date(months // 12, months % 12 + 1, 1)


ACTIVE_TITLES = {
    "Marketing": "Become the best-known tool for small ops teams",
    "Sales": "Open the mid-market segment",
    "Product": "Make the first week delightful",
}
ACTIVE_KRS: dict[str, tuple[tuple[str, float, float, float, Confidence], ...]] = {
    "Marketing": (
        ("Publish 12 customer stories", 0, 12, 5, Confidence.ON_TRACK),
        ("Grow organic visits to 40k a month", 22000, 40000, 27500, Confidence.NEEDS_ATTENTION),
    ),
    "Sales": (("Sign 10 mid-market customers", 0, 10, 3, Confidence.NEEDS_ATTENTION),),
    "Product": (
        ("Raise week-1 activation to 60 %", 41, 60, 52, Confidence.ON_TRACK),
        ("Cut time to first check-in to 2 minutes", 9, 2, 4, Confidence.ON_TRACK),
    ),
}
