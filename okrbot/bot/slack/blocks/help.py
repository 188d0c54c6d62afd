"""The help answer for `/okr help`, `/kpi help` and unknown subcommands."""

from collections.abc import Sequence
from typing import Any, Protocol

from okrbot.bot.slack.blocks.text import context, escape, section


class HelpEntry(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def usage(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def example(self) -> str: ...


def _opening(command: str, unknown: str, suggestion: str | None) -> str:
    if not unknown or unknown == "help":
        return f"Here is what `{command}` can do:"
    guess = f" Did you mean `{command} {suggestion}`?" if suggestion else ""
    return f"I don't know `{command} {escape(unknown)}`.{guess} Here is what it can do:"


def _entry_line(entry: HelpEntry) -> str:
    return f"• `{entry.usage}`: {entry.summary}\n      e.g. `{entry.example}`"


def help_text(
    command: str, entries: Sequence[HelpEntry], *, unknown: str = "", suggestion: str | None = None
) -> str:
    """The same answer as plain text: the notification and screen-reader fallback."""
    lines = [_opening(command, unknown, suggestion)]
    lines += [_entry_line(entry) for entry in entries]
    return "\n".join(lines)


def help_blocks(
    command: str, entries: Sequence[HelpEntry], *, unknown: str = "", suggestion: str | None = None
) -> list[dict[str, Any]]:
    lines = "\n".join(_entry_line(entry) for entry in entries)
    return [
        section(_opening(command, unknown, suggestion)),
        section(lines),
        context(f"`{command} help` shows this again. `/okr` sets goals, `/kpi` watches health."),
    ]
