"""The `/okr new` modal: an objective and up to five key results, in one view."""

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from okrbot.bot.slack.blocks.okr_format import day, progress_bar
from okrbot.bot.slack.blocks.text import context, escape, plain, section
from okrbot.handlers.objective_form import (
    CHOICE_LIMIT,
    KPI_PREFIX,
    MAX_KEY_RESULTS,
    OBJECTIVE_PREFIX,
    FormChoices,
    KeyResultForm,
    kr_field,
)
from okrbot.handlers.objectives import ObjectiveView
from okrbot.storage.models import Area, KeyResultKind, Kpi, Objective

NEW_CALLBACK = "okr_new"
ADD_KR_ACTION = "okr_new_add_kr"
ALIGNMENT_ACTION = "okr_new_alignment"
KR_KPI_ACTION = "okr_new_kr_kpi"
INPUT_ACTION = "input"
ADD_KR_BLOCK = "kr_add"
OPTION_TEXT_LIMIT = 75
TITLE_LIMIT = 150
UNIT_LIMIT = 24

Block = dict[str, Any]


def _option(label: str, value: str) -> Block:
    return {"text": plain(label, OPTION_TEXT_LIMIT), "value": value}


def _input(
    block_id: str, label: str, element: Block, *, optional: bool = False, hint: str = ""
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "optional": optional,
        "element": {"action_id": INPUT_ACTION, **element},
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def _text_input(placeholder: str, max_length: int | None = None, initial: str = "") -> Block:
    element: Block = {"type": "plain_text_input", "placeholder": plain(placeholder)}
    if max_length:
        element["max_length"] = max_length
    if initial:
        element["initial_value"] = initial[:max_length] if max_length else initial
    return element


def _datepicker(initial: date) -> Block:
    return {"type": "datepicker", "initial_date": initial.isoformat()}


def area_option(area: Area) -> Block:
    return _option(area.name, str(area.id))


def kpi_option(kpi: Kpi) -> Block:
    return _option(kpi.name, f"{KPI_PREFIX}{kpi.id}")


def objective_option(objective: Objective) -> Block:
    return _option(objective.title, f"{OBJECTIVE_PREFIX}{objective.id}")


def alignment_option_groups(kpis: Sequence[Kpi], objectives: Sequence[Objective]) -> list[Block]:
    groups = [
        ("Improves a KPI", [kpi_option(k) for k in kpis]),
        ("Supports an objective", [objective_option(o) for o in objectives]),
    ]
    return [{"label": plain(label), "options": options} for label, options in groups if options]


def new_objective_view(
    choices: FormChoices, *, owner_id: str, rows: int, channel_id: str = ""
) -> Block:
    """The modal with `rows` key result rows; the same block ids keep what was typed."""
    rows = max(1, min(rows, MAX_KEY_RESULTS))
    blocks = _objective_blocks(choices, owner_id)
    for index in range(rows):
        blocks += key_result_blocks(index, kpis=choices.kpis)
    if rows < MAX_KEY_RESULTS:
        blocks.append(
            {
                "type": "actions",
                "block_id": ADD_KR_BLOCK,
                "elements": [
                    {
                        "type": "button",
                        "action_id": ADD_KR_ACTION,
                        "text": plain("Add key result"),
                        "value": str(rows + 1),
                    }
                ],
            }
        )
    return {
        "type": "modal",
        "callback_id": NEW_CALLBACK,
        "title": plain("New objective"),
        "submit": plain("Create"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"rows": rows, "channel": channel_id}),
        "blocks": blocks,
    }


def _objective_blocks(choices: FormChoices, owner_id: str) -> list[Block]:
    area_select: Block = {
        "type": "static_select",
        "placeholder": plain("Pick an area"),
        "options": [area_option(a) for a in choices.areas],
    }
    default = next((a for a in choices.areas if a.id == choices.default_area_id), None)
    if default is not None:
        area_select["initial_option"] = area_option(default)
    start, end = choices.period
    blocks = [
        title_input(),
        _input("area", "Area", area_select),
        owner_input(owner_id),
        *period_inputs(start, end, hint="This quarter unless you change the dates."),
    ]
    alignment = _alignment_select(choices)
    if alignment is not None:
        blocks.append(
            _input(
                "alignment",
                "Aligned with",
                alignment,
                optional=True,
                hint="A fix-OKR improves a KPI; an objective can also support another one.",
            )
        )
    return blocks


def title_input(initial: str = "") -> Block:
    return _input(
        "title", "Objective", _text_input("e.g. Make onboarding delightful", TITLE_LIMIT, initial)
    )


