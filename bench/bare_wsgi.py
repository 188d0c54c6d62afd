"""Baseline (a): a bare Bolt app on okrbot's own HTTP stack — waitress and Bolt's WSGI adapter.

Same request threads, same waitress options and same listener pool as `okrbot serve`, so the
difference between the two is okrbot's own work. Run as `python -m bench.bare_wsgi`.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress.server import create_server

from bench.bare import ANY, MODAL, settings_from_environment
from okrbot.bot.slack.app import LISTENER_THREADS


def build_app() -> App:
    settings = settings_from_environment()
    app = App(
        client=WebClient(token=settings.token, base_url=settings.api_url),
        signing_secret=settings.signing_secret,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
    )

    @app.command(ANY)
    def on_command(ack: Ack, client: WebClient, body: dict[str, Any]) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view(ANY)
    def on_view_submission(ack: Ack) -> None:
        ack()

    return app


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    settings = settings_from_environment()
    server = create_server(
        SlackRequestHandler(build_app()),
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident="bench-wsgi",
        connection_limit=1000,
        channel_timeout=30,
    )
    server.run()


if __name__ == "__main__":
    main()
