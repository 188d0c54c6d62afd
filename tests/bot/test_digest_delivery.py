"""Delivering digests: rate limits and server errors retried, failures kept for the next tick."""

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine

from okrbot.bot.delivery import Courier
from okrbot.bot.deps import Deps
from okrbot.bot.scheduler import tick
from okrbot.storage.models import RunStatus
from tests import digest_seed as seed
from tests.conftest import BOT_TOKEN, bot_settings
from tests.fakes.slack_api import ApiCall, FakeSlack

MONDAY_9_BERLIN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def deps(sqlite_engine: Engine, fake_slack: FakeSlack) -> Deps:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    return Deps(settings=bot_settings(url, fake_slack), engine=sqlite_engine)


def _marketing(engine: Engine, channel: str = "C_MARKETING") -> int:
    workspace_id = seed.workspace(engine)
    return seed.area(engine, workspace_id, "Marketing", channel=channel, leads=("U_ALICE", "U_BOB"))


def _to(fake: FakeSlack, channel: str) -> list[ApiCall]:
    return [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == channel]


def test_a_429_then_500s_are_waited_out_and_the_digest_is_posted_once(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    """Slack says "slow down" (Retry-After: 1), then fails twice: one digest, after a pause."""
    _marketing(deps.engine)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    fake_slack.fail_next("chat.postMessage", status=500, times=2)
    tick(deps, MONDAY_9_BERLIN)
    attempts = _to(fake_slack, "C_MARKETING")
    assert len(attempts) == 4  # 429, 500, 500, then the one that got through
    assert attempts[1].at - attempts[0].at >= 1.0  # Retry-After was honoured
    [run] = seed.digest_runs(deps.engine)
    assert (run.status, run.attempts) == (RunStatus.SENT, 1)
    assert run.message_ts

    fake_slack.reset_calls()
    tick(deps, MONDAY_9_BERLIN + timedelta(minutes=1))
    assert _to(fake_slack, "C_MARKETING") == []  # posted, so never again


def test_a_send_that_still_fails_is_recorded_and_posted_at_the_next_tick(
    deps: Deps, fake_slack: FakeSlack
) -> None:
    """A 429 asking for two minutes is not waited out: the run fails, the next tick sends it."""
    _marketing(deps.engine)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=120)
    tick(deps, MONDAY_9_BERLIN)
    [run] = seed.digest_runs(deps.engine)
    assert run.status == RunStatus.FAILED
    assert "ratelimited" in run.last_error

    fake_slack.reset_calls()
    tick(deps, MONDAY_9_BERLIN + timedelta(minutes=1))
    tick(deps, MONDAY_9_BERLIN + timedelta(minutes=2))
    assert len(_to(fake_slack, "C_MARKETING")) == 1
    [run] = seed.digest_runs(deps.engine)
    assert (run.status, run.attempts, run.last_error) == (RunStatus.SENT, 2, "")


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found", "is_archived"])
def test_a_channel_the_bot_cannot_post_to_is_recorded_and_leads_told_once(
    deps: Deps, fake_slack: FakeSlack, error: str
) -> None:
    """Leads get one direct message, not one a minute; once fixed, the digest goes out."""
    fake_slack.add_channel("C_BROKEN", "broken", error=error)
    area_id = _marketing(deps.engine, channel="C_BROKEN")
    for minute in range(3):
        tick(deps, MONDAY_9_BERLIN + timedelta(minutes=minute))
    assert seed.get_area(deps.engine, area_id).channel_error == error
    dms = [*_to(fake_slack, "U_ALICE"), *_to(fake_slack, "U_BOB")]
    assert len(dms) == 2
    assert "Marketing" in dms[0].args["text"]
    assert "<#C_BROKEN>" in dms[0].args["text"]
    [run] = seed.digest_runs(deps.engine)
    assert (run.status, run.last_error) == (RunStatus.FAILED, error)

    fake_slack.channels["C_BROKEN"].error = None  # someone invited the bot
    fake_slack.reset_calls()
    tick(deps, MONDAY_9_BERLIN + timedelta(minutes=3))
    assert len(_to(fake_slack, "C_BROKEN")) == 1
    assert seed.get_area(deps.engine, area_id).channel_error == ""
    assert _to(fake_slack, "U_ALICE") == []


class _FakeTime:
    """Monotonic time that only moves when the courier sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_posts_to_one_channel_are_a_second_apart_and_other_channels_do_not_wait(
    fake_slack: FakeSlack,
) -> None:
    """About one message a second per channel, as Slack allows; different channels in parallel."""
    time = _FakeTime()
    courier = Courier(
        WebClient(token=BOT_TOKEN, base_url=fake_slack.url),
        monotonic=time.monotonic,
        sleep=time.sleep,
    )
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    courier.post("C_MARKETING", text="hi", blocks=blocks)
    courier.post("C_GENERAL", text="hi", blocks=blocks)
    assert time.slept == []
    time.now += 0.25
    courier.post("C_MARKETING", text="hi", blocks=blocks)
    assert time.slept == [pytest.approx(0.75)]
    time.now += 5
    courier.post("C_MARKETING", text="hi", blocks=blocks)
    assert len(time.slept) == 1
