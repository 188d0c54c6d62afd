"""`/kpi new` and `/kpi edit NAME`: the KPI form, its target-type switch, and saving it."""

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from okrbot.bot.deps import Deps
from okrbot.bot.slack import view_state
from okrbot.bot.slack.blocks.kpi_format import kpi_text
from okrbot.bot.slack.blocks.kpi_modals import (
    EDIT_CALLBACK,
    FIELD_BLOCKS,
    NEW_CALLBACK,
    TARGET_TYPE_ACTION,
    KpiFormContext,
    form_metadata,
    kpi_form_view,
)
from okrbot.bot.slack.blocks.refusals import refusal_mrkdwn, refusal_plain
from okrbot.bot.slack.blocks.text import escape
from okrbot.bot.slack.commands import Invocation
from okrbot.bot.slack.features.kpi_support import actor, name_of, tell
from okrbot.bot.slack.view_state import ViewState, as_id
from okrbot.handlers.invalid import InvalidInputError, NotFoundError
from okrbot.handlers.kpi_forms import KpiForm, create_kpi, edit_kpi
from okrbot.handlers.kpis import KpiView, find_kpi, kpi_view
from okrbot.handlers.permissions import Actor, NotAllowedError, kpi_deciders, may_change_kpi
from okrbot.storage.areas import area_for_channel, get_area, list_areas
from okrbot.storage.db import session_scope
from okrbot.storage.kpis import get_kpi
from okrbot.storage.models import TargetType
from okrbot.storage.workspaces import ensure_workspace

NO_AREAS = (
    "A KPI belongs to an area, and there are none yet. Run `/okr setup` in the area's "
    "channel (e.g. #marketing) first, then `/kpi new` there."
)
EDIT_USAGE = "Which KPI? `/kpi edit NAME`, e.g. `/kpi edit conversion rate`."


def no_match_text(typed: str) -> str:
    return f"No KPI matches “{escape(typed)}”. `/kpi list all` shows every KPI."


