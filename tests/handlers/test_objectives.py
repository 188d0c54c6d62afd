"""Objectives: the views lists and digests read, the `/okr new` rules, and status changes."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from okrbot.handlers.objective_form import KeyResultForm, ObjectiveForm, create_objective
from okrbot.handlers.objectives import (
    Invalid,
    NotAllowed,
    NotFound,
    ObjectiveEdit,
    default_period,
    edit_objective,
    most_worrying,
    objective_views,
    quarter_of,
    set_objective_status,
)
from okrbot.storage.audit import history
from okrbot.storage.db import session_scope
from okrbot.storage.models import (
    Area,
    AuditEntry,
    Confidence,
    KeyResult,
    KeyResultKind,
    Objective,
    ObjectiveStatus,
)
from tests import okr_factories as seed

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


# ---- views --------------------------------------------------------------------------------
def test_a_view_has_progress_the_most_worrying_confidence_and_the_last_check_in(
    sqlite_engine: Engine,
) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    seeded = seed.objective(
        sqlite_engine,
        workspace_id,
        area_id,
        krs=[seed.KrSpec("a", start=0, target=10), seed.KrSpec("b", start=0, target=10)],
    )
    a, b = seeded.kr_ids
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    seed.checkin(
        sqlite_engine, workspace_id, a, value=2, confidence=Confidence.OFF_TRACK, at=monday
    )
    seed.checkin(sqlite_engine, workspace_id, a, value=4, at=monday + timedelta(days=2))
    seed.checkin(
        sqlite_engine,
        workspace_id,
        b,
        value=8,
        confidence=Confidence.NEEDS_ATTENTION,
        at=monday + timedelta(days=1),
    )
    with session_scope(sqlite_engine) as session:
        (view,) = objective_views(session, workspace_id=workspace_id)
    assert [kr.last_checkin.value for kr in view.key_results if kr.last_checkin] == [4, 8]
    assert view.confidence == Confidence.NEEDS_ATTENTION  # a's off-track is no longer its latest
    assert view.last_checkin_at == monday + timedelta(days=2)


def test_the_most_worrying_confidence_wins_and_none_without_check_ins() -> None:
    assert most_worrying([]) is None
    assert most_worrying([Confidence.ON_TRACK, Confidence.OFF_TRACK]) == Confidence.OFF_TRACK


def test_views_filter_by_area_owner_aligned_kpi_and_status(sqlite_engine: Engine) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    marketing = seed.area(sqlite_engine, workspace_id)
    sales = seed.area(sqlite_engine, workspace_id, "Sales", channel="C_SALES")
    kpi_id = seed.kpi(sqlite_engine, workspace_id, marketing)
    seed.objective(sqlite_engine, workspace_id, marketing, "Mine", owner="U_ALICE")
    seed.objective(
        sqlite_engine,
        workspace_id,
        sales,
        "Bob's, with my KR",
        owner="U_BOB",
        krs=[seed.KrSpec("mine", owner="U_ALICE")],
    )
    seed.objective(
        sqlite_engine, workspace_id, sales, "Fix", owner="U_BOB", krs=[], aligned_kpi_id=kpi_id
    )
    seed.objective(
        sqlite_engine, workspace_id, sales, "Done", owner="U_BOB", status=ObjectiveStatus.ACHIEVED
    )
    other = seed.workspace(sqlite_engine, seed.OTHER_TEAM)
    seed.objective(sqlite_engine, other, seed.area(sqlite_engine, other), "Theirs")

    def titles(**filters: object) -> list[str]:
        with session_scope(sqlite_engine) as session:
            views = objective_views(session, workspace_id=workspace_id, **filters)  # type: ignore[arg-type]
        return [v.objective.title for v in views]

    assert titles() == ["Mine", "Bob's, with my KR", "Fix"]
    assert titles(area_id=sales) == ["Bob's, with my KR", "Fix"]
    assert titles(owner_id="U_ALICE") == ["Mine", "Bob's, with my KR"]
    assert titles(aligned_kpi_ids=[kpi_id]) == ["Fix"]
    assert titles(statuses=[ObjectiveStatus.ACHIEVED]) == ["Done"]


def test_views_cost_the_same_statements_for_3_objectives_as_for_30(
    sqlite_engine: Engine,
) -> None:
    """No N+1: key results, their latest check-ins and KPI values are read in batches."""
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    kpi_id = seed.kpi(sqlite_engine, workspace_id, area_id, values={date(2026, 11, 23): 7.0})

    def add(count: int) -> None:
        for number in range(count):
            seeded = seed.objective(
                sqlite_engine,
                workspace_id,
                area_id,
                f"Objective {number}",
                krs=[seed.KrSpec("a"), seed.KrSpec("b", kpi_id=kpi_id), seed.KrSpec("c")],
            )
            for kr_id in seeded.kr_ids:
                seed.checkin(sqlite_engine, workspace_id, kr_id)

    def statements() -> int:
        with (
            session_scope(sqlite_engine) as session,
            seed.counting_statements(sqlite_engine) as seen,
        ):
            views = objective_views(session, workspace_id=workspace_id)
            assert all(view.key_results and view.confidence for view in views)
        return len(seen)

    add(3)
    few = statements()
    add(27)
    assert statements() == few


# ---- periods ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 5, 15), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 9, 30), (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 11, 30), (date(2026, 10, 1), date(2026, 12, 31))),
    ],
)
def test_the_default_period_is_the_calendar_quarter(day: date, quarter: tuple[date, date]) -> None:
    assert quarter_of(day) == quarter


def test_the_quarter_is_the_one_in_the_areas_time_zone() -> None:
    """New Year's Eve evening in New York is already next year's first quarter in Berlin."""
    evening = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    berlin = Area(workspace_id=1, name="Marketing", timezone="Europe/Berlin")
    new_york = Area(workspace_id=1, name="Sales", timezone="America/New_York")
    assert default_period(evening, berlin) == (date(2027, 1, 1), date(2027, 3, 31))
    assert default_period(evening, new_york) == (date(2026, 10, 1), date(2026, 12, 31))


# ---- /okr new -----------------------------------------------------------------------------
def create(engine: Engine, workspace_id: int, form: ObjectiveForm) -> Objective | Invalid:
    with session_scope(engine) as session:
        return create_objective(
            session, workspace_id=workspace_id, actor_id="U_ALICE", form=form, now=NOW
        )


def good_form(area_id: int, **changes: object) -> ObjectiveForm:
    values: dict[str, object] = {
        "title": "Grow signups",
        "area": str(area_id),
        "owner_id": "U_ALICE",
        "key_results": (
            KeyResultForm(title="Churn down", start="5", target="3", unit="%"),
            KeyResultForm(title="Launch referral program", kind="milestone", owner_id="U_BOB"),
        ),
    }
    return ObjectiveForm(**{**values, **changes})  # type: ignore[arg-type]


def test_a_new_objective_is_created_with_its_key_results_for_this_quarter(
    sqlite_engine: Engine,
) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    created = create(sqlite_engine, workspace_id, good_form(area_id))
    assert isinstance(created, Objective)
    assert (created.period_start, created.period_end) == (date(2026, 10, 1), date(2026, 12, 31))
    krs = seed.rows(sqlite_engine, KeyResult)
    assert [(kr.title, kr.kind, kr.owner_id, kr.position) for kr in krs] == [
        ("Churn down", KeyResultKind.METRIC, "U_ALICE", 0),
        ("Launch referral program", KeyResultKind.MILESTONE, "U_BOB", 1),
    ]
    assert (krs[0].start_value, krs[0].target_value, krs[0].current_value) == (5, 3, 5)
    actions = [(e.entity, e.action) for e in seed.rows(sqlite_engine, AuditEntry)]
    assert actions == [("objective", "create"), ("keyresult", "create"), ("keyresult", "create")]


def test_every_bad_field_gets_its_own_sentence_and_nothing_is_written(
    sqlite_engine: Engine,
) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    other = seed.workspace(sqlite_engine, seed.OTHER_TEAM)
    their_area = seed.area(sqlite_engine, other)
    form = ObjectiveForm(
        title=" ",
        area=str(their_area),  # forged: another workspace's area
        owner_id="",
        period_start=date(2026, 12, 1),
        period_end=date(2026, 11, 1),
        alignment="kpi:999",
        key_results=(
            KeyResultForm(title="", start="abc", target="1e999", unit="x" * 30),
            KeyResultForm(title="Same", start="4", target="4"),
            KeyResultForm(),  # an empty extra row is skipped, not an error
        ),
    )
    outcome = create(sqlite_engine, workspace_id, form)
    assert isinstance(outcome, Invalid)
    assert set(outcome.errors) == {
        "title",
        "area",
        "owner",
        "period_end",
        "alignment",
        "kr0_title",
        "kr0_start",
        "kr0_target",
        "kr0_unit",
        "kr1_target",
    }
    assert "abc" in outcome.errors["kr0_start"]
    assert seed.rows(sqlite_engine, Objective) == []
    assert seed.rows(sqlite_engine, KeyResult) == []
    assert seed.rows(sqlite_engine, AuditEntry) == []


def test_a_metric_needs_a_start_and_a_target(sqlite_engine: Engine) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    form = good_form(area_id, key_results=(KeyResultForm(title="Signups"),))
    outcome = create(sqlite_engine, workspace_id, form)
    assert isinstance(outcome, Invalid)
    assert set(outcome.errors) == {"kr0_start", "kr0_target"}


def test_an_objective_can_improve_a_kpi_or_support_an_objective(sqlite_engine: Engine) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    kpi_id = seed.kpi(sqlite_engine, workspace_id, area_id)
    parent = seed.objective(sqlite_engine, workspace_id, area_id, "Company goal")
    fix = create(sqlite_engine, workspace_id, good_form(area_id, alignment=f"kpi:{kpi_id}"))
    child = create(
        sqlite_engine,
        workspace_id,
        good_form(area_id, alignment=f"objective:{parent.objective_id}"),
    )
    assert isinstance(fix, Objective)
    assert isinstance(child, Objective)
    assert (fix.aligned_kpi_id, fix.parent_objective_id) == (kpi_id, None)
    assert (child.aligned_kpi_id, child.parent_objective_id) == (None, parent.objective_id)


def test_a_key_result_following_a_kpi_starts_at_its_latest_value(sqlite_engine: Engine) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    kpi_id = seed.kpi(sqlite_engine, workspace_id, area_id, values={date(2026, 11, 23): 6.2})
    rows = (KeyResultForm(title="Conversion to 8 %", target="8", kpi=f"kpi:{kpi_id}"),)
    created = create(sqlite_engine, workspace_id, good_form(area_id, key_results=rows))
    assert isinstance(created, Objective)
    (kr,) = seed.rows(sqlite_engine, KeyResult)
    assert (kr.kpi_id, kr.start_value, kr.target_value) == (kpi_id, 6.2, 8)


def test_custom_dates_replace_the_quarter(sqlite_engine: Engine) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    form = good_form(area_id, period_start=date(2026, 11, 1), period_end=date(2027, 1, 31))
    created = create(sqlite_engine, workspace_id, form)
    assert isinstance(created, Objective)
    assert (created.period_start, created.period_end) == (date(2026, 11, 1), date(2027, 1, 31))
    half = good_form(area_id, period_start=date(2026, 11, 1))
    outcome = create(sqlite_engine, workspace_id, half)
    assert isinstance(outcome, Invalid)
    assert set(outcome.errors) == {"period_end"}


# ---- changes ------------------------------------------------------------------------------
def test_marking_achieved_is_for_the_owner_leads_and_admins_and_is_audited(
    sqlite_engine: Engine,
) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id, leads=["U_LEAD"])
    objective_id = seed.objective(
        sqlite_engine, workspace_id, area_id, owner="U_ALICE"
    ).objective_id

    def mark(user: str, *, admin: bool = False, workspace: int = workspace_id) -> object:
        with session_scope(sqlite_engine) as session:
            return set_objective_status(
                session,
                workspace_id=workspace,
                objective_id=objective_id,
                actor_id=user,
                actor_is_admin=admin,
                status=ObjectiveStatus.ACHIEVED,
                now=NOW,
            )

    assert mark("U_EVE") == NotAllowed(who_can=("U_ALICE", "U_LEAD"))
    assert mark("U_ALICE", workspace=seed.workspace(sqlite_engine, seed.OTHER_TEAM)) == NotFound()
    achieved = mark("U_LEAD")
    assert isinstance(achieved, Objective)
    assert (achieved.status, achieved.closed_at) == (ObjectiveStatus.ACHIEVED, NOW)
    assert isinstance(mark("U_ADMIN", admin=True), Objective)
    with session_scope(sqlite_engine) as session:
        entries = history(
            session, workspace_id=workspace_id, entity="objective", entity_id=objective_id
        )
    assert [(e.action, e.actor_id) for e in entries] == [("status", "U_LEAD")]
    assert entries[0].before is not None
    assert entries[0].before["status"] == "active"


def test_an_edit_changes_title_owner_and_period_with_an_audit_entry(
    sqlite_engine: Engine,
) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    objective_id = seed.objective(sqlite_engine, workspace_id, area_id).objective_id

    def edit(change: ObjectiveEdit) -> object:
        with session_scope(sqlite_engine) as session:
            return edit_objective(
                session,
                workspace_id=workspace_id,
                objective_id=objective_id,
                actor_id="U_ALICE",
                actor_is_admin=False,
                edit=change,
                now=NOW,
            )

    bad = edit(ObjectiveEdit(title="", owner_id="U_BOB", period_start=None, period_end=None))
    assert isinstance(bad, Invalid)
    assert set(bad.errors) == {"title", "period_end"}
    good = ObjectiveEdit(
        title="Grow paid signups",
        owner_id="U_BOB",
        period_start=date(2026, 10, 1),
        period_end=date(2027, 3, 31),
    )
    edited = edit(good)
    assert isinstance(edited, Objective)
    (stored,) = seed.rows(sqlite_engine, Objective)
    assert (stored.title, stored.owner_id, stored.period_end) == (
        "Grow paid signups",
        "U_BOB",
        date(2027, 3, 31),
    )
    (entry,) = [e for e in seed.rows(sqlite_engine, AuditEntry) if e.action == "edit"]
    assert entry.before is not None
    assert entry.before["title"] == "Grow signups"
