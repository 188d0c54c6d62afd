"""KPI and KPI value queries. Every query filters by workspace; none commits."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import and_, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from okrbot.storage.models import Kpi, KpiValue, ValueSource
from okrbot.storage.upsert import insert_if_absent


def get_kpi(session: Session, *, workspace_id: int, kpi_id: int) -> Kpi | None:
    """The KPI with this id in this workspace; None for another workspace's id."""
    return session.exec(
        select(Kpi).where(Kpi.workspace_id == workspace_id, Kpi.id == kpi_id)
    ).first()


def _kpi_filter(
    workspace_id: int,
    area_id: int | None,
    kpi_ids: Sequence[int] | None,
    include_archived: bool,
) -> list[Any]:
    conditions: list[Any] = [Kpi.workspace_id == workspace_id]
    if area_id is not None:
        conditions.append(Kpi.area_id == area_id)
    if kpi_ids is not None:
        conditions.append(col(Kpi.id).in_(list(kpi_ids)))
    if not include_archived:
        conditions.append(col(Kpi.archived_at).is_(None))
    return conditions


def list_kpis(
    session: Session,
    *,
    workspace_id: int,
    area_id: int | None = None,
    kpi_ids: Sequence[int] | None = None,
    include_archived: bool = False,
) -> list[Kpi]:
    """The workspace's KPIs (of one area, or these ids), by name; archived ones on request."""
    conditions = _kpi_filter(workspace_id, area_id, kpi_ids, include_archived)
    return list(session.exec(select(Kpi).where(*conditions).order_by(col(Kpi.name))))


def count_kpis(session: Session, *, workspace_id: int, area_id: int | None = None) -> int:
    conditions = _kpi_filter(workspace_id, area_id, None, include_archived=False)
    return session.exec(select(func.count()).select_from(Kpi).where(*conditions)).one()


def search_kpis(
    session: Session, *, workspace_id: int, text: str, area_id: int | None = None, limit: int = 100
) -> list[Kpi]:
    """Active KPIs whose name contains `text` (any case), by name, at most `limit`."""
    conditions = _kpi_filter(workspace_id, area_id, None, include_archived=False)
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    conditions.append(func.lower(Kpi.name).like(f"%{escaped}%", escape="\\"))
    return list(session.exec(select(Kpi).where(*conditions).order_by(col(Kpi.name)).limit(limit)))


def kpi_named(session: Session, *, workspace_id: int, name: str) -> Kpi | None:
    """The KPI (archived or not) with this name, ignoring case."""
    return session.exec(
        select(Kpi).where(
            Kpi.workspace_id == workspace_id, func.lower(Kpi.name) == name.strip().lower()
        )
    ).first()


class PeriodValue(Protocol):
    """Anything with a period and a value: a stored `KpiValue`, or a light `ValuePoint`."""

    @property
    def period_start(self) -> date: ...
    @property
    def value(self) -> float: ...


class ValuePoint(NamedTuple):
    """A KPI's value for one period: all that health, trends and sparklines need.

    Reading these as plain rows instead of `KpiValue` objects is what keeps a digest of
    thousands of KPIs fast (see BENCHMARKS.md).
    """

    period_start: date
    value: float


def latest_values(
    session: Session,
    *,
    workspace_id: int,
    area_id: int | None = None,
    kpi_ids: Sequence[int] | None = None,
    include_archived: bool = False,
    per_kpi: int = 12,
) -> dict[int, list[ValuePoint]]:
    """The latest `per_kpi` values of each matching KPI, oldest first, in one statement.

    Each KPI's values are bounded by an index seek to its `per_kpi`-th latest period, so the
    cost follows the values shown, not every value ever recorded.
    """
    conditions = _kpi_filter(workspace_id, area_id, kpi_ids, include_archived)
    older = aliased(KpiValue)
    oldest_shown = (
        select(col(older.period_start))
        .where(col(older.workspace_id) == workspace_id, col(older.kpi_id) == col(Kpi.id))
        .order_by(col(older.period_start).desc())
        .limit(1)
        .offset(per_kpi - 1)
        .correlate(Kpi)
        .scalar_subquery()
    )
    in_window = and_(
        col(KpiValue.workspace_id) == workspace_id,
        col(KpiValue.kpi_id) == col(Kpi.id),
        col(KpiValue.period_start) >= func.coalesce(oldest_shown, date.min),
    )
    rows = session.exec(
        select(col(Kpi.id), col(KpiValue.period_start), col(KpiValue.value))
        .select_from(Kpi)
        .join(KpiValue, in_window)
        .where(*conditions)
        .order_by(col(Kpi.id), col(KpiValue.period_start))
    )
    grouped: dict[int, list[ValuePoint]] = defaultdict(list)
    for kpi_id, period_start, value in rows:
        grouped[int(kpi_id or 0)].append(ValuePoint(period_start, value))
    return dict(grouped)


def value_for_period(
    session: Session, *, workspace_id: int, kpi_id: int, period_start: date
) -> KpiValue | None:
    return session.exec(
        select(KpiValue).where(
            KpiValue.workspace_id == workspace_id,
            KpiValue.kpi_id == kpi_id,
            KpiValue.period_start == period_start,
        )
    ).first()


def insert_value_if_absent(
    session: Session,
    *,
    workspace_id: int,
    kpi_id: int,
    period_start: date,
    value: float,
    author_id: str,
    note: str,
    source: ValueSource,
    at: datetime,
) -> bool:
    """Insert the period's value unless it has one; True if inserted (safe under races)."""
    return insert_if_absent(
        session,
        KpiValue,
        {
            "workspace_id": workspace_id,
            "kpi_id": kpi_id,
            "period_start": period_start,
            "value": value,
            "source": str(source),
            "author_id": author_id,
            "note": note,
            "recorded_at": at,
        },
        unique_on=["kpi_id", "period_start"],
    )