def run_new(inv: Invocation) -> None:
    """The KPI form, in the channel's area when it has one (else the person picks)."""
    with session_scope(inv.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        areas = list_areas(session, workspace_id=workspace_id)
        home = area_for_channel(session, workspace_id=workspace_id, channel_id=inv.channel_id)
    if not areas:
        inv.ack(response_type="ephemeral", text=NO_AREAS)
        return
    inv.ack()
    context = KpiFormContext(
        areas=areas,
        area_id=home.id if home else None,
        owner_id=inv.user_id,
        target_type=TargetType.AT_LEAST,
        channel_id=inv.channel_id,
    )
    inv.client.views_open(trigger_id=inv.trigger_id, view=kpi_form_view(context))


def run_edit(inv: Invocation) -> None:
    """The KPI form filled in, for its owner, its area's leads and admins; others are told."""
    if not inv.args:
        inv.ack(response_type="ephemeral", text=EDIT_USAGE)
        return
    with session_scope(inv.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        kpi = find_kpi(session, workspace_id=workspace_id, text=inv.args)
        area = get_area(session, workspace_id=workspace_id, area_id=kpi.area_id) if kpi else None
        areas = list_areas(session, workspace_id=workspace_id)
    if kpi is None or area is None:
        inv.ack(response_type="ephemeral", text=no_match_text(inv.args))
        return
    inv.ack()
    quick = Actor(user_id=inv.user_id, is_admin=False)
    if not may_change_kpi(quick, owner_id=kpi.owner_id, area=area):
        who = actor(inv.deps, inv.client, team_id=inv.team_id, user_id=inv.user_id)
        if not may_change_kpi(who, owner_id=kpi.owner_id, area=area):
            refusal = kpi_deciders(f"edit “{kpi.name}”", owner_id=kpi.owner_id, area=area)
            inv.respond(response_type="ephemeral", text=refusal_mrkdwn(refusal))
            return
    context = KpiFormContext(
        areas=areas,
        area_id=kpi.area_id,
        owner_id=kpi.owner_id,
        target_type=TargetType(kpi.target_type),
        channel_id=inv.channel_id,
        kpi=kpi,
    )
    inv.client.views_open(trigger_id=inv.trigger_id, view=kpi_form_view(context))


def kpi_form(view: dict[str, Any]) -> KpiForm:
    """The submitted form as plain values."""
    state = ViewState(view)

    def text(field: str) -> str:
        return state.text(FIELD_BLOCKS[field])

    def option(field: str) -> str:
        return state.option(FIELD_BLOCKS[field])

    return KpiForm(
        name=text("name"),
        area_id=as_id(option("area_id")),
        owner_id=state.user(FIELD_BLOCKS["owner_id"]),
        target_type=option("target_type"),
        target=text("target"),
        target_high=text("target_high"),
        baseline=text("baseline"),
        target_date=state.day(FIELD_BLOCKS["target_date"]),
        unit_kind=option("unit_kind"),
        unit_label=text("unit_label"),
        warning_margin=text("warning_margin"),
        cadence=option("cadence"),
        red_after_periods=option("red_after_periods"),
        description=text("description"),
        source_url=text("source_url"),
    )


def _field_errors(errors: dict[str, str], view: dict[str, Any]) -> dict[str, str]:
    """Each sentence on its field's block; on the name when the block is not in the form."""
    present = {block.get("block_id") for block in view.get("blocks") or []}
    placed: dict[str, str] = {}
    for field, sentence in errors.items():
        block = FIELD_BLOCKS.get(field, "")
        placed.setdefault(block if block in present else FIELD_BLOCKS["name"], sentence)
    return placed


def _save(
    session: Session,
    workspace_id: int,
    *,
    kpi_id: int | None,
    actor: Actor,
    form: KpiForm,
    now: datetime,
) -> KpiView:
    """Create the KPI (no id) or change it, and return how it now looks."""
    if kpi_id is None:
        kpi = create_kpi(session, workspace_id=workspace_id, actor=actor, form=form, now=now)
    else:
        kpi = edit_kpi(
            session, workspace_id=workspace_id, kpi_id=kpi_id, actor=actor, form=form, now=now
        )
    return kpi_view(session, workspace_id=workspace_id, kpi_id=kpi.id or 0, now=now)


class FormListeners:
    """The KPI form's listeners, sharing `deps`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def register(self, app: App) -> None:
        app.action(TARGET_TYPE_ACTION)(self.on_action_target_type)
        app.view(NEW_CALLBACK)(self.on_view_save)
        app.view(EDIT_CALLBACK)(self.on_view_save)

    def on_action_target_type(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Redraw the form with the fields of the picked target type; typed values stay."""
        ack()
        view = body["view"]
        state = ViewState(view)
        picked = (body.get("actions") or [{}])[0].get("selected_option") or {}
        kind = str(picked.get("value") or "")
        if kind not in set(TargetType):
            return
        metadata = form_metadata(view)
        area = state.option(FIELD_BLOCKS["area_id"]) or str(metadata.get("area") or "")
        with session_scope(self.deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=view_state.team_id(body))
            areas = list_areas(session, workspace_id=workspace_id)
            edited = as_id(metadata.get("kpi"))
            kpi = get_kpi(session, workspace_id=workspace_id, kpi_id=edited) if edited else None
        context = KpiFormContext(
            areas=areas,
            area_id=as_id(area),
            owner_id=state.user(FIELD_BLOCKS["owner_id"]) or str(body["user"]["id"]),
            target_type=TargetType(kind),
            channel_id=str(metadata.get("channel") or ""),
            kpi=kpi,
        )
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=kpi_form_view(context))

    def on_view_save(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Create or change the KPI; a wrong field gets its sentence and nothing is written."""
        view, deps = body["view"], self.deps
        team_id, user_id = view_state.team_id(body), str(body["user"]["id"])
        metadata = form_metadata(view)
        editing = view.get("callback_id") == EDIT_CALLBACK
        edited = as_id(metadata.get("kpi")) if editing else None
        who = actor(deps, client, team_id=team_id, user_id=user_id)
        now = deps.clock()
        try:
            with session_scope(deps.engine) as session:
                workspace_id = ensure_workspace(session, external_id=team_id)
                saved = _save(
                    session, workspace_id, kpi_id=edited, actor=who, form=kpi_form(view), now=now
                )
        except InvalidInputError as invalid:
            ack(response_action="errors", errors=_field_errors(invalid.errors, view))
            return
        except NotAllowedError as refused:
            sentence = refusal_plain(refused.who_can, name_of(deps, client, team_id))
            ack(response_action="errors", errors={FIELD_BLOCKS["name"]: sentence})
            return
        except NotFoundError:
            gone = "This KPI was archived meanwhile, so it can't be changed."
            ack(response_action="errors", errors={FIELD_BLOCKS["name"]: gone})
            return
        ack()
        verb = "Created" if edited is None else "Saved"
        text = (
            f"{verb} *{escape(saved.kpi.name)}* in {escape(saved.area.name)}: "
            f"{escape(kpi_text(saved))}. `/kpi update {escape(saved.kpi.name)}` records a value."
        )
        channel_id = str(metadata.get("channel") or "") or None
        tell(client, channel_id=channel_id, user_id=user_id, text=text)