def owner_input(owner_id: str) -> Block:
    return _input("owner", "Owner", {"type": "users_select", "initial_user": owner_id})


def period_inputs(start: date, end: date, *, hint: str) -> list[Block]:
    """The start and end datepickers; cleared, both fall back to this quarter."""
    return [
        _input("period_start", "Starts", _datepicker(start), optional=True),
        _input("period_end", "Ends", _datepicker(end), optional=True, hint=hint),
    ]


def _alignment_select(choices: FormChoices) -> Block | None:
    if not choices.kpis and not choices.objectives:
        return None
    select: Block = {"action_id": ALIGNMENT_ACTION, "placeholder": plain("A KPI or objective")}
    if len(choices.kpis) + len(choices.objectives) > CHOICE_LIMIT:
        return select | {"type": "external_select", "min_query_length": 0}
    groups = alignment_option_groups(choices.kpis, choices.objectives)
    return select | {"type": "static_select", "option_groups": groups}


def key_result_blocks(
    index: int,
    *,
    kpis: Sequence[Kpi] = (),
    initial: KeyResultForm | None = None,
    note: str = "",
    follows_kpi: bool = False,
) -> list[Block]:
    """One key result row, empty or filled with `initial`; `note` (mrkdwn) under its heading.

    A row that `follows_kpi` is a metric whose KPI is fixed: no kind and no KPI to pick.
    """
    kinds = [
        _option("A metric, from a start to a target", KeyResultKind.METRIC.value),
        _option("A milestone: done or not", KeyResultKind.MILESTONE.value),
    ]
    typed = initial or KeyResultForm()
    first = index == 0
    blocks = [section(f"*Key result {index + 1}*")]
    if note:
        blocks.append(context(note))
    blocks.append(
        _input(
            kr_field(index, "title"),
            "Key result",
            _text_input("e.g. Raise trial-to-paid from 5 % to 8 %", TITLE_LIMIT, typed.title),
            optional=not first,
            hint="" if first else "Leave the row empty to skip it.",
        )
    )
    if not follows_kpi:
        chosen = kinds[1] if typed.kind == KeyResultKind.MILESTONE.value else kinds[0]
        blocks.append(
            _input(
                kr_field(index, "kind"),
                "Kind",
                {"type": "radio_buttons", "options": kinds, "initial_option": chosen},
            )
        )
    blocks += [
        _input(
            kr_field(index, "start"),
            "Start value",
            _text_input("e.g. 5", initial=typed.start),
            optional=True,
        ),
        _input(
            kr_field(index, "target"),
            "Target value",
            _text_input("e.g. 8", initial=typed.target),
            optional=True,
        ),
        _input(
            kr_field(index, "unit"),
            "Unit",
            _text_input("e.g. %, EUR, signups", UNIT_LIMIT, typed.unit),
            optional=True,
        ),
        _input(
            kr_field(index, "owner"),
            "Key result owner",
            {"type": "users_select", "placeholder": plain("The objective's owner")},
            optional=True,
        ),
    ]
    if kpis and not follows_kpi:
        blocks.append(_kpi_link(index, kpis))
    return blocks


def _kpi_link(index: int, kpis: Sequence[Kpi]) -> Block:
    select: Block = {"action_id": KR_KPI_ACTION, "placeholder": plain("Follows no KPI")}
    if len(kpis) > CHOICE_LIMIT:
        select |= {"type": "external_select", "min_query_length": 0}
    else:
        select |= {"type": "static_select", "options": [kpi_option(k) for k in kpis]}
    return _input(
        kr_field(index, "kpi"),
        "Follows a KPI",
        select,
        optional=True,
        hint="Its value then follows the KPI's values; the start defaults to its latest.",
    )


def created_view(view: ObjectiveView) -> Block:
    """The answer to the form: the objective as it now stands."""
    objective = view.objective
    lines = [f"• {escape(kr.key_result.title)}" for kr in view.key_results]
    blocks = [
        section(
            f"✅ *{escape(objective.title)}* is set, "
            f"{day(objective.period_start)} to {day(objective.period_end)}.\n"
            f"{progress_bar(view.progress)}"
        ),
        section("*Key results*\n" + "\n".join(lines)),
        context("`/okr checkin` records progress; `/okr list` shows every objective."),
    ]
    return {
        "type": "modal",
        "callback_id": NEW_CALLBACK,
        "title": plain("Objective created"),
        "close": plain("Done"),
        "blocks": blocks,
    }
