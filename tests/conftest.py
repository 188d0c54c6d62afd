"""Shared fixtures: databases (SQLite and PostgreSQL), the fake Slack, and the running bot."""

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from okrbot.bot.config import Settings
from okrbot.bot.deps import Deps
from okrbot.bot.server import bound_port, make_server, request_stop, run_until_stopped
from okrbot.bot.slack.app import build_slack_app, listener_pool
from okrbot.storage import migrate
from okrbot.storage.db import make_engine
from tests.fakes.blockkit import assert_valid_payload
from tests.fakes.slack_api import FakeSlack, start_fake_slack
from tests.fakes.slack_client import SlackClient

PG_ADMIN_URL = os.environ.get("OKRBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
SIGNING_SECRET = "test-signing-secret-8f14e45fceea167a5a36dedd4bea2543"
BOT_TOKEN = "xoxb-test-token"


# ---- PostgreSQL: one scratch database per test run ------------------------------------------
def _pg_reachable() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_scratch_url() -> Iterator[str]:
    """A database created for this run and dropped after it; CI fails rather than skips."""
    if not _pg_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}; CI must run these")
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    name = f"okrbot_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wipe_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, on SQLite and again on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'okrbot.db'}"
    url: str = request.getfixturevalue("pg_scratch_url")
    _wipe_postgres(url)
    return url


@pytest.fixture
def any_engine(empty_database_url: str) -> Iterator[Engine]:
    """A migrated database, on SQLite and again on PostgreSQL."""
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database, for tests whose subject is not the database."""
    engine = make_engine(f"sqlite:///{tmp_path / 'okrbot.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


# ---- time ----------------------------------------------------------------------------------
class TestClock:
    """A clock the test sets and moves; the bot reads it wherever it needs "now"."""

    __test__ = False

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> TestClock:
    """Monday 30 November 2026, 10:00 UTC, unless a test moves it."""
    return TestClock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))


# ---- Slack ---------------------------------------------------------------------------------
@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """The fake Slack Web API; after the test, every payload the bot sent must validate."""
    fake, server = start_fake_slack()
    fake.add_user("U_ALICE", "alice", tz="Europe/Berlin")
    fake.add_user("U_BOB", "bob", tz="America/New_York")
    fake.add_user("U_ADMIN", "ada", tz="Europe/London", is_admin=True)
    fake.add_channel("C_GENERAL", "general")
    fake.add_channel("C_MARKETING", "marketing")
    yield fake
    server.shutdown()
    server.server_close()
    for call in fake.calls:
        assert_valid_payload(call.method, call.args)


def bot_settings(database_url: str, fake: FakeSlack, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.url,
        "database_url": database_url,
        "host": "127.0.0.1",
        "port": 0,
        "workers": 8,
        **overrides,
    }
    return Settings.model_validate(values)  # validated like the environment, without reading it


@dataclass
class RunningBot:
    """The real app behind a real HTTP server, and a Slack that talks to it."""

    url: str
    deps: Deps
    fake: FakeSlack
    slack: SlackClient

    def open_home(self, user: str = "U_ALICE") -> None:
        """The person opens okrbot's Home tab, and it is published for them."""
        published = len(self.fake.calls_to("views.publish"))
        self.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
        self.fake.wait_for("views.publish", count=published + 1)


@contextmanager
def running_bot(database_url: str, fake: FakeSlack, clock: TestClock) -> Iterator[RunningBot]:
    deps = Deps(
        settings=bot_settings(database_url, fake), engine=make_engine(database_url), clock=clock
    )
    migrate.upgrade(deps.engine)
    listeners = listener_pool()
    server = make_server(deps, build_slack_app(deps, listeners))
    thread = threading.Thread(
        target=run_until_stopped, args=(server,), daemon=True, name="okrbot-http"
    )
    thread.start()
    url = f"http://127.0.0.1:{bound_port(server)}/"
    try:
        yield RunningBot(
            url=url,
            deps=deps,
            fake=fake,
            slack=SlackClient(bot_url=url, signing_secret=SIGNING_SECRET, fake_api_url=fake.url),
        )
    finally:
        request_stop(server)
        thread.join(timeout=15)
        listeners.shutdown(wait=True)  # work after the ack finishes before Slack goes away
        deps.engine.dispose()


@pytest.fixture
def bot(tmp_path: Path, fake_slack: FakeSlack, clock: TestClock) -> Iterator[RunningBot]:
    """okrbot on SQLite, serving HTTP on a free port, talking to the fake Slack."""
    with running_bot(f"sqlite:///{tmp_path / 'okrbot.db'}", fake_slack, clock) as running:
        yield running
