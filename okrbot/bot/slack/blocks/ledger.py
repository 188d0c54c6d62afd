"""The "what we tried" ledger in Slack: a section in `/kpi show`, and a line in the digest."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from okrbot.bot.slack.blocks.okr_format import day, progress_bar
from okrbot.bot.slack.blocks.text import clip, context, escape, section
from okrbot.handlers.ledger import LedgerEntry, Outcome
from okrbot.handlers.objectives import quarter_of
from okrbot.storage.models import Cadence, Kpi, Objective

SHOWN_ENTRIES = 10  # objectives `/kpi show` lists; the rest are counted
DIGEST_ENTRIES = 3  # objectives a digest line names
TITLE_LIMIT = 80
OUTCOME_TEXT = {
    Outcome.RECOVERED: "✅ recovered",
    Outcome.NOT_RECOVERED: "❌ not recovered",
    Outcome.IN_PROGRESS: "🔄 in progress",
}


def ledger_blocks(
    entries: Sequence[LedgerEntry], *, kpi: Kpi, origin: Objective | None, today: date
) -> list[dict[str, Any]]:
    """`/kpi show`'s lineage and "What we tried": every objective aimed at the KPI, newest first."""
    blocks = []
    if origin is not None:
        blocks.append(
            context(
                f"Came from objective *{escape(origin.title)}* "
                f"({period_label(origin.period_start, origin.period_end, today)}, "
                f"{origin.status.value})."
            )
        )
    if not entries:
        blocks.append(context("*What we tried*: no objective has aimed at this KPI yet."))
        return blocks
    lines = [f"*What we tried* ({len(entries)})"]
    lines += [entry_line(entry, kpi=kpi) for entry in entries[:SHOWN_ENTRIES]]
    blocks.append(section("\n".join(lines)))
    if len(entries) > SHOWN_ENTRIES:
        blocks.append(context(f"…and {len(entries) - SHOWN_ENTRIES} earlier objectives."))
    return blocks


def entry_line(entry: LedgerEntry, *, kpi: Kpi) -> str:
    """`• *Optimise the funnel* · Q3 · achieved · ▓▓▓▓▓▓▓▓░░ 80 % · ✅ recovered (week of 5 Oct)`"""
    objective = entry.objective
    title = escape(clip(objective.title, TITLE_LIMIT))
    parts = [
        f"• *{title}*",
        entry_period(entry),
        objective.status.value,
        progress_bar(entry.progress),
        outcome_text(entry, kpi),
    ]
    return " · ".join(parts)


def outcome_text(entry: LedgerEntry, kpi: Kpi) -> str:
    """ "✅ recovered (week of 5 Oct 2026)", "❌ not recovered", "🔄 in progress (watching …)"."""
    text = OUTCOME_TEXT[entry.outcome]
    verdict = entry.verdict
    if verdict.recovered_in is not None:
        return f"{text} ({period_name(verdict.recovered_in, kpi.cadence)})"
    if entry.outcome == Outcome.IN_PROGRESS and verdict.window_end is not None:
        return f"{text} (watching through the {period_name(verdict.window_end, kpi.cadence)})"
    return text


def tried_before_line(entries: Sequence[LedgerEntry]) -> str:
    """The digest's line under a red KPI: the objectives that ended, e.g.
    "Tried before: Optimise the funnel (Q3, recovered)"; "" when none did."""
    ended = [entry for entry in entries if entry.ended is not None]
    if not ended:
        return ""
    named = [
        f"{escape(clip(entry.objective.title, TITLE_LIMIT))} "
        f"({entry_period(entry)}, {entry.outcome.value})"
        for entry in ended[:DIGEST_ENTRIES]
    ]
    more = len(ended) - DIGEST_ENTRIES
    rest = f" · and {more} more in `/kpi show`" if more > 0 else ""
    return "Tried before: " + " · ".join(named) + rest


def entry_period(entry: LedgerEntry) -> str:
    """The objective's period, as `period_label` writes it."""
    objective = entry.objective
    return period_label(objective.period_start, objective.period_end, entry.judged_on)


def period_label(start: date, end: date, today: date) -> str:
    """ "Q3" (a whole quarter of this year), "Q3 2025", "Oct to Nov 2026", "Nov 2026"."""
    year = "" if end.year == today.year else f" {end.year}"
    if quarter_of(start) == (start, end):
        return f"Q{(start.month - 1) // 3 + 1}{year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%b} {start.year}"
    first = f"{start:%b}" if start.year == end.year else f"{start:%b} {start.year}"
    return f"{first} to {end:%b} {end.year}"


def period_name(start: date, cadence: Cadence) -> str:
    """ "week of 5 Oct 2026" or "Oct 2026": the KPI period starting at `start`."""
    if cadence == Cadence.MONTHLY:
        return f"{start:%b %Y}"
    return f"week of {day(start)}"
