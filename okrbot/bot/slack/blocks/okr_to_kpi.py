"""OKR → KPI in Slack: the offer (menu item, button), the pre-filled modal, and its answers.

The modal's inputs use the `/kpi new` form's block ids, so its state reads into the same
KpiForm and its errors land on the same fields. Each input's action id names the picked key
result: picking another one redraws the form with that key result's values, since Slack keeps
what was typed only for inputs whose block and action ids both stay the same.
"""

import json
from collections.abc import Sequence
from typing import Any

from okrbot.bot.slack.blocks.kpi_modals import (
    CADENCES,
    FIELD_BLOCKS,
    OPTION_TEXT_LIMIT,
    STATIC_OPTION_LIMIT,
    UNITS,
)
from okrbot.bot.slack.blocks.okr_format import format_value
from okrbot.bot.slack.blocks.text import context, escape, plain, section
from okrbot.handlers.kpi_forms import NAME_LIMIT, UNIT_LABEL_LIMIT
from okrbot.handlers.okr_to_kpi import KpiProposal, TurnedIntoKpi
from okrbot.handlers.units import target_text
from okrbot.storage.models import KeyResult, Objective, TargetType

TURN_BUTTON = "okr_to_kpi_open"  # value: the objective id
MENU_TO_KPI = "to_kpi"  # the `/okr list` menu's choice
MENU_LABEL = "Turn into a KPI"
CALLBACK = "okr_to_kpi"
PICK_BLOCK = "okr_to_kpi_kr"
PICK_ACTION = "okr_to_kpi_pick"
TITLE = "Turn into a KPI"
KEPT_TYPES = {  # what a KPI from a key result keeps: the level it reached, up or down
    TargetType.AT_LEAST: "Stay at or above",
    TargetType.AT_MOST: "Stay at or below",
}
ACHIEVED_OFFER = "Keep watching its number? Turn a key result into a KPI."

Block = dict[str, Any]


# ---- the offer -----------------------------------------------------------------------------
def turn_button(objective_id: int) -> Block:
    return {
        "type": "button",
        "action_id": TURN_BUTTON,
        "text": plain(MENU_LABEL),
        "value": str(objective_id),
    }


def offer_block(objective: Objective, *, reached: bool) -> Block:
    """A section offering "Turn into a KPI", for the answer that completes an objective."""
    assert objective.id is not None
    why = (
        f"🎉 Every key result of *{escape(objective.title)}* reached its target."
        if reached
        else f"🎉 *{escape(objective.title)}* is achieved."
    )
    return {**section(f"{why} {ACHIEVED_OFFER}"), "accessory": turn_button(objective.id)}


def achieved_blocks(objective: Objective, text: str) -> list[Block]:
    """The answer to "Mark achieved": what changed, and the offer."""
    return [section(text), offer_block(objective, reached=False)]


# ---- the modal -----------------------------------------------------------------------------
def _modal(blocks: list[Block], *, metadata: dict[str, Any], submit: str = "") -> Block:
    view: Block = {
        "type": "modal",
        "callback_id": CALLBACK,
        "title": plain(TITLE),
        "close": plain("Cancel" if submit else "Close"),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }
    if submit:
        view["submit"] = plain(submit)
    return view


def loading_view() -> Block:
    """What opens at once, within Slack's three seconds."""
    return _modal([section("Loading the objective's key results…")], metadata={})


def message_view(text: str) -> Block:
    """A modal that only tells something: not found, not allowed, not achieved."""
    return _modal([section(text)], metadata={})


def proposal_view(proposal: KpiProposal, *, channel_id: str = "") -> Block:
    """The KPI pre-filled from the picked key result, or the offer to keep the KPI it follows."""
    kr = proposal.key_result
    metadata = {
        "objective": proposal.objective.id,
        "kr": kr.id,
        "keep": proposal.kept.id if proposal.kept else None,
        "channel": channel_id,
    }
    blocks = [_picker(proposal)] if len(proposal.key_results) > 1 else []
    blocks.append(section(_about(proposal)))
    if proposal.kept is not None:
        kept = proposal.kept
        blocks.append(
            section(
                f"*{escape(kr.title)}* already follows the KPI *{escape(kept.name)}* "
                f"({escape(target_text(kept))}). Submitting keeps that KPI and records that it "
                "came from this objective; nothing new is created."
            )
        )
        return _modal(blocks, metadata=metadata, submit="Keep this KPI")
    blocks += _fields(proposal)
    return _modal(blocks, metadata=metadata, submit="Create KPI")


