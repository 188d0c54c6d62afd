"""Queries behind a person's Home tab."""

from collections.abc import Collection

from sqlalchemy import or_
from sqlmodel import Session, col, select

from okrbot.storage.models import Objective, ObjectiveStatus


def active_objective_ids(
    session: Session,
    *,
    workspace_id: int,
    area_ids: Collection[int],
    aligned_kpi_ids: Collection[int],
) -> list[int]:
    """Active objectives in these areas or aligned to these KPIs, in one statement."""
    if not area_ids and not aligned_kpi_ids:
        return []
    rows = session.exec(
        select(Objective.id).where(
            Objective.workspace_id == workspace_id,
            Objective.status == ObjectiveStatus.ACTIVE,
            or_(
                col(Objective.area_id).in_(sorted(area_ids)),
                col(Objective.aligned_kpi_id).in_(sorted(aligned_kpi_ids)),
            ),
        )
    )
    return [objective_id for objective_id in rows if objective_id is not None]
