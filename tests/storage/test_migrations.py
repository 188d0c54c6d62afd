"""Alembic migrations: from nothing to head and back, on SQLite and PostgreSQL."""

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from okrbot.storage import migrate
from okrbot.storage.db import make_engine

TABLES = {
    "workspace",
    "area",
    "kpi",
    "kpivalue",
    "objective",
    "keyresult",
    "checkin",
    "scheduledrun",
    "channelthread",
    "userpreference",
    "auditentry",
}


def test_upgrade_downgrade_and_upgrade_again(empty_database_url: str) -> None:
    """An empty database reaches head, goes back to base, and reaches head again."""
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert set(inspect(engine).get_table_names()) >= TABLES

    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) & TABLES == set()

    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_migrations_match_the_models(empty_database_url: str) -> None:
    """The tables the migrations create are exactly the tables the code expects."""
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_two_processes_migrating_at_once_both_succeed(empty_database_url: str) -> None:
    """Two bots starting together: one applies the migrations, the other waits and finds
    nothing left to do; neither fails."""
    script = (
        "import sys; from okrbot.storage import migrate; from okrbot.storage.db import make_engine;"
        "migrate.upgrade(make_engine(sys.argv[1]))"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", script, empty_database_url], stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outcomes = [(run.wait(timeout=60), run.stderr.read() if run.stderr else b"") for run in runs]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    engine = make_engine(empty_database_url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()
