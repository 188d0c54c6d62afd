"""Rows for the digest tests, written straight through the storage models."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from okrbot.storage.models import (
    Area,
    Kpi,
    KpiValue,
    Objective,
    RunKind,
    ScheduledRun,
    TargetType,
    UnitKind,
    Workspace,
)
from okrbot.storage.workspaces import ensure_workspace

TEAM = "T_ACME"  # the team the signed test client speaks for
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def workspace(engine: Engine, team: str = TEAM, *, active: bool = True) -> int:
    with Session(engine) as session:
        workspace_id = ensure_workspace(session, external_id=team)
        found = session.get(Workspace, workspace_id)
        assert found is not None
        found.active = active
        session.add(found)
        session.commit()
    return workspace_id


def area(
    engine: Engine,
    workspace_id: int,
    name: str,
    *,
    channel: str | None,
    timezone: str = "Europe/Berlin",
    weekday: int = 0,
    hour: int = 9,
    minute: int = 0,
    leads: tuple[str, ...] = ("U_ALICE",),
) -> int:
    with Session(engine) as session:
        row = Area(
            workspace_id=workspace_id,
            name=name,
            channel_id=channel,
            timezone=timezone,
            digest_weekday=weekday,
            digest_hour=hour,
            digest_minute=minute,
            leads=list(leads),
            created_at=CREATED,
        )
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def kpi(
    engine: Engine,
    workspace_id: int,
    area_id: int,
    name: str,
    *,
    target: float = 7.0,
    values: dict[date, float] | None = None,
    warning_margin: float | None = None,
    unit_kind: UnitKind = UnitKind.PERCENT,
) -> int:
    """A weekly "stay at or above `target`" KPI with `values` by week (Mondays)."""
    with Session(engine) as session:
        row = Kpi(
            workspace_id=workspace_id,
            area_id=area_id,
            name=name,
            owner_id="U_ALICE",
            unit_kind=unit_kind,
            unit_label="%" if unit_kind == UnitKind.PERCENT else "",
            target_type=TargetType.AT_LEAST,
            target=target,
            warning_margin=warning_margin,
            created_at=CREATED,
            updated_at=CREATED,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        for period_start, value in (values or {}).items():
            session.add(
                KpiValue(
                    workspace_id=workspace_id,
                    kpi_id=row.id,
                    period_start=monday(period_start),
                    value=value,
                    author_id="U_ALICE",
                    recorded_at=CREATED,
                )
            )
        session.commit()
        return row.id


def objective(
    engine: Engine,
    workspace_id: int,
    area_id: int,
    title: str,
    *,
    aligned_kpi_id: int | None = None,
) -> int:
    with Session(engine) as session:
        row = Objective(
            workspace_id=workspace_id,
            area_id=area_id,
            title=title,
            owner_id="U_ALICE",
            period_start=date(2026, 10, 1),
            period_end=date(2026, 12, 31),
            aligned_kpi_id=aligned_kpi_id,
            created_at=CREATED,
        )
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def digest_runs(engine: Engine) -> list[ScheduledRun]:
    with Session(engine) as session:
        return list(session.exec(select(ScheduledRun).where(ScheduledRun.kind == RunKind.DIGEST)))


def get_area(engine: Engine, area_id: int) -> Area:
    with Session(engine) as session:
        found = session.get(Area, area_id)
        assert found is not None
        return found


def many_kpis(
    engine: Engine, workspace_id: int, area_id: int, values: list[tuple[date, float] | None]
) -> list[int]:
    """KPIs "KPI 000", "KPI 001", … (≥ 7 %, warning margin 1), each with one (week, value)."""
    ids = []
    with Session(engine) as session:
        for number, value in enumerate(values):
            row = Kpi(
                workspace_id=workspace_id,
                area_id=area_id,
                name=f"KPI {number:03d}",
                owner_id="U_ALICE",
                unit_kind=UnitKind.PERCENT,
                target_type=TargetType.AT_LEAST,
                target=7.0,
                warning_margin=1.0,
                created_at=CREATED,
                updated_at=CREATED,
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            ids.append(row.id)
            if value is not None:
                week, number_value = value
                session.add(
                    KpiValue(
                        workspace_id=workspace_id,
                        kpi_id=row.id,
                        period_start=monday(week),
                        value=number_value,
                        author_id="U_ALICE",
                        recorded_at=CREATED,
                    )
                )
        session.commit()
    return ids
