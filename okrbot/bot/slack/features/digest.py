"""`/kpi digest`: the area's KPI health digest on demand, in its channel or just for you.

Neither counts as the week's scheduled digest (that one is posted by the tick job in
`okrbot.bot.digests`).
"""

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from okrbot.bot.delivery import ChannelUnavailableError, Courier, retrying_client
from okrbot.bot.deps import Deps
from okrbot.bot.slack.blocks.digest import (
    DIGEST_REST_BUTTON,
    Message,
    area_gone_view,
    digest_messages,
    loading_view,
    no_area_text,
    rest_view,
)
from okrbot.bot.slack.blocks.text import escape
from okrbot.bot.slack.commands import Invocation, Subcommand
from okrbot.handlers.digest import Digest, build_digest, channel_works
from okrbot.handlers.numbers import parse_id
from okrbot.storage.areas import area_for_channel, get_area
from okrbot.storage.db import session_scope
from okrbot.storage.workspaces import ensure_workspace

__all__ = ["DIGEST_REST_BUTTON", "SUBCOMMANDS", "register"]

USAGE = "`/kpi digest` posts this channel's digest here; `/kpi digest preview` shows it to you."
CANNOT_POST = (
    "I can't post in this channel ({error}). Invite me with `/invite @okrbot`, "
    "or try `/kpi digest preview`."
)


def run_digest(inv: Invocation) -> None:
    """`/kpi digest [preview]` in an area's channel."""
    mode = inv.args.strip().lower()
    if mode not in {"", "preview"}:
        inv.ack(
            response_type="ephemeral", text=f"I don't know `/kpi digest {escape(mode)}`. {USAGE}"
        )
        return
    with session_scope(inv.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        area = area_for_channel(session, workspace_id=workspace_id, channel_id=inv.channel_id)
        area_id = area.id if area else None
    if area_id is None:
        inv.ack(response_type="ephemeral", text=no_area_text())
        return
    inv.ack()
    with session_scope(inv.deps.engine) as session:
        digest = build_digest(
            session, workspace_id=workspace_id, area_id=area_id, now=inv.deps.clock()
        )
    if digest is None:  # the area was removed a moment ago
        inv.respond(response_type="ephemeral", text=no_area_text())
        return
    messages = digest_messages(digest)
    if mode == "preview":
        for message in messages:
            inv.respond(response_type="ephemeral", text=message.text, blocks=message.blocks)
        return
    _post(inv, digest, messages)


def _post(inv: Invocation, digest: Digest, messages: list[Message]) -> None:
    courier = Courier(retrying_client(inv.deps.settings))
    try:
        for message in messages:
            courier.post(inv.channel_id, text=message.text, blocks=message.blocks)
    except ChannelUnavailableError as error:
        inv.respond(response_type="ephemeral", text=CANNOT_POST.format(error=error.error))
        return
    assert digest.area.id is not None
    with session_scope(inv.deps.engine) as session:
        channel_works(session, workspace_id=digest.area.workspace_id, area_id=digest.area.id)


SUBCOMMANDS = (
    Subcommand(
        command="/kpi",
        name="digest",
        usage="/kpi digest [preview]",
        summary="this channel's KPI health digest, posted here (or `preview`: only to you)",
        example="/kpi digest preview",
        run=run_digest,
    ),
)


def register(app: App, deps: Deps) -> None:
    def on_action_list_rest(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The KPIs a long digest had no room for, in a modal."""
        ack()
        opened = client.views_open(trigger_id=body["trigger_id"], view=loading_view("KPIs"))
        area_id, shown = _rest_value(str(body["actions"][0].get("value", "")))
        team_id = str((body.get("team") or {}).get("id", ""))
        with session_scope(deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=team_id)
            area = get_area(session, workspace_id=workspace_id, area_id=area_id)
            digest = (
                None
                if area is None
                else build_digest(
                    session, workspace_id=workspace_id, area_id=area_id, now=deps.clock()
                )
            )
        view = rest_view(digest, shown) if digest else area_gone_view()
        client.views_update(view_id=opened["view"]["id"], view=view)

    app.action(DIGEST_REST_BUTTON)(on_action_list_rest)


def _rest_value(value: str) -> tuple[int, int]:
    area, _, shown = value.partition(":")
    return parse_id(area) or 0, parse_id(shown) or 0
