"""Claims on scheduled runs: one winner per period, safe retries, on SQLite and PostgreSQL."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from okrbot.storage import runs
from okrbot.storage.db import session_scope
from okrbot.storage.models import RunKind, RunStatus, ScheduledRun
from tests import digest_seed as seed

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ABANDONED_BEFORE = NOW - timedelta(minutes=10)


def _claim(
    engine: Engine, workspace_id: int, subject: str = "1", now: datetime = NOW
) -> runs.Claim | None:
    with session_scope(engine) as session:
        return runs.claim(
            session,
            workspace_id=workspace_id,
            kind=RunKind.DIGEST,
            subject=subject,
            period="2026-W49",
            due_at=NOW,
            now=now,
            channel_id="C_MARKETING",
        )


def _in_parallel(count: int, work: Callable[[], object]) -> list[object]:
    results: list[object] = []
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        except BaseException as error:  # surfaced below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def _run(engine: Engine, run_id: int) -> ScheduledRun:
    with Session(engine) as session:
        found = session.get(ScheduledRun, run_id)
        assert found is not None
        return found


def test_a_run_is_claimed_once(any_engine: Engine) -> None:
    """The second claim of the same digest and week gets nothing."""
    workspace_id = seed.workspace(any_engine)
    first = _claim(any_engine, workspace_id)
    assert first is not None
    assert first.attempt == 1
    assert _claim(any_engine, workspace_id) is None
    assert _claim(any_engine, workspace_id, subject="2") is not None  # another area's is free


def test_eight_threads_claiming_at_once_make_one_winner(any_engine: Engine) -> None:
    """Concurrent claims of one run: exactly one succeeds, and nobody sees an error."""
    workspace_id = seed.workspace(any_engine)
    results = _in_parallel(8, lambda: _claim(any_engine, workspace_id))
    assert len([r for r in results if r is not None]) == 1
    assert len(seed.digest_runs(any_engine)) == 1


def test_failed_and_abandoned_runs_are_retryable_fresh_and_finished_ones_are_not(
    any_engine: Engine,
) -> None:
    workspace_id = seed.workspace(any_engine)
    failed = _claim(any_engine, workspace_id, subject="failed")
    fresh = _claim(any_engine, workspace_id, subject="fresh", now=NOW - timedelta(minutes=9))
    abandoned = _claim(
        any_engine, workspace_id, subject="abandoned", now=NOW - timedelta(minutes=11)
    )
    sent = _claim(any_engine, workspace_id, subject="sent")
    assert failed is not None
    assert fresh is not None
    assert abandoned is not None
    assert sent is not None
    with session_scope(any_engine) as session:
        assert runs.mark_failed(session, failed, now=NOW, error="ratelimited")
        assert runs.mark_sent(session, sent, now=NOW)
    with session_scope(any_engine) as session:
        found = runs.retryable(
            session,
            kind=RunKind.DIGEST,
            due_after=NOW - timedelta(hours=24),
            abandoned_before=ABANDONED_BEFORE,
        )
        assert sorted(run.subject for run in found) == ["abandoned", "failed"]
        too_old = runs.retryable(
            session, kind=RunKind.DIGEST, due_after=NOW, abandoned_before=ABANDONED_BEFORE
        )
        assert too_old == []


def test_a_retry_is_taken_by_one_process_and_the_loser_cannot_write(any_engine: Engine) -> None:
    """Two processes retrying one failed run: one takes it; the old claim is fenced off."""
    workspace_id = seed.workspace(any_engine)
    original = _claim(any_engine, workspace_id)
    assert original is not None
    with session_scope(any_engine) as session:
        runs.mark_failed(session, original, now=NOW, error="internal_error")

    def retry() -> runs.Claim | None:
        with session_scope(any_engine) as session:
            return runs.reclaim(
                session, run_id=original.run_id, now=NOW, abandoned_before=ABANDONED_BEFORE
            )

    winners = [r for r in _in_parallel(4, retry) if r is not None]
    assert len(winners) == 1
    winner = winners[0]
    assert isinstance(winner, runs.Claim)
    assert winner.attempt == 2
    with session_scope(any_engine) as session:
        assert not runs.mark_sent(session, original, now=NOW)  # the old attempt lost the run
        assert runs.mark_sent(session, winner, now=NOW)
    assert _run(any_engine, original.run_id).status == RunStatus.SENT


def test_a_skipped_run_is_never_claimed_afterwards(any_engine: Engine) -> None:
    workspace_id = seed.workspace(any_engine)
    with session_scope(any_engine) as session:
        assert runs.record_skipped(
            session,
            workspace_id=workspace_id,
            kind=RunKind.DIGEST,
            subject="1",
            period="2026-W49",
            due_at=NOW,
            now=NOW,
            reason="too late",
        )
    assert _claim(any_engine, workspace_id) is None
    [run] = seed.digest_runs(any_engine)
    assert (run.status, run.last_error) == (RunStatus.SKIPPED, "too late")


def test_progress_survives_in_the_run(any_engine: Engine) -> None:
    """How many messages are posted is stored right after each one, for a retry to resume."""
    workspace_id = seed.workspace(any_engine)
    claim = _claim(any_engine, workspace_id)
    assert claim is not None
    assert runs.Progress.of(_run(any_engine, claim.run_id)) == runs.Progress(None, 0)
    progress = runs.Progress(first_ts="1764489600.000100", parts_posted=2)
    with session_scope(any_engine) as session:
        assert runs.record_posted(session, claim, channel_id="C_MARKETING", progress=progress)
    stored = _run(any_engine, claim.run_id)
    assert runs.Progress.of(stored) == progress
    assert stored.message_ts is not None
    assert stored.message_ts.startswith("1764489600.000100")


def test_the_channel_problem_is_new_only_once(any_engine: Engine) -> None:
    """A channel error is "new" the first time; after a successful post it can be new again."""
    workspace_id = seed.workspace(any_engine)
    area_id = seed.area(any_engine, workspace_id, "Marketing", channel="C_MARKETING")

    def broken() -> bool:
        with session_scope(any_engine) as session:
            return runs.set_channel_error(
                session, workspace_id=workspace_id, area_id=area_id, error="not_in_channel"
            )

    assert broken()
    assert not broken()
    assert seed.get_area(any_engine, area_id).channel_error == "not_in_channel"
    with session_scope(any_engine) as session:
        runs.clear_channel_error(session, workspace_id=workspace_id, area_id=area_id)
    assert seed.get_area(any_engine, area_id).channel_error == ""
    assert broken()


def test_scheduled_areas_need_a_channel_and_an_installed_workspace(any_engine: Engine) -> None:
    installed = seed.workspace(any_engine)
    uninstalled = seed.workspace(any_engine, "T_GONE", active=False)
    seed.area(any_engine, installed, "Marketing", channel="C_MARKETING")
    seed.area(any_engine, installed, "Sales", channel=None)
    seed.area(any_engine, uninstalled, "Product", channel="C_PRODUCT")
    with session_scope(any_engine) as session:
        assert [area.name for area in runs.scheduled_areas(session)] == ["Marketing"]
