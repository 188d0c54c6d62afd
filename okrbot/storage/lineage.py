"""Queries for how KPIs and objectives feed each other: values over a span, and lineage.

Every query filters by workspace and runs one statement, whatever the number of ids; none commits.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from okrbot.storage.models import Kpi, KpiValue


def values_since(
    session: Session, *, workspace_id: int, kpi_ids: Sequence[int], since: date
) -> dict[int, list[KpiValue]]:
    """Each KPI's values for periods starting on or after `since`, oldest first."""
    if not kpi_ids:
        return {}
    rows = session.exec(
        select(KpiValue)
        .where(
            KpiValue.workspace_id == workspace_id,
            col(KpiValue.kpi_id).in_(list(kpi_ids)),
            col(KpiValue.period_start) >= since,
        )
        .order_by(col(KpiValue.kpi_id), col(KpiValue.period_start))
    )
    grouped: dict[int, list[KpiValue]] = defaultdict(list)
    for value in rows:
        grouped[value.kpi_id].append(value)
    return dict(grouped)


def kpis_from_objectives(
    session: Session, *, workspace_id: int, objective_ids: Sequence[int]
) -> dict[int, list[Kpi]]:
    """The live KPIs each objective turned into (their origin), by name."""
    if not objective_ids:
        return {}
    rows = session.exec(
        select(Kpi)
        .where(
            Kpi.workspace_id == workspace_id,
            col(Kpi.origin_objective_id).in_(list(objective_ids)),
            col(Kpi.archived_at).is_(None),
        )
        .order_by(col(Kpi.name), col(Kpi.id))
    )
    grouped: dict[int, list[Kpi]] = defaultdict(list)
    for kpi in rows:
        if kpi.origin_objective_id is not None:
            grouped[kpi.origin_objective_id].append(kpi)
    return dict(grouped)
