"""The check-in modal, its confirmation, and the update it posts to the area's channel."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from okrbot.bot.slack.blocks.okr_format import (
    ago,
    confidence_label,
    format_value,
    kr_status,
    mentions,
    progress_bar,
)
from okrbot.bot.slack.blocks.okr_to_kpi import offer_block
from okrbot.bot.slack.blocks.text import clip, context, escape, plain, section
from okrbot.handlers.checkins import Candidate, CheckinTarget, Recorded
from okrbot.handlers.okr_to_kpi import can_become_kpi
from okrbot.storage.models import CheckIn, Confidence, KeyResultKind, ObjectiveStatus

CHECKIN_CALLBACK = "okr_checkin"
PICK_ACTION = "okr_checkin_pick"
PICK_BLOCK = "kr_pick"
VALUE_BLOCK = "value"
DONE_BLOCK = "done"
CONFIDENCE_BLOCK = "confidence"
COMMENT_BLOCK = "comment"
INPUT_ACTION = "input"
STATIC_OPTIONS_LIMIT = 100
OPTION_TEXT_LIMIT = 75
COMMENT_LIMIT = 3000
RECALLED_COMMENT_LIMIT = 300  # how much of the last comment the modal recalls
DONE, NOT_DONE = "done", "not_done"
CONFIDENCE_CHOICES = {
    Confidence.ON_TRACK: "🟢 On track",
    Confidence.NEEDS_ATTENTION: "🟡 Needs attention",
    Confidence.OFF_TRACK: "🔴 Off track",
}

Block = dict[str, Any]


def _modal(blocks: list[Block], *, metadata: str = "", submit: bool = False) -> Block:
    view: Block = {
        "type": "modal",
        "callback_id": CHECKIN_CALLBACK,
        "title": plain("Check in"),
        "close": plain("Cancel" if submit else "Close"),
        "private_metadata": metadata,
        "blocks": blocks,
    }
    if submit:
        view["submit"] = plain("Check in")
    return view


def loading_view() -> Block:
    """What opens at once, within Slack's three seconds, while the key results load."""
    return _modal([section("Loading your key results…")])


def message_view(text: str) -> Block:
    """A modal that only tells something: nothing to pick, not allowed, not found."""
    return _modal([section(text)])


NOTHING_TO_PICK = (
    "You have no key results to check in on yet. `/okr new` sets an objective with key "
    "results; the owners of an area's objectives and its leads see them here."
)
NOT_FOUND = "I can't find that key result. It may have been deleted; nothing was changed."


def not_allowed_text(who_can: Sequence[str]) -> str:
    return (
        f"Only {mentions(who_can)} can check in on this key result: its owner, the "
        "objective's owner and the area's leads. Ask one of them, or pick another key result."
    )


# ---- picking ------------------------------------------------------------------------------
def candidate_option(candidate: Candidate) -> Block:
    label = f"{candidate.title} ({candidate.objective_title})"
    return {"text": plain(label, OPTION_TEXT_LIMIT), "value": str(candidate.key_result_id)}


def candidate_option_groups(candidates: Sequence[Candidate]) -> list[Block]:
    """ "Yours" then "In your areas", leaving out an empty group."""
    groups = [
        ("Yours", [c for c in candidates if c.mine]),
        ("In your areas", [c for c in candidates if not c.mine]),
    ]
    return [
        {"label": plain(label), "options": [candidate_option(c) for c in members]}
        for label, members in groups
        if members
    ]


def _picker(candidates: Sequence[Candidate], selected: Candidate | None) -> Block:
    select: Block = {
        "action_id": PICK_ACTION,
        "placeholder": plain("Pick a key result"),
    }
    if len(candidates) > STATIC_OPTIONS_LIMIT:
        select |= {"type": "external_select", "min_query_length": 0}
    else:
        select |= {"type": "static_select", "option_groups": candidate_option_groups(candidates)}
    if selected is not None:
        select["initial_option"] = candidate_option(selected)
    return {
        "type": "section",
        "block_id": PICK_BLOCK,
        "text": {"type": "mrkdwn", "text": "*Key result*"},
        "accessory": select,
    }


