"""The weekly digest tick: on time in each area's zone, exactly once, never lost."""

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session

from okrbot.bot import cli
from okrbot.bot.deps import Deps
from okrbot.bot.scheduler import tick
from okrbot.storage.models import RunStatus, ScheduledRun
from tests import digest_seed as seed
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, bot_settings
from tests.fakes.slack_api import ApiCall, FakeSlack

MONDAY_9_BERLIN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
MONDAY_9_NEW_YORK = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


@pytest.fixture
def deps(any_engine: Engine, fake_slack: FakeSlack) -> Deps:
    """The bot's dependencies on both databases, talking to the fake Slack (no HTTP server)."""
    url = any_engine.url.render_as_string(hide_password=False)
    return Deps(settings=bot_settings(url, fake_slack), engine=any_engine)


def _posts(fake: FakeSlack, channel: str | None = None) -> list[ApiCall]:
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if channel is None or call.args["channel"] == channel
    ]


def _digest_posts(fake: FakeSlack) -> list[str]:
    """The channels that got a digest (its first message), in order."""
    return [
        call.args["channel"]
        for call in _posts(fake)
        if call.args["channel"].startswith("C") and "continued" not in call.args["text"]
    ]


def _areas(engine: Engine) -> dict[str, int]:
    workspace_id = seed.workspace(engine)
    return {
        "berlin": seed.area(engine, workspace_id, "Marketing", channel="C_MARKETING"),
        "berlin2": seed.area(engine, workspace_id, "Sales", channel="C_SALES"),
        "new_york": seed.area(
            engine, workspace_id, "US Sales", channel="C_US", timezone="America/New_York"
        ),
        "no_channel": seed.area(engine, workspace_id, "Product", channel=None),
    }


@pytest.fixture
def operator_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, deps: Deps, fake_slack: FakeSlack
) -> None:
    """`okrbot tick` reads its settings from the environment, as an operator's shell has them."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", deps.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)


@pytest.mark.usefixtures("operator_env")
def test_okrbot_tick_at_nine_berlin_posts_berlin_digests_and_new_york_waits(
    deps: Deps, fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 09:00 Berlin each Berlin area gets one digest; New York's comes at its own 09:00."""
    seed.workspace(deps.engine, "T_GONE", active=False)
    _areas(deps.engine)
    assert cli.main(["tick", "--now", MONDAY_9_BERLIN.isoformat()]) == 0
    assert "ticked at 2026-11-30T08:00:00+00:00" in capsys.readouterr().out
    assert sorted(_digest_posts(fake_slack)) == ["C_MARKETING", "C_SALES"]

    fake_slack.reset_calls()
    for instant in (MONDAY_9_BERLIN, MONDAY_9_NEW_YORK - timedelta(minutes=1)):
        assert cli.main(["tick", "--now", instant.isoformat()]) == 0
    assert _digest_posts(fake_slack) == []  # nothing twice, New York not yet

    assert cli.main(["tick", "--now", MONDAY_9_NEW_YORK.isoformat()]) == 0
    assert _digest_posts(fake_slack) == ["C_US"]
    # Before its 09:00, New York's latest digest was last week's: too old, recorded as skipped.
    assert sorted((run.period, run.status) for run in seed.digest_runs(deps.engine)) == [
        ("2026-W48", RunStatus.SKIPPED),
        ("2026-W49", RunStatus.SENT),
        ("2026-W49", RunStatus.SENT),
        ("2026-W49", RunStatus.SENT),
    ]


def test_okrbot_tick_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["tick", "--help"])
    assert exited.value.code == 0
    assert "--now ISO-8601" in capsys.readouterr().out


def test_okrbot_tick_without_a_bot_token_says_where_to_get_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'okrbot.db'}")
    assert cli.main(["tick", "--now", MONDAY_9_BERLIN.isoformat()]) == 2
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err


def test_okrbot_tick_refuses_an_instant_without_offset(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["tick", "--now", "2026-11-30T08:00:00"])
    assert exited.value.code == 2
    assert "has no offset" in capsys.readouterr().err


