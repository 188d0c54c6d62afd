"""The weekly check-in reminder DM, and what it turns into after "Snooze" or "Stop"."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from okrbot.bot.slack.blocks.buttons import CHECKIN_BUTTON
from okrbot.bot.slack.blocks.okr_format import ago, day, progress_bar
from okrbot.bot.slack.blocks.text import clip, context, escape, plain, section
from okrbot.handlers.reminders import QuietKr

# The check-in feature's button (features/checkin.py CHECKIN_BUTTON, which answers it);
# importing it from a builder would be circular. Its value is the key result to pick.
REMINDER_SNOOZE = "reminder_snooze"
REMINDER_STOP = "reminder_stop"
REMINDER_ACTIONS_BLOCK = "reminder_choices"
LISTED = 20  # key results listed with their own button; the rest are counted
LINE_LIMIT = 600

Block = dict[str, Any]


def checkin_button(key_result_id: int) -> Block:
    """ "Check in": opens the check-in modal with this key result picked."""
    return {
        "type": "button",
        "text": plain("Check in"),
        "action_id": CHECKIN_BUTTON,
        "value": str(key_result_id),
    }


def quiet_kr_block(kr: QuietKr, now: datetime) -> Block:
    last = (
        f"last check-in {ago(kr.last_checkin_at, now)}" if kr.last_checkin_at else "no check-in yet"
    )
    text = (
        f"*{escape(kr.title)}*\n{escape(kr.objective_title)} · {escape(kr.area_name)}\n"
        f"{progress_bar(kr.progress)} · {last}"
    )
    return {**section(clip(text, LINE_LIMIT)), "accessory": checkin_button(kr.key_result_id)}


def reminder_text(krs: Sequence[QuietKr]) -> str:
    """The notification: which key results, in plain words."""
    names = ", ".join(f"“{kr.title}”" for kr in krs[:3])
    more = f" and {len(krs) - 3} more" if len(krs) > 3 else ""  # noqa: PLR2004
    return clip(f"Time for a check-in: {names}{more} had none for a week.", 300)


def reminder_blocks(krs: Sequence[QuietKr], now: datetime) -> list[Block]:
    """Which key results had no check-in for a week, a button each, and snooze / stop."""
    count = "1 key result has" if len(krs) == 1 else f"{len(krs)} key results have"
    blocks = [
        section(
            f"👋 {count} had no check-in for a week. A check-in takes a few seconds and "
            "keeps your team in the loop."
        ),
        *(quiet_kr_block(kr, now) for kr in krs[:LISTED]),
    ]
    if len(krs) > LISTED:
        blocks.append(context(f"…and {len(krs) - LISTED} more: `/okr checkin` lists them all."))
    blocks.append(
        {
            "type": "actions",
            "block_id": REMINDER_ACTIONS_BLOCK,
            "elements": [
                {
                    "type": "button",
                    "text": plain("Snooze for a week"),
                    "action_id": REMINDER_SNOOZE,
                    "value": "snooze",
                },
                {
                    "type": "button",
                    "text": plain("Stop reminding me"),
                    "action_id": REMINDER_STOP,
                    "value": "stop",
                    "confirm": {
                        "title": plain("Stop reminders?"),
                        "text": plain(
                            "No more weekly check-in reminders. `/okr reminders on` brings "
                            "them back."
                        ),
                        "confirm": plain("Stop them"),
                        "deny": plain("Keep them"),
                    },
                },
            ],
        }
    )
    blocks.append(context("A reminder comes once a week at most, between 08:00 and 19:00."))
    return blocks


def snoozed_note(until: date) -> str:
    return (
        f"😴 Snoozed: no reminder next week. They come back after {day(until)}. "
        "`/okr reminders on` ends the snooze."
    )


STOPPED_NOTE = "🔕 Reminders are off. `/okr reminders on` turns them back on."
STARTED_NOTE = "🔔 Reminders are on: once a week, for key results without a check-in."


def without_choices(blocks: Sequence[Block] | None, note: str) -> list[Block]:
    """The reminder as it was, its snooze / stop buttons replaced by what was chosen."""
    kept = [
        block
        for block in blocks or []
        if block.get("block_id") != REMINDER_ACTIONS_BLOCK and block.get("type") != "context"
    ]
    return [*kept, context(note)]


def reminders_status_text(*, enabled: bool, snoozed_until: date | None, today: date) -> str:
    """What `/okr reminders` says about the person's reminders now."""
    if not enabled:
        return f"{STOPPED_NOTE}"
    if snoozed_until is not None and today <= snoozed_until:
        return (
            f"😴 Reminders are snoozed through {day(snoozed_until)}. `/okr reminders on` ends it."
        )
    return f"{STARTED_NOTE} `/okr reminders off` stops them."
