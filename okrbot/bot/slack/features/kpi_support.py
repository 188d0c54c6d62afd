"""What the KPI and area listeners share: reading a modal's state, who is asking, telling them."""

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from okrbot.bot.deps import Deps
from okrbot.handlers.permissions import Actor

log = logging.getLogger("okrbot.kpis")


def actor(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> Actor:
    """The person asking, with their admin flag from (cached) `users.info`."""
    user = deps.users.get(client, team_id=team_id, user_id=user_id)
    return Actor(user_id=user_id, is_admin=user.is_admin)


def name_of(deps: Deps, client: WebClient, team_id: str) -> Callable[[str], str]:
    """A function from a user id to the person's name, for plain-text sentences."""
    return lambda user_id: deps.users.get(client, team_id=team_id, user_id=user_id).name


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
