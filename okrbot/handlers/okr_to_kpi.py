"""OKR → KPI: an achieved objective's key result becomes a KPI that keeps watching the number.

The KPI is pre-filled from a key result (name, unit, area, owner, weekly, *stay at or above* its
target for a key result that went up, *stay at or below* for one that went down), checked by the
`/kpi new` rules, and starts with the key result's check-ins as its history: one value per
period, the latest check-in of that period in the area's time zone. The lineage goes both ways:
the KPI records the objective it came from, and the key result follows the new KPI.

A key result that already follows a KPI keeps it: only the lineage is recorded.

Who may: the objective's owner, its area's leads and workspace admins.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from okrbot.handlers.invalid import InvalidInputError
from okrbot.handlers.kpi_forms import UNIT_LABEL_LIMIT, KpiForm, checked_new_kpi
from okrbot.handlers.objectives import (
    Invalid,
    NotAllowed,
    NotFound,
    ObjectiveView,
    objective_view,
    people_who_may_change,
)
from okrbot.handlers.periods import local_date, period_start
from okrbot.handlers.permissions import Actor
from okrbot.storage import audit
from okrbot.storage.areas import get_area, list_areas
from okrbot.storage.checkins import checkins_of
from okrbot.storage.kpis import get_kpi, kpi_named
from okrbot.storage.lineage import kpis_from_objectives
from okrbot.storage.models import (
    Area,
    Cadence,
    CheckIn,
    KeyResult,
    KeyResultKind,
    Kpi,
    KpiValue,
    Objective,
    ObjectiveStatus,
    TargetType,
    UnitKind,
    ValueSource,
)
from okrbot.storage.objectives import get_key_result, get_objective
from okrbot.storage.upsert import insert_if_absent

PERCENT_UNITS = {"%", "percent", "pct"}
CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR"}
CURRENCY_CODES = {"EUR", "USD", "GBP", "JPY", "INR", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK"}


@dataclass(frozen=True)
class NotEligible:
    """The objective can't become a KPI (not achieved, nothing to measure); `reason` says why."""

    reason: str


@dataclass(frozen=True)
class KpiProposal:
    """What the "Turn into a KPI" modal shows: the key results to pick from, and the draft."""

    objective: Objective
    key_results: tuple[KeyResult, ...]  # the ones with a number to keep watching
    key_result: KeyResult  # the picked one
    form: KpiForm  # the KPI as pre-filled from it
    areas: tuple[Area, ...]
    history: int  # how many periods of check-ins become the KPI's first values
    kept: Kpi | None  # the live KPI the key result already follows: it is kept instead


@dataclass(frozen=True)
class TurnedIntoKpi:
    kpi: Kpi
    objective: Objective
    key_result: KeyResult
    created: bool  # False when an existing KPI was kept, or this was already done
    imported: int  # values taken from the check-ins


# ---- the rules -----------------------------------------------------------------------------
def can_become_kpi(view: ObjectiveView) -> bool:
    """Achieved (marked so, or every key result at its target), with a number to keep watching."""
    objective = view.objective
    done = objective.status == ObjectiveStatus.ACHIEVED or (
        objective.status == ObjectiveStatus.ACTIVE and view.progress >= 1.0
    )
    return done and any(_measurable(kr.key_result) for kr in view.key_results)


def _measurable(kr: KeyResult) -> bool:
    return kr.kind == KeyResultKind.METRIC and kr.target_value is not None


def unit_of(unit: str) -> tuple[UnitKind, str]:
    """A key result's free-text unit as a KPI's unit: "%" → percent, "€" → EUR, "" → count."""
    text = unit.strip()
    if text.casefold() in PERCENT_UNITS:
        return UnitKind.PERCENT, ""
    if text in CURRENCY_SIGNS:
        return UnitKind.CURRENCY, CURRENCY_SIGNS[text]
    if text.upper() in CURRENCY_CODES:
        return UnitKind.CURRENCY, text.upper()
    if not text:
        return UnitKind.COUNT, ""
    return UnitKind.TEXT, text[:UNIT_LABEL_LIMIT]


def target_type_of(kr: KeyResult) -> TargetType:
    """Keep what was won: stay at or above a target reached upwards, at or below one downwards."""
    start, target = kr.start_value, kr.target_value
    if start is not None and target is not None and target < start:
        return TargetType.AT_MOST
    return TargetType.AT_LEAST


def drafted_form(kr: KeyResult, objective: Objective) -> KpiForm:
    """The KPI form pre-filled from a key result: it stays where the key result got to."""
    unit_kind, unit_label = unit_of(kr.unit)
    target = kr.target_value
    return KpiForm(
        name=kr.title,
        area_id=objective.area_id,
        owner_id=kr.owner_id,
        target_type=target_type_of(kr),
        target="" if target is None else f"{target:.12g}",
        unit_kind=unit_kind,
        unit_label=unit_label,
        cadence=Cadence.WEEKLY,
    )


