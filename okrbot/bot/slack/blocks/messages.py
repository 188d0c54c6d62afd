"""What okrbot answers in its Messages tab (a DM to the bot)."""

from collections.abc import Sequence
from typing import Any

from okrbot.bot.slack.blocks.buttons import CHECKIN_BUTTON
from okrbot.bot.slack.blocks.reminders import checkin_button
from okrbot.bot.slack.blocks.text import clip, context, escape, plain, section
from okrbot.handlers.checkins import Candidate

LISTED = 10  # key results offered with their own button
LINE_LIMIT = 300

Block = dict[str, Any]

HINT = (
    "I understand `checkin` (check in on a key result) and `help` (everything I can do). "
    "The same works as `/okr checkin` and `/okr help` in any channel."
)
NOTHING_TO_CHECK_IN = (
    "You have no key results to check in on yet. `/okr new` sets an objective with key results."
)


def checkin_prompt(
    candidates: Sequence[Candidate], match: Candidate | None
) -> tuple[str, list[Block]]:
    """The DM answer to "checkin [text]": a button per key result (or the one that matches)."""
    if not candidates:
        return NOTHING_TO_CHECK_IN, [section(NOTHING_TO_CHECK_IN)]
    offered = [match] if match else list(candidates[:LISTED])
    text = (
        f"Check in on “{match.title}”?" if match else "Which key result do you want to check in on?"
    )
    blocks: list[Block] = [section(escape(text))]
    blocks += [
        {
            **section(clip(_line(candidate), LINE_LIMIT)),
            "accessory": checkin_button(candidate.key_result_id),
        }
        for candidate in offered
    ]
    rest = len(candidates) - len(offered)
    if rest > 0:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": plain(f"Pick from all {len(candidates)}"),
                        "action_id": CHECKIN_BUTTON,
                        "value": "",
                    }
                ],
            }
        )
    blocks.append(context("Your own key results come first."))
    return text, blocks


def _line(candidate: Candidate) -> str:
    return f"*{escape(candidate.title)}*\n{escape(candidate.objective_title)}"


def hint_blocks() -> list[Block]:
    return [section(HINT)]
