"""`/kpi update [name]` and every "Update" button: pick a KPI, see it, record its value."""

from dataclasses import replace
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from okrbot.bot.deps import Deps
from okrbot.bot.slack import view_state
from okrbot.bot.slack.blocks.buttons import KPI_UPDATE_BUTTON
from okrbot.bot.slack.blocks.kpi_format import health_emoji
from okrbot.bot.slack.blocks.kpis import (
    NOTE_BLOCK,
    PICK_ACTION,
    PICK_BLOCK,
    STATIC_OPTION_LIMIT,
    UPDATE_CALLBACK,
    UPDATE_FIELD_BLOCKS,
    VALUE_BLOCK,
    UpdateModal,
    picker_options,
    update_metadata,
    update_view,
)
from okrbot.bot.slack.blocks.refusals import refusal_mrkdwn, refusal_plain
from okrbot.bot.slack.blocks.text import escape
from okrbot.bot.slack.commands import Invocation
from okrbot.bot.slack.features.home import refresh_home
from okrbot.bot.slack.features.kpi_support import actor, name_of, tell
from okrbot.bot.slack.view_state import ViewState, as_id
from okrbot.handlers.invalid import InvalidInputError, NotFoundError
from okrbot.handlers.kpi_values import Recorded, record_value
from okrbot.handlers.kpis import find_kpi, kpi_view
from okrbot.handlers.permissions import Actor, NotAllowedError, kpi_deciders, may_record_value
from okrbot.handlers.units import format_value
from okrbot.storage.areas import area_for_channel, get_area
from okrbot.storage.db import session_scope
from okrbot.storage.kpis import count_kpis, get_kpi, list_kpis, search_kpis
from okrbot.storage.workspaces import ensure_workspace

NO_KPIS = "There are no KPIs here yet. `/kpi new` creates one."
GONE = "That KPI was archived or removed. `/kpi list` shows the current ones."
GONE_FROM_PICKER = "That KPI was archived meanwhile. Pick another one."


def no_match_text(typed: str) -> str:
    return (
        f"No KPI matches “{escape(typed)}”. `/kpi list all` shows every KPI, "
        "or run `/kpi update` without a name to pick one."
    )


def _modal(
    session: Session,
    *,
    workspace_id: int,
    area_id: int | None,
    picked_id: int | None,
    channel_id: str,
    now: datetime,
) -> UpdateModal:
    """The modal's content: choices within `area_id` (or everywhere), and the picked KPI."""
    searches = count_kpis(session, workspace_id=workspace_id, area_id=area_id) > STATIC_OPTION_LIMIT
    options = [] if searches else list_kpis(session, workspace_id=workspace_id, area_id=area_id)
    picked = None
    if picked_id is not None:
        picked = kpi_view(session, workspace_id=workspace_id, kpi_id=picked_id, now=now)
    return UpdateModal(
        options=options,
        searches=searches,
        picked=picked if picked is None or picked.kpi.archived_at is None else None,
        channel_id=channel_id,
        area_id=area_id,
    )


def _with_refusal(modal: UpdateModal, who: Actor) -> UpdateModal:
    """The modal, saying who may record the picked KPI when `who` may not."""
    picked = modal.picked
    if picked is None or may_record_value(who, owner_id=picked.kpi.owner_id, area=picked.area):
        return modal
    deciders = kpi_deciders(
        f"record values of “{picked.kpi.name}”", owner_id=picked.kpi.owner_id, area=picked.area
    )
    return replace(modal, refusal=refusal_mrkdwn(deciders))


