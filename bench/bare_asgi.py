"""Baseline (b): Bolt's fastest path — AsyncApp, its ASGI handler, uvicorn with uvloop/httptools.

Run as `python -m bench.bare_asgi`.
"""

import logging
from typing import Any

import uvicorn
from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.bare import ANY, MODAL, settings_from_environment


def build_app() -> AsyncApp:
    settings = settings_from_environment()
    app = AsyncApp(
        client=AsyncWebClient(token=settings.token, base_url=settings.api_url),
        signing_secret=settings.signing_secret,
    )

    @app.command(ANY)
    async def on_command(ack: AsyncAck, client: AsyncWebClient, body: dict[str, Any]) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view(ANY)
    async def on_view_submission(ack: AsyncAck) -> None:
        await ack()

    return app


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    settings = settings_from_environment()
    uvicorn.run(
        AsyncSlackRequestHandler(build_app()),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