def test_two_ticks_at_the_same_instant_in_parallel_post_once(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    """Overlapping ticks (two threads, same minute) post one digest per area."""
    _areas(deps.engine)
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        tick(deps, MONDAY_9_BERLIN)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(_digest_posts(fake_slack)) == ["C_MARKETING", "C_SALES"]


def test_a_digest_missed_while_down_goes_out_late_and_an_older_one_is_skipped(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    """Back after 23 hours: the digest goes out. After 25 hours: recorded as skipped, not sent."""
    workspace_id = seed.workspace(deps.engine)
    seed.area(deps.engine, workspace_id, "Marketing", channel="C_MARKETING")
    seed.area(deps.engine, workspace_id, "Sales", channel="C_SALES", hour=7)  # 25 h ago at 08:00
    tick(deps, MONDAY_9_BERLIN + timedelta(hours=23))
    assert _digest_posts(fake_slack) == ["C_MARKETING"]
    statuses = sorted((run.status, run.last_error) for run in seed.digest_runs(deps.engine))
    assert statuses[0] == (RunStatus.SENT, "")
    assert statuses[1][0] == RunStatus.SKIPPED
    assert "24 hours" in statuses[1][1]


def _abandon(engine: Engine, claimed_at: datetime, message_ts: str | None = None) -> None:
    """What a process killed between claim and send leaves behind."""
    with Session(engine) as session:
        session.execute(
            update(ScheduledRun).values(
                status=RunStatus.CLAIMED, claimed_at=claimed_at, message_ts=message_ts
            )
        )
        session.commit()


def test_a_tick_killed_between_claim_and_send_posts_exactly_once_after_restart(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    """A claim left behind is not sent twice while fresh, and is sent once when abandoned."""
    workspace_id = seed.workspace(deps.engine)
    seed.area(deps.engine, workspace_id, "Marketing", channel="C_MARKETING")
    tick(deps, MONDAY_9_BERLIN)
    fake_slack.reset_calls()
    _abandon(deps.engine, claimed_at=MONDAY_9_BERLIN)  # as if killed right after claiming

    tick(deps, MONDAY_9_BERLIN + timedelta(minutes=5))  # maybe still sending: hands off
    assert _digest_posts(fake_slack) == []
    tick(deps, MONDAY_9_BERLIN + timedelta(minutes=11))  # abandoned: retried
    tick(deps, MONDAY_9_BERLIN + timedelta(minutes=12))
    assert _digest_posts(fake_slack) == ["C_MARKETING"]
    [run] = seed.digest_runs(deps.engine)
    assert (run.status, run.attempts) == (RunStatus.SENT, 2)


def test_a_retry_resumes_after_the_messages_already_posted(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    """Killed after the first of two messages: the retry posts only the second."""
    workspace_id = seed.workspace(deps.engine)
    area_id = seed.area(deps.engine, workspace_id, "Marketing", channel="C_MARKETING")
    for number in range(60):  # 60 red KPIs: a section each, so two messages
        seed.kpi(
            deps.engine, workspace_id, area_id, f"Red {number:02d}", values={date(2026, 11, 30): 1}
        )
    tick(deps, MONDAY_9_BERLIN)
    first, second = _posts(fake_slack, "C_MARKETING")
    assert "continued, 2 of 2" in second.args["text"]
    fake_slack.reset_calls()
    _abandon(deps.engine, claimed_at=MONDAY_9_BERLIN, message_ts="1764489600.000100#1")

    tick(deps, MONDAY_9_BERLIN + timedelta(minutes=11))
    [resent] = _posts(fake_slack, "C_MARKETING")
    assert resent.args["text"] == second.args["text"]
    assert resent.args["blocks"] == second.args["blocks"]
    assert first.args["blocks"] != second.args["blocks"]


def test_a_failed_run_is_not_retried_after_24_hours(deps: Deps, fake_slack: FakeSlack) -> None:
    workspace_id = seed.workspace(deps.engine)
    seed.area(deps.engine, workspace_id, "Marketing", channel="C_MARKETING")
    fake_slack.fail_next("chat.postMessage", status=200, error="fatal_error")
    tick(deps, MONDAY_9_BERLIN)
    fake_slack.reset_calls()
    tick(deps, MONDAY_9_BERLIN + timedelta(hours=24))
    assert _posts(fake_slack) == []
    [run] = seed.digest_runs(deps.engine)
    assert run.status == RunStatus.FAILED
    assert "fatal_error" in run.last_error


# ---- daylight-saving changes ------------------------------------------------------------------
DST_CHANGES = [
    pytest.param("Europe/Berlin", date(2026, 3, 29), id="berlin-march"),
    pytest.param("Europe/Berlin", date(2026, 10, 25), id="berlin-october"),
    pytest.param("America/New_York", date(2026, 3, 8), id="new-york-march"),
    pytest.param("America/New_York", date(2026, 11, 1), id="new-york-november"),
]


def _every(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    while start < end:
        yield start
        start += step


@pytest.mark.parametrize(("timezone", "change_day"), DST_CHANGES)
def test_the_week_the_clocks_change_has_one_digest_at_nine_local(
    deps: Deps, fake_slack: FakeSlack, timezone: str, change_day: date
) -> None:
    """Ticking every 15 minutes through the change weekend: one digest each, at 09:00 local.

    Three areas in the zone: Monday 09:00 (the first Monday on the new offset), Sunday 09:00
    (the day the clocks change), and Sunday at the changing hour itself.
    """
    workspace_id = seed.workspace(deps.engine)
    changing_hour = 2 if timezone == "Europe/Berlin" else 1 if change_day.month == 11 else 2
    areas = {
        "C_MONDAY": (0, 9, 0),
        "C_SUNDAY": (6, 9, 0),
        "C_CHANGING": (6, changing_hour, 30),
    }
    for channel, (weekday, hour, minute) in areas.items():
        seed.area(
            deps.engine,
            workspace_id,
            channel,
            channel=channel,
            timezone=timezone,
            weekday=weekday,
            hour=hour,
            minute=minute,
        )
    zone = ZoneInfo(timezone)
    saturday = datetime.combine(change_day - timedelta(days=1), datetime.min.time(), tzinfo=zone)
    posted_at: dict[str, list[datetime]] = {channel: [] for channel in areas}
    for now in _every(
        saturday.astimezone(UTC),
        (saturday + timedelta(days=3)).astimezone(UTC),
        timedelta(minutes=15),
    ):
        fake_slack.reset_calls()
        tick(deps, now)
        for channel in _digest_posts(fake_slack):
            posted_at[channel].append(now.astimezone(zone))
    assert [(t.weekday(), t.hour, t.minute) for t in posted_at["C_SUNDAY"]] == [(6, 9, 0)]
    assert [(t.weekday(), t.hour, t.minute) for t in posted_at["C_MONDAY"]] == [(0, 9, 0)]
    [changing] = posted_at["C_CHANGING"]  # once, whether the time happens twice or not at all
    assert changing.date() == change_day