def run_update(inv: Invocation) -> None:
    deps = inv.deps
    with session_scope(deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        found = find_kpi(session, workspace_id=workspace_id, text=inv.args) if inv.args else None
        home = area_for_channel(session, workspace_id=workspace_id, channel_id=inv.channel_id)
        area_id = found.area_id if found else (home.id if home else None)
        modal = _modal(
            session,
            workspace_id=workspace_id,
            area_id=area_id,
            picked_id=found.id if found else None,
            channel_id=inv.channel_id,
            now=deps.clock(),
        )
    if inv.args and found is None:
        inv.ack(response_type="ephemeral", text=no_match_text(inv.args))
        return
    if not modal.options and not modal.searches:
        inv.ack(response_type="ephemeral", text=NO_KPIS)
        return
    inv.ack()
    modal = _checked_for(deps, inv.client, inv.team_id, inv.user_id, modal)
    if modal.refusal and inv.args:
        inv.respond(response_type="ephemeral", text=modal.refusal)
        return
    inv.client.views_open(trigger_id=inv.trigger_id, view=update_view(modal))


def _checked_for(
    deps: Deps, client: WebClient, team_id: str, user_id: str, modal: UpdateModal
) -> UpdateModal:
    """Ask Slack whether the person is an admin only when owner or lead would not do."""
    picked = modal.picked
    quick = Actor(user_id=user_id, is_admin=False)
    if picked is None or may_record_value(quick, owner_id=picked.kpi.owner_id, area=picked.area):
        return modal
    return _with_refusal(modal, actor(deps, client, team_id=team_id, user_id=user_id))


def _confirmation(session: Session, workspace_id: int, recorded: Recorded, now: datetime) -> str:
    """What the person is told: the value, what it replaced, and the KPI's health now."""
    view = kpi_view(session, workspace_id=workspace_id, kpi_id=recorded.kpi.id or 0, now=now)
    value = escape(format_value(recorded.value.value, view.kpi))
    replaced = (
        ""
        if recorded.replaced is None
        else f" (replacing {escape(format_value(recorded.replaced, view.kpi))})"
    )
    return (
        f"{health_emoji(view.health)} Recorded *{value}*{replaced} for *{escape(view.kpi.name)}*, "
        f"period from {recorded.period_start.isoformat()}."
    )


class UpdateListeners:
    """The update modal's listeners, sharing `deps`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def register(self, app: App) -> None:
        app.action(KPI_UPDATE_BUTTON)(self.on_action_update_button)
        app.action(PICK_ACTION)(self.on_action_pick)
        app.options(PICK_ACTION)(self.on_options_pick)
        app.view(UPDATE_CALLBACK)(self.on_view_update)

    def on_action_update_button(
        self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        """Any surface's "Update" button: the update modal with that KPI picked."""
        ack()
        team_id, user_id = view_state.team_id(body), str(body["user"]["id"])
        kpi_id = as_id(str((body.get("actions") or [{}])[0].get("value") or ""))
        with session_scope(self.deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=team_id)
            kpi = (
                None
                if kpi_id is None
                else get_kpi(session, workspace_id=workspace_id, kpi_id=kpi_id)
            )
            modal = None
            if kpi is not None and kpi.archived_at is None:
                modal = _modal(
                    session,
                    workspace_id=workspace_id,
                    area_id=kpi.area_id,
                    picked_id=kpi.id,
                    channel_id=str((body.get("channel") or {}).get("id") or ""),
                    now=self.deps.clock(),
                )
        if modal is None:
            if body.get("response_url"):
                respond(response_type="ephemeral", replace_original=False, text=GONE)
            return
        modal = _checked_for(self.deps, client, team_id, user_id, modal)
        client.views_open(trigger_id=body["trigger_id"], view=update_view(modal))

    def on_action_pick(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Show the picked KPI's value, target and health in the open modal."""
        ack()
        view = body["view"]
        team_id, user_id = view_state.team_id(body), str(body["user"]["id"])
        selected = (body.get("actions") or [{}])[0].get("selected_option") or {}
        metadata = update_metadata(view)
        with session_scope(self.deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=team_id)
            try:
                modal = _modal(
                    session,
                    workspace_id=workspace_id,
                    area_id=_scope(session, workspace_id, metadata.get("area")),
                    picked_id=as_id(str(selected.get("value") or "")),
                    channel_id=str(metadata.get("channel") or ""),
                    now=self.deps.clock(),
                )
            except NotFoundError:
                return
        modal = _checked_for(self.deps, client, team_id, user_id, modal)
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=update_view(modal))

    def on_options_pick(self, ack: Ack, body: dict[str, Any]) -> None:
        """Type-ahead for areas with more than 100 KPIs."""
        metadata = update_metadata(body.get("view") or {})
        with session_scope(self.deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=view_state.team_id(body))
            kpis = search_kpis(
                session,
                workspace_id=workspace_id,
                text=str(body.get("value") or ""),
                area_id=_scope(session, workspace_id, metadata.get("area")),
                limit=STATIC_OPTION_LIMIT,
            )
        ack(**picker_options(kpis))

    def on_view_update(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Record the value; a wrong field gets its sentence and nothing is stored."""
        view, deps = body["view"], self.deps
        team_id, user_id = view_state.team_id(body), str(body["user"]["id"])
        state = ViewState(view)
        kpi_id = as_id(state.option(PICK_BLOCK))
        if kpi_id is None:
            ack(response_action="errors", errors={PICK_BLOCK: "Pick the KPI to update."})
            return
        who = actor(deps, client, team_id=team_id, user_id=user_id)
        now = deps.clock()
        try:
            with session_scope(deps.engine) as session:
                workspace_id = ensure_workspace(session, external_id=team_id)
                recorded = record_value(
                    session,
                    workspace_id=workspace_id,
                    kpi_id=kpi_id,
                    actor=who,
                    text=state.text(VALUE_BLOCK),
                    note=state.text(NOTE_BLOCK),
                    now=now,
                )
                text = _confirmation(session, workspace_id, recorded, now)
        except InvalidInputError as invalid:
            errors = {UPDATE_FIELD_BLOCKS[f]: sentence for f, sentence in invalid.errors.items()}
            ack(response_action="errors", errors=errors)
            return
        except NotAllowedError as refused:
            sentence = refusal_plain(refused.who_can, name_of(deps, client, team_id))
            ack(response_action="errors", errors={PICK_BLOCK: sentence})
            return
        except NotFoundError:
            ack(response_action="errors", errors={PICK_BLOCK: GONE_FROM_PICKER})
            return
        ack()
        channel_id = str(update_metadata(view).get("channel") or "") or None
        tell(client, channel_id=channel_id, user_id=user_id, text=text)
        # The owner's Home tab shows this KPI's health and value: keep it current.
        refresh_home(deps, client, team_id, recorded.kpi.owner_id)


def _scope(session: Session, workspace_id: int, area_hint: Any) -> int | None:
    """The area a picker searches, from the modal's hint, if it is this workspace's."""
    area_id = as_id(area_hint)
    if area_id is None:
        return None
    area = get_area(session, workspace_id=workspace_id, area_id=area_id)
    return area.id if area else None
