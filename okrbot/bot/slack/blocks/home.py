"""The Home tab: a person's key results, KPIs and areas, and the modals it opens.

The tab stays within Slack's 100 blocks by construction: each list shows its first items
and a "Show all" button that opens the whole list in a modal.
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from okrbot.bot.slack.blocks.buttons import fix_actions, fix_button
from okrbot.bot.slack.blocks.kpi_format import kpi_line
from okrbot.bot.slack.blocks.kpis import update_button
from okrbot.bot.slack.blocks.okr_format import (
    confidence_label,
    day,
    kr_status,
    progress_bar,
)
from okrbot.bot.slack.blocks.reminders import checkin_button
from okrbot.bot.slack.blocks.text import (
    TEXT_LIMIT,
    VIEW_BLOCK_LIMIT,
    clip,
    context,
    divider,
    escape,
    header,
    plain,
    section,
)
from okrbot.handlers.home import AreaAttention, Dashboard, KpiAttention, MyKeyResult
from okrbot.handlers.objectives import ObjectiveView

HOME_SHOW_ALL = "home_show_all"  # value: one of the LISTS below
HOME_NEW_OBJECTIVE = "home_new_objective"
HOME_NEW_KPI = "home_new_kpi"
HOME_SETTINGS = "home_settings"
SETTINGS_CALLBACK = "home_settings"
SHOW_ALL_CALLBACK = "home_show_all"
REMINDERS_BLOCK = "reminders"
REMINDERS_ACTION = "choice"
REMINDERS_ON, REMINDERS_OFF = "on", "off"
KEY_RESULTS, KPIS, AREAS = "key_results", "kpis", "areas"
LISTS = (KEY_RESULTS, KPIS, AREAS)

KRS_SHOWN = 15
KPIS_SHOWN = 10
AREAS_SHOWN = 6
AREA_ITEMS = 3  # red KPIs and objectives listed per area on the tab
LINE_LIMIT = 600
BUTTON_TEXT_LIMIT = 75

Block = dict[str, Any]


# ---- the tab ------------------------------------------------------------------------------
def home_view(dashboard: Dashboard) -> Block:
    blocks = [header("Your OKRs and KPIs")]
    if dashboard.welcome:
        blocks += welcome_blocks()
    blocks.append(quick_actions())
    blocks += key_result_blocks(dashboard)
    blocks += kpi_blocks(dashboard.kpis)
    blocks += area_blocks(dashboard.areas)
    blocks.append(footer(dashboard))
    assert len(blocks) <= VIEW_BLOCK_LIMIT, "the Home tab's lists are capped to fit"
    return {"type": "home", "blocks": blocks}


def welcome_blocks() -> list[Block]:
    """The first visit: what okrbot is, and the two commands that drive it."""
    return [
        section(
            "👋 *Welcome to okrbot.* This tab shows your key results, your KPIs and what "
            "needs attention in your areas. It updates as you check in."
        ),
        section(
            "• `/okr checkin` to check in on a key result (value, confidence, comment)\n"
            "• `/okr new` to set an objective with key results\n"
            "• `/kpi update` to record a KPI's value\n"
            "• `/kpi list` to see your area's KPI health\n"
            "`/okr help` and `/kpi help` list everything. Once a week I remind you of key "
            "results without a check-in; `/okr reminders off` stops that."
        ),
    ]


def quick_actions() -> Block:
    return {
        "type": "actions",
        "block_id": "home_quick_actions",
        "elements": [
            _button("New objective", HOME_NEW_OBJECTIVE, "new", style="primary"),
            _button("New KPI", HOME_NEW_KPI, "new"),
            _button("Settings", HOME_SETTINGS, "settings"),
        ],
    }


def key_result_blocks(dashboard: Dashboard) -> list[Block]:
    krs = dashboard.key_results
    blocks = [divider(), section(f"*Your key results ({len(krs)})*")]
    if not krs:
        blocks.append(context("You own no key results yet. `/okr new` sets an objective."))
        return blocks
    blocks += [key_result_block(kr, dashboard.now) for kr in krs[:KRS_SHOWN]]
    if len(krs) > KRS_SHOWN:
        blocks.append(show_all_block(len(krs) - KRS_SHOWN, "key result", KEY_RESULTS))
    return blocks


def key_result_block(kr: MyKeyResult, now: datetime) -> Block:
    assert kr.view.key_result.id is not None
    return {**section(key_result_text(kr, now)), "accessory": checkin_button(kr.view.key_result.id)}


def key_result_text(kr: MyKeyResult, now: datetime) -> str:
    """`*Signups* ▓▓▓░░ 30 % · 🟡 needs attention · 5 days since the last check-in`"""
    key_result = kr.view.key_result
    checkin = kr.view.last_checkin
    facts = [
        progress_bar(kr.view.progress),
        confidence_label(checkin.confidence if checkin else None),
    ]
    if checkin:
        facts.append(days_since_checkin(checkin.created_at, now))
    text = (
        f"*{escape(key_result.title)}*  {' · '.join(facts)}\n"
        f"{escape(kr_status(key_result))} · _{escape(kr.objective.title)}_"
    )
    return clip(text, LINE_LIMIT)


def kpi_blocks(kpis: Sequence[KpiAttention]) -> list[Block]:
    blocks = [divider(), section(f"*Your KPIs ({len(kpis)})*")]
    if not kpis:
        blocks.append(context("You own no KPIs. `/kpi new` adds one."))
        return blocks
    for kpi in kpis[:KPIS_SHOWN]:
        blocks += kpi_attention_blocks(kpi)
    if len(kpis) > KPIS_SHOWN:
        blocks.append(show_all_block(len(kpis) - KPIS_SHOWN, "KPI", KPIS))
    return blocks


def kpi_attention_blocks(kpi: KpiAttention) -> list[Block]:
    """The KPI's line with its Update button; under a red one, its fixes and the fix button."""
    assert kpi.view.kpi.id is not None
    blocks = [
        {
            **section(clip(kpi_line(kpi.view), LINE_LIMIT)),
            "accessory": update_button(kpi.view.kpi.id),
        }
    ]
    if kpi.red and kpi.fixes:
        blocks.append(context(clip(_fixes_text(kpi.fixes), TEXT_LIMIT)))
    return blocks + fix_actions(kpi.view)


