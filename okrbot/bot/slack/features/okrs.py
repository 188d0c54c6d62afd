"""`/okr new` and `/okr list`: set objectives with key results, and see them."""

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from okrbot.bot.deps import Deps
from okrbot.bot.slack import view_state
from okrbot.bot.slack.blocks.okr_new import (
    ADD_KR_ACTION,
    ALIGNMENT_ACTION,
    KR_KPI_ACTION,
    NEW_CALLBACK,
    alignment_option_groups,
    created_view,
    kpi_option,
    new_objective_view,
)
from okrbot.bot.slack.blocks.okrs import list_blocks, list_text
from okrbot.bot.slack.commands import Invocation, Subcommand
from okrbot.handlers.numbers import parse_id
from okrbot.handlers.objective_form import (
    MAX_KEY_RESULTS,
    KeyResultForm,
    ObjectiveForm,
    create_objective,
    form_choices,
    kr_field,
    search_alignments,
    search_kpis,
)
from okrbot.handlers.objectives import Invalid, objective_view, objective_views
from okrbot.handlers.okr_to_kpi import became_kpis
from okrbot.storage.areas import area_for_channel, list_areas
from okrbot.storage.db import session_scope
from okrbot.storage.models import ObjectiveStatus
from okrbot.storage.workspaces import ensure_workspace

NO_AREAS = (
    "There are no areas yet, so an objective has nowhere to belong. Run `/okr setup` in the "
    "area's channel (e.g. #marketing) first, then `/okr new`."
)
LIST_USAGE = (
    "`/okr list` takes `mine`, `area` or `all`, e.g. `/okr list mine`; "
    "`/okr list achieved` shows the achieved ones."
)
NOT_AN_AREA = (
    "This channel is not an area's home channel. Try `/okr list mine` or `/okr list all`, "
    "or run `/okr setup` here to make it one."
)
LIST_HEADINGS = {
    "mine": "Your objectives",
    "all": "All objectives",
    "achieved": "Achieved objectives",
}
LIST_EMPTY = {
    "mine": "You own no active objective or key result. `/okr list area` shows your area's.",
    "area": "No active objectives here yet. `/okr new` sets one.",
    "all": "No active objectives yet. `/okr new` sets one.",
    "achieved": "No objective has been marked achieved yet.",
}


# ---- /okr new -----------------------------------------------------------------------------
def run_new(inv: Invocation) -> None:
    """Open the form, with the channel's area and this quarter chosen; or say to set up areas."""
    with session_scope(inv.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        choices = form_choices(
            session, workspace_id=workspace_id, channel_id=inv.channel_id, now=inv.deps.clock()
        )
    if not choices.areas:
        inv.ack(response_type="ephemeral", text=NO_AREAS)
        return
    inv.ack()
    view = new_objective_view(choices, owner_id=inv.user_id, rows=1, channel_id=inv.channel_id)
    inv.client.views_open(trigger_id=inv.trigger_id, view=view)


def _rows(view: dict[str, Any]) -> int:
    rows = parse_id(str(view_state.metadata(view).get("rows") or "")) or 1
    return max(1, min(rows, MAX_KEY_RESULTS))


def objective_form(view: dict[str, Any]) -> ObjectiveForm:
    """The submitted modal as plain values."""
    state = view_state.ViewState(view)
    return ObjectiveForm(
        title=state.text("title"),
        area=state.option("area"),
        owner_id=state.user("owner"),
        period_start=state.day("period_start"),
        period_end=state.day("period_end"),
        alignment=state.option("alignment"),
        key_results=tuple(_key_result_row(state, index) for index in range(_rows(view))),
    )


def _key_result_row(state: view_state.ViewState, index: int) -> KeyResultForm:
    def field(name: str) -> str:
        return kr_field(index, name)

    return KeyResultForm(
        title=state.text(field("title")),
        owner_id=state.user(field("owner")),
        kind=state.option(field("kind")) or "metric",
        start=state.text(field("start")),
        target=state.text(field("target")),
        unit=state.text(field("unit")),
        kpi=state.option(field("kpi")),
    )


# ---- /okr list ----------------------------------------------------------------------------
def run_list(inv: Invocation) -> None:
    """`/okr list [mine|area|all|achieved]`; without a word, the channel's area, or else one's
    own. `achieved` lists every achieved objective (they can turn into KPIs)."""
    scope = inv.args.lower().strip()
    if scope not in {"", "mine", "area", "all", "achieved"}:
        inv.ack(response_type="ephemeral", text=LIST_USAGE)
        return
    with session_scope(inv.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=inv.team_id)
        home = area_for_channel(session, workspace_id=workspace_id, channel_id=inv.channel_id)
        scope = scope or ("area" if home else "mine")
        views = objective_views(
            session,
            workspace_id=workspace_id,
            area_id=home.id if scope == "area" and home else None,
            owner_id=inv.user_id if scope == "mine" else None,
            statuses=(ObjectiveStatus.ACHIEVED if scope == "achieved" else ObjectiveStatus.ACTIVE,),
        )
        areas = {a.id: a.name for a in list_areas(session, workspace_id=workspace_id) if a.id}
        became = became_kpis(
            session, workspace_id=workspace_id, objective_ids=[v.objective.id or 0 for v in views]
        )
    if scope == "area" and home is None:
        inv.ack(response_type="ephemeral", text=NOT_AN_AREA)
        return
    heading = LIST_HEADINGS.get(scope) or f"{home.name if home else ''} objectives"
    blocks = list_blocks(
        views,
        heading=heading,
        area_names=areas,
        now=inv.deps.clock(),
        empty=LIST_EMPTY[scope],
        became={objective_id: [k.name for k in kpis] for objective_id, kpis in became.items()},
    )
    inv.ack(response_type="ephemeral", text=list_text(views, heading), blocks=blocks)


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        command="/okr",
        name="new",
        usage="/okr new",
        summary="set an objective with up to five key results",
        example="/okr new",
        run=run_new,
    ),
    Subcommand(
        command="/okr",
        name="list",
        usage="/okr list [mine|area|all|achieved]",
        summary="objectives with progress, confidence and their last check-in",
        example="/okr list mine",
        run=run_list,
    ),
)


