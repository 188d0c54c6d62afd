"""The weekly KPI health digest as Slack messages: pure builders, and the split into messages.

A digest is one list of blocks (header and summary, the KPIs most urgent first, the area's
objectives) cut into messages of at most 50 blocks. KPIs that are not red share sections, one
line each, so even a long list takes few blocks. Past `MAX_MESSAGES` the remaining KPIs are
counted on a last line with a button that lists them: nothing is dropped silently.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from okrbot.bot.slack.blocks.buttons import CHECKIN_BUTTON, fix_button
from okrbot.bot.slack.blocks.kpi_format import STATUS_EMOJI, kpi_line
from okrbot.bot.slack.blocks.ledger import tried_before_line
from okrbot.bot.slack.blocks.okr_format import confidence_label, progress_bar
from okrbot.bot.slack.blocks.text import (
    MESSAGE_BLOCK_LIMIT,
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
from okrbot.handlers.digest import Bucket, Digest, DigestKpi
from okrbot.handlers.health import Status
from okrbot.handlers.objectives import ObjectiveView

DIGEST_REST_BUTTON = "kpi_digest_rest_open"  # value: "<area id>:<KPIs already shown>"
DIGEST_REST_CALLBACK = "kpi_digest_rest"

MAX_MESSAGES = 5
LINE_LIMIT = 600  # one KPI or objective line; lines pack into sections of 3,000 characters
OBJECTIVE_SECTIONS = 6

BUCKET_TITLES = {
    Bucket.UNHEALTHY: "unhealthy",
    Bucket.WATCH: "watch",
    Bucket.STALE: "stale",
    Bucket.NO_DATA: "no data",
    Bucket.HEALTHY: "healthy",
}
BUCKET_EMOJI = {
    Bucket.UNHEALTHY: STATUS_EMOJI[Status.UNHEALTHY],
    Bucket.WATCH: STATUS_EMOJI[Status.WATCH],
    Bucket.STALE: "⏳",
    Bucket.NO_DATA: STATUS_EMOJI[Status.NO_DATA],
    Bucket.HEALTHY: STATUS_EMOJI[Status.HEALTHY],
}


@dataclass(frozen=True)
class Message:
    text: str  # the fallback for notifications and screen readers
    blocks: list[dict[str, Any]]


@dataclass(frozen=True)
class _KpiBlock:
    block: dict[str, Any]
    kpis: int  # how many KPIs the block shows


# ---- the digest ------------------------------------------------------------------------------
def digest_messages(digest: Digest, *, max_messages: int = MAX_MESSAGES) -> list[Message]:
    """The digest as messages of at most 50 blocks each, in order."""
    head = head_blocks(digest)
    tail = [*objective_blocks(digest.objectives), footer_block()]
    kpi_blocks = _fitted(digest, kpi_blocks_of(digest.kpis), max_messages, len(head) + len(tail))
    blocks = head + kpi_blocks + tail
    parts = [
        blocks[start : start + MESSAGE_BLOCK_LIMIT]
        for start in range(0, len(blocks), MESSAGE_BLOCK_LIMIT)
    ]
    return [
        Message(text=fallback_text(digest, number, len(parts)), blocks=part)
        for number, part in enumerate(parts, start=1)
    ]


def _fitted(
    digest: Digest, kpi_blocks: list[_KpiBlock], max_messages: int, others: int
) -> list[dict[str, Any]]:
    """The KPI blocks that fit in `max_messages`; a counted "…and N more" line for the rest."""
    room = max_messages * MESSAGE_BLOCK_LIMIT - others
    if len(kpi_blocks) <= room:
        return [kpi.block for kpi in kpi_blocks]
    kept = kpi_blocks[: max(room - 1, 0)]
    shown = sum(kpi.kpis for kpi in kept)
    return [kpi.block for kpi in kept] + [rest_block(digest, shown)]


def fallback_text(digest: Digest, part: int = 1, parts: int = 1) -> str:
    title = f"{digest.area.name} KPI health, week {_week_number(digest)}"
    if part > 1:
        return f"{title} (continued, {part} of {parts})"
    return f"{title}: {counts_text(digest.counts)}."


def head_blocks(digest: Digest) -> list[dict[str, Any]]:
    monday = digest.week_start
    objectives = len(digest.objectives)
    about = (
        f"Week of {monday.day} {monday:%b %Y} · {_plural(digest.total, 'KPI')} · "
        f"{_plural(objectives, 'active objective')}"
    )
    summary = (
        summary_line(digest.counts)
        if digest.total
        else f"No KPIs in *{escape(digest.area.name)}* yet: `/kpi new` adds one."
    )
    return [
        header(f"{digest.area.name}: KPI health, week {_week_number(digest)}"),
        section(summary),
        context(about),
    ]


def summary_line(counts: dict[Bucket, int]) -> str:
    """`🔴 2 unhealthy · 🟡 1 watch · …`: every bucket, zeros included."""
    return " · ".join(
        f"{BUCKET_EMOJI[bucket]} {counts.get(bucket, 0)} {BUCKET_TITLES[bucket]}"
        for bucket in Bucket
    )


def counts_text(counts: dict[Bucket, int]) -> str:
    return ", ".join(f"{counts.get(bucket, 0)} {BUCKET_TITLES[bucket]}" for bucket in Bucket)


def kpi_blocks_of(kpis: Sequence[DigestKpi]) -> list[_KpiBlock]:
    """A section per red KPI (with its fixes or a fix button); the others packed by bucket."""
    blocks: list[_KpiBlock] = []
    for bucket in Bucket:
        group = [kpi for kpi in kpis if kpi.bucket == bucket]
        if not group:
            continue
        title = f"*{BUCKET_TITLES[bucket].capitalize()} ({len(group)})*"
        if bucket == Bucket.UNHEALTHY:
            blocks.extend(
                _KpiBlock(red_kpi_block(kpi, title if i == 0 else ""), 1)
                for i, kpi in enumerate(group)
            )
        else:
            # Only a red KPI's owner is pinged: the others have nothing to do this week.
            lines = [clip(kpi_line(kpi.view, mention_owner=False), LINE_LIMIT) for kpi in group]
            blocks.extend(
                _KpiBlock(section(text), count) for text, count in packed(lines, heading=title)
            )
    return blocks


def red_kpi_block(kpi: DigestKpi, heading: str = "") -> dict[str, Any]:
    """A red KPI: its line, the objectives fixing it, and a button to create or view its fix."""
    lines = [heading] if heading else []
    lines.append(clip(kpi_line(kpi.view), LINE_LIMIT))
    lines.extend(clip(f"↳ Fix in progress: {objective_line(fix)}", LINE_LIMIT) for fix in kpi.fixes)
    if tried := tried_before_line(kpi.tried):
        lines.append(clip(f"↳ {tried}", LINE_LIMIT))
    block = section(clip("\n".join(lines), TEXT_LIMIT))
    assert kpi.view.kpi.id is not None
    block["accessory"] = fix_button(kpi.view.kpi.id, kpi.view.open_fix)
    return block


def rest_block(digest: Digest, shown: int) -> dict[str, Any]:
    """The "…and 40 more KPIs (30 healthy, 10 no data)" line, with a button that lists them."""
    rest = digest.kpis[shown:]
    counted = Counter(kpi.bucket for kpi in rest)
    parts = ", ".join(f"{counted[b]} {BUCKET_TITLES[b]}" for b in Bucket if counted[b])
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": f"…and {_plural(len(rest), 'more KPI')} ({parts})."},
        "accessory": {
            "type": "button",
            "text": plain("List them"),
            "action_id": DIGEST_REST_BUTTON,
            "value": f"{digest.area.id}:{shown}",
        },
    }


def objective_blocks(objectives: Sequence[ObjectiveView]) -> list[dict[str, Any]]:
    """The area's active objectives with progress and confidence, and a check-in button."""
    if not objectives:
        return [divider(), context("No active objectives in this area. `/okr new` sets one.")]
    lines = [clip(objective_line(view), LINE_LIMIT) for view in objectives]
    sections = list(packed(lines, heading=f"*Objectives ({len(objectives)})*"))
    blocks = [divider()] + [section(text) for text, _ in sections[:OBJECTIVE_SECTIONS]]
    hidden = sum(count for _, count in sections[OBJECTIVE_SECTIONS:])
    if hidden:
        blocks.append(context(f"…and {_plural(hidden, 'more objective')}: `/okr list area`."))
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": plain("Check in"),
                    "action_id": CHECKIN_BUTTON,
                }
            ],
        }
    )
    return blocks


