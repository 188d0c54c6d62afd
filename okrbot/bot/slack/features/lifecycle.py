"""Install lifecycle: uninstalls and revoked tokens switch a workspace off."""

from typing import Any

from slack_bolt import App

from okrbot.bot.deps import Deps
from okrbot.bot.slack.commands import Subcommand
from okrbot.storage.db import session_scope
from okrbot.storage.workspaces import set_workspace_active

SUBCOMMANDS: tuple[Subcommand, ...] = ()


def register(app: App, deps: Deps) -> None:
    def on_event_uninstalled(body: dict[str, Any]) -> None:
        """The app was removed: stop digests and reminders for the workspace, keep its data."""
        with session_scope(deps.engine) as session:
            set_workspace_active(session, external_id=str(body.get("team_id")), active=False)

    app.event("app_uninstalled")(on_event_uninstalled)
    app.event("tokens_revoked")(on_event_uninstalled)
