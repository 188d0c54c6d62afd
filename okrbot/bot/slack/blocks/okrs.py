"""`/okr list`: objectives with progress, confidence and last check-in; and the edit modal."""

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from okrbot.bot.slack.blocks.okr_format import (
    ago,
    confidence_label,
    day,
    kr_status,
    percent,
    progress_bar,
)
from okrbot.bot.slack.blocks.okr_to_kpi import MENU_LABEL as TO_KPI_LABEL
from okrbot.bot.slack.blocks.okr_to_kpi import MENU_TO_KPI, kpi_names
from okrbot.bot.slack.blocks.text import (
    MESSAGE_BLOCK_LIMIT,
    clip,
    context,
    escape,
    header,
    plain,
    section,
)
from okrbot.handlers.objectives import ObjectiveView
from okrbot.handlers.okr_to_kpi import can_become_kpi
from okrbot.storage.models import Objective, ObjectiveStatus

LIST_MENU_ACTION = "okr_list_menu"
EDIT_CALLBACK = "okr_edit"
INPUT_ACTION = "input"
MENU_CHECKIN = "checkin"
MENU_EDIT = "edit"
MENU_ACHIEVED = "achieved"
MENU_MISSED = "missed"
MENU_CLOSE = "close"
MENU_LABELS = {
    MENU_CHECKIN: "Check in",
    MENU_EDIT: "Edit",
    MENU_ACHIEVED: "Mark achieved",
    MENU_MISSED: "Mark missed",
    MENU_CLOSE: "Close",
}
BLOCKS_PER_OBJECTIVE = 2
TITLE_LIMIT = 150

Block = dict[str, Any]


def menu_value(choice: str, objective_id: int) -> str:
    return f"{choice}:{objective_id}"


def parse_menu_value(value: str) -> tuple[str, str]:
    """("achieved", "12") from "achieved:12"; the id is still to be looked up."""
    choice, _, objective_id = value.partition(":")
    return choice, objective_id


def _menu(objective_id: int, *, to_kpi: ObjectiveStatus | None = None) -> Block:
    """The objective's menu; `to_kpi` (its status) offers "Turn into a KPI" in place of
    "Mark achieved" once achieved, or of "Mark missed" once every key result is done."""
    labels = MENU_LABELS
    if to_kpi is not None:  # an overflow menu holds at most five options
        replaced = MENU_ACHIEVED if to_kpi == ObjectiveStatus.ACHIEVED else MENU_MISSED
        labels = {c: label for c, label in MENU_LABELS.items() if c != replaced}
        labels[MENU_TO_KPI] = TO_KPI_LABEL
    return {
        "type": "overflow",
        "action_id": LIST_MENU_ACTION,
        "options": [
            {"text": plain(label), "value": menu_value(choice, objective_id)}
            for choice, label in labels.items()
        ],
    }


def objective_blocks(
    view: ObjectiveView, *, area_name: str, now: datetime, became: Sequence[str] = ()
) -> list[Block]:
    """One objective: title, area, owner, progress, confidence and how long since a check-in;
    the KPIs it became, if any."""
    objective = view.objective
    assert objective.id is not None
    since = (
        f"last check-in {ago(view.last_checkin_at, now)}"
        if view.last_checkin_at
        else "no check-in yet"
    )
    confidence = f" · {confidence_label(view.confidence)}" if view.confidence else ""
    who = f"{escape(area_name)} · <@{objective.owner_id}> · until {day(objective.period_end)}"
    text = (
        f"*{escape(objective.title)}*\n{who}\n{progress_bar(view.progress)}{confidence} · {since}"
    )
    if became:
        text += f"\nBecame KPI {kpi_names(became)}"
    summary = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(text)},
        "accessory": _menu(objective.id, to_kpi=objective.status if can_become_kpi(view) else None),
    }
    lines = [
        f"• {escape(kr.key_result.title)}: {escape(kr_status(kr.key_result))} "
        f"({percent(kr.progress)} %)"
        for kr in view.key_results
    ]
    return [summary, context("\n".join(lines) or "No key results yet.")]


def list_blocks(
    views: Sequence[ObjectiveView],
    *,
    heading: str,
    area_names: Mapping[int, str],
    now: datetime,
    empty: str,
    became: Mapping[int, Sequence[str]] | None = None,
) -> list[Block]:
    """The list, cut to Slack's 50 blocks with "…and N more" when it is longer.

    `became` names the KPIs each objective (by id) turned into.
    """
    blocks = [header(heading)]
    if not views:
        return [*blocks, section(empty)]
    room = (MESSAGE_BLOCK_LIMIT - 2) // BLOCKS_PER_OBJECTIVE  # the header, the "more" line
    for view in views[:room]:
        area = area_names.get(view.objective.area_id, "")
        kpis = (became or {}).get(view.objective.id or 0, ())
        blocks += objective_blocks(view, area_name=area, now=now, became=kpis)
    if len(views) > room:
        blocks.append(
            context(
                f"…and {len(views) - room} more. "
                "`/okr list mine` or `/okr list area` narrows it down."
            )
        )
    return blocks


def list_text(views: Sequence[ObjectiveView], heading: str) -> str:
    """The fallback text: the notification and screen-reader version."""
    return f"{heading}: {len(views)} objective{'s' if len(views) != 1 else ''}"


# ---- editing ------------------------------------------------------------------------------
def edit_view(objective: Objective) -> Block:
    """Edit an objective's title, owner and period; the id is looked up again on submit."""

    def field(block_id: str, label: str, element: Block) -> Block:
        return {
            "type": "input",
            "block_id": block_id,
            "label": plain(label),
            "element": {"action_id": INPUT_ACTION, **element},
        }

    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "title": plain("Edit objective"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"objective": objective.id}),
        "blocks": [
            field(
                "title",
                "Objective",
                {
                    "type": "plain_text_input",
                    "initial_value": objective.title,
                    "max_length": TITLE_LIMIT,
                },
            ),
            field("owner", "Owner", {"type": "users_select", "initial_user": objective.owner_id}),
            field(
                "period_start",
                "Starts",
                {"type": "datepicker", "initial_date": objective.period_start.isoformat()},
            ),
            field(
                "period_end",
                "Ends",
                {"type": "datepicker", "initial_date": objective.period_end.isoformat()},
            ),
        ],
    }


def saved_view(objective: Objective) -> Block:
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "title": plain("Objective saved"),
        "close": plain("Done"),
        "blocks": [
            section(
                f"✅ Saved *{escape(objective.title)}*: <@{objective.owner_id}>, "
                f"{day(objective.period_start)} to {day(objective.period_end)}."
            )
        ],
    }
