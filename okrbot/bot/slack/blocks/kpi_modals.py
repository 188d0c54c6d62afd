"""The KPI form (`/kpi new`, `/kpi edit`): fields follow the chosen target type."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from okrbot.bot.slack.blocks.text import context, escape, plain
from okrbot.handlers.kpi_forms import (
    DESCRIPTION_LIMIT,
    MAX_RED_AFTER,
    NAME_LIMIT,
    UNIT_LABEL_LIMIT,
)
from okrbot.storage.models import Area, Cadence, Kpi, TargetType, UnitKind

NEW_CALLBACK = "kpi_new"
EDIT_CALLBACK = "kpi_edit"
TARGET_TYPE_ACTION = "kpi_target_type"  # picking a type redraws the form with its fields
INPUT_ACTION = "value"
OPTION_TEXT_LIMIT = 75
STATIC_OPTION_LIMIT = 100
# The KpiForm field each input block fills, for field errors.
FIELD_BLOCKS = {
    "name": "kpi_name",
    "area_id": "kpi_area",
    "owner_id": "kpi_owner",
    "target_type": "kpi_target_type",
    "target": "kpi_target",
    "target_high": "kpi_target_high",
    "baseline": "kpi_baseline",
    "target_date": "kpi_target_date",
    "unit_kind": "kpi_unit_kind",
    "unit_label": "kpi_unit_label",
    "warning_margin": "kpi_margin",
    "cadence": "kpi_cadence",
    "red_after_periods": "kpi_red_after",
    "description": "kpi_description",
    "source_url": "kpi_source_url",
}
TARGET_TYPES = {
    TargetType.AT_LEAST: "Stay at or above",
    TargetType.AT_MOST: "Stay at or below",
    TargetType.BETWEEN: "Stay between",
    TargetType.INCREASE_TO: "Increase to, by a date",
    TargetType.DECREASE_TO: "Decrease to, by a date",
}
TARGET_LABELS = {
    TargetType.AT_LEAST: "Stay at or above",
    TargetType.AT_MOST: "Stay at or below",
    TargetType.BETWEEN: "Low end",
    TargetType.INCREASE_TO: "Increase to",
    TargetType.DECREASE_TO: "Decrease to",
}
UNITS = {
    UnitKind.PERCENT: "Percent (%)",
    UnitKind.CURRENCY: "Currency",
    UnitKind.COUNT: "Count",
    UnitKind.TEXT: "Another unit",
}
CADENCES = {Cadence.WEEKLY: "Weekly", Cadence.MONTHLY: "Monthly"}


@dataclass(frozen=True)
class KpiFormContext:
    """What the form needs: the areas to pick from, the defaults, and the KPI when editing."""

    areas: Sequence[Area]
    area_id: int | None
    owner_id: str
    target_type: TargetType
    channel_id: str
    kpi: Kpi | None = None


def form_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The form's private metadata (the KPI being edited, the channel, the first area): hints."""
    try:
        found = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def kpi_form_view(ctx: KpiFormContext) -> dict[str, Any]:
    kpi = ctx.kpi
    blocks = [
        _text_input("name", "Name", kpi.name if kpi else "", max_length=NAME_LIMIT),
        _select("area_id", "Area", _area_options(ctx.areas), str(ctx.area_id or "")),
        _input(
            "owner_id",
            "Owner",
            {"type": "users_select", "initial_user": kpi.owner_id if kpi else ctx.owner_id},
        ),
        _select(
            "target_type",
            "Target",
            _options(TARGET_TYPES),
            ctx.target_type,
            dispatch=True,
        ),
        *_target_blocks(ctx.target_type, kpi),
        _select("unit_kind", "Unit", _options(UNITS), kpi.unit_kind if kpi else UnitKind.PERCENT),
        _text_input(
            "unit_label",
            "Currency or unit name",
            kpi.unit_label if kpi else "",
            optional=True,
            max_length=UNIT_LABEL_LIMIT,
            hint="For a currency its code (EUR); for another unit its name (signups).",
        ),
        _text_input(
            "warning_margin",
            "Warning margin",
            _number(kpi.warning_margin) if kpi else "",
            optional=True,
            hint="In the KPI's unit: how close to the target turns it yellow. Empty: none.",
        ),
        _select("cadence", "Updated", _options(CADENCES), kpi.cadence if kpi else Cadence.WEEKLY),
        _select(
            "red_after_periods",
            "Turn red after",
            [_option(_periods(n), str(n)) for n in range(1, MAX_RED_AFTER + 1)],
            str(kpi.red_after_periods if kpi else 1),
        ),
        _text_input(
            "description",
            "Description",
            kpi.description if kpi else "",
            optional=True,
            multiline=True,
            max_length=DESCRIPTION_LIMIT,
        ),
        _url_input(kpi),
    ]
    if kpi is not None:
        blocks.insert(0, context(f"Editing *{escape(kpi.name)}*. Every change is logged."))
    metadata = json.dumps(
        {"kpi": kpi.id if kpi else None, "channel": ctx.channel_id, "area": ctx.area_id}
    )
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK if kpi else NEW_CALLBACK,
        "title": plain("Edit KPI" if kpi else "New KPI"),
        "submit": plain("Save" if kpi else "Create"),
        "close": plain("Cancel"),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def _target_blocks(kind: TargetType, kpi: Kpi | None) -> list[dict[str, Any]]:
    """The number fields of the chosen target type, filled in from the KPI when editing."""
    shown = kpi if kpi is not None and kpi.target_type == kind else None
    blocks = [_text_input("target", TARGET_LABELS[kind], _number(shown.target if shown else None))]
    if kind == TargetType.BETWEEN:
        high = _number(shown.target_high if shown else None)
        blocks.append(_text_input("target_high", "High end", high))
    if kind in {TargetType.INCREASE_TO, TargetType.DECREASE_TO}:
        baseline = _number(shown.baseline if shown else None)
        blocks.append(
            _text_input("baseline", "Starting from", baseline, hint="Where the KPI is today.")
        )
        by = shown.target_date if shown else None
        picked = {"initial_date": by.isoformat()} if by else {}
        blocks.append(_input("target_date", "By", {"type": "datepicker", **picked}))
    return blocks


