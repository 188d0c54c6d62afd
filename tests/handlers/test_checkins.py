"""Checking in: who may, what is valid, what is stored, and what the modal offers."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from okrbot.handlers.checkins import (
    CheckinEntry,
    Recorded,
    best_match,
    checkin_candidates,
    record_checkin,
    submission_key,
    week_period,
)
from okrbot.handlers.objectives import Invalid, NotAllowed, NotFound, objective_views
from okrbot.storage.audit import history
from okrbot.storage.db import session_scope
from okrbot.storage.models import CheckIn, Confidence, KeyResult, Kpi
from tests import okr_factories as seed

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
GOOD = CheckinEntry(value="6.5", confidence="needs_attention", comment="Paid ads paused.")


def record(
    engine: Engine,
    workspace_id: int,
    kr_id: int,
    entry: CheckinEntry = GOOD,
    *,
    user: str = "U_ALICE",
    key: str = "key-1",
) -> Recorded | NotFound | NotAllowed | Invalid:
    with session_scope(engine) as session:
        return record_checkin(
            session,
            workspace_id=workspace_id,
            user_id=user,
            key_result_id=kr_id,
            entry=entry,
            idempotency_key=key,
            now=NOW,
        )


@pytest.fixture
def acme(sqlite_engine: Engine) -> tuple[int, int, seed.Seeded]:
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id, leads=["U_LEAD"])
    seeded = seed.objective(
        sqlite_engine,
        workspace_id,
        area_id,
        owner="U_ALICE",
        krs=[
            seed.KrSpec("Raise trial-to-paid", owner="U_BOB"),
            seed.KrSpec("Ship", milestone=True),
        ],
    )
    return workspace_id, area_id, seeded


def test_a_check_in_is_stored_and_moves_its_key_result(
    sqlite_engine: Engine, acme: tuple[int, int, seed.Seeded]
) -> None:
    """The value becomes the key result's current value; progress follows."""
    workspace_id, _, seeded = acme
    recorded = record(sqlite_engine, workspace_id, seeded.kr_ids[0], user="U_BOB")
    assert isinstance(recorded, Recorded)
    assert recorded.created
    assert recorded.target.kr_view.key_result.current_value == 6.5
    assert recorded.target.kr_view.progress == pytest.approx(0.3)
    (stored,) = seed.rows(sqlite_engine, CheckIn)
    assert (stored.value, stored.confidence, stored.author_id) == (
        6.5,
        Confidence.NEEDS_ATTENTION,
        "U_BOB",
    )


def test_every_check_in_is_in_the_audit_log_and_the_key_results_history(
    sqlite_engine: Engine, acme: tuple[int, int, seed.Seeded]
) -> None:
    workspace_id, _, seeded = acme
    kr_id = seeded.kr_ids[0]
    record(sqlite_engine, workspace_id, kr_id, user="U_BOB")
    with session_scope(sqlite_engine) as session:
        entries = history(session, workspace_id=workspace_id, entity="keyresult", entity_id=kr_id)
    assert [(e.action, e.actor_id) for e in entries] == [("checkin", "U_BOB")]
    assert entries[0].before is not None
    assert entries[0].after is not None
    assert (entries[0].before["current_value"], entries[0].after["current_value"]) == (5.0, 6.5)


def test_the_same_submission_twice_is_one_check_in(
    sqlite_engine: Engine, acme: tuple[int, int, seed.Seeded]
) -> None:
    """A retried or double-clicked submit answers as the first did and stores nothing more."""
    workspace_id, _, seeded = acme
    first = record(sqlite_engine, workspace_id, seeded.kr_ids[0], user="U_BOB")
    second = record(sqlite_engine, workspace_id, seeded.kr_ids[0], user="U_BOB")
    assert isinstance(first, Recorded)
    assert isinstance(second, Recorded)
    assert not second.created
    assert second.checkin.id == first.checkin.id
    assert len(seed.rows(sqlite_engine, CheckIn)) == 1


def test_a_submission_key_is_stable_per_view_state_and_person() -> None:
    key = submission_key(user_id="U_ALICE", view_id="V1", view_hash="h1")
    assert key == submission_key(user_id="U_ALICE", view_id="V1", view_hash="h1")
    assert key != submission_key(user_id="U_ALICE", view_id="V1", view_hash="h2")
    assert key != submission_key(user_id="U_BOB", view_id="V1", view_hash="h1")
    assert len(key) <= 128


