"""Reading KPIs: what every surface shows about one (KpiView), finding one by name, archiving."""

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from okrbot.handlers import trend
from okrbot.handlers.health import Health, attention_rank, judge
from okrbot.handlers.invalid import NotFoundError
from okrbot.handlers.periods import local_date, recent_periods
from okrbot.handlers.permissions import Actor, NotAllowedError, kpi_deciders, may_change_kpi
from okrbot.storage import audit
from okrbot.storage.areas import get_area, list_areas
from okrbot.storage.fixes import open_fixes
from okrbot.storage.kpis import PeriodValue, ValuePoint, get_kpi, latest_values, list_kpis
from okrbot.storage.models import Area, Kpi, Objective


@dataclass(frozen=True)
class KpiView:
    """Everything any surface shows about one KPI."""

    kpi: Kpi
    area: Area
    health: Health
    latest: PeriodValue | None  # the latest period and its value
    change: float | None  # latest minus the previous period's value
    history: tuple[float | None, ...]  # the last 12 periods, oldest first (None = no value)
    sparkline: str
    open_fix: Objective | None = None  # the active objective aligned to it: a fix in progress


def kpi_views(
    session: Session,
    *,
    workspace_id: int,
    now: datetime,
    area_id: int | None = None,
    kpi_ids: Sequence[int] | None = None,
    include_archived: bool = False,
) -> list[KpiView]:
    """KPIs as shown, red → watch → stale → no data → healthy, then by name.

    Four statements whatever the number of KPIs: areas, KPIs, their latest values, and the
    open fixes aligned to them.
    Each KPI's "today" is the date at `now` in its area's time zone.
    """
    areas = {area.id: area for area in list_areas(session, workspace_id=workspace_id)}
    kpis = list_kpis(
        session,
        workspace_id=workspace_id,
        area_id=area_id,
        kpi_ids=kpi_ids,
        include_archived=include_archived,
    )
    values = latest_values(
        session,
        workspace_id=workspace_id,
        area_id=area_id,
        kpi_ids=kpi_ids,
        include_archived=include_archived,
        per_kpi=trend.HISTORY_PERIODS,
    )
    fixes = open_fixes(session, workspace_id=workspace_id, area_id=area_id, kpi_ids=kpi_ids)
    views = [
        _view(kpi, areas[kpi.area_id], values.get(kpi.id or 0, []), now, fixes.get(kpi.id or 0))
        for kpi in kpis
        if kpi.area_id in areas
    ]
    return sorted(views, key=lambda v: (attention_rank(v.health), v.kpi.name.casefold()))


def kpi_view(session: Session, *, workspace_id: int, kpi_id: int, now: datetime) -> KpiView:
    """One KPI's view (archived ones too); NotFoundError outside the workspace."""
    found = kpi_views(
        session, workspace_id=workspace_id, now=now, kpi_ids=[kpi_id], include_archived=True
    )
    if not found:
        raise NotFoundError(f"no KPI {kpi_id} in this workspace")
    return found[0]


def _view(
    kpi: Kpi, area: Area, values: list[ValuePoint], now: datetime, open_fix: Objective | None
) -> KpiView:
    today = local_date(now, area.timezone)
    series = trend.history(values, recent_periods(kpi.cadence, today, trend.HISTORY_PERIODS))
    return KpiView(
        kpi=kpi,
        area=area,
        health=judge(kpi, values, today),
        latest=values[-1] if values else None,
        change=trend.change(values, kpi.cadence),
        history=series,
        sparkline=trend.sparkline(series),
        open_fix=open_fix,
    )


def find_kpi(session: Session, *, workspace_id: int, text: str) -> Kpi | None:
    """The active KPI that best matches `text`: exact name, then prefix, contains, close."""
    needle = text.strip().casefold()
    if not needle:
        return None
    kpis = list_kpis(session, workspace_id=workspace_id)
    by_name = {kpi.name.casefold(): kpi for kpi in kpis}
    if needle in by_name:
        return by_name[needle]
    for matches in (str.startswith, str.__contains__):
        found = [kpi for name, kpi in by_name.items() if matches(name, needle)]
        if found:
            return min(found, key=lambda kpi: len(kpi.name))
    close = difflib.get_close_matches(needle, list(by_name), n=1, cutoff=0.6)
    return by_name[close[0]] if close else None


def kpi_with_area(
    session: Session, *, workspace_id: int, kpi_id: int, active: bool = False
) -> tuple[Kpi, Area]:
    """The KPI with this id in this workspace, and its area; NotFoundError otherwise.

    With `active`, an archived KPI is not found either.
    """
    kpi = get_kpi(session, workspace_id=workspace_id, kpi_id=kpi_id)
    if kpi is None or (active and kpi.archived_at is not None):
        raise NotFoundError(f"no KPI {kpi_id} in this workspace")
    area = get_area(session, workspace_id=workspace_id, area_id=kpi.area_id)
    if area is None:
        raise NotFoundError(f"KPI {kpi_id} has no area in this workspace")
    return kpi, area


def archive_kpi(
    session: Session, *, workspace_id: int, kpi_id: int, actor: Actor, now: datetime
) -> bool:
    """Archive the KPI (its history stays); False if it already was."""
    kpi, area = kpi_with_area(session, workspace_id=workspace_id, kpi_id=kpi_id)
    if not may_change_kpi(actor, owner_id=kpi.owner_id, area=area):
        raise NotAllowedError(
            kpi_deciders(f"archive “{kpi.name}”", owner_id=kpi.owner_id, area=area)
        )
    if kpi.archived_at is not None:
        return False
    with audit.recording_change(
        session,
        kpi,
        workspace_id=workspace_id,
        actor_id=actor.user_id,
        entity="kpi",
        action="archived",
        at=now,
    ):
        kpi.archived_at = now
        kpi.updated_at = now
    return True