def picker_view(
    candidates: Sequence[Candidate],
    *,
    selected: Candidate | None = None,
    target: CheckinTarget | None = None,
    unmatched: str = "",
    user_id: str = "",
    objective_id: int | None = None,
    now: datetime,
) -> Block:
    """Pick a key result; once one is picked, its details and the fields to fill in.

    The metadata keeps the picked key result and, when the list is one objective's, that
    objective; both are looked up again, within the workspace, whenever they are used.
    """
    if not candidates and target is None:
        return message_view(NOTHING_TO_PICK)
    metadata = {"objective": objective_id, "kr": target.kr_view.key_result.id if target else None}
    blocks = [_picker(candidates, selected)]
    if target is None:
        hint = context(
            f"No key result matches “{escape(clip(unmatched, 100))}”; pick one."
            if unmatched.strip()
            else "Your own key results come first."
        )
        return _modal([*blocks, hint], metadata=json.dumps(metadata))
    blocks += target_blocks(target, now)
    if not target.allows(user_id):
        blocks.append(section(not_allowed_text(target.who_can)))
        return _modal(blocks, metadata=json.dumps(metadata))
    blocks += entry_blocks(target)
    return _modal(blocks, metadata=json.dumps(metadata), submit=True)


def target_blocks(target: CheckinTarget, now: datetime) -> list[Block]:
    """The picked key result: where it stands, its progress, and its last check-in."""
    kr = target.kr_view.key_result
    objective = target.objective_view.objective
    lines = [
        f"*{escape(kr.title)}*",
        f"Objective: {escape(objective.title)}",
        f"Now: {escape(kr_status(kr))}",
        progress_bar(target.kr_view.progress),
    ]
    blocks = [
        section("\n".join(lines)),
        context(last_checkin_text(target.kr_view.last_checkin, now)),
    ]
    if target.kpi_name is not None:
        blocks.append(
            context(
                f"Its value follows the KPI *{escape(target.kpi_name)}*; "
                "add how confident you are and a comment."
            )
        )
    return blocks


def last_checkin_text(checkin: CheckIn | None, now: datetime) -> str:
    """ "Last check-in: <@U…> 3 days ago: 4 %, 🟢 on track. “comment”"."""
    if checkin is None:
        return "No check-in yet."
    if checkin.done is not None:
        what = "done" if checkin.done else "not done yet"
    else:
        what = format_value(checkin.value)
    text = (
        f"Last check-in: <@{checkin.author_id}> {ago(checkin.created_at, now)}: "
        f"{escape(what)}, {confidence_label(checkin.confidence)}."
    )
    if checkin.comment.strip():
        text += f" “{escape(clip(checkin.comment.strip(), RECALLED_COMMENT_LIMIT))}”"
    return text


def entry_blocks(target: CheckinTarget) -> list[Block]:
    """The fields: the new value (or done), confidence and a comment."""
    kr = target.kr_view.key_result
    blocks: list[Block] = []
    if kr.kind == KeyResultKind.MILESTONE:
        blocks.append(_done_input(done=kr.done))
    elif target.kpi_name is None:
        blocks.append(_value_input(kr.unit, kr.current_value))
    last = target.kr_view.last_checkin
    blocks.append(_confidence_input(last.confidence if last else None))
    blocks.append(
        {
            "type": "input",
            "block_id": COMMENT_BLOCK,
            "optional": True,
            "label": plain("Comment"),
            "element": {
                "type": "plain_text_input",
                "action_id": INPUT_ACTION,
                "multiline": True,
                "max_length": COMMENT_LIMIT,
                "placeholder": plain("What moved, what is in the way?"),
            },
        }
    )
    return blocks


