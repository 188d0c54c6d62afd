"""App Home: the Home tab, published when a person opens it."""

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from okrbot.bot.deps import Deps
from okrbot.bot.slack.blocks.home import welcome_view
from okrbot.bot.slack.commands import Subcommand

SUBCOMMANDS: tuple[Subcommand, ...] = ()


def register(app: App, deps: Deps) -> None:  # noqa: ARG001  (uniform feature signature)
    def on_event_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        client.views_publish(user_id=event["user"], view=welcome_view())

    app.event("app_home_opened")(on_event_home_opened)
