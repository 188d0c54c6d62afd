"""What okrbot needs to know about a Slack user (time zone, admin), from `users.info`."""

import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

CACHE_SECONDS = 300.0


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    tz: str | None
    is_admin: bool  # a workspace admin or owner


class UserDirectory:
    """`users.info`, cached for a few minutes so a busy channel does not hit rate limits."""

    def __init__(self, cache_seconds: float = CACHE_SECONDS) -> None:
        self._cache: dict[tuple[str, str], tuple[float, SlackUser]] = {}
        self._lock = threading.Lock()
        self._ttl = cache_seconds

    def get(self, client: WebClient, *, team_id: str, user_id: str) -> SlackUser:
        key = (team_id, user_id)
        with self._lock:
            cached = self._cache.get(key)
        if cached and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        user = _fetch(client, user_id)
        with self._lock:
            self._cache[key] = (time.monotonic(), user)
        return user


def _fetch(client: WebClient, user_id: str) -> SlackUser:
    try:
        data = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return SlackUser(id=user_id, name=user_id, tz=None, is_admin=False)
    return SlackUser(
        id=user_id,
        name=str(data.get("real_name") or data.get("name") or user_id),
        tz=data.get("tz"),
        is_admin=bool(data.get("is_admin") or data.get("is_owner")),
    )
