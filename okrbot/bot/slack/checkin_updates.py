"""Check-in updates in the area's channel: one thread per objective per week, never two."""

import logging
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from okrbot.bot.deps import Deps
from okrbot.bot.slack.blocks.checkin import update_blocks, update_text
from okrbot.handlers.checkins import (
    Recorded,
    ThreadClaim,
    ThreadKey,
    claim_thread,
    thread_failed,
    thread_started,
    week_period,
)
from okrbot.storage.db import session_scope

# While another check-in posts the week's parent message, wait this long for its ts, at most.
WAIT_SECONDS = 0.2
WAIT_ATTEMPTS = 25

log = logging.getLogger("okrbot.checkins")


def post_checkin_update(deps: Deps, client: WebClient, recorded: Recorded) -> None:
    """The week's first check-in on an objective starts its thread; later ones reply in it."""
    area = recorded.target.area
    objective_id = recorded.target.objective_view.objective.id
    if area is None or not area.channel_id or objective_id is None:
        return
    key = ThreadKey(
        workspace_id=recorded.checkin.workspace_id,
        objective_id=objective_id,
        period=week_period(recorded.checkin.created_at, area.timezone),
    )
    thread = _Thread(deps, client, key)
    for _ in range(WAIT_ATTEMPTS):
        claim = thread.claim(area.channel_id)
        if claim.mine:
            thread.start(claim, recorded)
            return
        if claim.message_ts:
            thread.reply(claim, recorded)
            return
        time.sleep(WAIT_SECONDS)
    log.warning("check-in thread never got its parent message; posting on its own")
    thread.post(area.channel_id, recorded, thread_ts=None)


class _Thread:
    def __init__(self, deps: Deps, client: WebClient, key: ThreadKey) -> None:
        self.deps = deps
        self.client = client
        self.key = key

    def claim(self, channel_id: str) -> ThreadClaim:
        with session_scope(self.deps.engine) as session:
            return claim_thread(session, key=self.key, channel_id=channel_id, now=self.deps.clock())

    def start(self, claim: ThreadClaim, recorded: Recorded) -> None:
        ts = self.post(claim.channel_id, recorded, thread_ts=None)
        with session_scope(self.deps.engine) as session:
            if ts is None:
                thread_failed(session, key=self.key)
            else:
                thread_started(session, key=self.key, message_ts=ts)

    def reply(self, claim: ThreadClaim, recorded: Recorded) -> None:
        self.post(claim.channel_id, recorded, thread_ts=claim.message_ts)

    def post(self, channel_id: str, recorded: Recorded, *, thread_ts: str | None) -> str | None:
        """Post the update; its ts, or None when Slack refused (e.g. not in the channel)."""
        try:
            posted = self.client.chat_postMessage(
                channel=channel_id,
                thread_ts=thread_ts,
                text=update_text(recorded),
                blocks=update_blocks(recorded, opens_thread=thread_ts is None),
                unfurl_links=False,
            )
        except SlackApiError as error:
            log.warning(
                "could not post a check-in update channel=%s error=%s",
                channel_id,
                error.response.get("error"),
            )
            return None
        return str(posted["ts"])