def _about(proposal: KpiProposal) -> str:
    kr = proposal.key_result
    reached = f"{format_value(kr.start_value, kr.unit)} → {format_value(kr.target_value, kr.unit)}"
    history = (
        f"Its check-ins become the KPI's history, the latest of each week: "
        f"{proposal.history} week{'s' if proposal.history != 1 else ''} of values."
        if proposal.history
        else "It has no check-ins yet, so the KPI starts without history."
    )
    return (
        f"From *{escape(proposal.objective.title)}*, key result *{escape(kr.title)}* "
        f"({escape(reached)}).\n{history}"
    )


def _picker(proposal: KpiProposal) -> Block:
    options = [_kr_option(kr) for kr in proposal.key_results[:STATIC_OPTION_LIMIT]]
    return {
        "type": "section",
        "block_id": PICK_BLOCK,
        "text": {"type": "mrkdwn", "text": "*Key result*"},
        "accessory": {
            "type": "static_select",
            "action_id": PICK_ACTION,
            "options": options,
            "initial_option": _kr_option(proposal.key_result),
        },
    }


def _kr_option(kr: KeyResult) -> Block:
    return {"text": plain(kr.title, OPTION_TEXT_LIMIT), "value": str(kr.id)}


def _fields(proposal: KpiProposal) -> list[Block]:
    form = proposal.form
    action = f"kr{proposal.key_result.id}"  # a new key result: new inputs, new initial values

    def field(name: str, label: str, element: Block, *, optional: bool = False) -> Block:
        return {
            "type": "input",
            "block_id": FIELD_BLOCKS[name],
            "label": plain(label),
            "optional": optional,
            "element": {"action_id": action, **element},
        }

    def text(initial: str, limit: int) -> Block:
        element: Block = {"type": "plain_text_input", "max_length": limit}
        return {**element, "initial_value": initial} if initial else element

    def select(labels: dict[Any, str], initial: str) -> Block:
        options = [
            {"text": plain(label, OPTION_TEXT_LIMIT), "value": str(value)}
            for value, label in labels.items()
        ]
        chosen = next((o for o in options if o["value"] == str(initial)), options[0])
        return {"type": "static_select", "options": options, "initial_option": chosen}

    areas = {str(area.id): area.name for area in proposal.areas[:STATIC_OPTION_LIMIT]}
    return [
        field("name", "Name", text(form.name, NAME_LIMIT)),
        field("area_id", "Area", select(areas, str(form.area_id))),
        field("owner_id", "Owner", {"type": "users_select", "initial_user": form.owner_id}),
        field("target_type", "Target", select(KEPT_TYPES, form.target_type)),
        field("target", "Threshold", text(form.target, 40)),
        field("unit_kind", "Unit", select(UNITS, form.unit_kind)),
        field(
            "unit_label",
            "Currency or unit name",
            text(form.unit_label, UNIT_LABEL_LIMIT),
            optional=True,
        ),
        field("cadence", "Updated", select(CADENCES, form.cadence)),
    ]


# ---- after submitting ----------------------------------------------------------------------
def done_view(turned: TurnedIntoKpi) -> Block:
    """The answer to the modal: the KPI created (or kept), and where it came from."""
    kpi, kr = turned.kpi, turned.key_result
    name = escape(kpi.name)
    target = escape(target_text(kpi))
    objective = escape(turned.objective.title)
    if turned.created:
        values = f"{turned.imported} value{'s' if turned.imported != 1 else ''}"
        done = f"✅ Created the KPI *{name}* ({target}) with {values} from the check-ins."
        lineage = f"*{escape(kr.title)}* now follows it; it came from *{objective}*."
    else:
        done = f"✅ *{name}* ({target}) is the KPI for *{escape(kr.title)}*."
        lineage = (
            f"It came from *{objective}*."
            if kpi.origin_objective_id == turned.objective.id
            else "It already came from another objective, so that lineage stays."
        )
    blocks = [section(f"{done}\n{lineage}"), context(f"`/kpi show {name}` shows it.")]
    return _modal(blocks, metadata={})


def field_errors(errors: dict[str, str], view: Block) -> dict[str, str]:
    """Each sentence on its field's input; on the name when that input is not in the modal."""
    present = {block.get("block_id") for block in view.get("blocks") or []}
    placed: dict[str, str] = {}
    for name, sentence in errors.items():
        block = FIELD_BLOCKS.get(name, "")
        placed.setdefault(block if block in present else FIELD_BLOCKS["name"], sentence)
    return placed


def kpi_names(kpis: Sequence[str]) -> str:
    """ "*A*" or "*A*, *B*": KPI names for "became KPI …", escaped."""
    return ", ".join(f"*{escape(name)}*" for name in kpis)
