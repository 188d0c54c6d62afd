"""Fix-OKRs from a red KPI: the "Create OKR to fix this KPI" / "View fix-OKR" button, and its modal.

The button (on the digest, `/kpi list`, `/kpi show` and the Home tab) opens a modal at once,
then fills it with the KPI's open fix or a draft of one. Submitting the draft creates the
objective and says so where the button was clicked: threaded under that message, or in the
area's channel when the click came from the Home tab. The Home tabs of the person and of
the KPI's owner are published again, with the KPI's fix in progress.
"""

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from okrbot.bot.deps import Deps
from okrbot.bot.slack import view_state
from okrbot.bot.slack.blocks.buttons import KPI_FIX_BUTTON
from okrbot.bot.slack.blocks.fix_okr import (
    ALREADY_OPEN,
    CREATED,
    FIX_CALLBACK,
    draft_view,
    fix_started_text,
    kpi_gone_view,
    loading_view,
    open_fix_view,
)
from okrbot.bot.slack.commands import Subcommand
from okrbot.bot.slack.features.home import refresh_home
from okrbot.bot.slack.features.okrs import objective_form
from okrbot.handlers.fix_okrs import (
    FixCreated,
    FixDraft,
    OpenFix,
    create_fix_okr,
    start_fix,
)
from okrbot.handlers.numbers import parse_id
from okrbot.handlers.objectives import Invalid, NotFound
from okrbot.storage.db import session_scope
from okrbot.storage.workspaces import ensure_workspace

log = logging.getLogger("okrbot.fix_okr")

SUBCOMMANDS: tuple[Subcommand, ...] = ()


@dataclass(frozen=True)
class Origin:
    """Where the button was clicked: a channel, and the message to thread under (if any)."""

    channel_id: str = ""
    message_ts: str = ""


def origin_of(body: dict[str, Any]) -> Origin:
    """The message the button sits on; nothing for the Home tab. An ephemeral message (a
    `/kpi list` answer) has no thread to reply in, so only its channel counts."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return Origin()
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    thread = "" if container.get("is_ephemeral") else str(container.get("message_ts") or "")
    return Origin(channel_id=channel, message_ts=thread if channel else "")


def register(app: App, deps: Deps) -> None:
    def on_action_fix(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Open the modal within the trigger's 3 seconds, then show the open fix or a draft."""
        ack()
        opened = client.views_open(trigger_id=body["trigger_id"], view=loading_view())["view"]
        with session_scope(deps.engine) as session:
            started = start_fix(
                session,
                workspace_id=ensure_workspace(session, external_id=view_state.team_id(body)),
                kpi_id=parse_id(view_state.button_value(body)) or 0,
                now=deps.clock(),
            )
        if isinstance(started, FixDraft):
            where = origin_of(body)
            view = draft_view(started, channel_id=where.channel_id, message_ts=where.message_ts)
        elif isinstance(started, OpenFix):
            view = open_fix_view(started)
        else:
            view = kpi_gone_view()
        client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=view)

    def on_view_fix(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Create the fix-OKR; or show the one someone created meanwhile; or say what's wrong."""
        view = body["view"]
        user_id = str(body["user"]["id"])
        with session_scope(deps.engine) as session:
            result = create_fix_okr(
                session,
                workspace_id=ensure_workspace(session, external_id=view_state.team_id(body)),
                kpi_id=view_state.id_in(view, "kpi") or 0,
                actor_id=user_id,
                form=objective_form(view),
                now=deps.clock(),
            )
        if isinstance(result, Invalid):
            ack(response_action="errors", errors=inline_errors(view, result.errors))
        elif isinstance(result, NotFound):
            ack(response_action="update", view=kpi_gone_view())
        elif isinstance(result, OpenFix):
            ack(response_action="update", view=open_fix_view(result, notice=ALREADY_OPEN))
        else:
            ack(response_action="update", view=open_fix_view(result, notice=CREATED))
            metadata = view_state.metadata(view)
            where = Origin(str(metadata.get("channel") or ""), str(metadata.get("thread") or ""))
            announce(client, result, user_id=user_id, where=where)
            team_id = view_state.team_id(body)
            for person in dict.fromkeys([user_id, result.kpi.owner_id]):  # their Home tabs
                refresh_home(deps, client, team_id, person)

    app.action(KPI_FIX_BUTTON)(on_action_fix)
    app.view_submission(FIX_CALLBACK)(on_view_fix)


def inline_errors(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Errors keyed by the modal's blocks; one about a field it does not show goes on the title."""
    shown = {block.get("block_id") for block in view.get("blocks", [])}
    return {(field if field in shown else "title"): text for field, text in errors.items()}


def announce(client: WebClient, created: FixCreated, *, user_id: str, where: Origin) -> None:
    """Say where the button was clicked (threaded under its message) that a fix started; from
    the Home tab, or when that channel refuses, in the area's channel."""
    text = fix_started_text(created, user_id)
    places = [(where.channel_id, where.message_ts or None), (created.area.channel_id, None)]
    tried: set[str] = set()
    for channel, thread_ts in places:
        if not channel or channel in tried:
            continue
        tried.add(channel)
        try:
            client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=text, unfurl_links=False
            )
        except SlackApiError as error:
            log.warning(
                "fix-OKR note not posted channel=%s error=%s",
                channel,
                error.response.get("error"),
            )
            continue
        return
