"""The Slack app: Bolt wired to okrbot's features."""

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from okrbot.bot.deps import Deps
from okrbot.bot.slack import observability
from okrbot.bot.slack.commands import register_commands
from okrbot.bot.slack.features import FEATURES

# Listeners run here after their ack; sized so slow work never starves new requests' acks.
LISTENER_THREADS = 64


def web_client(deps: Deps) -> WebClient:
    token = deps.settings.slack_bot_token
    return WebClient(
        token=token.get_secret_value() if token else None,
        base_url=deps.settings.slack_api_url,
        logger=logging.getLogger("okrbot.slack_api"),
    )


def listener_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener")


def build_slack_app(deps: Deps, listeners: Executor | None = None) -> App:
    """Every listener of every feature, on one Bolt app (HTTP or Socket Mode).

    `listeners` runs each listener after its ack; pass your own to wait for them on shutdown.
    """
    deps.settings.require_slack()
    secret = deps.settings.slack_signing_secret
    app = App(
        client=web_client(deps),
        signing_secret=secret.get_secret_value() if secret else None,
        logger=logging.getLogger("okrbot.bolt"),
        listener_executor=listeners or listener_pool(),
        request_verification_enabled=not deps.settings.socket_mode,
    )
    observability.install(app)
    register_commands(app, deps, [s for f in FEATURES for s in f.SUBCOMMANDS])
    for feature in FEATURES:
        feature.register(app, deps)
    return app
