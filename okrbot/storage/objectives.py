"""Objective and key result queries, batched so a list costs the same few statements at any size."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy
from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from okrbot.storage.models import (
    Area,
    CheckIn,
    KeyResult,
    Kpi,
    KpiValue,
    Objective,
    ObjectiveStatus,
)

ACTIVE_ONLY = (ObjectiveStatus.ACTIVE,)


@dataclass(frozen=True)
class ObjectiveQuery:
    """Which objectives of a workspace: by area, by owner, by aligned KPI, by status."""

    workspace_id: int
    area_id: int | None = None
    # The objective's owner, or the owner of one of its key results.
    owner_id: str | None = None
    aligned_kpi_ids: Sequence[int] | None = None
    statuses: Sequence[ObjectiveStatus] = ACTIVE_ONLY
    objective_ids: Sequence[int] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [
            col(Objective.workspace_id) == self.workspace_id,
            col(Objective.status).in_(list(self.statuses)),
        ]
        if self.area_id is not None:
            found.append(col(Objective.area_id) == self.area_id)
        if self.owner_id is not None:
            owns_a_kr = select(KeyResult.objective_id).where(
                KeyResult.workspace_id == self.workspace_id, KeyResult.owner_id == self.owner_id
            )
            found.append(
                or_(col(Objective.owner_id) == self.owner_id, col(Objective.id).in_(owns_a_kr))
            )
        if self.aligned_kpi_ids is not None:
            found.append(col(Objective.aligned_kpi_id).in_(list(self.aligned_kpi_ids)))
        if self.objective_ids is not None:
            found.append(col(Objective.id).in_(list(self.objective_ids)))
        return found

    def ids(self) -> SelectOfScalar[int | None]:
        return select(col(Objective.id)).where(*self.conditions())


def objectives_matching(session: Session, query: ObjectiveQuery) -> list[Objective]:
    """Oldest first, so a list reads in the order the objectives were set."""
    statement = (
        select(Objective)
        .where(*query.conditions())
        .order_by(col(Objective.created_at), col(Objective.id))
    )
    return list(session.exec(statement))


def key_results_matching(session: Session, query: ObjectiveQuery) -> list[KeyResult]:
    """The key results of the matching objectives, in each objective's order."""
    statement = (
        select(KeyResult)
        .where(
            KeyResult.workspace_id == query.workspace_id,
            col(KeyResult.objective_id).in_(query.ids()),
        )
        .order_by(col(KeyResult.objective_id), col(KeyResult.position), col(KeyResult.id))
    )
    return list(session.exec(statement))


def latest_checkins_matching(session: Session, query: ObjectiveQuery) -> dict[int, CheckIn]:
    """Each key result's latest check-in, for every key result of the matching objectives."""
    kr_ids = select(KeyResult.id).where(
        KeyResult.workspace_id == query.workspace_id,
        col(KeyResult.objective_id).in_(query.ids()),
    )
    return _latest_checkins(session, query.workspace_id, col(CheckIn.key_result_id).in_(kr_ids))


def latest_checkin(session: Session, *, workspace_id: int, key_result_id: int) -> CheckIn | None:
    found = _latest_checkins(session, workspace_id, col(CheckIn.key_result_id) == key_result_id)
    return found.get(key_result_id)


def _latest_checkins(
    session: Session, workspace_id: int, which: ColumnElement[bool]
) -> dict[int, CheckIn]:
    recency = (
        func.row_number()
        .over(
            partition_by=col(CheckIn.key_result_id),
            order_by=(col(CheckIn.created_at).desc(), col(CheckIn.id).desc()),
        )
        .label("recency")
    )
    ranked = select(CheckIn, recency).where(CheckIn.workspace_id == workspace_id, which).subquery()
    latest = aliased(CheckIn, ranked)
    rows = session.exec(select(latest).where(ranked.c.recency == 1))
    return {row.key_result_id: row for row in rows}


def latest_kpi_values_matching(session: Session, query: ObjectiveQuery) -> dict[int, KpiValue]:
    """The latest value of every live KPI that a key result of the matching objectives follows."""
    live_kpis = select(col(Kpi.id)).where(
        Kpi.workspace_id == query.workspace_id, col(Kpi.archived_at).is_(None)
    )
    kpi_ids = select(KeyResult.kpi_id).where(
        KeyResult.workspace_id == query.workspace_id,
        col(KeyResult.objective_id).in_(query.ids()),
        col(KeyResult.kpi_id).in_(live_kpis),
    )
    return _latest_kpi_values(session, query.workspace_id, col(KpiValue.kpi_id).in_(kpi_ids))


def latest_kpi_value(session: Session, *, workspace_id: int, kpi_id: int) -> KpiValue | None:
    return _latest_kpi_values(session, workspace_id, col(KpiValue.kpi_id) == kpi_id).get(kpi_id)


