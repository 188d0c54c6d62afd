"""KPI messages and the update modal: `/kpi list`, `/kpi show`, `/kpi update`."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from okrbot.bot.slack.blocks.buttons import KPI_UPDATE_BUTTON, fix_actions
from okrbot.bot.slack.blocks.kpi_format import health_words, kpi_line, kpi_text
from okrbot.bot.slack.blocks.text import (
    MESSAGE_BLOCK_LIMIT,
    context,
    escape,
    header,
    mrkdwn,
    plain,
    section,
)
from okrbot.handlers.kpis import KpiView
from okrbot.handlers.units import format_value, target_text, unit_label
from okrbot.storage.models import Cadence, Kpi

UPDATE_CALLBACK = "kpi_update"
PICK_BLOCK = "kpi_pick"
PICK_ACTION = "kpi_update_pick"
INFO_BLOCK = "kpi_info"
VALUE_BLOCK = "kpi_value"
NOTE_BLOCK = "kpi_note"
INPUT_ACTION = "value"
STATIC_OPTION_LIMIT = 100  # more KPIs than this, and the picker searches as you type
OPTION_TEXT_LIMIT = 75
TEXT_LINES = 10  # KPIs named in a list's notification text
RECENT_VALUES = 6  # values `/kpi show` lists
# The record_value field each block fills, for field errors.
UPDATE_FIELD_BLOCKS = {"value": VALUE_BLOCK, "note": NOTE_BLOCK, "kpi": PICK_BLOCK}


def update_button(kpi_id: int) -> dict[str, Any]:
    """The per-KPI "Update" button; any surface may show it, one listener answers it."""
    return {
        "type": "button",
        "action_id": KPI_UPDATE_BUTTON,
        "text": plain("Update"),
        "value": str(kpi_id),
    }


# ---- /kpi list -----------------------------------------------------------------------------
def kpi_list_blocks(
    views: Sequence[KpiView], *, title: str, show_area: bool = False
) -> list[dict[str, Any]]:
    """A title, one section per KPI with its Update button (and under a red one, its fix
    button); "…and N more" past Slack's limit."""
    items = [_list_item(view, show_area=show_area) for view in views]
    room = MESSAGE_BLOCK_LIMIT - 1  # the title
    if sum(len(item) for item in items) > room:
        room -= 1  # the "more" line
    blocks = [section(title)]
    shown = 0
    for item in items:
        if len(blocks) - 1 + len(item) > room:
            break
        blocks += item
        shown += 1
    if shown < len(views):
        hidden = len(views) - shown
        blocks.append(
            context(
                f"…and {hidden} more, in the same order. "
                "`/kpi list AREA` shows one area; `/kpi show NAME` shows one KPI."
            )
        )
    return blocks


def _list_item(view: KpiView, *, show_area: bool) -> list[dict[str, Any]]:
    line = kpi_line(view)
    if show_area:
        line += f"  · _{escape(view.area.name)}_"
    return [{**section(line), "accessory": update_button(view.kpi.id or 0)}, *fix_actions(view)]


def kpi_list_text(views: Sequence[KpiView], *, title: str) -> str:
    """The notification text: the title and the first KPIs in words."""
    lines = [title, *(kpi_text(view) for view in views[:TEXT_LINES])]
    if len(views) > TEXT_LINES:
        lines.append(f"…and {len(views) - TEXT_LINES} more")
    return "\n".join(lines)


# ---- /kpi show ------------------------------------------------------------------------------
def kpi_detail_blocks(view: KpiView, *, periods: Sequence[date]) -> list[dict[str, Any]]:
    """One KPI in full: its line, settings, description, link and recent values."""
    kpi = view.kpi
    blocks: list[dict[str, Any]] = [
        header(kpi.name),
        {**section(kpi_line(view)), "accessory": update_button(kpi.id or 0)},
        {"type": "section", "fields": [mrkdwn(text) for text in _facts(view)]},
        *fix_actions(view),
    ]
    if kpi.description:
        blocks.append(section(escape(kpi.description)))
    if kpi.source_url:
        blocks.append(context(f"Data: <{kpi.source_url}|{escape(kpi.source_url)}>"))
    recent = _recent_values(view, periods)
    if recent:
        blocks.append(context(recent))
    if kpi.archived_at is not None:
        blocks.append(context(f"Archived on {kpi.archived_at.date().isoformat()}."))
    return blocks


