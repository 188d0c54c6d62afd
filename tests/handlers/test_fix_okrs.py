"""Fix-OKRs: the draft or the open fix, creating one aligned to its KPI, and one per KPI."""

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from okrbot.handlers.fix_okrs import FixCreated, FixDraft, OpenFix, create_fix_okr, start_fix
from okrbot.handlers.kpis import kpi_views
from okrbot.handlers.objective_form import KeyResultForm, ObjectiveForm
from okrbot.handlers.objectives import Invalid, NotFound
from okrbot.storage.db import session_scope
from okrbot.storage.models import (
    AuditEntry,
    KeyResult,
    KeyResultKind,
    Kpi,
    Objective,
    ObjectiveStatus,
)
from tests import digest_seed as seed
from tests.okr_factories import counting_statements, rows

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
THIS_WEEK = date(2026, 11, 30)
T = TypeVar("T")


def _conversion(engine: Engine) -> tuple[int, int, int]:
    """Marketing (Berlin): "Website conversion rate" ≥ 7 %, at 6.1 % this week after 7.4."""
    workspace_id = seed.workspace(engine)
    area_id = seed.area(engine, workspace_id, "Marketing", channel="C_MARKETING")
    kpi_id = seed.kpi(
        engine,
        workspace_id,
        area_id,
        "Website conversion rate",
        values={THIS_WEEK - timedelta(weeks=1): 7.4, THIS_WEEK: 6.1},
    )
    return workspace_id, area_id, kpi_id


def _form(title: str = "Get website conversion rate back to 7 %", **changes: str) -> ObjectiveForm:
    """The drafted form as a person submits it, with `kr{n}_{field}` changes."""
    typed = [
        {"title": "Conversion: from 6.1 % to 7 %", "start": "6.1", "target": "7", "unit": "%"},
        {"title": "Find and share the top 3 causes", "kind": "milestone"},
        {"title": "Run 3 experiments", "start": "0", "target": "3", "unit": "experiments"},
    ]
    for name, value in changes.items():
        index, _, field = name.removeprefix("kr").partition("_")
        typed[int(index)][field] = value
    return ObjectiveForm(
        title=title,
        area="",
        owner_id="U_ALICE",
        period_start=date(2026, 11, 30),
        period_end=date(2027, 1, 11),
        key_results=tuple(KeyResultForm(**row) for row in typed),
    )


def _start(engine: Engine, workspace_id: int, kpi_id: int, now: datetime = NOW) -> object:
    with session_scope(engine) as session:
        return start_fix(session, workspace_id=workspace_id, kpi_id=kpi_id, now=now)


def _create(
    engine: Engine,
    workspace_id: int,
    kpi_id: int,
    form: ObjectiveForm | None = None,
    actor: str = "U_ALICE",
) -> FixCreated | OpenFix | Invalid | NotFound:
    with session_scope(engine) as session:
        return create_fix_okr(
            session,
            workspace_id=workspace_id,
            kpi_id=kpi_id,
            actor_id=actor,
            form=form or _form(),
            now=NOW,
        )


def _only(kind: type[T], found: object) -> T:
    assert isinstance(found, kind), found
    return found


# ---- starting ------------------------------------------------------------------------------
def test_the_draft_starts_from_the_latest_value_on_the_areas_date(any_engine: Engine) -> None:
    """At 23:30 UTC on Monday it is already Tuesday in Berlin: the fix starts then, from 6.1."""
    workspace_id, area_id, kpi_id = _conversion(any_engine)
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    started = _only(FixDraft, _start(any_engine, workspace_id, kpi_id, late))
    draft = started.draft
    assert draft.title == "Get website conversion rate back to 7 %"
    assert (draft.area_id, draft.owner_id, draft.kpi_id) == (area_id, "U_ALICE", kpi_id)
    assert draft.period_start == date(2026, 12, 1)
    first = draft.key_results[0]
    assert (first.start, first.target, first.kpi_id) == (6.1, 7.0, kpi_id)
    assert started.kpi.latest is not None
    assert started.kpi.latest.value == 6.1


