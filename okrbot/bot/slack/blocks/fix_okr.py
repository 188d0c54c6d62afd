"""The fix-OKR modal (a draft built from `/okr new`'s inputs) and the "View fix-OKR" view."""

import json
from typing import Any

from okrbot.bot.slack.blocks.buttons import VIEW_FIX
from okrbot.bot.slack.blocks.kpi_format import health_emoji, health_words
from okrbot.bot.slack.blocks.okr_format import (
    confidence_label,
    day,
    kr_status,
    percent,
    progress_bar,
)
from okrbot.bot.slack.blocks.okr_new import (
    key_result_blocks,
    owner_input,
    period_inputs,
    title_input,
)
from okrbot.bot.slack.blocks.text import clip, context, escape, plain, section
from okrbot.handlers.fix_draft import KeyResultDraft
from okrbot.handlers.fix_okrs import FixCreated, FixDraft, OpenFix
from okrbot.handlers.objective_form import KeyResultForm
from okrbot.handlers.objectives import ObjectiveView
from okrbot.handlers.units import format_number, format_value, target_text
from okrbot.storage.models import Kpi

FIX_CALLBACK = "kpi_fix_okr"
VIEW_FIX_CALLBACK = "kpi_fix_okr_view"
SUGGESTED = "_Suggested_ — keep, edit or clear the title to drop it."
PERIOD_HINT = "The rest of the quarter, or six weeks if it ends sooner."
CREATED = "✅ Created. It is aligned to the KPI, which shows “fix in progress” until it closes."
ALREADY_OPEN = "Someone started a fix for this KPI a moment ago, so nothing new was created."

Block = dict[str, Any]


# ---- the draft ------------------------------------------------------------------------------
def draft_view(start: FixDraft, *, channel_id: str = "", message_ts: str = "") -> Block:
    """The drafted fix-OKR, every field editable but the area and the KPI it improves.

    The private metadata carries the KPI (looked up again on submit) and where the button was
    clicked, for the note about the new fix.
    """
    draft, kpi = start.draft, start.kpi.kpi
    rows = draft.key_results
    blocks = [
        section(_situation(start)),
        title_input(draft.title),
        context(f"Area: *{escape(start.kpi.area.name)}*"),
        owner_input(draft.owner_id),
        *period_inputs(draft.period_start, draft.period_end, hint=PERIOD_HINT),
        context(f"🎯 Aligned (fixed): Improves KPI: *{escape(kpi.name)}*"),
    ]
    for index, row in enumerate(rows):
        linked = index == 0  # key result 1 follows the KPI, whatever is submitted
        note = _follows(kpi) if linked else (SUGGESTED if row.suggested else "")
        blocks += key_result_blocks(index, initial=_typed(row), note=note, follows_kpi=linked)
    metadata = {"kpi": kpi.id, "rows": len(rows), "channel": channel_id, "thread": message_ts}
    return {
        "type": "modal",
        "callback_id": FIX_CALLBACK,
        "title": plain("Fix this KPI", 24),
        "submit": plain("Create fix-OKR", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def _situation(start: FixDraft) -> str:
    """ "🔴 *Website conversion rate* is red: *6.1 %* against a target of *≥ 7 %*." """
    view = start.kpi
    value = "no value yet" if view.latest is None else format_value(view.latest.value, view.kpi)
    return clip(
        f"{health_emoji(view.health)} *{escape(view.kpi.name)}* is {health_words(view.health)}: "
        f"*{escape(value)}* against a target of *{escape(target_text(view.kpi))}*. "
        "Here is a draft fix-OKR; change anything before you create it."
    )


def _follows(kpi: Kpi) -> str:
    return f"Follows *{escape(kpi.name)}*: its value moves with each new value of the KPI."


def _typed(row: KeyResultDraft) -> KeyResultForm:
    """A drafted key result as the form's row, as if typed."""
    return KeyResultForm(
        title=row.title,
        kind=row.kind.value,
        start="" if row.start is None else format_number(row.start),
        target="" if row.target is None else format_number(row.target),
        unit=row.unit,
    )


# ---- the fix in progress --------------------------------------------------------------------
def open_fix_view(found: OpenFix | FixCreated, *, notice: str = "") -> Block:
    """ "View fix-OKR": the objective fixing the KPI, its owner, progress and key results."""
    fix = found.fix
    blocks = [section(notice)] if notice else []
    blocks += [
        section(_summary(fix)),
        context(f"🛠 Fixing the KPI *{escape(found.kpi.name)}*"),
        section(clip("*Key results*\n" + "\n".join(_key_result_lines(fix)))),
        context("`/okr checkin` records progress; `/okr list` shows every objective."),
    ]
    return _modal(VIEW_FIX_CALLBACK, VIEW_FIX, blocks)


def _summary(fix: ObjectiveView) -> str:
    objective = fix.objective
    return clip(
        f"*{escape(objective.title)}*\n"
        f"<@{objective.owner_id}> · {day(objective.period_start)} to {day(objective.period_end)}\n"
        f"{progress_bar(fix.progress)} · {confidence_label(fix.confidence)}"
    )


def _key_result_lines(fix: ObjectiveView) -> list[str]:
    if not fix.key_results:
        return ["No key results yet."]
    return [
        f"• {escape(kr.key_result.title)}: {escape(kr_status(kr.key_result))} "
        f"({percent(kr.progress)} %)"
        for kr in fix.key_results
    ]


def loading_view() -> Block:
    return _modal(VIEW_FIX_CALLBACK, "Fix this KPI", [section("Loading…")])


def kpi_gone_view() -> Block:
    return _modal(
        VIEW_FIX_CALLBACK,
        "Fix this KPI",
        [section("That KPI no longer exists or was archived, so there is nothing to fix.")],
    )


# ---- the note in the channel ----------------------------------------------------------------
def fix_started_text(created: FixCreated, user_id: str) -> str:
    """ "🛠 <@U1> started a fix-OKR for *Website conversion rate*: *Get … back to 7 %*" """
    title = created.fix.objective.title
    return clip(
        f"🛠 <@{user_id}> started a fix-OKR for *{escape(created.kpi.name)}*: *{escape(title)}*"
    )


def _modal(callback_id: str, title: str, blocks: list[Block]) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "close": plain("Close", 24),
        "blocks": blocks,
    }
