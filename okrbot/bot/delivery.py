"""Posting scheduled messages: patient with Slack, paced per channel, explicit about failure.

Scheduled sends use their own WebClient with slack_sdk's retry handlers: a 429 waits for
`Retry-After`, 5xx answers and connection errors are retried with exponential backoff. What
still fails raises, and the caller records it on the run for the next tick to retry.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryState,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from okrbot.bot.config import Settings

log = logging.getLogger("okrbot.delivery")

RETRIES = 4
BACKOFF = BackoffRetryIntervalCalculator(backoff_factor=0.5)  # 1 s, 2 s, 4 s, 8 s, with jitter
# A 429 asking for a longer wait than this is not waited out: the next tick tries again.
LONGEST_RETRY_AFTER_S = 30
REQUEST_TIMEOUT_S = 10
# chat.postMessage allows about one message a second per channel.
POST_INTERVAL_S = 1.0
# Why Slack refuses to post to a channel, in ways that retrying cannot fix.
CHANNEL_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})

SendError = (SlackClientError, OSError)  # what a send that failed for good raises


class ChannelUnavailableError(Exception):
    """Slack will not take posts to this channel until a person fixes it (invite, unarchive)."""

    def __init__(self, channel_id: str, error: str) -> None:
        super().__init__(f"cannot post to {channel_id}: {error}")
        self.channel_id = channel_id
        self.error = error


class _ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Waits out a 429 for as long as Slack asks, unless that is longer than a tick."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        assert response is not None
        asked = next(
            (values for name, values in response.headers.items() if name.lower() == "retry-after"),
            ["1"],
        )
        return str(asked[0]).isdigit() and int(asked[0]) <= LONGEST_RETRY_AFTER_S


class _AnyServerErrorRetryHandler(ServerErrorRetryHandler):
    """Retries every 5xx answer (slack_sdk's handler alone covers 500 and 503)."""

    def _can_retry(
        self,
        *,
        state: RetryState,  # noqa: ARG002
        request: HttpRequest,  # noqa: ARG002
        response: HttpResponse | None = None,
        error: Exception | None = None,  # noqa: ARG002
    ) -> bool:
        return response is not None and response.status_code >= 500  # noqa: PLR2004


def retrying_client(settings: Settings) -> WebClient:
    """A WebClient for scheduled sends, separate from the one that answers requests."""
    token = settings.slack_bot_token
    return WebClient(
        token=token.get_secret_value() if token else None,
        base_url=settings.slack_api_url,
        timeout=REQUEST_TIMEOUT_S,
        logger=logging.getLogger("okrbot.slack_api"),
        retry_handlers=[
            _ShortRateLimitRetryHandler(max_retry_count=RETRIES),
            _AnyServerErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=BACKOFF),
            ConnectionErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=BACKOFF),
        ],
    )


class Courier:
    """Posts messages, at most one a second into any one channel."""

    def __init__(
        self,
        client: WebClient,
        *,
        interval: float = POST_INTERVAL_S,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._last_post: dict[str, float] = {}
        self._lock = threading.Lock()

    def post(self, channel_id: str, *, text: str, blocks: list[dict[str, Any]]) -> str:
        """Post a message and return its ts; raises ChannelUnavailableError or a SendError."""
        self._wait_for(channel_id)
        try:
            response = self._client.chat_postMessage(
                channel=channel_id, text=text, blocks=blocks, unfurl_links=False
            )
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if code in CHANNEL_ERRORS:
                raise ChannelUnavailableError(channel_id, code) from error
            raise
        finally:
            with self._lock:
                self._last_post[channel_id] = self._monotonic()
        return str(response["ts"])

    def tell(self, user_id: str, *, text: str, blocks: list[dict[str, Any]]) -> bool:
        """Send a direct message; False (logged) when it cannot be delivered."""
        try:
            self.post(user_id, text=text, blocks=blocks)
        except (ChannelUnavailableError, *SendError):
            log.warning("could not send a direct message to %s", user_id, exc_info=True)
            return False
        return True

    def _wait_for(self, channel_id: str) -> None:
        with self._lock:
            last = self._last_post.get(channel_id)
        if last is not None:
            wait = self._interval - (self._monotonic() - last)
            if wait > 0:
                self._sleep(wait)
