"""The menu of each objective in `/okr list`: check in, edit, mark achieved or missed, close."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from okrbot.bot.deps import Deps
from okrbot.bot.slack import view_state
from okrbot.bot.slack.blocks.okr_format import mentions
from okrbot.bot.slack.blocks.okr_to_kpi import MENU_TO_KPI, achieved_blocks
from okrbot.bot.slack.blocks.okrs import (
    EDIT_CALLBACK,
    LIST_MENU_ACTION,
    MENU_ACHIEVED,
    MENU_CHECKIN,
    MENU_CLOSE,
    MENU_EDIT,
    MENU_MISSED,
    edit_view,
    parse_menu_value,
    saved_view,
)
from okrbot.bot.slack.blocks.text import escape
from okrbot.bot.slack.commands import Subcommand
from okrbot.bot.slack.features.checkin import open_checkin
from okrbot.bot.slack.features.okr_to_kpi import open_okr_to_kpi
from okrbot.handlers.numbers import parse_id
from okrbot.handlers.objectives import (
    Invalid,
    NotAllowed,
    NotFound,
    ObjectiveEdit,
    edit_objective,
    editable_objective,
    set_objective_status,
)
from okrbot.storage.db import session_scope
from okrbot.storage.models import Objective, ObjectiveStatus
from okrbot.storage.workspaces import ensure_workspace

SUBCOMMANDS: tuple[Subcommand, ...] = ()

STATUS_CHOICES = {
    MENU_ACHIEVED: ObjectiveStatus.ACHIEVED,
    MENU_MISSED: ObjectiveStatus.MISSED,
    MENU_CLOSE: ObjectiveStatus.CLOSED,
}
# Choices that open another feature's modal: f(deps, client, *, trigger_id, team_id, user_id,
# objective_id).
OPENERS: dict[str, Callable[..., None]] = {
    MENU_CHECKIN: open_checkin,
    MENU_TO_KPI: open_okr_to_kpi,
}
KNOWN_CHOICES = {MENU_EDIT, *OPENERS, *STATUS_CHOICES}
NOT_FOUND = "I can't find that objective; it may have been deleted. Nothing was changed."


def not_allowed_text(who_can: tuple[str, ...]) -> str:
    return f"Only {mentions(who_can)}, the area's leads or a workspace admin can change this."


def register(app: App, deps: Deps) -> None:
    def on_action_menu(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """One choice from an objective's menu; the id in it is looked up again."""
        ack()
        choice, raw_id = parse_menu_value(view_state.selected_value(body))
        objective_id = parse_id(raw_id)
        team_id, user_id = view_state.team_id(body), str(body["user"]["id"])
        trigger_id = str(body.get("trigger_id"))
        if objective_id is None or choice not in KNOWN_CHOICES:
            respond(text=NOT_FOUND, response_type="ephemeral", replace_original=False)
            return
        opener = OPENERS.get(choice)
        if opener is not None:
            opener(
                deps,
                client,
                trigger_id=trigger_id,
                team_id=team_id,
                user_id=user_id,
                objective_id=objective_id,
            )
            return
        found = _chosen(
            deps, client, choice, team_id=team_id, user_id=user_id, objective_id=objective_id
        )
        if not isinstance(found, Objective):
            respond(text=_refusal(found), response_type="ephemeral", replace_original=False)
        elif choice == MENU_EDIT:
            client.views_open(trigger_id=trigger_id, view=edit_view(found))
        else:
            respond(**_status_answer(found), response_type="ephemeral", replace_original=False)

    def on_view_edit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Save the edit, or say inline what is wrong (or who may change the objective)."""
        view = body["view"]
        state = view_state.ViewState(view)
        objective_id = view_state.id_in(view, "objective")
        team_id, user_id = view_state.team_id(body), str(body["user"]["id"])
        is_admin = deps.users.get(client, team_id=team_id, user_id=user_id).is_admin
        edited: Objective | NotFound | NotAllowed | Invalid = NotFound()
        with session_scope(deps.engine) as session:
            if objective_id is not None:
                edited = edit_objective(
                    session,
                    workspace_id=ensure_workspace(session, external_id=team_id),
                    objective_id=objective_id,
                    actor_id=user_id,
                    actor_is_admin=is_admin,
                    edit=ObjectiveEdit(
                        title=state.text("title"),
                        owner_id=state.user("owner"),
                        period_start=state.day("period_start"),
                        period_end=state.day("period_end"),
                    ),
                    now=deps.clock(),
                )
        if isinstance(edited, Objective):
            ack(response_action="update", view=saved_view(edited))
        elif isinstance(edited, Invalid):
            ack(response_action="errors", errors=edited.errors)
        else:
            ack(response_action="errors", errors={"title": _refusal(edited)})

    app.action(LIST_MENU_ACTION)(on_action_menu)
    app.view_submission(EDIT_CALLBACK)(on_view_edit)


def _chosen(
    deps: Deps, client: WebClient, choice: str, *, team_id: str, user_id: str, objective_id: int
) -> Objective | NotFound | NotAllowed:
    """The objective to edit, or marked achieved, missed or closed, if this person may."""
    if choice == MENU_EDIT:
        return _editable(deps, client, team_id=team_id, user_id=user_id, objective_id=objective_id)
    is_admin = deps.users.get(client, team_id=team_id, user_id=user_id).is_admin
    with session_scope(deps.engine) as session:
        return set_objective_status(
            session,
            workspace_id=ensure_workspace(session, external_id=team_id),
            objective_id=objective_id,
            actor_id=user_id,
            actor_is_admin=is_admin,
            status=STATUS_CHOICES[choice],
            now=deps.clock(),
        )


def _editable(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, objective_id: int
) -> Objective | NotFound | NotAllowed:
    """The objective to edit. The form must open within the trigger's 3 s, so Slack is asked
    whether the person is an admin only when owner or lead would not do."""

    def lookup(*, is_admin: bool) -> Objective | NotFound | NotAllowed:
        with session_scope(deps.engine) as session:
            return editable_objective(
                session,
                workspace_id=ensure_workspace(session, external_id=team_id),
                objective_id=objective_id,
                actor_id=user_id,
                actor_is_admin=is_admin,
            )

    found = lookup(is_admin=False)
    if (
        isinstance(found, NotAllowed)
        and deps.users.get(client, team_id=team_id, user_id=user_id).is_admin
    ):
        return lookup(is_admin=True)
    return found


def _status_answer(objective: Objective) -> dict[str, Any]:
    """ "*Grow* is now missed."; an achieved one is also offered to turn into a KPI."""
    text = f"*{escape(objective.title)}* is now {objective.status.value}."
    if objective.status == ObjectiveStatus.ACHIEVED:
        return {"text": text, "blocks": achieved_blocks(objective, text)}
    return {"text": text}


def _refusal(outcome: NotFound | NotAllowed) -> str:
    return not_allowed_text(outcome.who_can) if isinstance(outcome, NotAllowed) else NOT_FOUND
