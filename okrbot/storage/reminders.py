"""The key results that have gone quiet, across every workspace, in one statement."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, not_, or_
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from okrbot.storage.models import (
    Area,
    CheckIn,
    KeyResult,
    KpiValue,
    Objective,
    ObjectiveStatus,
    Workspace,
)


@dataclass(frozen=True)
class QuietKeyResult:
    """A key result of an active objective without a check-in since some instant."""

    key_result: KeyResult
    objective: Objective
    area: Area
    team_id: str  # the workspace's external id, e.g. Slack's "T123"
    last_checkin_at: datetime | None


def quiet_key_results(
    session: Session,
    *,
    quiet_since: datetime,
    kpi_quiet_since: datetime,
    workspace_id: int | None = None,
    owner_id: str | None = None,
) -> list[QuietKeyResult]:
    """Key results of active objectives, in installed workspaces, that nobody checked in on
    since `quiet_since` and that existed before it; those following a KPI count only when the
    KPI got no value since `kpi_quiet_since`. Ordered by owner, then objective and position.
    """
    checked_in_since = exists().where(
        col(CheckIn.key_result_id) == col(KeyResult.id),
        col(CheckIn.workspace_id) == col(KeyResult.workspace_id),
        col(CheckIn.created_at) >= quiet_since,
    )
    kpi_value_since = exists().where(
        col(KpiValue.kpi_id) == col(KeyResult.kpi_id),
        col(KpiValue.workspace_id) == col(KeyResult.workspace_id),
        col(KpiValue.recorded_at) >= kpi_quiet_since,
    )
    last_checkin = (
        select(func.max(CheckIn.created_at))
        .where(
            col(CheckIn.key_result_id) == col(KeyResult.id),
            col(CheckIn.workspace_id) == col(KeyResult.workspace_id),
        )
        .correlate(KeyResult)
        .scalar_subquery()
    )
    statement = (
        # Five columns: more than sqlmodel's typed select takes, so SQLAlchemy's.
        select_columns(KeyResult, Objective, Area, col(Workspace.external_id), last_checkin)
        .join(
            Objective,
            and_(
                col(Objective.id) == col(KeyResult.objective_id),
                col(Objective.workspace_id) == col(KeyResult.workspace_id),
            ),
        )
        .join(
            Area,
            and_(
                col(Area.id) == col(Objective.area_id),
                col(Area.workspace_id) == col(Objective.workspace_id),
            ),
        )
        .join(Workspace, col(Workspace.id) == col(KeyResult.workspace_id))
        .where(
            col(Workspace.active).is_(True),
            col(Objective.status) == ObjectiveStatus.ACTIVE,
            col(KeyResult.created_at) < quiet_since,
            not_(checked_in_since),
            or_(col(KeyResult.kpi_id).is_(None), not_(kpi_value_since)),
        )
        .order_by(
            col(KeyResult.workspace_id),
            col(KeyResult.owner_id),
            col(Objective.created_at),
            col(Objective.id),
            col(KeyResult.position),
            col(KeyResult.id),
        )
    )
    if workspace_id is not None:
        statement = statement.where(col(KeyResult.workspace_id) == workspace_id)
    if owner_id is not None:
        statement = statement.where(col(KeyResult.owner_id) == owner_id)
    return [
        QuietKeyResult(
            key_result=kr, objective=objective, area=area, team_id=team, last_checkin_at=last
        )
        for kr, objective, area, team, last in session.execute(statement)
    ]
