"""The HTTP front door: signatures, help, health."""

import json
import time
from urllib.parse import urlencode

import httpx

from tests.conftest import RunningBot
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