@pytest.mark.parametrize("value", ["abc", "nan", "NaN", "inf", "-infinity", "1e999", "", "  "])
def test_a_value_that_is_not_a_finite_number_is_refused_and_nothing_stored(
    sqlite_engine: Engine, acme: tuple[int, int, seed.Seeded], value: str
) -> None:
    workspace_id, _, seeded = acme
    entry = CheckinEntry(value=value, confidence="on_track")
    outcome = record(sqlite_engine, workspace_id, seeded.kr_ids[0], entry, user="U_BOB")
    assert isinstance(outcome, Invalid)
    assert set(outcome.errors) == {"value"}
    assert seed.rows(sqlite_engine, CheckIn) == []
    (kr, _) = seed.rows(sqlite_engine, KeyResult)
    assert kr.current_value == 5.0


def test_a_missing_confidence_and_an_overlong_comment_are_refused(
    sqlite_engine: Engine, acme: tuple[int, int, seed.Seeded]
) -> None:
    workspace_id, _, seeded = acme
    entry = CheckinEntry(value="6", confidence="very sure", comment="x" * 3001)
    outcome = record(sqlite_engine, workspace_id, seeded.kr_ids[0], entry, user="U_BOB")
    assert isinstance(outcome, Invalid)
    assert set(outcome.errors) == {"confidence", "comment"}
    assert "3,000" in outcome.errors["comment"]
    assert seed.rows(sqlite_engine, CheckIn) == []


def test_a_comment_keeps_its_text_exactly(
    sqlite_engine: Engine, acme: tuple[int, int, seed.Seeded]
) -> None:
    """Up to 3,000 characters, with its spaces, line breaks and <markup>, never trimmed."""
    workspace_id, _, seeded = acme
    comment = ("  <!channel> & *bold*\n\n  ünïcode 🎉  " * 100)[:3000]
    entry = CheckinEntry(value="7", confidence="on_track", comment=comment)
    assert isinstance(record(sqlite_engine, workspace_id, seeded.kr_ids[0], entry), Recorded)
    (stored,) = seed.rows(sqlite_engine, CheckIn)
    assert stored.comment == comment


def test_a_milestone_check_in_says_whether_it_is_done(
    sqlite_engine: Engine, acme: tuple[int, int, seed.Seeded]
) -> None:
    workspace_id, _, seeded = acme
    missing = record(
        sqlite_engine, workspace_id, seeded.kr_ids[1], CheckinEntry(confidence="on_track")
    )
    assert isinstance(missing, Invalid)
    assert set(missing.errors) == {"done"}
    done = CheckinEntry(done=True, confidence="on_track")
    recorded = record(sqlite_engine, workspace_id, seeded.kr_ids[1], done, key="key-2")
    assert isinstance(recorded, Recorded)
    assert recorded.target.kr_view.key_result.done
    assert recorded.target.kr_view.progress == 1.0


def test_the_kr_owner_the_objective_owner_and_area_leads_may_check_in(
    sqlite_engine: Engine, acme: tuple[int, int, seed.Seeded]
) -> None:
    workspace_id, _, seeded = acme
    for number, user in enumerate(["U_BOB", "U_ALICE", "U_LEAD"]):
        outcome = record(sqlite_engine, workspace_id, seeded.kr_ids[0], user=user, key=f"k{number}")
        assert isinstance(outcome, Recorded), user
    assert len(seed.rows(sqlite_engine, CheckIn)) == 3


def test_anyone_else_is_told_who_can_and_nothing_is_stored(
    sqlite_engine: Engine, acme: tuple[int, int, seed.Seeded]
) -> None:
    workspace_id, _, seeded = acme
    outcome = record(sqlite_engine, workspace_id, seeded.kr_ids[0], user="U_EVE")
    assert outcome == NotAllowed(who_can=("U_BOB", "U_ALICE", "U_LEAD"))
    assert seed.rows(sqlite_engine, CheckIn) == []


def test_a_key_result_id_of_another_workspace_is_not_found(
    sqlite_engine: Engine, acme: tuple[int, int, seed.Seeded]
) -> None:
    """A forged id names nothing here, even when it exists elsewhere."""
    workspace_id, _, _ = acme
    other = seed.workspace(sqlite_engine, seed.OTHER_TEAM)
    theirs = seed.objective(sqlite_engine, other, seed.area(sqlite_engine, other), owner="U_ALICE")
    outcome = record(sqlite_engine, workspace_id, theirs.kr_ids[0])
    assert outcome == NotFound()
    assert seed.rows(sqlite_engine, CheckIn) == []


