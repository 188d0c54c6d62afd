"""`/kpi …`: list, show, new, update, edit, archive. The modals live in kpi_form and kpi_update."""

import difflib

from slack_bolt import App
from sqlmodel import Session

from okrbot.bot.deps import Deps
from okrbot.bot.slack.blocks.kpis import (
    kpi_detail_blocks,
    kpi_list_blocks,
    kpi_list_text,
)
from okrbot.bot.slack.blocks.ledger import ledger_blocks
from okrbot.bot.slack.blocks.refusals import refusal_mrkdwn
from okrbot.bot.slack.blocks.text import escape
from okrbot.bot.slack.commands import Invocation, Subcommand
from okrbot.bot.slack.features.kpi_form import FormListeners, no_match_text, run_edit, run_new
from okrbot.bot.slack.features.kpi_support import actor
from okrbot.bot.slack.features.kpi_update import UpdateListeners, run_update
from okrbot.handlers.kpis import archive_kpi, find_kpi, kpi_view, kpi_views
from okrbot.handlers.ledger import kpi_ledger
from okrbot.handlers.okr_to_kpi import origin_of
from okrbot.handlers.periods import local_date, recent_periods
from okrbot.handlers.permissions import NotAllowedError
from okrbot.handlers.trend import HISTORY_PERIODS
from okrbot.storage.areas import area_for_channel, list_areas
from okrbot.storage.db import session_scope
from okrbot.storage.models import Area
from okrbot.storage.workspaces import ensure_workspace

__all__ = ["SUBCOMMANDS", "register"]

SHOW_USAGE = "Which KPI? `/kpi show NAME`, e.g. `/kpi show conversion`."
ARCHIVE_USAGE = "Which KPI? `/kpi archive NAME`, e.g. `/kpi archive old signups`."


# ---- /kpi list [area|all] ------------------------------------------------------------------
def _listed_area(session: Session, workspace_id: int, inv: Invocation) -> tuple[Area | None, str]:
    """(the area to list, or None for all; a sentence when the named area is unknown)."""
    wanted = inv.args.strip()
    if wanted.lower() == "all":
        return None, ""
    if not wanted:
        home = area_for_channel(session, workspace_id=workspace_id, channel_id=inv.channel_id)
        return home, ""
    areas = {area.name.casefold(): area for area in list_areas(session, workspace_id=workspace_id)}
    needle = wanted.casefold()
    prefixed = [name for name in areas if name.startswith(needle)]
    matches = [needle] if needle in areas else prefixed
    matches = matches or difflib.get_close_matches(needle, list(areas), n=1, cutoff=0.6)
    if matches:
        return areas[matches[0]], ""
    names = ", ".join(area.name for area in areas.values()) or "none yet"
    return None, (
        f"There is no area called “{escape(wanted)}”. Areas: {escape(names)}. "
        "`/kpi list all` lists every KPI."
    )


def run_list(inv: Invocation) -> None:
    """The area's KPIs (the channel's, a named one, or all), red first, each with a button."""
    with session_scope(inv.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        area, problem = _listed_area(session, workspace_id, inv)
        if problem:
            inv.ack(response_type="ephemeral", text=problem)
            return
        views = kpi_views(
            session,
            workspace_id=workspace_id,
            now=inv.deps.clock(),
            area_id=area.id if area else None,
        )
    where = f"{escape(area.name)} KPIs" if area else "All KPIs"
    if not views:
        inv.ack(response_type="ephemeral", text=f"*{where}*: none yet. `/kpi new` creates one.")
        return
    title = f"*{where}* ({len(views)}), what needs attention first:"
    inv.ack(
        response_type="ephemeral",
        text=kpi_list_text(views, title=title),
        blocks=kpi_list_blocks(views, title=title, show_area=area is None),
    )


# ---- /kpi show NAME ---------------------------------------------------------------------------
def run_show(inv: Invocation) -> None:
    if not inv.args:
        inv.ack(response_type="ephemeral", text=SHOW_USAGE)
        return
    now = inv.deps.clock()
    with session_scope(inv.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        kpi = find_kpi(session, workspace_id=workspace_id, text=inv.args)
        if kpi is None:
            inv.ack(response_type="ephemeral", text=no_match_text(inv.args))
            return
        view = kpi_view(session, workspace_id=workspace_id, kpi_id=kpi.id or 0, now=now)
        tried = kpi_ledger(session, workspace_id=workspace_id, kpi_id=kpi.id or 0, now=now)
        origin = origin_of(session, workspace_id=workspace_id, kpi=view.kpi)
    today = local_date(now, view.area.timezone)
    periods = recent_periods(view.kpi.cadence, today, HISTORY_PERIODS)
    lineage = ledger_blocks(tried, kpi=view.kpi, origin=origin, today=today)
    inv.ack(
        response_type="ephemeral",
        text=view.kpi.name,
        blocks=[*kpi_detail_blocks(view, periods=periods), *lineage],
    )


# ---- /kpi archive NAME ------------------------------------------------------------------------
def run_archive(inv: Invocation) -> None:
    """Archive the KPI for its owner, its area's leads and admins; others are told who can."""
    if not inv.args:
        inv.ack(response_type="ephemeral", text=ARCHIVE_USAGE)
        return
    inv.ack()
    who = actor(inv.deps, inv.client, team_id=inv.team_id, user_id=inv.user_id)
    with session_scope(inv.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        kpi = find_kpi(session, workspace_id=workspace_id, text=inv.args)
        if kpi is None:
            inv.respond(response_type="ephemeral", text=no_match_text(inv.args))
            return
        try:
            now = inv.deps.clock()
            archive_kpi(session, workspace_id=workspace_id, kpi_id=kpi.id or 0, actor=who, now=now)
        except NotAllowedError as refused:
            inv.respond(response_type="ephemeral", text=refusal_mrkdwn(refused.who_can))
            return
    inv.respond(
        response_type="ephemeral",
        text=f"Archived *{escape(kpi.name)}*. Its values and history are kept; "
        "it no longer shows in lists.",
    )


SUBCOMMANDS = (
    Subcommand(
        command="/kpi",
        name="list",
        usage="/kpi list [area|all]",
        summary="this channel's area's KPIs (or another area's, or all), red first",
        example="/kpi list marketing",
        run=run_list,
    ),
    Subcommand(
        command="/kpi",
        name="show",
        usage="/kpi show NAME",
        summary="one KPI: health, target, owner, recent values",
        example="/kpi show conversion rate",
        run=run_show,
    ),
    Subcommand(
        command="/kpi",
        name="new",
        usage="/kpi new",
        summary="create a KPI: name, target, unit, warning margin, cadence, owner",
        example="/kpi new",
        run=run_new,
    ),
    Subcommand(
        command="/kpi",
        name="update",
        usage="/kpi update [name]",
        summary="record a KPI's value for this week (or month)",
        example="/kpi update conversion rate",
        run=run_update,
    ),
    Subcommand(
        command="/kpi",
        name="edit",
        usage="/kpi edit NAME",
        summary="change a KPI's target, thresholds, owner or unit",
        example="/kpi edit conversion rate",
        run=run_edit,
    ),
    Subcommand(
        command="/kpi",
        name="archive",
        usage="/kpi archive NAME",
        summary="stop tracking a KPI; its history is kept",
        example="/kpi archive old signups",
        run=run_archive,
    ),
)


def register(app: App, deps: Deps) -> None:
    FormListeners(deps).register(app)
    UpdateListeners(deps).register(app)
