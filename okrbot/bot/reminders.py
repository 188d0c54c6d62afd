"""The tick job that sends weekly check-in reminders: find, claim, DM, record.

Rules (who, when, which week) live in `okrbot.handlers.reminders`; this job adds what only
Slack knows, each owner's time zone, and sends the DMs with the patient scheduled-send client.
"""

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from okrbot.bot.delivery import ChannelUnavailableError, Courier, SendError, retrying_client
from okrbot.bot.deps import Deps
from okrbot.bot.slack.blocks.reminders import reminder_blocks, reminder_text
from okrbot.handlers.preferences import remember_timezone
from okrbot.handlers.reminders import (
    Nudge,
    Owner,
    Person,
    claim_due_nudges,
    nudge_failed,
    nudge_sent,
    nudge_undeliverable,
    owners_to_remind,
    reclaim_failed_nudges,
)
from okrbot.storage.db import session_scope

log = logging.getLogger("okrbot.reminders")

# Slack will never deliver a DM for these, however often it is tried.
UNDELIVERABLE = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "account_inactive",
        "cannot_dm_bot",
        "invalid_users",
        "user_not_visible",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "messages_tab_disabled",
    }
)


def send_reminders(deps: Deps, now: datetime) -> None:
    """DM every check-in reminder due at `now` (and retry failed ones), each exactly once."""
    with session_scope(deps.engine) as session:
        owners = owners_to_remind(session, now=now)
    if not owners:
        return
    client = retrying_client(deps.settings)
    timezones = _timezones(deps, client, owners)
    with session_scope(deps.engine) as session:
        nudges = reclaim_failed_nudges(session, owners, timezones=timezones, now=now)
        nudges += claim_due_nudges(session, owners, timezones=timezones, now=now)
    courier = Courier(client)
    for nudge in nudges:
        _send(deps, client, courier, nudge, now)


def _timezones(deps: Deps, client: WebClient, owners: list[Owner]) -> dict[Person, str]:
    """Each owner's time zone: as stored, else from Slack (then stored for next time)."""
    found: dict[Person, str] = {}
    learned: list[tuple[Owner, str]] = []
    for owner in owners:
        if owner.timezone:
            found[owner.person] = owner.timezone
            continue
        user = deps.users.get(client, team_id=owner.team_id, user_id=owner.user_id)
        if user.tz:
            found[owner.person] = user.tz
            learned.append((owner, user.tz))
    if learned:
        with session_scope(deps.engine) as session:
            for owner, timezone in learned:
                remember_timezone(
                    session,
                    workspace_id=owner.workspace_id,
                    user_id=owner.user_id,
                    timezone=timezone,
                )
    return found


def _send(deps: Deps, client: WebClient, courier: Courier, nudge: Nudge, now: datetime) -> None:
    try:
        channel_id = str(client.conversations_open(users=nudge.user_id)["channel"]["id"])
        ts = courier.post(
            channel_id,
            text=reminder_text(nudge.key_results),
            blocks=reminder_blocks(nudge.key_results, now),
        )
    except ChannelUnavailableError as error:
        _record(deps, nudge, now, undeliverable=error.error)
        return
    except SlackApiError as error:
        code = str(error.response.get("error") or "")
        _record(deps, nudge, now, **_outcome(code, error))
        return
    except SendError as error:
        _record(deps, nudge, now, failed=f"{type(error).__name__}: {error}")
        return
    with session_scope(deps.engine) as session:
        nudge_sent(session, nudge, channel_id=channel_id, ts=ts, now=now)
    log.info("reminder sent user=%s period=%s", nudge.user_id, nudge.period)


def _outcome(code: str, error: SlackApiError) -> dict[str, str]:
    if code in UNDELIVERABLE:
        return {"undeliverable": code}
    return {"failed": f"SlackApiError: {code or error}"}


def _record(
    deps: Deps, nudge: Nudge, now: datetime, *, failed: str = "", undeliverable: str = ""
) -> None:
    log.warning(
        "reminder not sent user=%s period=%s: %s",
        nudge.user_id,
        nudge.period,
        failed or undeliverable,
    )
    with session_scope(deps.engine) as session:
        if undeliverable:
            nudge_undeliverable(session, nudge, error=undeliverable, now=now)
        else:
            nudge_failed(session, nudge, error=failed, now=now)
