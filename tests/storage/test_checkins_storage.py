"""Check-ins and their channel threads under concurrency, on SQLite and on PostgreSQL."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Engine

from okrbot.handlers.checkins import (
    CheckinEntry,
    Recorded,
    ThreadKey,
    claim_thread,
    record_checkin,
    thread_failed,
    thread_started,
)
from okrbot.storage.audit import history
from okrbot.storage.checkins import checkin_by_key, insert_checkin
from okrbot.storage.db import session_scope
from okrbot.storage.models import AuditEntry, ChannelThread, CheckIn, KeyResult
from tests import okr_factories as seed

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
T = TypeVar("T")


def all_at_once(count: int, work: Callable[[int], T]) -> list[T]:
    """Run `work(i)` on `count` threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(number: int) -> None:
        barrier.wait()
        try:
            result = work(number)
        except BaseException as error:  # a failing thread must fail the test
            with lock:
                errors.append(error)
            return
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def seeded(engine: Engine) -> tuple[int, int]:
    workspace_id = seed.workspace(engine)
    area_id = seed.area(engine, workspace_id)
    return workspace_id, seed.objective(engine, workspace_id, area_id).kr_ids[0]


def test_the_same_submission_from_many_requests_at_once_is_one_check_in(
    any_engine: Engine,
) -> None:
    """Slack retries and double clicks arriving together store one check-in and move the
    key result once; every request answers with that same check-in."""
    workspace_id, kr_id = seeded(any_engine)

    def submit(_: int) -> Recorded:
        with session_scope(any_engine) as session:
            outcome = record_checkin(
                session,
                workspace_id=workspace_id,
                user_id="U_ALICE",
                key_result_id=kr_id,
                entry=CheckinEntry(value="6.5", confidence="on_track", comment="once"),
                idempotency_key="view:same",
                now=NOW,
            )
        assert isinstance(outcome, Recorded)
        return outcome

    outcomes = all_at_once(8, submit)
    assert sum(outcome.created for outcome in outcomes) == 1
    assert len({outcome.checkin.id for outcome in outcomes}) == 1
    assert len(seed.rows(any_engine, CheckIn)) == 1
    with session_scope(any_engine) as session:
        moves = history(session, workspace_id=workspace_id, entity="keyresult", entity_id=kr_id)
    assert len(moves) == 1
    assert len([e for e in seed.rows(any_engine, AuditEntry) if e.entity == "checkin"]) == 1
    (kr,) = seed.rows(any_engine, KeyResult)
    assert kr.current_value == 6.5


def test_an_idempotency_key_is_claimed_once_and_found_again(any_engine: Engine) -> None:
    workspace_id, kr_id = seeded(any_engine)

    def row(comment: str) -> CheckIn:
        return CheckIn(
            workspace_id=workspace_id,
            key_result_id=kr_id,
            author_id="U_ALICE",
            value=6,
            comment=comment,
            idempotency_key="view:k",
            created_at=NOW,
        )

    with session_scope(any_engine) as session:
        assert insert_checkin(session, row("first"))
        assert not insert_checkin(session, row("second"))
        found = checkin_by_key(session, workspace_id=workspace_id, idempotency_key="view:k")
        assert found is not None
        assert found.comment == "first"
        assert (
            checkin_by_key(session, workspace_id=workspace_id + 1, idempotency_key="view:k") is None
        )


def test_two_first_check_ins_of_the_week_claim_one_thread(any_engine: Engine) -> None:
    """Of simultaneous first check-ins on an objective, exactly one posts the parent message."""
    workspace_id, _ = seeded(any_engine)
    (objective,) = seed.rows(any_engine, KeyResult)
    key = ThreadKey(
        workspace_id=workspace_id, objective_id=objective.objective_id, period="2026-W49"
    )

    def claim(_: int) -> bool:
        with session_scope(any_engine) as session:
            return claim_thread(session, key=key, channel_id="C_MARKETING", now=NOW).mine

    assert sorted(all_at_once(6, claim)) == [False] * 5 + [True]
    assert len(seed.rows(any_engine, ChannelThread)) == 1


def test_a_thread_whose_parent_failed_is_claimed_again_and_one_posted_is_replied_to(
    any_engine: Engine,
) -> None:
    workspace_id, _ = seeded(any_engine)
    (objective,) = seed.rows(any_engine, KeyResult)
    key = ThreadKey(
        workspace_id=workspace_id, objective_id=objective.objective_id, period="2026-W49"
    )
    with session_scope(any_engine) as session:
        assert claim_thread(session, key=key, channel_id="C_MARKETING", now=NOW).mine
        thread_failed(session, key=key)  # e.g. the bot is not in the channel
    with session_scope(any_engine) as session:
        assert claim_thread(session, key=key, channel_id="C_MARKETING", now=NOW).mine
        thread_started(session, key=key, message_ts="1700000000.000100")
    with session_scope(any_engine) as session:
        later = claim_thread(session, key=key, channel_id="C_MARKETING", now=NOW)
        thread_failed(session, key=key)  # a posted thread is never given up
    assert (later.mine, later.message_ts) == (False, "1700000000.000100")
    (thread,) = seed.rows(any_engine, ChannelThread)
    assert thread.message_ts == "1700000000.000100"
