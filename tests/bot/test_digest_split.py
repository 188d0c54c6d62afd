"""A long digest splits into valid messages, red first, and accounts for every KPI."""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from okrbot.bot.slack.blocks.buttons import KPI_FIX_BUTTON
from okrbot.bot.slack.blocks.digest import (
    DIGEST_REST_BUTTON,
    Message,
    digest_messages,
)
from okrbot.handlers.digest import Digest, build_digest
from okrbot.storage.db import session_scope
from tests import digest_seed as seed
from tests.conftest import RunningBot
from tests.fakes.blockkit import assert_valid_message

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
THIS_WEEK = date(2026, 11, 30)
KPI_NAME = re.compile(r"\*KPI (\d{3})\*")
# One KPI of each colour in turn, so names alone never sort the red ones first.
VALUES_BY_COLOUR: list[tuple[date, float] | None] = [
    (THIS_WEEK, 6.1),  # red
    (THIS_WEEK, 7.5),  # watch
    (THIS_WEEK - timedelta(weeks=4), 9.0),  # stale
    None,  # no data
    (THIS_WEEK, 9.0),  # healthy
]


def _digest(
    engine: Engine, values: list[tuple[date, float] | None], team: str = "T_ACME"
) -> Digest:
    workspace_id = seed.workspace(engine, team)
    area_id = seed.area(engine, workspace_id, "Marketing", channel="C_MARKETING")
    seed.many_kpis(engine, workspace_id, area_id, values)
    with session_scope(engine) as session:
        digest = build_digest(session, workspace_id=workspace_id, area_id=area_id, now=NOW)
    assert digest is not None
    return digest


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [
            t
            for key, value in node.items()
            for t in ([value] if key == "text" and isinstance(value, str) else _texts(value))
        ]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


def _kpis_in_order(messages: list[Message]) -> list[int]:
    return [
        int(n)
        for message in messages
        for text in _texts(message.blocks)
        for n in KPI_NAME.findall(text)
    ]


def _buttons(messages: list[Message], action_id: str) -> list[dict[str, Any]]:
    found = []
    for message in messages:
        for block in message.blocks:
            elements = [block.get("accessory"), *block.get("elements", [])]
            found += [
                e for e in elements if isinstance(e, dict) and e.get("action_id") == action_id
            ]
    return found


def test_500_kpis_split_into_valid_messages_red_first_every_kpi_shown(
    sqlite_engine: Engine,
) -> None:
    """Several messages, each valid for Slack; red KPIs first; all 500 listed exactly once."""
    digest = _digest(sqlite_engine, VALUES_BY_COLOUR * 100)
    messages = digest_messages(digest)
    assert len(messages) > 1
    for message in messages:
        assert message.text  # every message has a fallback
        assert len(message.blocks) <= 50
        assert_valid_message({"text": message.text, "blocks": message.blocks})
    shown = _kpis_in_order(messages)
    assert sorted(shown) == list(range(500))  # each once, none dropped
    red = {n for n in range(500) if n % 5 == 0}
    assert set(shown[: len(red)]) == red  # all the red ones come first
    assert len(_buttons(messages, KPI_FIX_BUTTON)) == 100  # a fix button on each red KPI
    assert "100 unhealthy, 100 watch, 100 stale, 100 no data, 100 healthy" in messages[0].text


def test_500_red_kpis_fill_five_messages_and_count_the_rest_with_a_button(
    sqlite_engine: Engine,
) -> None:
    """Past five messages the digest stops listing, and says how many more and of what."""
    digest = _digest(sqlite_engine, [(THIS_WEEK, 1.0)] * 500)
    messages = digest_messages(digest)
    assert len(messages) == 5
    for message in messages:
        assert_valid_message({"text": message.text, "blocks": message.blocks})
    shown = _kpis_in_order(messages)
    [rest] = _buttons(messages, DIGEST_REST_BUTTON)
    counted = re.search(r"…and (\d+) more KPIs \((\d+) unhealthy\)", str(messages[-1].blocks))
    assert counted is not None
    more = int(counted.group(1))
    assert int(counted.group(2)) == more
    assert len(shown) + more == 500
    assert rest["value"] == f"{digest.area.id}:{len(shown)}"


def test_list_them_opens_a_modal_with_the_rest(bot: RunningBot) -> None:
    """The "List them" button shows exactly the KPIs the digest had no room for."""
    digest = _digest(bot.deps.engine, [(THIS_WEEK, 1.0)] * 500)
    messages = digest_messages(digest)
    [rest] = _buttons(messages, DIGEST_REST_BUTTON)
    shown = _kpis_in_order(messages)

    bot.slack.block_action(DIGEST_REST_BUTTON, value=rest["value"], channel="C_MARKETING")
    [update] = bot.fake.wait_for("views.update")
    listed = [
        int(n) for text in _texts(update.args["view"]["blocks"]) for n in KPI_NAME.findall(text)
    ]
    assert sorted(shown + listed) == list(range(500))


def test_list_them_for_another_workspace_area_shows_nothing_of_it(bot: RunningBot) -> None:
    """A forged button value naming another workspace's area reveals none of its KPIs."""
    digest = _digest(bot.deps.engine, [(THIS_WEEK, 1.0)] * 3, team="T_OTHER")
    bot.slack.block_action(DIGEST_REST_BUTTON, value=f"{digest.area.id}:0", channel="C_MARKETING")
    [update] = bot.fake.wait_for("views.update")
    assert KPI_NAME.findall(str(update.args["view"]["blocks"])) == []
    assert "no longer exists" in str(update.args["view"]["blocks"])


def test_list_them_with_a_forged_non_ascii_number_says_the_area_is_gone(bot: RunningBot) -> None:
    """A button value like "²:0" (a digit to `isdigit`, not to `int`) still fills the modal."""
    bot.slack.block_action(DIGEST_REST_BUTTON, value="²:³", channel="C_MARKETING")
    [update] = bot.fake.wait_for("views.update")
    assert "no longer exists" in str(update.args["view"]["blocks"])
