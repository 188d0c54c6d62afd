"""Engines and sessions behave the same on SQLite and PostgreSQL."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from okrbot.storage.db import session_scope
from okrbot.storage.models import RunKind, ScheduledRun, Workspace
from okrbot.storage.upsert import insert_if_absent
from okrbot.storage.workspaces import ensure_workspace


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(
    sqlite_engine: Engine,
) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert (connection.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 5000


def test_a_failed_unit_of_work_leaves_nothing_behind(any_engine: Engine) -> None:
    """An error half-way through a request rolls back everything it wrote."""

    def half_done_request() -> None:
        with session_scope(any_engine) as session:
            ensure_workspace(session, external_id="T_HALF")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        half_done_request()
    with session_scope(any_engine) as session:
        assert session.exec(select(Workspace)).all() == []


def test_a_new_workspace_seen_by_many_requests_at_once_is_created_once(
    any_engine: Engine,
) -> None:
    ids: list[int] = []
    barrier = threading.Barrier(8)

    def first_request() -> None:
        barrier.wait()
        with session_scope(any_engine) as session:
            ids.append(ensure_workspace(session, external_id="T_NEW"))

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1
    with session_scope(any_engine) as session:
        assert len(session.exec(select(Workspace)).all()) == 1


def test_of_many_claims_on_the_same_key_exactly_one_wins(any_engine: Engine) -> None:
    """Claims are how digests go out once: eight at once, one True, seven False."""
    with session_scope(any_engine) as session:
        workspace_id = ensure_workspace(session, external_id="T_CLAIMS")
    barrier = threading.Barrier(8)
    outcomes: list[bool] = []

    def claim() -> None:
        barrier.wait()
        with session_scope(any_engine) as session:
            outcomes.append(
                insert_if_absent(
                    session,
                    ScheduledRun,
                    {
                        "workspace_id": workspace_id,
                        "kind": RunKind.DIGEST,
                        "subject": "1",
                        "period": "2026-W49",
                        "due_at": datetime(2026, 11, 30, 8, tzinfo=UTC),
                    },
                    unique_on=["workspace_id", "kind", "subject", "period"],
                )
            )

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 7 + [True]
