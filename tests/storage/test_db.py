"""Engines and sessions behave the same on SQLite and PostgreSQL."""

import threading

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from okrbot.storage.db import session_scope
from okrbot.storage.models import Workspace
from okrbot.storage.workspaces import ensure_workspace


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(
    sqlite_engine: Engine,
) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


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
