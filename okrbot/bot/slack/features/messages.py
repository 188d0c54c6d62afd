"""The Messages tab: a DM saying "checkin" or "help" does what the slash commands do.

A DM has no trigger for opening a modal, so "checkin" answers with a "Check in" button per
key result (the button opens the same modal as `/okr checkin`, that key result picked).
"""

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from okrbot.bot.deps import Deps
from okrbot.bot.slack.blocks.help import help_blocks, help_text
from okrbot.bot.slack.blocks.messages import HINT, checkin_prompt, hint_blocks
from okrbot.bot.slack.commands import SLASH_COMMANDS, Subcommand
from okrbot.handlers.checkins import best_match, checkin_candidates
from okrbot.storage.db import session_scope
from okrbot.storage.workspaces import ensure_workspace

SUBCOMMANDS: tuple[Subcommand, ...] = ()


def subcommands_of(command: str) -> list[Subcommand]:
    """Every subcommand the features registered for `command`, by name."""
    from okrbot.bot.slack.features import FEATURES  # noqa: PLC0415  (it imports this module)

    found = [s for f in FEATURES for s in f.SUBCOMMANDS if s.command == command]
    return sorted(found, key=lambda s: s.name)


def _is_person_in_dm(event: dict[str, Any]) -> bool:
    """A person's own new message in a DM with the bot (not an edit, not a bot, not ours)."""
    return (
        event.get("channel_type") == "im"
        and not event.get("bot_id")
        and not event.get("subtype")
        and bool(event.get("user"))
    )


def register(app: App, deps: Deps) -> None:
    def on_event_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if not _is_person_in_dm(event):
            return
        word, _, rest = str(event.get("text") or "").strip().partition(" ")
        channel = str(event["channel"])
        if word.lower() == "help":
            _answer_help(client, channel)
        elif word.lower() == "checkin":
            team_id = str(body.get("team_id") or event.get("team") or "")
            _answer_checkin(
                deps,
                client,
                channel=channel,
                team_id=team_id,
                user_id=str(event["user"]),
                text=rest,
            )
        else:
            client.chat_postMessage(channel=channel, text=HINT, blocks=hint_blocks())

    app.event("message")(on_event_message)


def _answer_help(client: WebClient, channel: str) -> None:
    """The same help as `/okr help` and `/kpi help`, one message each."""
    for command in SLASH_COMMANDS:
        entries = subcommands_of(command)
        client.chat_postMessage(
            channel=channel,
            text=help_text(command, entries),
            blocks=help_blocks(command, entries),
        )


def _answer_checkin(
    deps: Deps, client: WebClient, *, channel: str, team_id: str, user_id: str, text: str
) -> None:
    with session_scope(deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=team_id)
        candidates = checkin_candidates(session, workspace_id=workspace_id, user_id=user_id)
    fallback, blocks = checkin_prompt(candidates, best_match(candidates, text))
    client.chat_postMessage(channel=channel, text=fallback, blocks=blocks)
