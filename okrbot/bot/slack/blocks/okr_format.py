"""How OKR numbers read in Slack: progress bars, confidence, values, and "3 days ago"."""

from collections.abc import Sequence
from datetime import date, datetime

from okrbot.handlers.progress import clamp
from okrbot.handlers.units import format_number
from okrbot.storage.models import Confidence, KeyResult, KeyResultKind

BAR_WIDTH = 10
CONFIDENCE_LABELS = {
    Confidence.ON_TRACK: "🟢 on track",
    Confidence.NEEDS_ATTENTION: "🟡 needs attention",
    Confidence.OFF_TRACK: "🔴 off track",
}
NO_CHECKIN = "no check-in yet"


def percent(fraction: float) -> int:
    """A fraction as a whole percentage, halves rounded up."""
    return int(clamp(fraction) * 100 + 0.5)


def progress_bar(fraction: float) -> str:
    """e.g. "▓▓▓▓░░░░░░ 40 %"."""
    filled = int(clamp(fraction) * BAR_WIDTH + 0.5)
    return "▓" * filled + "░" * (BAR_WIDTH - filled) + f" {percent(fraction)} %"


def confidence_label(confidence: Confidence | None) -> str:
    """ "🟢 on track", "🟡 needs attention", "🔴 off track", or "no check-in yet"."""
    return CONFIDENCE_LABELS[confidence] if confidence else NO_CHECKIN


def format_value(value: float | None, unit: str = "") -> str:
    """A value with its unit, e.g. "6.5 %", "1,200 EUR"; "no value yet" without one."""
    if value is None:
        return "no value yet"
    return f"{format_number(value)} {unit}".rstrip()


def kr_status(kr: KeyResult) -> str:
    """Where a key result stands: "6.5 % of 10 % (from 5 %)" or "done" / "not done yet"."""
    if kr.kind == KeyResultKind.MILESTONE:
        return "done" if kr.done else "not done yet"
    current = format_value(kr.current_value, kr.unit)
    return (
        f"{current} of {format_value(kr.target_value, kr.unit)} "
        f"(from {format_value(kr.start_value, kr.unit)})"
    )


def ago(then: datetime | None, now: datetime) -> str:
    """How long ago, in the largest whole unit: "just now", "3 days ago", "2 weeks ago"."""
    if then is None:
        return "never"
    seconds = max(0, int((now - then).total_seconds()))
    for size, name in ((7 * 86400, "week"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {name}{'s' if count > 1 else ''} ago"
    return "just now"


def mentions(user_ids: Sequence[str]) -> str:
    """ "<@A>", "<@A> or <@B>", "<@A>, <@B> or <@C>"."""
    names = [f"<@{user_id}>" for user_id in user_ids]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def day(when: date) -> str:
    """e.g. "31 Dec 2026"."""
    return f"{when.day} {when:%b %Y}"