def area_blocks(areas: Sequence[AreaAttention]) -> list[Block]:
    blocks = [divider(), section("*Your areas*")]
    if not areas:
        blocks.append(
            context(
                "You're not in an area yet: owning an objective or a KPI, or leading an "
                "area, puts you in one."
            )
        )
        return blocks
    needing = [area for area in areas if not area.calm]
    for area in needing[:AREAS_SHOWN]:
        blocks += area_attention_blocks(area)
    calm = [area for area in areas if area.calm]
    if calm:
        names = ", ".join(escape(area.area.name) for area in calm)
        blocks.append(context(clip(f"✅ All calm in {names}.", TEXT_LIMIT)))
    if len(needing) > AREAS_SHOWN:
        blocks.append(show_all_block(len(needing) - AREAS_SHOWN, "area", AREAS))
    return blocks


def area_attention_blocks(area: AreaAttention, items: int | None = AREA_ITEMS) -> list[Block]:
    """The area's red KPIs and worrying objectives; a fix button (create or view) per red KPI."""
    red = area.red_kpis[:items]
    objectives = area.objectives[:items]
    lines = [f"*{escape(area.area.name)}*"]
    lines += [clip(kpi_line(kpi.view), LINE_LIMIT) for kpi in red]
    lines += [clip(objective_line(view), LINE_LIMIT) for view in objectives]
    hidden = len(area.red_kpis) - len(red) + len(area.objectives) - len(objectives)
    if hidden:
        lines.append(f"…and {hidden} more")
    blocks = [section(clip("\n".join(lines), TEXT_LIMIT))]
    fixes = [
        fix_button(kpi.view.kpi.id, kpi.view.open_fix, kpi_name=kpi.view.kpi.name)
        for kpi in red
        if kpi.view.kpi.id is not None
    ]
    if fixes:
        blocks.append({"type": "actions", "elements": fixes})
    return blocks


def objective_line(view: ObjectiveView) -> str:
    """`🎯 *Title* ▓▓▓░░ 30 % · 🔴 off track`"""
    return (
        f"🎯 *{escape(view.objective.title)}* {progress_bar(view.progress)} · "
        f"{confidence_label(view.confidence)}"
    )


def show_all_block(hidden: int, noun: str, which: str) -> Block:
    return {
        **section(f"…and {hidden} more {noun}{'' if hidden == 1 else 's'}."),
        "accessory": _button("Show all", HOME_SHOW_ALL, which),
    }