def _url_input(kpi: Kpi | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "url_text_input"}
    if kpi is not None and kpi.source_url:
        element["initial_value"] = kpi.source_url
    return _input("source_url", "Data source link", element, optional=True)


def _number(value: float | None) -> str:
    """A number as the form shows it for editing: "7.5", "1200"."""
    return "" if value is None else f"{value:.12g}"


def _periods(count: int) -> str:
    return "1 period below target" if count == 1 else f"{count} periods below target in a row"


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, OPTION_TEXT_LIMIT), "value": value}


def _options(labels: dict[Any, str]) -> list[dict[str, Any]]:
    return [_option(text, str(value)) for value, text in labels.items()]


def _area_options(areas: Sequence[Area]) -> list[dict[str, Any]]:
    return [_option(area.name, str(area.id)) for area in areas[:STATIC_OPTION_LIMIT]]


def _input(field: str, label: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": FIELD_BLOCKS[field],
        "label": plain(label),
        "element": {"action_id": INPUT_ACTION, **element},
        **extra,
    }


def _text_input(
    field: str,
    label: str,
    initial: str,
    *,
    optional: bool = False,
    multiline: bool = False,
    max_length: int | None = None,
    hint: str = "",
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if max_length:
        element["max_length"] = max_length
    extra: dict[str, Any] = {"optional": optional}
    if hint:
        extra["hint"] = plain(hint)
    return _input(field, label, element, **extra)


def _select(
    field: str,
    label: str,
    options: list[dict[str, Any]],
    initial: str,
    *,
    dispatch: bool = False,
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "options": options}
    chosen = next((option for option in options if option["value"] == str(initial)), None)
    if chosen is not None:
        element["initial_option"] = chosen
    if dispatch:
        element["action_id"] = TARGET_TYPE_ACTION
        return {
            "type": "input",
            "block_id": FIELD_BLOCKS[field],
            "label": plain(label),
            "dispatch_action": True,
            "element": element,
        }
    return _input(field, label, element)
