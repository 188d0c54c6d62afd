"""The `/okr setup` modal and its answers."""

from typing import Any

from okrbot.bot.slack.blocks.text import context, escape, plain, section
from okrbot.handlers.areas import NAME_LIMIT, WEEKDAYS
from okrbot.storage.models import Area

SETUP_CALLBACK = "area_setup"
NAME_BLOCK = "area_name"
LEADS_BLOCK = "area_leads"
WEEKDAY_BLOCK = "area_digest_weekday"
TIME_BLOCK = "area_digest_time"
TIMEZONE_BLOCK = "area_timezone"
INPUT_ACTION = "value"
# The AreaForm field each input block fills, for field errors.
FIELD_BLOCKS = {
    "name": NAME_BLOCK,
    "leads": LEADS_BLOCK,
    "digest_weekday": WEEKDAY_BLOCK,
    "digest_time": TIME_BLOCK,
    "timezone": TIMEZONE_BLOCK,
}
TITLE = "Set up an area"


def _modal(blocks: list[dict[str, Any]], *, channel_id: str, submit: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": SETUP_CALLBACK,
        "title": plain(TITLE),
        "close": plain("Cancel"),
        "private_metadata": channel_id,
        "blocks": blocks,
    }
    if submit:
        view["submit"] = plain("Save")
    return view


def loading_view(channel_id: str) -> dict[str, Any]:
    return _modal([section("Loading…")], channel_id=channel_id, submit=False)


def _input(block_id: str, label: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {"action_id": INPUT_ACTION, **element},
        **extra,
    }


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def setup_view(
    *,
    channel_id: str,
    area: Area | None,
    default_name: str,
    default_timezone: str,
    user_id: str,
) -> dict[str, Any]:
    """The form: name, leads, digest day and time, time zone; filled in from `area` if any."""
    weekday = area.digest_weekday if area else 0
    hour, minute = (area.digest_hour, area.digest_minute) if area else (9, 0)
    leads = list(area.leads) if area else [user_id]
    initial_name = area.name if area else default_name
    name = {"initial_value": initial_name} if initial_name else {}
    leads_initial = {"initial_users": leads} if leads else {}
    weekdays = [_option(day, str(number)) for number, day in enumerate(WEEKDAYS)]
    intro = (
        f"Change the *{escape(area.name)}* area of <#{channel_id}>."
        if area
        else f"Make <#{channel_id}> the home of an area. KPIs and OKRs created here belong to it."
    )
    blocks = [
        context(intro),
        _input(
            NAME_BLOCK,
            "Area name",
            {"type": "plain_text_input", "max_length": NAME_LIMIT, **name},
        ),
        _input(
            LEADS_BLOCK,
            "Leads",
            {"type": "multi_users_select", **leads_initial},
            optional=True,
            hint=plain("Leads may change the area and all of its KPIs."),
        ),
        _input(
            WEEKDAY_BLOCK,
            "Digest day",
            {
                "type": "static_select",
                "options": weekdays,
                "initial_option": weekdays[weekday],
            },
        ),
        _input(
            TIME_BLOCK,
            "Digest time",
            {"type": "timepicker", "initial_time": f"{hour:02d}:{minute:02d}"},
        ),
        _input(
            TIMEZONE_BLOCK,
            "Time zone",
            {
                "type": "plain_text_input",
                "initial_value": area.timezone if area else default_timezone,
                "max_length": 64,
            },
            hint=plain("Weeks, digests and values follow it, e.g. Europe/Berlin."),
        ),
    ]
    return _modal(blocks, channel_id=channel_id, submit=True)


def setup_done_text(area: Area, *, created: bool) -> str:
    weekday = WEEKDAYS[area.digest_weekday]
    when = f"{weekday}s at {area.digest_hour:02d}:{area.digest_minute:02d} ({area.timezone})"
    leads = ", ".join(f"<@{lead}>" for lead in area.leads) or "nobody yet"
    verb = "is set up in" if created else "was updated in"
    return (
        f"*{escape(area.name)}* {verb} <#{area.channel_id}>. Digest: {when}. Leads: {leads}.\n"
        f"`/kpi new` here creates a KPI in {escape(area.name)}."
    )


def not_a_channel_text() -> str:
    return "Run `/okr setup` in the channel that should be the area's home, e.g. #marketing."