def test_a_kpi_with_an_open_fix_starts_from_that_fix(any_engine: Engine) -> None:
    """The button never drafts a second fix: it shows the one in progress."""
    workspace_id, area_id, kpi_id = _conversion(any_engine)
    seed.objective(any_engine, workspace_id, area_id, "Win back conversion", aligned_kpi_id=kpi_id)
    found = _only(OpenFix, _start(any_engine, workspace_id, kpi_id))
    assert found.fix.objective.title == "Win back conversion"
    assert found.kpi.id == kpi_id


def test_a_closed_fix_does_not_count_as_open(any_engine: Engine) -> None:
    workspace_id, area_id, kpi_id = _conversion(any_engine)
    old = seed.objective(any_engine, workspace_id, area_id, "Tried in Q3", aligned_kpi_id=kpi_id)
    with Session(any_engine) as session:
        closed = session.get(Objective, old)
        assert closed is not None
        closed.status = ObjectiveStatus.MISSED
        session.add(closed)
        session.commit()
    _only(FixDraft, _start(any_engine, workspace_id, kpi_id))


def test_another_workspaces_kpi_or_an_archived_one_is_not_found(any_engine: Engine) -> None:
    """A forged button value finds nothing, and creates nothing."""
    _, _, kpi_id = _conversion(any_engine)
    other = seed.workspace(any_engine, "T_OTHER")
    _only(NotFound, _start(any_engine, other, kpi_id))
    _only(NotFound, _create(any_engine, other, kpi_id))
    assert rows(any_engine, Objective) == []
    workspace_id = seed.workspace(any_engine)
    with Session(any_engine) as session:
        kpi = session.get(Kpi, kpi_id)
        assert kpi is not None
        kpi.archived_at = NOW
        session.add(kpi)
        session.commit()
    _only(NotFound, _start(any_engine, workspace_id, kpi_id))
    _only(NotFound, _create(any_engine, workspace_id, kpi_id))
    assert rows(any_engine, Objective) == []


# ---- creating ------------------------------------------------------------------------------
def test_the_fix_is_aligned_in_the_kpis_area_with_key_result_1_following_it(
    any_engine: Engine,
) -> None:
    """Whatever the form says about area, alignment or key result 1's KPI, the fix takes them
    from the KPI; every row it writes is audited."""
    workspace_id, area_id, kpi_id = _conversion(any_engine)
    elsewhere = seed.area(any_engine, workspace_id, "Sales", channel="C_SALES")
    forged = _form()
    forged = ObjectiveForm(
        **{**forged.__dict__, "area": str(elsewhere), "alignment": "objective:999"}
    )
    created = _only(FixCreated, _create(any_engine, workspace_id, kpi_id, forged))
    assert (created.kpi.id, created.area.id) == (kpi_id, area_id)
    [objective] = rows(any_engine, Objective)
    assert (objective.aligned_kpi_id, objective.area_id) == (kpi_id, area_id)
    assert objective.title == "Get website conversion rate back to 7 %"
    assert (objective.period_start, objective.period_end) == (date(2026, 11, 30), date(2027, 1, 11))
    krs = sorted(rows(any_engine, KeyResult), key=lambda kr: kr.position)
    assert [(kr.title, kr.kind, kr.kpi_id) for kr in krs] == [
        ("Conversion: from 6.1 % to 7 %", KeyResultKind.METRIC, kpi_id),
        ("Find and share the top 3 causes", KeyResultKind.MILESTONE, None),
        ("Run 3 experiments", KeyResultKind.METRIC, None),
    ]
    assert (krs[0].start_value, krs[0].target_value, krs[0].unit) == (6.1, 7.0, "%")
    audited = sorted((entry.entity, entry.action) for entry in rows(any_engine, AuditEntry))
    assert audited == [("keyresult", "create")] * 3 + [("objective", "create")]
    assert created.fix.key_results[0].key_result.kpi_id == kpi_id


