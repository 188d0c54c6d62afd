"""OKR → KPI: the "Turn into a KPI" button and menu item, the modal's picker, and submitting it."""

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from okrbot.bot.deps import Deps
from okrbot.bot.slack import view_state
from okrbot.bot.slack.blocks.okr_format import mentions
from okrbot.bot.slack.blocks.okr_to_kpi import (
    CALLBACK,
    PICK_ACTION,
    TURN_BUTTON,
    done_view,
    field_errors,
    loading_view,
    message_view,
    proposal_view,
)
from okrbot.bot.slack.commands import Subcommand
from okrbot.bot.slack.features.kpi_form import kpi_form
from okrbot.bot.slack.features.kpi_support import actor
from okrbot.handlers.numbers import parse_id
from okrbot.handlers.objectives import Invalid, NotAllowed, NotFound
from okrbot.handlers.okr_to_kpi import (
    KpiProposal,
    NotEligible,
    TurnedIntoKpi,
    propose_kpi,
    turn_into_kpi,
)
from okrbot.storage.db import session_scope
from okrbot.storage.workspaces import ensure_workspace

SUBCOMMANDS: tuple[Subcommand, ...] = ()

NOT_FOUND = "I can't find that objective or key result; it may have been deleted. Nothing changed."


def refusal_text(outcome: NotFound | NotAllowed | NotEligible) -> str:
    if isinstance(outcome, NotAllowed):
        return (
            f"Only {mentions(outcome.who_can)}, the area's leads or a workspace admin can turn "
            "this objective into a KPI."
        )
    if isinstance(outcome, NotEligible):
        return outcome.reason
    return NOT_FOUND


def _shown(
    outcome: KpiProposal | NotFound | NotAllowed | NotEligible, channel_id: str
) -> dict[str, Any]:
    if isinstance(outcome, KpiProposal):
        return proposal_view(outcome, channel_id=channel_id)
    return message_view(refusal_text(outcome))


def open_okr_to_kpi(
    deps: Deps,
    client: WebClient,
    *,
    trigger_id: str,
    team_id: str,
    user_id: str,
    objective_id: int,
    on_top: bool = False,
    channel_id: str = "",
) -> None:
    """Open the modal at once (pushed on top of a modal it was asked from), then fill it."""
    opening = client.views_push if on_top else client.views_open
    opened = opening(trigger_id=trigger_id, view=loading_view())
    who = actor(deps, client, team_id=team_id, user_id=user_id)
    with session_scope(deps.engine) as session:
        proposal = propose_kpi(
            session,
            workspace_id=ensure_workspace(session, external_id=team_id),
            objective_id=objective_id,
            key_result_id=None,
            actor=who,
        )
    client.views_update(
        view_id=opened["view"]["id"],
        hash=opened["view"]["hash"],
        view=_shown(proposal, channel_id),
    )


def register(app: App, deps: Deps) -> None:
    def on_action_open(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The "Turn into a KPI" button, in a message or on top of a check-in's answer."""
        ack()
        objective_id = parse_id(view_state.button_value(body))
        in_modal = (body.get("container") or {}).get("type") == "view"
        if objective_id is None:
            opening = client.views_push if in_modal else client.views_open
            opening(trigger_id=str(body.get("trigger_id")), view=message_view(NOT_FOUND))
            return
        open_okr_to_kpi(
            deps,
            client,
            trigger_id=str(body.get("trigger_id")),
            team_id=view_state.team_id(body),
            user_id=str(body["user"]["id"]),
            objective_id=objective_id,
            on_top=in_modal,
            channel_id=str((body.get("channel") or {}).get("id") or ""),
        )

    def on_action_pick(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Another key result picked: the form again, filled from that one."""
        ack()
        view = body["view"]
        team_id = view_state.team_id(body)
        objective_id = view_state.id_in(view, "objective")
        who = actor(deps, client, team_id=team_id, user_id=str(body["user"]["id"]))
        proposal: KpiProposal | NotFound | NotAllowed | NotEligible = NotFound()
        with session_scope(deps.engine) as session:
            if objective_id is not None:
                proposal = propose_kpi(
                    session,
                    workspace_id=ensure_workspace(session, external_id=team_id),
                    objective_id=objective_id,
                    key_result_id=parse_id(view_state.selected_value(body)),
                    actor=who,
                )
        channel_id = str(view_state.metadata(view).get("channel") or "")
        updated = _shown(proposal, channel_id)
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)

    def on_view_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Create the KPI (or keep the one the key result follows), or say what is wrong."""
        view = body["view"]
        team_id = view_state.team_id(body)
        objective_id = view_state.id_in(view, "objective")
        key_result_id = view_state.id_in(view, "kr")
        keeping = view_state.metadata(view).get("keep") is not None
        who = actor(deps, client, team_id=team_id, user_id=str(body["user"]["id"]))
        outcome: TurnedIntoKpi | NotFound | NotAllowed | NotEligible | Invalid = NotFound()
        with session_scope(deps.engine) as session:
            if objective_id is not None and key_result_id is not None:
                outcome = turn_into_kpi(
                    session,
                    workspace_id=ensure_workspace(session, external_id=team_id),
                    objective_id=objective_id,
                    key_result_id=key_result_id,
                    actor=who,
                    form=None if keeping else kpi_form(view),
                    now=deps.clock(),
                )
        if isinstance(outcome, Invalid):
            ack(response_action="errors", errors=field_errors(outcome.errors, view))
        elif isinstance(outcome, TurnedIntoKpi):
            ack(response_action="update", view=done_view(outcome))
        else:
            ack(response_action="update", view=message_view(refusal_text(outcome)))

    app.action(TURN_BUTTON)(on_action_open)
    app.action(PICK_ACTION)(on_action_pick)
    app.view_submission(CALLBACK)(on_view_submitted)