def _facts(view: KpiView) -> list[str]:
    kpi = view.kpi
    every = "week" if kpi.cadence == Cadence.WEEKLY else "month"
    red_after = (
        "at once"
        if kpi.red_after_periods <= 1
        else f"after {kpi.red_after_periods} {every}s below target"
    )
    facts = [
        f"*Target*\n{escape(target_text(kpi))}",
        f"*Health*\n{health_words(view.health)}",
        f"*Owner*\n<@{kpi.owner_id}>",
        f"*Area*\n{escape(view.area.name)}",
        f"*Updated*\nevery {every}",
        f"*Turns red*\n{red_after}",
    ]
    if kpi.warning_margin:
        facts.append(f"*Warning margin*\n{escape(format_value(kpi.warning_margin, kpi))}")
    return facts


def _recent_values(view: KpiView, periods: Sequence[date]) -> str:
    pairs = [
        (start, value)
        for start, value in zip(periods, view.history, strict=False)
        if value is not None
    ]
    text = " · ".join(
        f"{start.isoformat()}: {escape(format_value(value, view.kpi))}"
        for start, value in pairs[-RECENT_VALUES:]
    )
    return f"Recent values: {text}" if text else ""


# ---- /kpi update ----------------------------------------------------------------------------
@dataclass(frozen=True)
class UpdateModal:
    """The update modal's content: what to pick from, and the picked KPI if any."""

    options: Sequence[Kpi]  # the static choices; empty when the picker searches instead
    searches: bool
    picked: KpiView | None
    channel_id: str
    area_id: int | None  # where the search looks (None: the whole workspace)
    refusal: str = ""  # mrkdwn: who may record the picked KPI, when this person may not


def update_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The modal's private metadata (channel, area scope): hints, looked up again before use."""
    try:
        found = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def kpi_option(kpi: Kpi) -> dict[str, Any]:
    return {"text": plain(kpi.name, OPTION_TEXT_LIMIT), "value": str(kpi.id)}


def update_view(modal: UpdateModal) -> dict[str, Any]:
    blocks = [_picker(modal)]
    if modal.picked is not None:
        blocks.append({**section(_picked_text(modal.picked)), "block_id": INFO_BLOCK})
        if modal.refusal:
            blocks.append(context(modal.refusal))
    blocks += [
        {
            "type": "input",
            "block_id": VALUE_BLOCK,
            "label": plain(_value_label(modal.picked)),
            "element": {"type": "plain_text_input", "action_id": INPUT_ACTION},
            "hint": plain(_value_hint(modal.picked)),
        },
        {
            "type": "input",
            "block_id": NOTE_BLOCK,
            "optional": True,
            "label": plain("Note"),
            "element": {
                "type": "plain_text_input",
                "action_id": INPUT_ACTION,
                "multiline": True,
                "max_length": 2000,
            },
        },
    ]
    metadata = {"channel": modal.channel_id, "area": modal.area_id}
    return {
        "type": "modal",
        "callback_id": UPDATE_CALLBACK,
        "title": plain("Update a KPI"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def _picker(modal: UpdateModal) -> dict[str, Any]:
    element: dict[str, Any] = {"action_id": PICK_ACTION, "placeholder": plain("Pick a KPI")}
    if modal.searches:
        element.update({"type": "external_select", "min_query_length": 0})
    else:
        options = [kpi_option(kpi) for kpi in modal.options[:STATIC_OPTION_LIMIT]]
        element.update({"type": "static_select", "options": options})
    if modal.picked is not None:
        element["initial_option"] = kpi_option(modal.picked.kpi)
    return {
        "type": "input",
        "block_id": PICK_BLOCK,
        "dispatch_action": True,
        "label": plain("KPI"),
        "element": element,
    }


def _picked_text(view: KpiView) -> str:
    if view.latest is None:
        last = "No value yet"
    else:
        value = escape(format_value(view.latest.value, view.kpi))
        last = f"Last value: *{value}* for the period from {view.latest.period_start.isoformat()}"
    return f"{kpi_line(view)}\n{last} · health: {health_words(view.health)}"


def _value_label(view: KpiView | None) -> str:
    unit = unit_label(view.kpi) if view is not None else ""
    return f"Value ({unit})" if unit else "Value"


def _value_hint(view: KpiView | None) -> str:
    every = "month" if view is not None and view.kpi.cadence == Cadence.MONTHLY else "week"
    return (
        f"One value per {every}: a new value this {every} replaces the last one (the old one "
        "stays in the log). Type a number like 7.4 or 1,200."
    )


def picker_options(kpis: Sequence[Kpi]) -> dict[str, Any]:
    """The answer to the picker's type-ahead: at most 100 options."""
    return {"options": [kpi_option(kpi) for kpi in kpis[:STATIC_OPTION_LIMIT]]}
