"""Small factories for KPI tests: an area, a KPI and its values, written through the session."""

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from okrbot.storage.models import Area, Kpi, KpiValue, TargetType, UnitKind
from okrbot.storage.workspaces import ensure_workspace

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def make_area(session: Session, team: str = "T_ACME", **fields: Any) -> Area:
    workspace_id = ensure_workspace(session, external_id=team)
    values: dict[str, Any] = {
        "name": "Marketing",
        "channel_id": "C_MARKETING",
        "timezone": "Europe/Berlin",
        "leads": ["U_LEAD"],
        **fields,
    }
    area = Area(workspace_id=workspace_id, **values)
    session.add(area)
    session.flush()
    return area


def make_kpi(session: Session, area: Area, **fields: Any) -> Kpi:
    values: dict[str, Any] = {
        "name": "Website conversion rate",
        "owner_id": "U_OWNER",
        "unit_kind": UnitKind.PERCENT,
        "target_type": TargetType.AT_LEAST,
        "target": 7.0,
        **fields,
    }
    kpi = Kpi(workspace_id=area.workspace_id, area_id=area.id or 0, **values)
    session.add(kpi)
    session.flush()
    return kpi


def add_values(session: Session, kpi: Kpi, *values: tuple[date, float]) -> None:
    for period, value in values:
        session.add(
            KpiValue(
                workspace_id=kpi.workspace_id,
                kpi_id=kpi.id or 0,
                period_start=period,
                value=value,
                author_id="U_OWNER",
            )
        )
    session.flush()
