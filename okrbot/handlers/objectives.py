"""Objectives as people see them (with progress and confidence), and the changes they make."""

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from okrbot.handlers.progress import kr_progress, objective_progress
from okrbot.storage import audit
from okrbot.storage.areas import get_area
from okrbot.storage.models import (
    Area,
    CheckIn,
    Confidence,
    KeyResult,
    KpiValue,
    Objective,
    ObjectiveStatus,
)
from okrbot.storage.objectives import (
    ObjectiveQuery,
    get_objective,
    key_results_matching,
    latest_checkins_matching,
    latest_kpi_values_matching,
    objectives_matching,
)

# The most worrying confidence wins when an objective's key results disagree.
WORRY = {Confidence.ON_TRACK: 0, Confidence.NEEDS_ATTENTION: 1, Confidence.OFF_TRACK: 2}


@dataclass(frozen=True)
class KeyResultView:
    key_result: KeyResult  # for a key result that follows a KPI: its latest value as current
    progress: float
    last_checkin: CheckIn | None


@dataclass(frozen=True)
class ObjectiveView:
    objective: Objective
    key_results: tuple[KeyResultView, ...]
    progress: float
    confidence: Confidence | None  # the most worrying of its key results' latest check-ins
    last_checkin_at: datetime | None


def objective_views(
    session: Session,
    *,
    workspace_id: int,
    area_id: int | None = None,
    owner_id: str | None = None,
    aligned_kpi_ids: Sequence[int] | None = None,
    statuses: Sequence[ObjectiveStatus] = (ObjectiveStatus.ACTIVE,),
    objective_ids: Sequence[int] | None = None,
) -> list[ObjectiveView]:
    """Objectives with their key results' progress; four statements however many there are.

    `owner_id` matches objectives that person owns or owns a key result of.
    """
    query = ObjectiveQuery(
        workspace_id=workspace_id,
        area_id=area_id,
        owner_id=owner_id,
        aligned_kpi_ids=aligned_kpi_ids,
        statuses=statuses,
        objective_ids=objective_ids,
    )
    objectives = objectives_matching(session, query)
    if not objectives:
        return []
    krs_by_objective: dict[int, list[KeyResult]] = defaultdict(list)
    for kr in key_results_matching(session, query):
        krs_by_objective[kr.objective_id].append(kr)
    checkins = latest_checkins_matching(session, query)
    kpi_values = latest_kpi_values_matching(session, query)
    return [
        _objective_view(objective, krs_by_objective[_id(objective)], checkins, kpi_values)
        for objective in objectives
    ]


def objective_view(
    session: Session, *, workspace_id: int, objective_id: int
) -> ObjectiveView | None:
    """One objective of this workspace, whatever its status, with its key results."""
    views = objective_views(
        session,
        workspace_id=workspace_id,
        statuses=tuple(ObjectiveStatus),
        objective_ids=[objective_id],
    )
    return views[0] if views else None


def _id(row: Objective | KeyResult) -> int:
    assert row.id is not None
    return row.id


def _objective_view(
    objective: Objective,
    krs: list[KeyResult],
    checkins: dict[int, CheckIn],
    kpi_values: dict[int, KpiValue],
) -> ObjectiveView:
    views = tuple(key_result_view(kr, checkins.get(_id(kr)), kpi_values) for kr in krs)
    return _assembled(objective, views)


def with_checkin(view: ObjectiveView, kr: KeyResult, checkin: CheckIn) -> ObjectiveView:
    """The objective as it reads once `checkin` moved `kr`, without asking the database again."""
    moved = KeyResultView(key_result=kr, progress=kr_progress(kr), last_checkin=checkin)
    views = tuple(moved if other.key_result.id == kr.id else other for other in view.key_results)
    return _assembled(view.objective, views)


def _assembled(objective: Objective, views: tuple[KeyResultView, ...]) -> ObjectiveView:
    latest = [view.last_checkin for view in views if view.last_checkin is not None]
    return ObjectiveView(
        objective=objective,
        key_results=views,
        progress=objective_progress([view.key_result for view in views]),
        confidence=most_worrying(checkin.confidence for checkin in latest),
        last_checkin_at=max((checkin.created_at for checkin in latest), default=None),
    )


def key_result_view(
    kr: KeyResult, last_checkin: CheckIn | None, kpi_values: dict[int, KpiValue]
) -> KeyResultView:
    """A key result with its progress; one that follows a KPI takes the KPI's latest value."""
    followed = kpi_values.get(kr.kpi_id) if kr.kpi_id is not None else None
    if followed is not None and followed.value != kr.current_value:
        kr = KeyResult.model_validate(kr.model_dump() | {"current_value": followed.value})
    return KeyResultView(key_result=kr, progress=kr_progress(kr), last_checkin=last_checkin)


def most_worrying(confidences: Iterable[Confidence]) -> Confidence | None:
    return max(confidences, key=WORRY.__getitem__, default=None)