def footer(dashboard: Dashboard) -> Block:
    chosen = dashboard.preferences
    today = dashboard.now.date()
    if not chosen.reminders_enabled:
        reminders = "weekly reminders are off"
    elif chosen.snoozed_on(today) and chosen.snoozed_until is not None:
        reminders = f"reminders snoozed through {day(chosen.snoozed_until)}"
    else:
        reminders = "weekly reminders are on"
    return context(f"`/okr help` · `/kpi help` · {reminders} (`/okr reminders on|off`)")


# ---- "Show all" -----------------------------------------------------------------------------
def show_all_view(dashboard: Dashboard, which: str) -> Block:
    """The whole of one of the tab's lists, in a modal (lines packed into sections)."""
    if which == KPIS:
        title, lines = "Your KPIs", [kpi_line(kpi.view) for kpi in dashboard.kpis]
    elif which == AREAS:
        title, lines = "Your areas", list(_area_lines(dashboard.areas))
    else:
        title = "Your key results"
        lines = [key_result_text(kr, dashboard.now) for kr in dashboard.key_results]
    sections = list(packed(clip(line, LINE_LIMIT) for line in lines))
    blocks = [section(text) for text, _ in sections[: VIEW_BLOCK_LIMIT - 1]]
    hidden = sum(count for _, count in sections[VIEW_BLOCK_LIMIT - 1 :])
    if hidden:
        blocks.append(context(f"…and {hidden} more: `/okr list mine` and `/kpi list` have them."))
    if not blocks:
        blocks.append(section("Nothing here any more."))
    return _modal(SHOW_ALL_CALLBACK, title, blocks)


def _area_lines(areas: Iterable[AreaAttention]) -> Iterator[str]:
    for area in areas:
        if area.calm:
            continue
        yield f"*{escape(area.area.name)}*"
        yield from (kpi_line(kpi.view) for kpi in area.red_kpis)
        yield from (objective_line(view) for view in area.objectives)


def packed(lines: Iterable[str]) -> Iterator[tuple[str, int]]:
    """Lines joined into texts of at most 3,000 characters: (text, how many lines)."""
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + 1 + len(line) > TEXT_LIMIT:
            yield "\n".join(current), len(current)
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        yield "\n".join(current), len(current)


def loading_view(title: str) -> Block:
    return _modal(SHOW_ALL_CALLBACK, title, [section("Loading…")])


# ---- settings -------------------------------------------------------------------------------
def settings_view(*, reminders_enabled: bool, snoozed_until: date | None, today: date) -> Block:
    options = {
        REMINDERS_ON: "Remind me once a week of key results without a check-in",
        REMINDERS_OFF: "No reminders",
    }
    choices = [{"text": plain(label), "value": value} for value, label in options.items()]
    initial = choices[0] if reminders_enabled else choices[1]
    blocks: list[Block] = [
        {
            "type": "input",
            "block_id": REMINDERS_BLOCK,
            "label": plain("Check-in reminders"),
            "element": {
                "type": "radio_buttons",
                "action_id": REMINDERS_ACTION,
                "options": choices,
                "initial_option": initial,
            },
        }
    ]
    if reminders_enabled and snoozed_until is not None and today <= snoozed_until:
        blocks.append(
            context(f"Snoozed through {day(snoozed_until)}. Saving with reminders on ends it.")
        )
    view = _modal(SETTINGS_CALLBACK, "okrbot settings", blocks)
    view["submit"] = plain("Save")
    return view


# ---- helpers --------------------------------------------------------------------------------
def _button(label: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": plain(label, BUTTON_TEXT_LIMIT),
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _modal(callback_id: str, title: str, blocks: list[Block]) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "close": plain("Close"),
        "blocks": blocks,
    }


def _fixes_text(fixes: Sequence[ObjectiveView]) -> str:
    return "\n".join(f"↳ Fix in progress: {objective_line(view)}" for view in fixes)


def days_since_checkin(then: datetime, now: datetime) -> str:
    """ "checked in today", "1 day since the last check-in", "12 days since the last check-in"."""
    days = max(0, (now - then).days)
    if days == 0:
        return "checked in today"
    return f"{days} day{'' if days == 1 else 's'} since the last check-in"
