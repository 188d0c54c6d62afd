"""What the KPI and area listeners share: reading a modal's state, who is asking, telling them."""

import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from okrbot.bot.deps import Deps
from okrbot.handlers.permissions import Actor

log = logging.getLogger("okrbot.kpis")
_ID = re.compile(r"[0-9]{1,19}")


def actor(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> Actor:
    """The person asking, with their admin flag from (cached) `users.info`."""
    user = deps.users.get(client, team_id=team_id, user_id=user_id)
    return Actor(user_id=user_id, is_admin=user.is_admin)


def name_of(deps: Deps, client: WebClient, team_id: str) -> Callable[[str], str]:
    """A function from a user id to the person's name, for plain-text sentences."""
    return lambda user_id: deps.users.get(client, team_id=team_id, user_id=user_id).name


def as_id(value: object) -> int | None:
    """A row id from a payload (an option value, a button value, metadata), if it can be one."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number < 2**63 else None


def team_of(body: dict[str, Any]) -> str:
    """The workspace of an interactive payload."""
    return str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id"))


class ViewState:
    """The values of a submitted (or updated) modal, by block id, whatever the element."""

    def __init__(self, view: dict[str, Any]) -> None:
        values = (view.get("state") or {}).get("values") or {}
        self._blocks: dict[str, dict[str, Any]] = {
            block_id: next(iter(actions.values()), {}) for block_id, actions in values.items()
        }

    def text(self, block_id: str) -> str:
        return str(self._blocks.get(block_id, {}).get("value") or "")

    def option(self, block_id: str) -> str:
        selected = self._blocks.get(block_id, {}).get("selected_option") or {}
        return str(selected.get("value") or "")

    def user(self, block_id: str) -> str:
        return str(self._blocks.get(block_id, {}).get("selected_user") or "")

    def users(self, block_id: str) -> tuple[str, ...]:
        return tuple(str(u) for u in self._blocks.get(block_id, {}).get("selected_users") or ())

    def time(self, block_id: str) -> str:
        return str(self._blocks.get(block_id, {}).get("selected_time") or "")

    def date(self, block_id: str) -> date | None:
        picked = self._blocks.get(block_id, {}).get("selected_date")
        try:
            return date.fromisoformat(str(picked)) if picked else None
        except ValueError:
            return None


def tell(client: WebClient, *, channel_id: str | None, user_id: str, text: str) -> None:
    """An ephemeral note to the person in the channel; a DM when that is not possible."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
        except SlackApiError as error:
            log.info(
                "ephemeral to %s failed (%s); sending a DM", channel_id, error.response.get("error")
            )
        else:
            return
    client.chat_postMessage(channel=user_id, text=text)