def objective_line(view: ObjectiveView) -> str:
    """`*Title* ▓▓▓▓░░░░░░ 40 % · 🟢 on track`"""
    return (
        f"*{escape(view.objective.title)}* {progress_bar(view.progress)} · "
        f"{confidence_label(view.confidence)}"
    )


def footer_block() -> dict[str, Any]:
    return context("`/kpi digest preview` shows this any time · `/kpi list` has the details")


def packed(lines: Iterable[str], *, heading: str = "") -> Iterator[tuple[str, int]]:
    """Lines joined into texts of at most 3,000 characters: (text, how many lines)."""
    current = [heading] if heading else []
    count = 0
    size = len(heading)
    for line in lines:
        if count and size + 1 + len(line) > TEXT_LIMIT:
            yield "\n".join(current), count
            current, count, size = [], 0, -1
        current.append(line)
        count += 1
        size += 1 + len(line)
    if count:
        yield "\n".join(current), count


# ---- around the digest -----------------------------------------------------------------------
def rest_view(digest: Digest, shown: int) -> dict[str, Any]:
    """A modal listing the KPIs the digest had no room for."""
    lines = [clip(kpi_line(kpi.view), LINE_LIMIT) for kpi in digest.kpis[shown:]]
    sections = list(packed(lines))
    blocks = [section(text) for text, _ in sections[: VIEW_BLOCK_LIMIT - 2]]
    hidden = sum(count for _, count in sections[VIEW_BLOCK_LIMIT - 2 :])
    if hidden:
        blocks.append(context(f"…and {_plural(hidden, 'more KPI')}: `/kpi list` has them all."))
    if not blocks:
        blocks.append(section("Nothing more: every KPI of this area is in the digest now."))
    return _modal(DIGEST_REST_CALLBACK, f"{digest.area.name} KPIs", blocks)


