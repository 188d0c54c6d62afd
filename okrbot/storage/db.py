"""Engines and sessions: one session per request or job, opened by the caller."""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine ready for okrbot: SQLite tuned for a threaded server, PostgreSQL as it is."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": 30,
                "factory": _connection_class(),
            },
            **kwargs,
        )
        _tune_sqlite(engine)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


class _TurnTakingConnection(sqlite3.Connection):
    """An SQLite connection whose transactions queue for the engine's lock before BEGIN.

    SQLite lets one transaction at a time hold the write lock (BEGIN IMMEDIATE, below); the
    others wait in SQLite's busy handler, which polls with sleeps of up to 100 ms and serves
    no one in order. Under a burst of requests that turned into waits of seconds (see
    BENCHMARKS.md). Queueing first on a lock in this process hands the database over the
    moment the previous transaction commits or rolls back. Other processes still meet
    SQLite's own lock and busy timeout, as before.
    """

    turns: threading.Lock
    _has_turn = False

    def take_turn(self) -> None:
        # Bounded like SQLite's busy timeout; past it, SQLite's own lock decides.
        self._has_turn = self.turns.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)

    def end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            self.turns.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_turn()


def _connection_class() -> type[_TurnTakingConnection]:
    """A class of its own for each engine, so each database has its own queue."""

    class TurnTakingConnection(_TurnTakingConnection):
        turns = threading.Lock()

    return TurnTakingConnection


def _tune_sqlite(engine: Engine) -> None:
    """WAL, foreign keys and a busy timeout on every connection; writers queue, never fail."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below take over
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so a transaction that reads and then
        # writes waits its turn instead of failing with "database is locked" mid-way.
        dbapi_connection = connection.connection.dbapi_connection
        if isinstance(dbapi_connection, _TurnTakingConnection):
            dbapi_connection.take_turn()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if isinstance(dbapi_connection, _TurnTakingConnection):
                dbapi_connection.end_turn()
            raise


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def database_answers(engine: Engine) -> bool:
    """True when a trivial query succeeds; what /healthz reports."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
