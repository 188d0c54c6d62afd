"""SQLite transactions in one process take turns through a lock, and always give it back."""

import threading

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from okrbot.storage.db import session_scope
from okrbot.storage.models import Workspace
from okrbot.storage.workspaces import ensure_workspace


def _turns_taken(engine: Engine) -> bool:
    connection = engine.raw_connection()
    try:
        lock = connection.dbapi_connection.turns  # type: ignore[union-attr]
        return bool(lock.locked())
    finally:
        connection.close()


def test_many_writers_at_once_each_write_exactly_once(sqlite_engine: Engine) -> None:
    """Twenty requests writing at the same moment all succeed, none lost, none doubled."""
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with session_scope(sqlite_engine) as session:
                ensure_workspace(session, external_id=f"T_{n:02d}")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_scope(sqlite_engine) as session:
        assert session.exec(select(func.count()).select_from(Workspace)).one() == 20


def test_a_failed_or_finished_transaction_gives_its_turn_back(sqlite_engine: Engine) -> None:
    """Neither a rollback nor a commit leaves the next request waiting for the lock."""

    def failing_request() -> None:
        with session_scope(sqlite_engine) as session:
            ensure_workspace(session, external_id="T_FAILS")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_request()
    assert not _turns_taken(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        ensure_workspace(session, external_id="T_WORKS")
    assert not _turns_taken(sqlite_engine)
