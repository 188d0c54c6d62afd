"""The Home tab over signed HTTP: published on open, a dashboard, and buttons that work."""

import json
from datetime import date, timedelta
from typing import Any

from okrbot.bot.slack.blocks.buttons import CHECKIN_BUTTON, KPI_FIX_BUTTON, KPI_UPDATE_BUTTON
from okrbot.bot.slack.blocks.checkin import PICK_BLOCK
from okrbot.bot.slack.blocks.home import (
    HOME_NEW_KPI,
    HOME_NEW_OBJECTIVE,
    HOME_SETTINGS,
    HOME_SHOW_ALL,
    KEY_RESULTS,
    REMINDERS_ACTION,
    REMINDERS_BLOCK,
    SETTINGS_CALLBACK,
)
from okrbot.bot.slack.blocks.okr_new import NEW_CALLBACK
from okrbot.storage.models import Confidence
from tests.conftest import RunningBot
from tests.fakes.blockkit import assert_valid_view
from tests.reminder_factories import Seed

LAST_WEEK = date(2026, 11, 23)
HOME_OPENED = {"type": "app_home_opened", "user": "U_ALICE", "tab": "home", "channel": "D_ALICE"}


def texts(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def buttons(view: dict[str, Any], action_id: str) -> list[str]:
    return [
        str(element.get("value", ""))
        for block in view["blocks"]
        for element in [block.get("accessory"), *block.get("elements", [])]
        if isinstance(element, dict) and element.get("action_id") == action_id
    ]


def open_home(bot: RunningBot, **event: Any) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.publish"))
    assert bot.slack.event({**HOME_OPENED, **event}).status_code == 200
    published = bot.fake.wait_for("views.publish", count=before + 1)
    view: dict[str, Any] = published[-1].args["view"]
    return view


def test_opening_home_shows_my_key_results_and_red_kpi_and_check_in_opens_the_modal(
    bot: RunningBot,
) -> None:
    """Two key results and a red KPI: one valid views.publish shows both key results and the
    KPI with its fix button; "Check in" on a key result opens the modal with it picked."""
    seed = Seed(bot.deps.engine)
    area = seed.area()
    goal = seed.objective(area, "Grow signups")
    signups = seed.key_result(goal, "Signups to 500", current=4.0)
    seed.checkin(signups, at=bot.deps.clock() - timedelta(days=3), confidence=Confidence.OFF_TRACK)
    newsletter = seed.key_result(goal, "Newsletter launched")
    conversion = seed.kpi(area, "Website conversion rate", values={LAST_WEEK: 6.1})

    assert bot.slack.event(HOME_OPENED).status_code == 200
    bot.fake.wait_for("users.info")  # after publishing, it notes her time zone
    (publish,) = bot.fake.calls_to("views.publish")
    view = publish.args["view"]
    assert publish.args["user_id"] == "U_ALICE"
    assert_valid_view(view)
    shown = texts(view)
    assert "Signups to 500" in shown
    assert "Newsletter launched" in shown
    assert "3 days since the last check-in" in shown
    assert "Website conversion rate" in shown
    assert "6.1 %" in shown
    assert buttons(view, KPI_FIX_BUTTON) == [str(conversion.id)]
    assert buttons(view, KPI_UPDATE_BUTTON) == [str(conversion.id)]
    assert buttons(view, CHECKIN_BUTTON) == [str(newsletter.id), str(signups.id)]

    published = {**view, "id": publish.args.get("view_id", "V_HOME"), "hash": "hash-1"}
    response = bot.slack.block_action(
        CHECKIN_BUTTON, value=str(signups.id), view=published, container_type="view"
    )
    assert response.status_code == 200
    bot.fake.wait_for("views.open")  # at once, within the trigger's 3 seconds
    (filled,) = bot.fake.wait_for("views.update")
    picker = next(b for b in filled.args["view"]["blocks"] if b.get("block_id") == PICK_BLOCK)
    assert picker["accessory"]["initial_option"]["value"] == str(signups.id)


def test_the_first_visit_welcomes_and_later_visits_do_not(bot: RunningBot) -> None:
    first = open_home(bot)
    assert "Welcome to okrbot" in texts(first)
    assert "`/okr checkin`" in texts(first)
    assert "/kpi" in texts(first)
    second = open_home(bot)
    assert "Welcome to okrbot" not in texts(second)
    assert "`/okr help`" in texts(second)


def test_publish_passes_the_known_hash_and_survives_a_hash_conflict(bot: RunningBot) -> None:
    """Someone published meanwhile: the stale hash is refused, and a fresh build goes out."""
    bot.fake.published_hashes["U_ALICE"] = "hash-newer"
    assert (
        bot.slack.event({**HOME_OPENED, "view": {"id": "V1", "hash": "hash-older"}}).status_code
        == 200
    )
    refused, accepted = bot.fake.wait_for("views.publish", count=2)
    assert refused.args["hash"] == "hash-older"
    assert "hash" not in accepted.args
    assert "Welcome to okrbot" in texts(accepted.args["view"])  # the retry keeps the welcome


def test_long_lists_stay_within_100_blocks_and_show_all_lists_everything(
    bot: RunningBot,
) -> None:
    seed = Seed(bot.deps.engine)
    area = seed.area()
    for number in range(4):
        goal = seed.objective(area, f"Goal {number}")
        for kr in range(10):
            seed.key_result(goal, f"Key result {number}.{kr}")
    for number in range(25):
        seed.kpi(area, f"KPI {number:02d}", values={LAST_WEEK: 6.1 if number % 2 else 9.0})

    view = open_home(bot)
    assert_valid_view(view)
    assert len(view["blocks"]) <= 100
    assert sorted(buttons(view, HOME_SHOW_ALL)) == ["key_results", "kpis"]

    home = {**view, "id": "V_HOME", "hash": "hash-home"}
    bot.slack.block_action(HOME_SHOW_ALL, value=KEY_RESULTS, view=home, container_type="view")
    bot.fake.wait_for("views.open")
    (listed,) = bot.fake.wait_for("views.update")
    every = texts(listed.args["view"])
    assert all(f"Key result {n}.{kr}" in every for n in range(4) for kr in range(10))


def test_settings_turn_reminders_off_and_the_tab_says_so(bot: RunningBot) -> None:
    home = {**open_home(bot), "id": "V_HOME", "hash": "hash-home"}
    bot.slack.block_action(HOME_SETTINGS, value="settings", view=home, container_type="view")
    (opened,) = bot.fake.wait_for("views.open")
    settings = opened.args["view"]
    assert settings["callback_id"] == SETTINGS_CALLBACK
    off = {"type": "radio_buttons", "selected_option": {"value": "off"}}
    response = bot.slack.view_submission(settings, {REMINDERS_BLOCK: {REMINDERS_ACTION: off}})
    assert response.status_code == 200
    republished = bot.fake.wait_for("views.publish", count=2)[-1]
    assert "weekly reminders are off" in texts(republished.args["view"])
    stored = Seed(bot.deps.engine).stored_preference("U_ALICE")
    assert stored is not None
    assert stored.reminders_enabled is False


def test_new_objective_quick_action_opens_the_okr_new_modal(bot: RunningBot) -> None:
    Seed(bot.deps.engine).area()
    home = {**open_home(bot), "id": "V_HOME", "hash": "hash-home"}
    bot.slack.block_action(HOME_NEW_OBJECTIVE, value="new", view=home, container_type="view")
    (opened,) = bot.fake.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == NEW_CALLBACK


def test_quick_action_answers_what_the_command_would_say_as_a_dm(bot: RunningBot) -> None:
    """ "New KPI" before any area exists: `/kpi new`'s ephemeral answer arrives as a DM (the
    Home tab has no channel to answer in)."""
    home = {**open_home(bot), "id": "V_HOME", "hash": "hash-home"}
    bot.slack.block_action(HOME_NEW_KPI, value="new", view=home, container_type="view")
    (told,) = bot.fake.wait_for("chat.postMessage")
    assert told.args["channel"] == "U_ALICE"
    assert "/okr setup" in told.args["text"]
    assert bot.fake.calls_to("views.open") == []