# ---- periods ----------------------------------------------------------------------------
def local_today(now: datetime, timezone: str) -> date:
    """The date at `now` in `timezone` (UTC when the name is unknown)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of the calendar quarter containing `day`."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    last_month = first_month + 2
    last_day = calendar.monthrange(day.year, last_month)[1]
    return date(day.year, first_month, 1), date(day.year, last_month, last_day)


def default_period(now: datetime, area: Area | None) -> tuple[date, date]:
    """This quarter, in the area's time zone."""
    return quarter_of(local_today(now, area.timezone if area else "UTC"))


# ---- changes ------------------------------------------------------------------------------
@dataclass(frozen=True)
class NotFound:
    """The id does not name anything in this workspace (deleted, or forged)."""


@dataclass(frozen=True)
class NotAllowed:
    who_can: tuple[str, ...]  # user ids


@dataclass(frozen=True)
class Invalid:
    errors: dict[str, str]  # field name -> what is wrong, as a sentence


def people_who_may_change(objective: Objective, area: Area | None) -> tuple[str, ...]:
    """The objective's owner and its area's leads (workspace admins too, unnamed)."""
    return tuple(dict.fromkeys([objective.owner_id, *(area.leads if area else [])]))


def editable_objective(
    session: Session, *, workspace_id: int, objective_id: int, actor_id: str, actor_is_admin: bool
) -> Objective | NotFound | NotAllowed:
    """The objective if this person may change it."""
    objective = get_objective(session, workspace_id=workspace_id, objective_id=objective_id)
    if objective is None:
        return NotFound()
    area = get_area(session, workspace_id=workspace_id, area_id=objective.area_id)
    allowed = people_who_may_change(objective, area)
    if actor_id not in allowed and not actor_is_admin:
        return NotAllowed(who_can=allowed)
    return objective


def set_objective_status(
    session: Session,
    *,
    workspace_id: int,
    objective_id: int,
    actor_id: str,
    actor_is_admin: bool,
    status: ObjectiveStatus,
    now: datetime,
) -> Objective | NotFound | NotAllowed:
    """Mark an objective achieved, missed or closed (or active again), with an audit entry."""
    found = editable_objective(
        session,
        workspace_id=workspace_id,
        objective_id=objective_id,
        actor_id=actor_id,
        actor_is_admin=actor_is_admin,
    )
    if not isinstance(found, Objective) or found.status == status:
        return found
    before = audit.snapshot(found)
    found.status = status
    found.closed_at = None if status == ObjectiveStatus.ACTIVE else now
    session.add(found)
    _record(session, found, actor_id=actor_id, action="status", now=now, before=before)
    return found


@dataclass(frozen=True)
class ObjectiveEdit:
    title: str
    owner_id: str
    period_start: date | None
    period_end: date | None


def edit_objective(
    session: Session,
    *,
    workspace_id: int,
    objective_id: int,
    actor_id: str,
    actor_is_admin: bool,
    edit: ObjectiveEdit,
    now: datetime,
) -> Objective | NotFound | NotAllowed | Invalid:
    """Change an objective's title, owner or period, with an audit entry."""
    errors = edit_errors(edit)
    if errors:
        return Invalid(errors)
    found = editable_objective(
        session,
        workspace_id=workspace_id,
        objective_id=objective_id,
        actor_id=actor_id,
        actor_is_admin=actor_is_admin,
    )
    if not isinstance(found, Objective):
        return found
    assert edit.period_start is not None
    assert edit.period_end is not None
    before = audit.snapshot(found)
    found.title = edit.title.strip()
    found.owner_id = edit.owner_id
    found.period_start = edit.period_start
    found.period_end = edit.period_end
    session.add(found)
    _record(session, found, actor_id=actor_id, action="edit", now=now, before=before)
    return found


def edit_errors(edit: ObjectiveEdit) -> dict[str, str]:
    errors: dict[str, str] = {}
    title_problem = title_error(edit.title, "the objective")
    if title_problem:
        errors["title"] = title_problem
    if not edit.owner_id:
        errors["owner"] = "Pick who owns the objective."
    period_problem = period_error(edit.period_start, edit.period_end, both_required=True)
    if period_problem:
        errors["period_end"] = period_problem
    return errors


TITLE_LIMIT = 150


def title_error(title: str, what: str) -> str | None:
    if not title.strip():
        return f"Give {what} a title."
    if len(title.strip()) > TITLE_LIMIT:
        return f"Keep the title within {TITLE_LIMIT} characters (it has {len(title.strip())})."
    return None


def period_error(start: date | None, end: date | None, *, both_required: bool) -> str | None:
    if start is None and end is None and not both_required:
        return None
    if start is None or end is None:
        if both_required:
            return "Pick both the start and the end date."
        return "Pick both dates, or clear both for this quarter."
    if end < start:
        return "The end date is before the start date."
    return None


def _record(
    session: Session,
    objective: Objective,
    *,
    actor_id: str,
    action: str,
    now: datetime,
    before: dict[str, Any] | None,
) -> None:
    audit.record(
        session,
        workspace_id=objective.workspace_id,
        actor_id=actor_id,
        entity="objective",
        entity_id=_id(objective),
        action=action,
        at=now,
        before=before,
        after=audit.snapshot(objective),
    )
