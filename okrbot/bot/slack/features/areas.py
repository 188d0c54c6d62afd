"""`/okr setup`: make the channel an area's home, or change that area."""

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from okrbot.bot.deps import Deps
from okrbot.bot.slack import view_state
from okrbot.bot.slack.blocks.areas import (
    FIELD_BLOCKS,
    LEADS_BLOCK,
    NAME_BLOCK,
    SETUP_CALLBACK,
    TIME_BLOCK,
    TIMEZONE_BLOCK,
    WEEKDAY_BLOCK,
    loading_view,
    not_a_channel_text,
    setup_done_text,
    setup_view,
)
from okrbot.bot.slack.blocks.refusals import refusal_mrkdwn, refusal_plain
from okrbot.bot.slack.commands import Invocation, Subcommand
from okrbot.bot.slack.features.kpi_support import actor, name_of, tell
from okrbot.bot.slack.view_state import ViewState
from okrbot.handlers.areas import AreaForm, default_area_name, setup_area
from okrbot.handlers.invalid import InvalidInputError
from okrbot.handlers.periods import is_timezone
from okrbot.handlers.permissions import Actor, NotAllowedError, area_deciders, may_change_area
from okrbot.storage.areas import area_for_channel
from okrbot.storage.db import session_scope
from okrbot.storage.models import Area
from okrbot.storage.workspaces import ensure_workspace

UNNAMED_CHANNELS = {"directmessage", "privategroup", "mpdm"}


def run_setup(inv: Invocation) -> None:
    """Open the setup form for this channel's area (new, or filled in to change it)."""
    if not inv.channel_id or inv.channel_id.startswith("D"):
        inv.ack(response_type="ephemeral", text=not_a_channel_text())
        return
    inv.ack()
    with session_scope(inv.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        area = area_for_channel(session, workspace_id=workspace_id, channel_id=inv.channel_id)
    if area is not None:
        if _may_change(inv, area):
            form = _form_view(inv, area, area.timezone)
            inv.client.views_open(trigger_id=inv.trigger_id, view=form)
        else:
            refusal = area_deciders(f"change the {area.name} area", area)
            inv.respond(response_type="ephemeral", text=refusal_mrkdwn(refusal))
        return
    # A new area defaults to the person's time zone, which only Slack knows: open the modal
    # at once (the trigger dies in 3 s), then ask Slack and fill it in.
    opened = inv.client.views_open(trigger_id=inv.trigger_id, view=loading_view(inv.channel_id))
    user = inv.deps.users.get(inv.client, team_id=inv.team_id, user_id=inv.user_id)
    timezone = user.tz if user.tz and is_timezone(user.tz) else "UTC"
    inv.client.views_update(
        view_id=opened["view"]["id"],
        hash=opened["view"]["hash"],
        view=_form_view(inv, None, timezone),
    )


def _may_change(inv: Invocation, area: Area) -> bool:
    """Leads decide without asking Slack; anyone else may still be a workspace admin."""
    if may_change_area(Actor(user_id=inv.user_id, is_admin=False), area):
        return True
    user = inv.deps.users.get(inv.client, team_id=inv.team_id, user_id=inv.user_id)
    return may_change_area(Actor(user_id=inv.user_id, is_admin=user.is_admin), area)


def _form_view(inv: Invocation, area: Area | None, timezone: str) -> dict[str, Any]:
    channel_name = str(inv.body.get("channel_name") or "")
    return setup_view(
        channel_id=inv.channel_id,
        area=area,
        default_name="" if channel_name in UNNAMED_CHANNELS else default_area_name(channel_name),
        default_timezone=timezone,
        user_id=inv.user_id,
    )


def _form(view: dict[str, Any]) -> AreaForm:
    state = ViewState(view)
    return AreaForm(
        name=state.text(NAME_BLOCK),
        timezone=state.text(TIMEZONE_BLOCK),
        digest_weekday=state.option(WEEKDAY_BLOCK),
        digest_time=state.time(TIME_BLOCK),
        leads=state.users(LEADS_BLOCK),
    )


SUBCOMMANDS = (
    Subcommand(
        command="/okr",
        name="setup",
        usage="/okr setup",
        summary="make this channel an area's home: name, leads, digest day and time",
        example="/okr setup",
        run=run_setup,
    ),
)


def register(app: App, deps: Deps) -> None:
    def on_view_area_setup(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        team_id, user_id = view_state.team_id(body), str(body["user"]["id"])
        channel_id = str(view.get("private_metadata") or "")
        who = actor(deps, client, team_id=team_id, user_id=user_id)
        try:
            with session_scope(deps.engine) as session:
                workspace_id = ensure_workspace(session, external_id=team_id)
                done = setup_area(
                    session,
                    workspace_id=workspace_id,
                    channel_id=channel_id,
                    actor=who,
                    form=_form(view),
                    now=deps.clock(),
                )
                text = setup_done_text(done.area, created=done.created)
        except InvalidInputError as invalid:
            errors = {FIELD_BLOCKS[field]: sentence for field, sentence in invalid.errors.items()}
            ack(response_action="errors", errors=errors)
            return
        except NotAllowedError as refused:
            sentence = refusal_plain(refused.who_can, name_of(deps, client, team_id))
            ack(response_action="errors", errors={NAME_BLOCK: sentence})
            return
        ack()
        tell(client, channel_id=channel_id, user_id=user_id, text=text)

    app.view(SETUP_CALLBACK)(on_view_area_setup)