def test_a_key_result_that_follows_a_kpi_takes_its_latest_value(
    sqlite_engine: Engine,
) -> None:
    """No value to type: the check-in records the KPI's latest value, and confidence."""
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    kpi_id = seed.kpi(
        sqlite_engine,
        workspace_id,
        area_id,
        values={date(2026, 11, 16): 6.0, date(2026, 11, 23): 8.0, date(2026, 11, 9): 7.0},
    )
    seeded = seed.objective(
        sqlite_engine,
        workspace_id,
        area_id,
        krs=[seed.KrSpec("Conversion to 10 %", start=5, target=10, kpi_id=kpi_id)],
    )
    with session_scope(sqlite_engine) as session:
        (view,) = objective_views(session, workspace_id=workspace_id)
    assert view.key_results[0].key_result.current_value == 8.0
    assert view.progress == pytest.approx(0.6)
    outcome = record(
        sqlite_engine, workspace_id, seeded.kr_ids[0], CheckinEntry(confidence="on_track")
    )
    assert isinstance(outcome, Recorded)
    assert outcome.checkin.value == 8.0


def test_the_picker_lists_ones_own_key_results_first_then_the_areas(
    sqlite_engine: Engine,
) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    marketing = seed.area(sqlite_engine, workspace_id)
    sales = seed.area(sqlite_engine, workspace_id, "Sales", channel="C_SALES")
    seed.objective(
        sqlite_engine,
        workspace_id,
        marketing,
        "A team goal",
        owner="U_BOB",
        krs=[seed.KrSpec("Bob's", owner="U_BOB"), seed.KrSpec("Alice's", owner="U_ALICE")],
    )
    seed.objective(
        sqlite_engine,
        workspace_id,
        sales,
        "Sales goal",
        owner="U_CAROL",
        krs=[seed.KrSpec("Carol's", owner="U_CAROL")],
    )
    with session_scope(sqlite_engine) as session:
        candidates = checkin_candidates(session, workspace_id=workspace_id, user_id="U_ALICE")
    assert [(c.title, c.mine) for c in candidates] == [("Alice's", True), ("Bob's", False)]


def test_the_typed_text_picks_the_best_matching_key_result(sqlite_engine: Engine) -> None:
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    seed.objective(
        sqlite_engine,
        workspace_id,
        area_id,
        krs=[seed.KrSpec("Raise trial-to-paid"), seed.KrSpec("Double weekly signups")],
    )
    with session_scope(sqlite_engine) as session:
        candidates = checkin_candidates(session, workspace_id=workspace_id, user_id="U_ALICE")
    assert best_match(candidates, "signups") == candidates[1]
    assert best_match(candidates, "trial to paid") == candidates[0]
    assert best_match(candidates, "Grow") == candidates[0]  # the objective's title
    assert best_match(candidates, "payroll") is None
    assert best_match(candidates, "") is None


def test_the_weeks_thread_follows_the_areas_time_zone() -> None:
    """Late Sunday in New York is already Monday, the next ISO week, in Berlin."""
    sunday_night = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert week_period(sunday_night, "Europe/Berlin") == "2026-W50"
    assert week_period(sunday_night, "America/New_York") == "2026-W49"


def test_a_key_result_whose_kpi_was_archived_is_checked_in_by_hand(
    sqlite_engine: Engine,
) -> None:
    """An archived KPI feeds nothing any more: the key result keeps its own value."""
    workspace_id = seed.workspace(sqlite_engine)
    area_id = seed.area(sqlite_engine, workspace_id)
    kpi_id = seed.kpi(sqlite_engine, workspace_id, area_id, values={date(2026, 11, 23): 9.0})
    seeded = seed.objective(
        sqlite_engine,
        workspace_id,
        area_id,
        krs=[seed.KrSpec("Conversion", start=5, target=10, current=6, kpi_id=kpi_id)],
    )
    with session_scope(sqlite_engine) as session:
        kpi = session.get(Kpi, kpi_id)
        assert kpi is not None
        kpi.archived_at = NOW
    without_value = record(
        sqlite_engine, workspace_id, seeded.kr_ids[0], CheckinEntry(confidence="on_track")
    )
    assert isinstance(without_value, Invalid)
    assert set(without_value.errors) == {"value"}
    recorded = record(sqlite_engine, workspace_id, seeded.kr_ids[0], key="k2")
    assert isinstance(recorded, Recorded)
    assert recorded.target.kr_view.key_result.current_value == 6.5
