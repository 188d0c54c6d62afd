"""The HTTP front door: signatures, help, health."""

import json
import logging
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.conftest import BOT_TOKEN, SIGNING_SECRET, RunningBot, TestClock, running_bot
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_client import sign


def test_okr_help_answers_ephemerally_with_every_subcommand(bot: RunningBot) -> None:
    """A signed `/okr help` gets a quick ephemeral list of what /okr can do."""
    started = time.perf_counter()
    response = bot.slack.command("/okr", "help")
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "/okr help" in body["text"]


def test_unknown_subcommand_suggests_the_closest(bot: RunningBot) -> None:
    """`/kpi hlep` answers with help and a "did you mean" for the closest subcommand."""
    body = bot.slack.command("/kpi", "hlep").json()
    assert "I don't know `/kpi hlep`" in body["text"]
    assert "Did you mean `/kpi help`?" in body["text"]


def test_unsigned_wrong_and_stale_signatures_are_refused(bot: RunningBot) -> None:
    """Unsigned, wrongly signed and 6-minute-old requests get 401 and reach no listener."""
    body = urlencode({"command": "/okr", "text": "help", "team_id": "T_ACME"}).encode()
    form = "application/x-www-form-urlencoded"
    stale = int(time.time()) - 6 * 60
    answers = [
        bot.slack.post(body, form, signed=False),
        bot.slack.post(body, form, signature="v0=" + "0" * 64),
        bot.slack.post(body, form, timestamp=stale, signature=sign("x", str(stale), body)),
        bot.slack.post(body, form, timestamp=stale),
    ]
    assert [a.status_code for a in answers] == [401, 401, 401, 401]
    assert bot.fake.calls_to("response_url") == []


def test_healthz_is_200_when_the_database_answers(bot: RunningBot) -> None:
    response = httpx.get(bot.url + "healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok"}


def test_slow_listeners_never_delay_another_requests_ack(bot: RunningBot) -> None:
    """With more listeners stuck on a slow Slack call than there are HTTP threads, a new
    request is still acknowledged: listeners run on their own pool, after their ack."""
    gate = bot.fake.hold("views.publish")
    try:
        stuck = bot.deps.settings.workers + 4
        for _ in range(stuck):
            opened = bot.slack.event({"type": "app_home_opened", "user": "U_ALICE", "tab": "home"})
            assert opened.status_code == 200
        bot.fake.wait_for("views.publish", count=stuck)
        response = bot.slack.command("/okr", "help")
        assert response.status_code == 200
        assert "/okr help" in response.json()["text"]
        assert not gate.is_set()  # every one of them is still waiting on Slack
    finally:
        gate.set()


def test_each_request_is_logged_once_without_secrets(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Operators get one structured line per request: type, id, workspace, status, latency."""
    with caplog.at_level(logging.INFO, logger="okrbot.requests"):
        bot.slack.command("/kpi", "help")
    lines = [r.getMessage() for r in caplog.records if r.name == "okrbot.requests"]
    assert len(lines) == 1
    assert "type=command id='/kpi help' workspace=T_ACME status=200 ms=" in lines[0]
    everything = caplog.text
    assert BOT_TOKEN not in everything
    assert SIGNING_SECRET not in everything


def test_healthz_is_503_when_the_database_does_not_answer(
    fake_slack: FakeSlack, clock: TestClock, tmp_path: Path
) -> None:
    """A load balancer stops sending traffic to a bot that cannot reach its database."""
    with running_bot(f"sqlite:///{tmp_path / 'okrbot.db'}", fake_slack, clock) as running:
        running.deps.engine.dispose()
        (tmp_path / "okrbot.db").unlink()
        (tmp_path / "okrbot.db").mkdir()  # the path now cannot be opened as a database
        response = httpx.get(running.url + "healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "unreachable"}
