"""The Messages tab: "checkin" and "help" in a DM do what `/okr checkin` and the help do."""

import json
from typing import Any

from okrbot.bot.slack.blocks.buttons import CHECKIN_BUTTON
from tests.conftest import RunningBot
from tests.reminder_factories import Seed


def dm(bot: RunningBot, text: str, **extra: Any) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D_ALICE",
        "user": "U_ALICE",
        "text": text,
        "ts": "1.000001",
        **extra,
    }
    assert bot.slack.event(event).status_code == 200


def test_help_in_a_dm_lists_what_okr_and_kpi_can_do(bot: RunningBot) -> None:
    dm(bot, "help")
    okr, kpi = bot.fake.wait_for("chat.postMessage", count=2)
    assert okr.args["channel"] == "D_ALICE"
    assert "`/okr checkin [key result]`" in okr.args["text"]
    assert "`/okr reminders [on|off]`" in okr.args["text"]
    assert "/kpi" in kpi.args["text"]


def test_checkin_in_a_dm_offers_a_check_in_button_per_key_result(bot: RunningBot) -> None:
    """A DM has no trigger for a modal: the answer's buttons open it, key result picked."""
    seed = Seed(bot.deps.engine)
    goal = seed.objective(seed.area(), "Grow signups")
    signups = seed.key_result(goal, "Signups to 500")
    newsletter = seed.key_result(goal, "Newsletter launched")

    dm(bot, "checkin")
    (answer,) = bot.fake.wait_for("chat.postMessage")
    values = [
        block["accessory"]["value"]
        for block in answer.args["blocks"]
        if block.get("accessory", {}).get("action_id") == CHECKIN_BUTTON
    ]
    assert values == [str(signups.id), str(newsletter.id)]

    bot.fake.reset_calls()
    dm(bot, "checkin newsletter")
    (answer,) = bot.fake.wait_for("chat.postMessage")
    assert "Newsletter launched" in answer.args["text"]
    assert f'"value": "{newsletter.id}"' in json.dumps(answer.args["blocks"])
    assert f'"value": "{signups.id}"' not in json.dumps(answer.args["blocks"])


def test_other_words_get_a_hint_and_bot_messages_get_nothing(bot: RunningBot) -> None:
    dm(bot, "hello there")
    (hint,) = bot.fake.wait_for("chat.postMessage")
    assert "`checkin`" in hint.args["text"]
    bot.fake.reset_calls()
    dm(bot, "help", bot_id="B_BOT")  # our own message echoed back: no loop
    dm(bot, "help", subtype="message_changed")
    dm(bot, "help", channel_type="channel")
    dm(bot, "hi")  # answered after the three above were (listeners start in order)
    (only,) = bot.fake.wait_for("chat.postMessage")
    assert "`checkin`" in only.args["text"]