def test_a_suggestion_whose_title_was_cleared_is_dropped(any_engine: Engine) -> None:
    """Clearing the title is how a person drops a suggested key result, numbers and all."""
    workspace_id, _, kpi_id = _conversion(any_engine)
    created = _only(FixCreated, _create(any_engine, workspace_id, kpi_id, _form(kr1_title="")))
    assert [kr.key_result.title for kr in created.fix.key_results] == [
        "Conversion: from 6.1 % to 7 %",
        "Run 3 experiments",
    ]
    assert sorted(kr.position for kr in rows(any_engine, KeyResult)) == [0, 1]


def test_bad_fields_are_named_and_nothing_is_written(any_engine: Engine) -> None:
    workspace_id, _, kpi_id = _conversion(any_engine)
    form = _form(title=" ", kr0_target="abc", kr2_start="1e999")
    invalid = _only(Invalid, _create(any_engine, workspace_id, kpi_id, form))
    assert set(invalid.errors) == {"title", "kr0_target", "kr2_start"}
    assert "“abc” is not a number" in invalid.errors["kr0_target"]
    assert rows(any_engine, Objective) == []
    assert rows(any_engine, KeyResult) == []
    assert rows(any_engine, AuditEntry) == []


def test_a_second_fix_for_the_same_kpi_returns_the_first_and_writes_nothing(
    any_engine: Engine,
) -> None:
    """A second click never creates a second fix-OKR."""
    workspace_id, _, kpi_id = _conversion(any_engine)
    first = _only(FixCreated, _create(any_engine, workspace_id, kpi_id))
    audited = len(rows(any_engine, AuditEntry))
    again = _only(OpenFix, _create(any_engine, workspace_id, kpi_id, _form("Another go")))
    assert again.fix.objective.id == first.fix.objective.id
    assert len(rows(any_engine, Objective)) == 1
    assert len(rows(any_engine, AuditEntry)) == audited


def test_two_people_submitting_at_once_create_one_fix(any_engine: Engine) -> None:
    """Both transactions start together; the KPI's lock lets one create, and the other finds it."""
    workspace_id, _, kpi_id = _conversion(any_engine)
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def submit(actor: str) -> Callable[[], None]:
        def run() -> None:
            start.wait()
            results[actor] = _create(any_engine, workspace_id, kpi_id, _form(actor), actor)

        return run

    threads = [threading.Thread(target=submit(actor)) for actor in ("U_ALICE", "U_BOB")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    kinds = sorted(type(result).__name__ for result in results.values())
    assert kinds == ["FixCreated", "OpenFix"]
    [objective] = rows(any_engine, Objective)
    assert objective.aligned_kpi_id == kpi_id


# ---- the KPI shows its fix -----------------------------------------------------------------
def test_kpi_views_carry_the_open_fix_at_the_same_cost(any_engine: Engine) -> None:
    """Each KPI's view names its open fix (not a closed one, not another KPI's); fetching them
    costs one statement however many fixes there are."""
    workspace_id, area_id, kpi_id = _conversion(any_engine)
    other = seed.kpi(any_engine, workspace_id, area_id, "Bounce rate", values={THIS_WEEK: 8.0})
    with session_scope(any_engine) as session, counting_statements(any_engine) as before:
        kpi_views(session, workspace_id=workspace_id, now=NOW)
    seed.objective(any_engine, workspace_id, area_id, "Win back conversion", aligned_kpi_id=kpi_id)
    seed.objective(any_engine, workspace_id, area_id, "Unrelated")
    with session_scope(any_engine) as session, counting_statements(any_engine) as after:
        views = {v.kpi.id: v for v in kpi_views(session, workspace_id=workspace_id, now=NOW)}
    assert len(after) == len(before)
    fix = views[kpi_id].open_fix
    assert fix is not None
    assert fix.title == "Win back conversion"
    assert views[other].open_fix is None