def _latest_kpi_values(
    session: Session, workspace_id: int, which: ColumnElement[bool]
) -> dict[int, KpiValue]:
    recency = (
        func.row_number()
        .over(
            partition_by=col(KpiValue.kpi_id),
            order_by=(col(KpiValue.period_start).desc(), col(KpiValue.id).desc()),
        )
        .label("recency")
    )
    ranked = (
        select(KpiValue, recency).where(KpiValue.workspace_id == workspace_id, which).subquery()
    )
    latest = aliased(KpiValue, ranked)
    rows = session.exec(select(latest).where(ranked.c.recency == 1))
    return {row.kpi_id: row for row in rows}


def get_objective(session: Session, *, workspace_id: int, objective_id: int) -> Objective | None:
    """The objective with this id in this workspace; None for another workspace's id."""
    return session.exec(
        select(Objective).where(
            Objective.workspace_id == workspace_id, Objective.id == objective_id
        )
    ).first()


def get_key_result(session: Session, *, workspace_id: int, key_result_id: int) -> KeyResult | None:
    """The key result with this id in this workspace; None for another workspace's id."""
    return session.exec(
        select(KeyResult).where(
            KeyResult.workspace_id == workspace_id, KeyResult.id == key_result_id
        )
    ).first()


def get_kpi(session: Session, *, workspace_id: int, kpi_id: int) -> Kpi | None:
    """A KPI of this workspace that is not archived."""
    return session.exec(
        select(Kpi).where(
            Kpi.workspace_id == workspace_id, Kpi.id == kpi_id, col(Kpi.archived_at).is_(None)
        )
    ).first()


def kpi_choices(session: Session, *, workspace_id: int, search: str = "", limit: int) -> list[Kpi]:
    """KPIs to align with or link to, by name, optionally those whose name contains `search`."""
    statement = select(Kpi).where(Kpi.workspace_id == workspace_id, col(Kpi.archived_at).is_(None))
    if search:
        statement = statement.where(
            func.lower(col(Kpi.name)).contains(search.lower(), autoescape=True)
        )
    return list(session.exec(statement.order_by(col(Kpi.name), col(Kpi.id)).limit(limit)))


def objective_choices(
    session: Session, *, workspace_id: int, search: str = "", limit: int
) -> list[Objective]:
    """Active objectives to support, by title, optionally those whose title contains `search`."""
    statement = select(Objective).where(
        Objective.workspace_id == workspace_id, Objective.status == ObjectiveStatus.ACTIVE
    )
    if search:
        statement = statement.where(
            func.lower(col(Objective.title)).contains(search.lower(), autoescape=True)
        )
    return list(
        session.exec(statement.order_by(col(Objective.title), col(Objective.id)).limit(limit))
    )


def areas_of_person(session: Session, *, workspace_id: int, user_id: str) -> set[int]:
    """The areas where someone leads, owns an active objective, or owns one of its key results."""
    leads = {
        area.id
        for area in session.exec(select(Area).where(Area.workspace_id == workspace_id))
        if area.id is not None and user_id in area.leads
    }
    owned = session.exec(
        select(Objective.area_id)
        .where(
            *ObjectiveQuery(workspace_id=workspace_id, owner_id=user_id).conditions(),
        )
        .distinct()
    )
    return leads | set(owned)


class PickableKeyResult(NamedTuple):
    """What the check-in picker shows of a key result: read as a row, not as objects."""

    id: int
    title: str
    owner_id: str
    objective_title: str
    objective_owner_id: str


def key_results_for_person(
    session: Session, *, workspace_id: int, user_id: str, area_ids: set[int]
) -> list[PickableKeyResult]:
    """Active key results someone owns (or whose objective they own), or in their areas."""
    statement = (
        sqlalchemy.select(  # five columns: beyond sqlmodel.select's typed overloads
            col(KeyResult.id),
            col(KeyResult.title),
            col(KeyResult.owner_id),
            col(Objective.title),
            col(Objective.owner_id),
        )
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .where(
            col(KeyResult.workspace_id) == workspace_id,
            col(Objective.workspace_id) == workspace_id,
            col(Objective.status) == ObjectiveStatus.ACTIVE,
            or_(
                col(KeyResult.owner_id) == user_id,
                col(Objective.owner_id) == user_id,
                col(Objective.area_id).in_(sorted(area_ids)),
            ),
        )
        .order_by(col(Objective.title), col(KeyResult.position), col(KeyResult.id))
    )
    return [PickableKeyResult(*row) for row in session.execute(statement)]


def key_results_of_objective(
    session: Session, *, workspace_id: int, objective_id: int
) -> list[KeyResult]:
    return list(
        session.exec(
            select(KeyResult)
            .where(KeyResult.workspace_id == workspace_id, KeyResult.objective_id == objective_id)
            .order_by(col(KeyResult.position), col(KeyResult.id))
        )
    )
