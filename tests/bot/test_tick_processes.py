"""Several `okrbot tick` processes sharing one PostgreSQL: every digest posted exactly once."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from okrbot.storage import migrate
from okrbot.storage.db import make_engine
from okrbot.storage.models import RunStatus
from tests import digest_seed as seed
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, _wipe_postgres
from tests.fakes.slack_api import FakeSlack

pytestmark = pytest.mark.postgres

MONDAY_9_BERLIN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
AREAS = 5


@pytest.fixture
def pg_url(pg_scratch_url: str) -> str:
    _wipe_postgres(pg_scratch_url)
    return pg_scratch_url


@pytest.fixture
def engine(pg_url: str) -> Engine:
    engine = make_engine(pg_url)
    migrate.upgrade(engine)
    workspace_id = seed.workspace(engine)
    for number in range(AREAS):
        area_id = seed.area(engine, workspace_id, f"Area {number}", channel=f"C_AREA{number}")
        seed.kpi(
            engine, workspace_id, area_id, f"Conversion {number}", values={date(2026, 11, 30): 6.1}
        )
    return engine


def _tick(tmp_path: Path, url: str, fake: FakeSlack, now: datetime) -> subprocess.Popen[str]:
    """Start `okrbot tick --now …` in its own process, configured as an operator would."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.Popen(
        [sys.executable, "-m", "okrbot.bot.cli", "tick", "--now", now.isoformat()],
        env={
            **keep,
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url,
        },
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> None:
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err


def _digest_channels(fake: FakeSlack) -> list[str]:
    return sorted(call.args["channel"] for call in fake.calls_to("chat.postMessage"))


def test_two_processes_ticking_at_once_post_one_digest_per_area(
    engine: Engine, pg_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Two bots (two OS processes) tick the same minute: each area's digest appears once."""
    processes = [_tick(tmp_path, pg_url, fake_slack, MONDAY_9_BERLIN) for _ in range(2)]
    for process in processes:
        _finish(process)
    assert _digest_channels(fake_slack) == [f"C_AREA{n}" for n in range(AREAS)]
    assert {run.status for run in seed.digest_runs(engine)} == {RunStatus.SENT}


def _wait_for_claims(engine: Engine, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(seed.digest_runs(engine)) < count:
        assert time.monotonic() < deadline, "the tick never claimed its digests"
        time.sleep(0.05)


def test_a_tick_killed_between_claim_and_send_posts_exactly_once_after_restart(
    engine: Engine, pg_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """SIGKILL after the claims are committed and before any post: one digest each later.

    The test holds the KPI table locked, so the tick stops right after claiming (building a
    digest reads KPIs); it is killed there, deterministically.
    """
    with psycopg.connect(pg_url) as blocker:
        blocker.execute("LOCK TABLE kpi IN ACCESS EXCLUSIVE MODE")
        process = _tick(tmp_path, pg_url, fake_slack, MONDAY_9_BERLIN)
        _wait_for_claims(engine, AREAS)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        blocker.rollback()
    assert fake_slack.calls_to("chat.postMessage") == []
    assert {run.status for run in seed.digest_runs(engine)} == {RunStatus.CLAIMED}

    _finish(_tick(tmp_path, pg_url, fake_slack, MONDAY_9_BERLIN + timedelta(minutes=1)))
    assert fake_slack.calls_to("chat.postMessage") == []  # too fresh to call abandoned
    for minutes in (11, 12):
        _finish(_tick(tmp_path, pg_url, fake_slack, MONDAY_9_BERLIN + timedelta(minutes=minutes)))
    assert _digest_channels(fake_slack) == [f"C_AREA{n}" for n in range(AREAS)]
    assert {(run.status, run.attempts) for run in seed.digest_runs(engine)} == {(RunStatus.SENT, 2)}