def area_gone_view() -> dict[str, Any]:
    return _modal(
        DIGEST_REST_CALLBACK, "KPIs", [section("That area no longer exists, so it has no KPIs.")]
    )


def loading_view(title: str) -> dict[str, Any]:
    return _modal(DIGEST_REST_CALLBACK, title, [section("Loading…")])


def no_area_text() -> str:
    return (
        "This channel is not an area's home yet, so it has no digest. "
        "Run `/okr setup` here to make it one."
    )


def channel_problem_message(area_name: str, channel_id: str, error: str) -> Message:
    """The one direct message that tells an area's leads their digest cannot be posted."""
    why = {
        "not_in_channel": "I'm not a member of it. Invite me with `/invite @okrbot` there",
        "is_archived": (
            "it is archived. Unarchive it, or run `/okr setup` in the channel the area "
            "should use now"
        ),
    }.get(
        error,
        "I cannot find it (deleted, or private without me). Run `/okr setup` in the "
        "channel the area should use",
    )
    text = (
        f"I couldn't post the weekly KPI digest of *{escape(area_name)}* in <#{channel_id}>: "
        f"{why}. I'll keep trying for a day, and I won't message you about this again."
    )
    return Message(text=text, blocks=[section(text)])


def _modal(callback_id: str, title: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "close": plain("Close"),
        "blocks": blocks,
    }


def _week_number(digest: Digest) -> int:
    return digest.week_start.isocalendar().week


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
