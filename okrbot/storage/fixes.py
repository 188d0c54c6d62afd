"""Fix-OKRs: the open objectives aligned to KPIs, and the lock that keeps them one per KPI."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from okrbot.storage.models import Kpi, Objective, ObjectiveStatus


def open_fixes(
    session: Session,
    *,
    workspace_id: int,
    area_id: int | None = None,
    kpi_ids: Sequence[int] | None = None,
) -> dict[int, Objective]:
    """Each KPI's open fix (the oldest active objective aligned to it), in one statement.

    KPIs are chosen as `list_kpis` chooses them (by area, or these ids); an objective of any
    area may fix them.
    """
    statement = (
        select(Objective)
        .join(Kpi, col(Kpi.id) == col(Objective.aligned_kpi_id))
        .where(
            Objective.workspace_id == workspace_id,
            Objective.status == ObjectiveStatus.ACTIVE,
            Kpi.workspace_id == workspace_id,
        )
        .order_by(col(Objective.created_at).desc(), col(Objective.id).desc())
    )
    if area_id is not None:
        statement = statement.where(Kpi.area_id == area_id)
    if kpi_ids is not None:
        statement = statement.where(col(Kpi.id).in_(list(kpi_ids)))
    # Newest first, so the oldest of several (created before fixes were one per KPI) wins.
    return {
        objective.aligned_kpi_id: objective
        for objective in session.exec(statement)
        if objective.aligned_kpi_id is not None
    }


def lock_kpi(session: Session, *, workspace_id: int, kpi_id: int) -> Kpi | None:
    """The KPI, locked until the transaction ends, so fix-OKRs for it are created one at a time.

    PostgreSQL: `SELECT … FOR UPDATE` on the KPI's row. SQLite has no row locks and renders no
    `FOR UPDATE`; there every transaction already holds the database's write lock from its
    start (BEGIN IMMEDIATE, see `db.py`), which serialises them just the same.
    """
    return session.exec(
        select(Kpi).where(Kpi.workspace_id == workspace_id, Kpi.id == kpi_id).with_for_update()
    ).first()