def history_of(
    checkins: Sequence[CheckIn], cadence: Cadence, timezone: str
) -> list[tuple[date, CheckIn]]:
    """(period start, the period's latest check-in with a value), oldest period first."""
    latest: dict[date, CheckIn] = {}
    for checkin in sorted(checkins, key=lambda c: (c.created_at, c.id or 0)):
        if checkin.value is not None:
            latest[period_start(cadence, local_date(checkin.created_at, timezone))] = checkin
    return sorted(latest.items(), key=lambda pair: pair[0])


# ---- the modal's content -------------------------------------------------------------------
@dataclass(frozen=True)
class _Found:
    objective: Objective
    area: Area
    view: ObjectiveView


def _find(
    session: Session, workspace_id: int, objective_id: int, actor: Actor
) -> _Found | NotFound | NotAllowed | NotEligible:
    """The objective, if it exists here, this person may turn it, and it is achieved."""
    objective = get_objective(session, workspace_id=workspace_id, objective_id=objective_id)
    area = (
        get_area(session, workspace_id=workspace_id, area_id=objective.area_id)
        if objective
        else None
    )
    if objective is None or area is None:
        return NotFound()
    allowed = people_who_may_change(objective, area)
    if actor.user_id not in allowed and not actor.is_admin:
        return NotAllowed(who_can=allowed)
    view = objective_view(session, workspace_id=workspace_id, objective_id=objective_id)
    if view is None:
        return NotFound()
    if not any(_measurable(kr.key_result) for kr in view.key_results):
        return NotEligible(
            f"“{objective.title}” has no key result with a number and a target, "
            "so there is nothing for a KPI to keep watching."
        )
    if not can_become_kpi(view):
        return NotEligible(
            f"“{objective.title}” isn't achieved yet. Mark it achieved, or bring every key "
            "result to its target, then turn it into a KPI."
        )
    return _Found(objective=objective, area=area, view=view)


def propose_kpi(
    session: Session,
    *,
    workspace_id: int,
    objective_id: int,
    key_result_id: int | None,
    actor: Actor,
) -> KpiProposal | NotFound | NotAllowed | NotEligible:
    """The draft KPI from the picked key result (the first with a number when none is picked)."""
    found = _find(session, workspace_id, objective_id, actor)
    if not isinstance(found, _Found):
        return found
    choices = tuple(kr.key_result for kr in found.view.key_results if _measurable(kr.key_result))
    picked = next((kr for kr in choices if kr.id == key_result_id), choices[0])
    assert picked.id is not None
    checkins = checkins_of(session, workspace_id=workspace_id, key_result_id=picked.id)
    return KpiProposal(
        objective=found.objective,
        key_results=choices,
        key_result=picked,
        form=drafted_form(picked, found.objective),
        areas=tuple(list_areas(session, workspace_id=workspace_id)),
        history=len(history_of(checkins, Cadence.WEEKLY, found.area.timezone)),
        kept=_followed_kpi(session, workspace_id, picked),
    )


def _followed_kpi(session: Session, workspace_id: int, kr: KeyResult) -> Kpi | None:
    """The live KPI a key result follows, if any."""
    if kr.kpi_id is None:
        return None
    kpi = get_kpi(session, workspace_id=workspace_id, kpi_id=kr.kpi_id)
    return kpi if kpi is not None and kpi.archived_at is None else None


# ---- submitting ----------------------------------------------------------------------------
def turn_into_kpi(
    session: Session,
    *,
    workspace_id: int,
    objective_id: int,
    key_result_id: int,
    actor: Actor,
    form: KpiForm | None,
    now: datetime,
) -> TurnedIntoKpi | NotFound | NotAllowed | NotEligible | Invalid:
    """Create the KPI from `form` with the check-ins as history; without a form, keep the KPI
    the key result follows and record where it came from. Nothing is written on any refusal."""
    found = _find(session, workspace_id, objective_id, actor)
    if not isinstance(found, _Found):
        return found
    kr = get_key_result(session, workspace_id=workspace_id, key_result_id=key_result_id)
    if kr is None or kr.objective_id != objective_id or not _measurable(kr):
        return NotFound()
    followed = _followed_kpi(session, workspace_id, kr)
    if form is None:
        if followed is None:
            return NotEligible(
                f"“{kr.title}” no longer follows a KPI. Open “Turn into a KPI” again to create one."
            )
        return _keep(session, found.objective, kr, followed, actor=actor, now=now)
    if followed is not None and followed.origin_objective_id == objective_id:
        return TurnedIntoKpi(followed, found.objective, kr, created=False, imported=0)  # done
    return _create(session, found, kr, actor=actor, form=form, now=now)