def register(app: App, deps: Deps) -> None:
    def on_action_add_kr(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Another key result row; what was typed stays, as the block ids stay the same."""
        ack()
        view = body["view"]
        channel = str(view_state.metadata(view).get("channel") or "")
        with session_scope(deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=view_state.team_id(body))
            choices = form_choices(
                session, workspace_id=workspace_id, channel_id=channel, now=deps.clock()
            )
        updated = new_objective_view(
            choices, owner_id=str(body["user"]["id"]), rows=_rows(view) + 1, channel_id=channel
        )
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)

    def on_options_alignment(ack: Ack, body: dict[str, Any]) -> None:
        """Type-ahead for workspaces with more KPIs and objectives than a menu holds."""
        with session_scope(deps.engine) as session:
            kpis, objectives = search_alignments(
                session,
                workspace_id=ensure_workspace(session, external_id=view_state.team_id(body)),
                search=str(body.get("value") or "").strip(),
            )
        ack(option_groups=alignment_option_groups(kpis, objectives))

    def on_options_kr_kpi(ack: Ack, body: dict[str, Any]) -> None:
        with session_scope(deps.engine) as session:
            kpis = search_kpis(
                session,
                workspace_id=ensure_workspace(session, external_id=view_state.team_id(body)),
                search=str(body.get("value") or "").strip(),
            )
        ack(options=[kpi_option(kpi) for kpi in kpis])

    def on_view_new(ack: Ack, body: dict[str, Any]) -> None:
        """Create the objective, or point at every field that is wrong and write nothing."""
        form = objective_form(body["view"])
        with session_scope(deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=view_state.team_id(body))
            created = create_objective(
                session,
                workspace_id=workspace_id,
                actor_id=str(body["user"]["id"]),
                form=form,
                now=deps.clock(),
            )
            if isinstance(created, Invalid):
                ack(response_action="errors", errors=created.errors)
                return
            assert created.id is not None
            view = objective_view(session, workspace_id=workspace_id, objective_id=created.id)
        assert view is not None
        ack(response_action="update", view=created_view(view))

    app.action(ADD_KR_ACTION)(on_action_add_kr)
    app.options(ALIGNMENT_ACTION)(on_options_alignment)
    app.options(KR_KPI_ACTION)(on_options_kr_kpi)
    app.view_submission(NEW_CALLBACK)(on_view_new)
