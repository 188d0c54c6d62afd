"""Check-in reminders as people control them: the DM's snooze / stop buttons, `/okr reminders`.

The reminders themselves are sent by the tick job in `okrbot.bot.reminders`.
"""

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from okrbot.bot.deps import Deps
from okrbot.bot.slack.blocks.reminders import (
    REMINDER_SNOOZE,
    REMINDER_STOP,
    STARTED_NOTE,
    STOPPED_NOTE,
    reminders_status_text,
    snoozed_note,
    without_choices,
)
from okrbot.bot.slack.blocks.text import escape
from okrbot.bot.slack.commands import Invocation, Subcommand
from okrbot.bot.slack.features.home import refresh_home
from okrbot.handlers.preferences import preferences, set_reminders, snooze_for_a_week
from okrbot.handlers.schedule import zone
from okrbot.storage.db import session_scope
from okrbot.storage.workspaces import ensure_workspace

USAGE = "`/okr reminders on` or `/okr reminders off`; `/okr reminders` says which it is."


def timezone_of(
    deps: Deps, client: WebClient, *, team_id: str, stored: str | None, user_id: str
) -> str:
    """The person's time zone: as stored, else Slack's, else UTC."""
    if stored:
        return stored
    return deps.users.get(client, team_id=team_id, user_id=user_id).tz or "UTC"


def run_reminders(inv: Invocation) -> None:
    choice = inv.args.strip().lower()
    if choice not in {"", "on", "off"}:
        inv.ack(
            response_type="ephemeral",
            text=f"I don't know `/okr reminders {escape(choice)}`. {USAGE}",
        )
        return
    with session_scope(inv.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        if choice:
            set_reminders(
                session, workspace_id=workspace_id, user_id=inv.user_id, enabled=choice == "on"
            )
        chosen = preferences(session, workspace_id=workspace_id, user_id=inv.user_id)
    if choice == "on":
        text = STARTED_NOTE
    elif choice == "off":
        text = STOPPED_NOTE
    else:
        today = inv.deps.clock().astimezone(zone(chosen.timezone or "UTC")).date()
        text = reminders_status_text(
            enabled=chosen.reminders_enabled, snoozed_until=chosen.snoozed_until, today=today
        )
    inv.ack(response_type="ephemeral", text=text)
    if choice:
        refresh_home(inv.deps, inv.client, inv.team_id, inv.user_id)


SUBCOMMANDS = (
    Subcommand(
        command="/okr",
        name="reminders",
        usage="/okr reminders [on|off]",
        summary="weekly reminders of key results without a check-in: on, off, or which it is",
        example="/okr reminders off",
        run=run_reminders,
    ),
)


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body.get("user", {}).get("team_id") or "")


def register(app: App, deps: Deps) -> None:
    def on_action_snooze(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        """Skip next week's reminder; the one after comes as usual."""
        ack()
        team_id, user_id = _team(body), str(body["user"]["id"])
        with session_scope(deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=team_id)
            stored = preferences(session, workspace_id=workspace_id, user_id=user_id).timezone
        timezone = timezone_of(deps, client, team_id=team_id, stored=stored, user_id=user_id)
        with session_scope(deps.engine) as session:
            until = snooze_for_a_week(
                session,
                workspace_id=ensure_workspace(session, external_id=team_id),
                user_id=user_id,
                timezone=timezone,
                now=deps.clock(),
            )
        _replace_choices(body, client, respond, snoozed_note(until))
        refresh_home(deps, client, team_id, user_id)

    def on_action_stop(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """No more reminders until `/okr reminders on`."""
        ack()
        team_id, user_id = _team(body), str(body["user"]["id"])
        with session_scope(deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=team_id)
            set_reminders(session, workspace_id=workspace_id, user_id=user_id, enabled=False)
        _replace_choices(body, client, respond, STOPPED_NOTE)
        refresh_home(deps, client, team_id, user_id)

    app.action(REMINDER_SNOOZE)(on_action_snooze)
    app.action(REMINDER_STOP)(on_action_stop)


def _replace_choices(
    body: dict[str, Any], client: WebClient, respond: Respond | None, note: str
) -> None:
    """The reminder keeps its key results; its buttons give way to what was chosen."""
    blocks = without_choices((body.get("message") or {}).get("blocks"), note)
    if respond is not None and body.get("response_url"):
        respond(text=note, blocks=blocks, replace_original=True)
    else:
        client.chat_postMessage(channel=str(body["user"]["id"]), text=note)