def _keep(
    session: Session, objective: Objective, kr: KeyResult, kpi: Kpi, *, actor: Actor, now: datetime
) -> TurnedIntoKpi:
    """Record that the KPI came from this objective, unless it already came from one."""
    if kpi.origin_objective_id is None:
        before = audit.snapshot(kpi)
        kpi.origin_objective_id = objective.id
        kpi.updated_at = now
        session.add(kpi)
        _audit(session, kpi, actor, "origin_recorded", now, before=before)
    return TurnedIntoKpi(kpi, objective, kr, created=False, imported=0)


def _create(
    session: Session, found: _Found, kr: KeyResult, *, actor: Actor, form: KpiForm, now: datetime
) -> TurnedIntoKpi | Invalid:
    workspace_id = found.objective.workspace_id
    try:
        fields, area = checked_new_kpi(session, workspace_id=workspace_id, form=form, now=now)
    except InvalidInputError as invalid:
        return Invalid(invalid.errors)
    owners = {actor.user_id, kr.owner_id, found.objective.owner_id}
    if fields["owner_id"] not in owners and not _leads_or_admin(actor, found.area):
        return Invalid(
            {
                "owner_id": "Pick yourself, the key result's owner or the objective's owner. "
                "Only the area's leads or a workspace admin can hand a KPI to someone else."
            }
        )
    draft = Kpi(
        workspace_id=workspace_id,
        origin_objective_id=found.objective.id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    inserted = insert_if_absent(
        session, Kpi, draft.model_dump(exclude={"id"}), unique_on=["workspace_id", "name"]
    )
    kpi = kpi_named(session, workspace_id=workspace_id, name=draft.name)
    assert kpi is not None
    if not inserted:  # a submission at the same moment won
        if kpi.origin_objective_id == found.objective.id:
            return TurnedIntoKpi(kpi, found.objective, kr, created=False, imported=0)
        return Invalid({"name": f"A KPI called “{kpi.name}” already exists. Pick another name."})
    _audit(session, kpi, actor, "created", now)
    imported = _import_history(session, kpi, kr, area, actor=actor, now=now)
    _link(session, kr, kpi, actor=actor, now=now)
    return TurnedIntoKpi(kpi, found.objective, kr, created=True, imported=imported)


def _leads_or_admin(actor: Actor, area: Area) -> bool:
    return actor.is_admin or actor.user_id in area.leads


def _import_history(
    session: Session, kpi: Kpi, kr: KeyResult, area: Area, *, actor: Actor, now: datetime
) -> int:
    """One value per period from the key result's check-ins, each with its author."""
    assert kpi.id is not None
    assert kr.id is not None
    checkins = checkins_of(session, workspace_id=kpi.workspace_id, key_result_id=kr.id)
    history = history_of(checkins, kpi.cadence, area.timezone)
    for start, checkin in history:
        assert checkin.value is not None
        value = KpiValue(
            workspace_id=kpi.workspace_id,
            kpi_id=kpi.id,
            period_start=start,
            value=checkin.value,
            source=ValueSource.IMPORT,
            author_id=checkin.author_id,
            note=f"From a check-in on the key result “{kr.title}”.",
            recorded_at=checkin.created_at,
        )
        session.add(value)
        session.flush()
        _audit(session, value, actor, "imported", now)
    return len(history)


def _link(session: Session, kr: KeyResult, kpi: Kpi, *, actor: Actor, now: datetime) -> None:
    """The key result follows the KPI it became."""
    before = audit.snapshot(kr)
    kr.kpi_id = kpi.id
    session.add(kr)
    _audit(session, kr, actor, "linked_kpi", now, before=before)


def _audit(
    session: Session,
    row: Kpi | KpiValue | KeyResult,
    actor: Actor,
    action: str,
    now: datetime,
    *,
    before: dict[str, Any] | None = None,
) -> None:
    entity = {Kpi: "kpi", KpiValue: "kpi_value", KeyResult: "keyresult"}[type(row)]
    assert row.id is not None
    audit.record(
        session,
        workspace_id=row.workspace_id,
        actor_id=actor.user_id,
        entity=entity,
        entity_id=row.id,
        action=action,
        at=now,
        before=before,
        after=audit.snapshot(row),
    )


# ---- the lineage, as surfaces show it ------------------------------------------------------
def became_kpis(
    session: Session, *, workspace_id: int, objective_ids: Sequence[int]
) -> dict[int, list[Kpi]]:
    """The live KPIs each objective became ("became KPI …"), in one statement."""
    return kpis_from_objectives(session, workspace_id=workspace_id, objective_ids=objective_ids)


def origin_of(session: Session, *, workspace_id: int, kpi: Kpi) -> Objective | None:
    """The objective a KPI came from ("came from objective …"), if it still exists."""
    if kpi.origin_objective_id is None:
        return None
    return get_objective(session, workspace_id=workspace_id, objective_id=kpi.origin_objective_id)