def _value_input(unit: str, current: float | None) -> Block:
    label = f"New value ({unit})" if unit else "New value"
    return {
        "type": "input",
        "block_id": VALUE_BLOCK,
        "label": plain(label),
        "element": {
            "type": "plain_text_input",
            "action_id": INPUT_ACTION,
            "placeholder": plain(f"now {format_value(current, unit)}"),
        },
    }


def _radio(text: str, value: str) -> Block:
    return {"text": plain(text), "value": value}


def _done_input(*, done: bool) -> Block:
    options = [_radio("Done", DONE), _radio("Not done yet", NOT_DONE)]
    return {
        "type": "input",
        "block_id": DONE_BLOCK,
        "label": plain("Is it done?"),
        "element": {
            "type": "radio_buttons",
            "action_id": INPUT_ACTION,
            "options": options,
            "initial_option": options[0 if done else 1],
        },
    }


def _confidence_input(last: Confidence | None) -> Block:
    options = {c: _radio(text, c.value) for c, text in CONFIDENCE_CHOICES.items()}
    element: Block = {
        "type": "radio_buttons",
        "action_id": INPUT_ACTION,
        "options": list(options.values()),
    }
    if last is not None:
        element["initial_option"] = options[last]
    return {
        "type": "input",
        "block_id": CONFIDENCE_BLOCK,
        "label": plain("How confident are you?"),
        "element": element,
    }


# ---- after submitting ---------------------------------------------------------------------
def confirmation_view(recorded: Recorded) -> Block:
    """The answer to a submitted check-in: the key result's and the objective's new progress."""
    target = recorded.target
    kr = target.kr_view.key_result
    confidence = confidence_label(recorded.checkin.confidence)
    lines = [
        f"✅ Checked in on *{escape(kr.title)}*.",
        f"Now: {escape(kr_status(kr))}",
        f"{progress_bar(target.kr_view.progress)} · {confidence}",
    ]
    objective = target.objective_view
    blocks = [
        section("\n".join(lines)),
        context(
            f"Objective *{escape(objective.objective.title)}*: {progress_bar(objective.progress)}"
        ),
    ]
    if can_become_kpi(objective):  # the check-in that completes it offers to keep the number
        reached = objective.objective.status != ObjectiveStatus.ACHIEVED
        blocks.append(offer_block(objective.objective, reached=reached))
    channel = target.area.channel_id if target.area else None
    if channel:
        blocks.append(context(f"An update goes to <#{channel}>."))
    return {
        "type": "modal",
        "callback_id": CHECKIN_CALLBACK,
        "title": plain("Checked in"),
        "close": plain("Done"),
        "blocks": blocks,
    }


def update_text(recorded: Recorded) -> str:
    """The channel update as one line: the notification and screen-reader fallback."""
    kr = recorded.target.kr_view.key_result
    return (
        f"<@{recorded.checkin.author_id}> checked in on {escape(kr.title)}: "
        f"{escape(kr_status(kr))}, {confidence_label(recorded.checkin.confidence)}"
    )


def update_blocks(recorded: Recorded, *, opens_thread: bool) -> list[Block]:
    """A check-in in the area's channel; the week's first one also names the objective."""
    target = recorded.target
    kr = target.kr_view.key_result
    checkin = recorded.checkin
    blocks: list[Block] = []
    if opens_thread:
        objective = target.objective_view
        blocks.append(
            section(
                f"*{escape(objective.objective.title)}* · this week's check-ins\n"
                f"{progress_bar(objective.progress)} · owner <@{objective.objective.owner_id}>"
            )
        )
    blocks.append(
        section(
            f"<@{checkin.author_id}> checked in on *{escape(kr.title)}*: "
            f"{escape(kr_status(kr))}\n"
            f"{progress_bar(target.kr_view.progress)} · {confidence_label(checkin.confidence)}"
        )
    )
    if checkin.comment.strip():
        blocks.append(section(quoted(checkin.comment)))
    return blocks


def quoted(comment: str) -> str:
    """A comment as a mrkdwn quote, escaped, every line of it."""
    return "\n".join(f"> {line}" for line in escape(comment.strip()).split("\n"))
