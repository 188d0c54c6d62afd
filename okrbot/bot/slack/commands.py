"""Slash commands: `/okr …` and `/kpi …` routed to the subcommands that features register."""

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from okrbot.bot.deps import Deps
from okrbot.bot.slack.blocks.help import help_blocks, help_text


@dataclass(frozen=True)
class Invocation:
    """One slash command as a feature sees it: who, where, and the words after the name."""

    deps: Deps
    ack: Ack
    respond: Respond
    client: WebClient
    body: dict[str, Any]
    args: str

    @property
    def team_id(self) -> str:
        return str(self.body.get("team_id", ""))

    @property
    def user_id(self) -> str:
        return str(self.body.get("user_id", ""))

    @property
    def channel_id(self) -> str:
        return str(self.body.get("channel_id", ""))

    @property
    def trigger_id(self) -> str:
        return str(self.body.get("trigger_id", ""))


@dataclass(frozen=True)
class Subcommand:
    """`/okr checkin [key result]`: one thing a slash command does."""

    command: str
    name: str
    usage: str
    summary: str
    example: str
    run: Callable[[Invocation], None]


SLASH_COMMANDS = ("/okr", "/kpi")


def register_commands(app: App, deps: Deps, subcommands: Iterable[Subcommand]) -> None:
    """One listener per slash command, dispatching on its first word; `help` is built in."""
    by_command: dict[str, dict[str, Subcommand]] = {
        command: {"help": _help_subcommand(command)} for command in SLASH_COMMANDS
    }
    for subcommand in subcommands:
        by_command.setdefault(subcommand.command, {})[subcommand.name] = subcommand
    for command, table in by_command.items():
        app.command(command)(_dispatcher(deps, command, table))


def _dispatcher(deps: Deps, command: str, table: dict[str, Subcommand]) -> Callable[..., None]:
    def on_command(ack: Ack, respond: Respond, client: WebClient, body: dict[str, Any]) -> None:
        word, _, rest = str(body.get("text") or "").strip().partition(" ")
        name = word.lower()
        subcommand = table.get(name)
        if subcommand is None or name == "help":
            _answer_with_help(ack, command, table, unknown=name)
            return
        subcommand.run(
            Invocation(
                deps=deps, ack=ack, respond=respond, client=client, body=body, args=rest.strip()
            )
        )

    on_command.__name__ = f"on_command_{command.lstrip('/')}"
    return on_command


def _help_subcommand(command: str) -> Subcommand:
    return Subcommand(
        command=command,
        name="help",
        usage=f"{command} help",
        summary="every subcommand, with an example",
        example=f"{command} help",
        run=lambda _: None,  # answered by the dispatcher, which knows the whole table
    )


def _answer_with_help(
    ack: Ack, command: str, table: dict[str, Subcommand], *, unknown: str
) -> None:
    entries = sorted(table.values(), key=lambda s: s.name)
    suggestion = None
    if unknown and unknown != "help":
        close = difflib.get_close_matches(unknown, list(table), n=1, cutoff=0.5)
        suggestion = close[0] if close else None
    ack(
        response_type="ephemeral",
        text=help_text(command, entries, unknown=unknown, suggestion=suggestion),
        blocks=help_blocks(command, entries, unknown=unknown, suggestion=suggestion),
    )
