"""Steps for end-to-end KPI tests: what a person does in Slack, through the real app."""

from typing import Any

import httpx

from okrbot.bot.slack.blocks.kpi_modals import FIELD_BLOCKS
from okrbot.bot.slack.blocks.kpis import VALUE_BLOCK
from tests.conftest import RunningBot

_SELECTS = {"static_select", "external_select", "radio_buttons"}


def submitted(view: dict[str, Any], **changes: Any) -> dict[str, dict[str, Any]]:
    """The state Slack sends when `view` is submitted: initial values, then `changes`.

    `changes` maps a block id to what the person typed or picked: a string for text inputs,
    an option value for selects, a user id (or list of ids), a date or time string.
    """
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        block_id = block["block_id"]
        state = _state(element, changes[block_id]) if block_id in changes else _initial(element)
        values[block_id] = {element["action_id"]: {"type": element["type"], **state}}
    return values


def _initial(element: dict[str, Any]) -> dict[str, Any]:
    kind = element["type"]
    if kind in _SELECTS:
        return {"selected_option": element.get("initial_option")}
    if kind == "users_select":
        return {"selected_user": element.get("initial_user")}
    if kind == "multi_users_select":
        return {"selected_users": element.get("initial_users", [])}
    if kind == "timepicker":
        return {"selected_time": element.get("initial_time")}
    if kind == "datepicker":
        return {"selected_date": element.get("initial_date")}
    return {"value": element.get("initial_value")}


def _state(element: dict[str, Any], change: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind in _SELECTS:
        options = element.get("options") or [
            {"text": {"type": "plain_text", "text": change}, "value": change}
        ]
        chosen = next(option for option in options if option["value"] == change)
        return {"selected_option": chosen}
    if kind == "users_select":
        return {"selected_user": change}
    if kind == "multi_users_select":
        return {"selected_users": list(change)}
    if kind == "timepicker":
        return {"selected_time": change}
    if kind == "datepicker":
        return {"selected_date": change}
    return {"value": change}


def latest_view(bot: RunningBot, method: str = "views.open", count: int = 1) -> dict[str, Any]:
    """The view of the `count`-th call of `method`, once it arrived."""
    view: dict[str, Any] = bot.fake.wait_for(method, count=count)[count - 1].args["view"]
    return view


def setup_form(bot: RunningBot, opened: int, updated: int) -> dict[str, Any]:
    """The setup form of the modal opened after `opened` others: opened with it, or opened
    loading and updated with it (a new area waits for the person's time zone from Slack)."""
    view = latest_view(bot, count=opened + 1)
    return view if "submit" in view else latest_view(bot, "views.update", count=updated + 1)


def modal_counts(bot: RunningBot) -> tuple[int, int]:
    """How many modals were opened and updated so far: where the next one will be."""
    return len(bot.fake.calls_to("views.open")), len(bot.fake.calls_to("views.update"))


def set_up_area(
    bot: RunningBot, *, user: str = "U_ALICE", channel: str = "C_MARKETING", **changes: Any
) -> httpx.Response:
    """`/okr setup` in #marketing, submitted with the form's defaults and `changes`."""
    counts = modal_counts(bot)
    bot.slack.command("/okr", "setup", user=user, channel=channel, channel_name="marketing")
    view = setup_form(bot, *counts)
    return bot.slack.view_submission(view, submitted(view, **changes), user=user)


def create_kpi(
    bot: RunningBot,
    *,
    user: str = "U_ALICE",
    channel: str = "C_MARKETING",
    name: str = "Website conversion rate",
    target: str = "7",
    **fields: Any,
) -> httpx.Response:
    """`/kpi new` submitted with a name, a target and any other form field (by field name)."""
    opened = len(bot.fake.calls_to("views.open"))
    bot.slack.command("/kpi", "new", user=user, channel=channel)
    view = latest_view(bot, count=opened + 1)
    changes = {FIELD_BLOCKS["name"]: name, FIELD_BLOCKS["target"]: target}
    changes |= {FIELD_BLOCKS[field]: value for field, value in fields.items()}
    return bot.slack.view_submission(view, submitted(view, **changes), user=user)


def open_update(
    bot: RunningBot, name: str = "", *, user: str = "U_ALICE", channel: str = "C_MARKETING"
) -> dict[str, Any]:
    """`/kpi update [name]`: the modal it opens."""
    opened = len(bot.fake.calls_to("views.open"))
    response = bot.slack.command("/kpi", f"update {name}".strip(), user=user, channel=channel)
    assert response.status_code == 200
    return latest_view(bot, count=opened + 1)


def submit_value(
    bot: RunningBot, view: dict[str, Any], value: str, *, user: str = "U_ALICE"
) -> httpx.Response:
    return bot.slack.view_submission(view, submitted(view, **{VALUE_BLOCK: value}), user=user)


def record(bot: RunningBot, name: str, value: str, *, user: str = "U_ALICE") -> httpx.Response:
    """`/kpi update NAME` and submit `value`."""
    return submit_value(bot, open_update(bot, name, user=user), value, user=user)


def errors_of(response: httpx.Response) -> dict[str, str]:
    body = response.json()
    assert body["response_action"] == "errors", body
    errors: dict[str, str] = body["errors"]
    return errors
