"""OKR → KPI: the draft from a key result, its history from check-ins, lineage, who may, and
what is refused (with nothing written)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from okrbot.handlers.kpi_forms import KpiForm
from okrbot.handlers.objectives import Invalid, NotAllowed, NotFound, objective_view
from okrbot.handlers.okr_to_kpi import (
    KpiProposal,
    NotEligible,
    TurnedIntoKpi,
    became_kpis,
    can_become_kpi,
    history_of,
    origin_of,
    propose_kpi,
    target_type_of,
    turn_into_kpi,
    unit_of,
)
from okrbot.handlers.permissions import Actor
from okrbot.storage.db import session_scope
from okrbot.storage.models import (
    Area,
    AuditEntry,
    Cadence,
    CheckIn,
    KeyResult,
    Kpi,
    KpiValue,
    ObjectiveStatus,
    TargetType,
    UnitKind,
    ValueSource,
)
from tests import okr_factories as seed

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
OWNER = Actor(user_id="U_ALICE", is_admin=False)
UPLIFT = "Conversion-rate uplift per month"


# ---- the draft's rules --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("%", (UnitKind.PERCENT, "")),
        ("percent", (UnitKind.PERCENT, "")),
        ("€", (UnitKind.CURRENCY, "EUR")),
        ("usd", (UnitKind.CURRENCY, "USD")),
        ("", (UnitKind.COUNT, "")),
        ("signups", (UnitKind.TEXT, "signups")),
    ],
)
def test_a_key_results_unit_becomes_the_kpis_unit(unit: str, expected: Any) -> None:
    assert unit_of(unit) == expected


@pytest.mark.parametrize(
    ("start", "target", "kind"),
    [
        (0.0, 5.0, TargetType.AT_LEAST),  # went up: stay at or above
        (5.0, 3.0, TargetType.AT_MOST),  # churn went down: stay at or below
        (None, 5.0, TargetType.AT_LEAST),
    ],
)
def test_the_kpi_keeps_the_level_the_key_result_reached(
    start: float | None, target: float, kind: TargetType
) -> None:
    kr = KeyResult(
        workspace_id=1,
        objective_id=1,
        title="x",
        owner_id="U",
        start_value=start,
        target_value=target,
    )
    assert target_type_of(kr) == kind


def checkin(at: datetime, value: float | None, author: str = "U_ALICE", id_: int = 0) -> CheckIn:
    return CheckIn(
        id=id_ or None,
        workspace_id=1,
        key_result_id=1,
        author_id=author,
        value=value,
        created_at=at,
    )


def test_history_is_the_latest_check_in_of_each_week_where_the_area_is() -> None:
    """Two check-ins in a week give one value, the later; a milestone's (no value) gives none.

    Sunday 23:30 UTC is already Monday in Berlin: that check-in belongs to the next week.
    """
    monday = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    checkins = [
        checkin(monday, 1.0, "U_BOB"),
        checkin(monday + timedelta(days=3), 2.0),
        checkin(monday + timedelta(days=6, hours=14, minutes=30), 3.0),  # Sunday 23:30 UTC
        checkin(monday + timedelta(days=8), None),
    ]
    berlin = history_of(checkins, Cadence.WEEKLY, "Europe/Berlin")
    assert [(start, c.value, c.author_id) for start, c in berlin] == [
        (date(2026, 11, 2), 2.0, "U_ALICE"),
        (date(2026, 11, 9), 3.0, "U_ALICE"),
    ]
    utc = history_of(checkins, Cadence.WEEKLY, "UTC")
    assert [(start, c.value) for start, c in utc] == [(date(2026, 11, 2), 3.0)]
    monthly = history_of(checkins, Cadence.MONTHLY, "UTC")
    assert [(start, c.value) for start, c in monthly] == [(date(2026, 11, 1), 3.0)]


# ---- fixtures: an objective as people leave it ---------------------------------------------
def achieved_objective(
    engine: Engine,
    *,
    status: ObjectiveStatus = ObjectiveStatus.ACHIEVED,
    krs: tuple[seed.KrSpec, ...] = (seed.KrSpec(UPLIFT, start=0, target=5, current=5),),
    leads: tuple[str, ...] = ("U_LEAD",),
) -> tuple[int, seed.Seeded]:
    workspace_id = seed.workspace(engine)
    area_id = seed.area(engine, workspace_id, leads=leads)
    seeded = seed.objective(
        engine, workspace_id, area_id, "Lift conversion", krs=krs, status=status
    )
    return workspace_id, seeded


def weekly_checkins(engine: Engine, workspace_id: int, kr_id: int, *values: float) -> None:
    """One check-in a week, on Tuesdays from 3 November, the last one by Bob."""
    for week, value in enumerate(values):
        author = "U_BOB" if week == len(values) - 1 else "U_ALICE"
        at = datetime(2026, 11, 3, 9, 0, tzinfo=UTC) + timedelta(weeks=week)
        seed.checkin(engine, workspace_id, kr_id, value=value, author=author, at=at)


def propose(
    engine: Engine, workspace_id: int, objective_id: int, *, kr: int | None = None, **actor: Any
) -> Any:
    who = Actor(**{"user_id": "U_ALICE", "is_admin": False, **actor})
    with session_scope(engine) as session:
        return propose_kpi(
            session,
            workspace_id=workspace_id,
            objective_id=objective_id,
            key_result_id=kr,
            actor=who,
        )


def submit(
    engine: Engine,
    workspace_id: int,
    seeded: seed.Seeded,
    form: KpiForm | None,
    *,
    kr_index: int = 0,
    actor: Actor = OWNER,
) -> Any:
    with session_scope(engine) as session:
        return turn_into_kpi(
            session,
            workspace_id=workspace_id,
            objective_id=seeded.objective_id,
            key_result_id=seeded.kr_ids[kr_index],
            actor=actor,
            form=form,
            now=NOW,
        )


def rows(engine: Engine, model: type[Any]) -> list[Any]:
    with Session(engine) as session:
        return list(session.exec(select(model)))


# ---- the draft ------------------------------------------------------------------------------
def test_the_draft_is_the_key_result_kept_where_it_got_to(any_engine: Engine) -> None:
    """Name, unit, area, owner (the key result's), weekly, stay at or above its target."""
    workspace_id, seeded = achieved_objective(
        any_engine, krs=(seed.KrSpec(UPLIFT, owner="U_BOB", start=0, target=5, current=5),)
    )
    weekly_checkins(any_engine, workspace_id, seeded.kr_ids[0], 1, 3, 5)
    proposal = propose(any_engine, workspace_id, seeded.objective_id)
    assert isinstance(proposal, KpiProposal)
    form = proposal.form
    assert (form.name, form.owner_id, form.target_type, form.target) == (
        UPLIFT,
        "U_BOB",
        TargetType.AT_LEAST,
        "5",
    )
    assert (form.unit_kind, form.cadence, form.area_id) == (
        UnitKind.PERCENT,
        Cadence.WEEKLY,
        proposal.objective.area_id,
    )
    assert proposal.history == 3
    assert proposal.kept is None


def test_the_draft_follows_the_picked_key_result(any_engine: Engine) -> None:
    """With several key results the first with a number is drafted, or the one picked;
    a milestone is never offered."""
    workspace_id, seeded = achieved_objective(
        any_engine,
        krs=(
            seed.KrSpec("Launch the new checkout", milestone=True),
            seed.KrSpec(UPLIFT, start=0, target=5, current=5),
            seed.KrSpec("Churn", start=5, target=3, current=3),
        ),
    )
    first = propose(any_engine, workspace_id, seeded.objective_id)
    assert [kr.title for kr in first.key_results] == [UPLIFT, "Churn"]
    assert first.form.name == UPLIFT
    churn = propose(any_engine, workspace_id, seeded.objective_id, kr=seeded.kr_ids[2])
    assert (churn.form.name, churn.form.target_type, churn.form.target) == (
        "Churn",
        TargetType.AT_MOST,
        "3",
    )


def test_only_an_achieved_objective_becomes_a_kpi(any_engine: Engine) -> None:
    """Marked achieved, or every key result at its target; not half-way, not missed."""
    workspace_id = seed.workspace(any_engine)
    area_id = seed.area(any_engine, workspace_id)

    def objective(status: ObjectiveStatus, current: float) -> bool:
        spec = seed.KrSpec(UPLIFT, start=0, target=5, current=current)
        seeded = seed.objective(any_engine, workspace_id, area_id, krs=[spec], status=status)
        with session_scope(any_engine) as session:
            view = objective_view(
                session, workspace_id=workspace_id, objective_id=seeded.objective_id
            )
        assert view is not None
        return can_become_kpi(view)

    assert objective(ObjectiveStatus.ACHIEVED, 4)
    assert objective(ObjectiveStatus.ACTIVE, 5)
    assert not objective(ObjectiveStatus.ACTIVE, 4)
    assert not objective(ObjectiveStatus.MISSED, 5)
    half = seed.objective(any_engine, workspace_id, area_id, krs=[seed.KrSpec(UPLIFT, current=7)])
    refused = propose(any_engine, workspace_id, half.objective_id)
    assert isinstance(refused, NotEligible)
    assert "isn't achieved yet" in refused.reason


def test_an_objective_of_milestones_only_has_nothing_to_watch(any_engine: Engine) -> None:
    workspace_id, seeded = achieved_objective(
        any_engine, krs=(seed.KrSpec("Ship it", milestone=True),)
    )
    refused = propose(any_engine, workspace_id, seeded.objective_id)
    assert isinstance(refused, NotEligible)
    assert "nothing for a KPI to keep watching" in refused.reason


# ---- creating it ----------------------------------------------------------------------------
def test_submitting_creates_the_kpi_with_the_check_ins_as_history_and_lineage_both_ways(
    any_engine: Engine,
) -> None:
    """One imported value per week with its check-in's author; the KPI knows its objective,
    the key result follows the KPI, and the audit log has every change."""
    workspace_id, seeded = achieved_objective(any_engine)
    weekly_checkins(any_engine, workspace_id, seeded.kr_ids[0], 1.5, 3, 5)
    proposal = propose(any_engine, workspace_id, seeded.objective_id)
    turned = submit(any_engine, workspace_id, seeded, proposal.form)
    assert isinstance(turned, TurnedIntoKpi)
    assert (turned.created, turned.imported) == (True, 3)
    (kpi,) = rows(any_engine, Kpi)
    assert (kpi.name, kpi.target_type, kpi.target, kpi.unit_kind) == (
        UPLIFT,
        TargetType.AT_LEAST,
        5.0,
        UnitKind.PERCENT,
    )
    assert kpi.origin_objective_id == seeded.objective_id
    values = sorted(rows(any_engine, KpiValue), key=lambda v: v.period_start)
    assert [(v.period_start, v.value, v.source, v.author_id) for v in values] == [
        (date(2026, 11, 2), 1.5, ValueSource.IMPORT, "U_ALICE"),
        (date(2026, 11, 9), 3.0, ValueSource.IMPORT, "U_ALICE"),
        (date(2026, 11, 16), 5.0, ValueSource.IMPORT, "U_BOB"),
    ]
    (kr,) = rows(any_engine, KeyResult)
    assert kr.kpi_id == kpi.id
    audit = sorted((e.entity, e.action) for e in rows(any_engine, AuditEntry))
    assert audit == [
        ("keyresult", "linked_kpi"),
        ("kpi", "created"),
        *[("kpi_value", "imported")] * 3,
    ]
    with session_scope(any_engine) as session:
        origin = origin_of(session, workspace_id=workspace_id, kpi=kpi)
        became = became_kpis(
            session, workspace_id=workspace_id, objective_ids=[seeded.objective_id]
        )
    assert origin is not None
    assert origin.title == "Lift conversion"
    assert [k.name for k in became[seeded.objective_id]] == [UPLIFT]


def test_submitting_twice_creates_one_kpi(any_engine: Engine) -> None:
    """The second submission (a retry, a double click) finds the KPI already made."""
    workspace_id, seeded = achieved_objective(any_engine)
    weekly_checkins(any_engine, workspace_id, seeded.kr_ids[0], 2, 5)
    form = propose(any_engine, workspace_id, seeded.objective_id).form
    first = submit(any_engine, workspace_id, seeded, form)
    again = submit(any_engine, workspace_id, seeded, form)
    assert (first.created, again.created) == (True, False)
    assert again.kpi.id == first.kpi.id
    assert len(rows(any_engine, Kpi)) == 1
    assert len(rows(any_engine, KpiValue)) == 2


@pytest.mark.parametrize(
    ("change", "field", "sentence"),
    [
        ({"target": "abc"}, "target", "is not a number"),
        ({"target": "NaN"}, "target", "NaN"),
        ({"target": "1e999"}, "target", "too large"),
        ({"name": "  "}, "name", "Give the KPI a name."),
        ({"owner_id": "U_STRANGER"}, "owner_id", "Only the area's leads"),
    ],
)
def test_a_wrong_field_is_refused_and_nothing_is_written(
    any_engine: Engine, change: dict[str, str], field: str, sentence: str
) -> None:
    """The `/kpi new` rules check the form; the owner must be someone of the objective."""
    workspace_id, seeded = achieved_objective(any_engine)
    weekly_checkins(any_engine, workspace_id, seeded.kr_ids[0], 5)
    form = replace(propose(any_engine, workspace_id, seeded.objective_id).form, **change)
    refused = submit(any_engine, workspace_id, seeded, form)
    assert isinstance(refused, Invalid)
    assert sentence in refused.errors[field]
    assert rows(any_engine, Kpi) == []
    assert rows(any_engine, KpiValue) == []
    assert rows(any_engine, AuditEntry) == []
    (kr,) = rows(any_engine, KeyResult)
    assert kr.kpi_id is None


def test_a_name_already_taken_is_refused(any_engine: Engine) -> None:
    workspace_id, seeded = achieved_objective(any_engine)
    (area,) = rows(any_engine, Area)
    seed.kpi(any_engine, workspace_id, area.id, UPLIFT.upper())
    form = propose(any_engine, workspace_id, seeded.objective_id).form
    refused = submit(any_engine, workspace_id, seeded, form)
    assert isinstance(refused, Invalid)
    assert "already exists" in refused.errors["name"]
    assert len(rows(any_engine, Kpi)) == 1


# ---- keeping the KPI a key result follows -------------------------------------------------
def test_a_key_result_that_follows_a_kpi_keeps_it_and_only_records_the_lineage(
    any_engine: Engine,
) -> None:
    workspace_id = seed.workspace(any_engine)
    area_id = seed.area(any_engine, workspace_id)
    conversion = seed.kpi(any_engine, workspace_id, area_id, "Website conversion rate")
    spec = seed.KrSpec(UPLIFT, start=0, target=5, current=5, kpi_id=conversion)
    seeded = seed.objective(
        any_engine, workspace_id, area_id, krs=[spec], status=ObjectiveStatus.ACHIEVED
    )
    proposal = propose(any_engine, workspace_id, seeded.objective_id)
    assert proposal.kept is not None
    assert proposal.kept.id == conversion
    kept = submit(any_engine, workspace_id, seeded, None)
    assert isinstance(kept, TurnedIntoKpi)
    assert (kept.created, kept.kpi.id) == (False, conversion)
    (kpi,) = rows(any_engine, Kpi)
    assert kpi.origin_objective_id == seeded.objective_id
    assert rows(any_engine, KpiValue) == []
    assert [(e.entity, e.action) for e in rows(any_engine, AuditEntry)] == [
        ("kpi", "origin_recorded")
    ]


def test_keeping_when_the_key_result_no_longer_follows_a_kpi_is_refused(
    any_engine: Engine,
) -> None:
    workspace_id, seeded = achieved_objective(any_engine)
    refused = submit(any_engine, workspace_id, seeded, None)
    assert isinstance(refused, NotEligible)
    assert rows(any_engine, AuditEntry) == []


# ---- who may ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (Actor("U_ALICE", is_admin=False), True),  # the objective's owner
        (Actor("U_LEAD", is_admin=False), True),  # the area's lead
        (Actor("U_ADMIN", is_admin=True), True),  # a workspace admin
        (Actor("U_BOB", is_admin=False), False),
    ],
)
def test_the_owner_the_areas_leads_and_admins_may_turn_it(
    any_engine: Engine, actor: Actor, allowed: bool
) -> None:
    workspace_id, seeded = achieved_objective(any_engine)
    form = propose(any_engine, workspace_id, seeded.objective_id).form
    outcome = submit(any_engine, workspace_id, seeded, form, actor=actor)
    if allowed:
        assert isinstance(outcome, TurnedIntoKpi)
    else:
        assert isinstance(outcome, NotAllowed)
        assert outcome.who_can == ("U_ALICE", "U_LEAD")
        assert rows(any_engine, Kpi) == []


def test_another_workspaces_objective_is_not_found(any_engine: Engine) -> None:
    workspace_id, seeded = achieved_objective(any_engine)
    other = seed.workspace(any_engine, seed.OTHER_TEAM)
    assert isinstance(propose(any_engine, other, seeded.objective_id), NotFound)
    form = propose(any_engine, workspace_id, seeded.objective_id).form
    assert isinstance(submit(any_engine, other, seeded, form), NotFound)
    assert rows(any_engine, Kpi) == []
