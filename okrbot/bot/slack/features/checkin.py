"""`/okr checkin`: a modal to pick a key result and record its value, confidence and comment."""

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from okrbot.bot.deps import Deps
from okrbot.bot.slack import view_state
from okrbot.bot.slack.blocks.buttons import CHECKIN_BUTTON
from okrbot.bot.slack.blocks.checkin import (
    CHECKIN_CALLBACK,
    COMMENT_BLOCK,
    CONFIDENCE_BLOCK,
    DONE,
    DONE_BLOCK,
    NOT_FOUND,
    PICK_ACTION,
    STATIC_OPTIONS_LIMIT,
    VALUE_BLOCK,
    candidate_option_groups,
    confirmation_view,
    loading_view,
    message_view,
    not_allowed_text,
    picker_view,
)
from okrbot.bot.slack.checkin_updates import post_checkin_update
from okrbot.bot.slack.commands import Invocation, Subcommand
from okrbot.bot.slack.features.home import refresh_home
from okrbot.handlers.checkins import (
    Candidate,
    CheckinEntry,
    CheckinTarget,
    Recorded,
    best_match,
    checkin_candidates,
    checkin_target,
    record_checkin,
    submission_key,
)
from okrbot.handlers.numbers import parse_id
from okrbot.handlers.objectives import Invalid, NotAllowed, NotFound
from okrbot.storage.db import session_scope
from okrbot.storage.workspaces import ensure_workspace

# A button that opens the check-in modal; its value is a key result id, or "" to pick one.
# The digest, the Home tab and reminders reuse it.


def open_checkin(
    deps: Deps,
    client: WebClient,
    *,
    trigger_id: str,
    team_id: str,
    user_id: str,
    text: str = "",
    key_result_id: int | None = None,
    objective_id: int | None = None,
) -> None:
    """Open the modal at once (the trigger lives 3 s), then fill it with the key results."""
    opened = client.views_open(trigger_id=trigger_id, view=loading_view())
    with session_scope(deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=team_id)
        view = _picker(
            session,
            deps,
            workspace_id=workspace_id,
            user_id=user_id,
            text=text,
            key_result_id=key_result_id,
            objective_id=objective_id,
        )
    client.views_update(view_id=opened["view"]["id"], hash=opened["view"]["hash"], view=view)


def _picker(
    session: Session,
    deps: Deps,
    *,
    workspace_id: int,
    user_id: str,
    text: str = "",
    key_result_id: int | None = None,
    objective_id: int | None = None,
) -> dict[str, Any]:
    """The picker, with a key result picked when one is asked for, matches `text`, or is alone."""
    candidates = checkin_candidates(
        session, workspace_id=workspace_id, user_id=user_id, objective_id=objective_id
    )
    if key_result_id is None:
        match = best_match(candidates, text) or (candidates[0] if len(candidates) == 1 else None)
        key_result_id = match.key_result_id if match else None
    target = (
        checkin_target(session, workspace_id=workspace_id, key_result_id=key_result_id)
        if key_result_id is not None
        else None
    )
    if not isinstance(target, CheckinTarget):
        return picker_view(
            candidates, unmatched=text, user_id=user_id, objective_id=objective_id, now=deps.clock()
        )
    selected = _as_candidate(target, user_id)
    if all(c.key_result_id != selected.key_result_id for c in candidates):
        candidates = [*candidates, selected]  # Slack shows a picked option only if it is listed
    return picker_view(
        candidates,
        selected=selected,
        target=target,
        user_id=user_id,
        objective_id=objective_id,
        now=deps.clock(),
    )


def _as_candidate(target: CheckinTarget, user_id: str) -> Candidate:
    kr = target.kr_view.key_result
    objective = target.objective_view.objective
    assert kr.id is not None
    return Candidate(
        key_result_id=kr.id,
        title=kr.title,
        objective_title=objective.title,
        mine=user_id in {kr.owner_id, objective.owner_id},
    )


def run_checkin(inv: Invocation) -> None:
    inv.ack()
    open_checkin(
        inv.deps,
        inv.client,
        trigger_id=inv.trigger_id,
        team_id=inv.team_id,
        user_id=inv.user_id,
        text=inv.args,
    )


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        command="/okr",
        name="checkin",
        usage="/okr checkin [key result]",
        summary="check in on a key result: its value, how confident you are, a comment",
        example="/okr checkin signups",
        run=run_checkin,
    ),
)


def _entry(view: dict[str, Any]) -> CheckinEntry:
    """What the person filled in, as plain values."""
    state = view_state.ViewState(view)
    done = state.option(DONE_BLOCK)
    return CheckinEntry(
        value=state.text(VALUE_BLOCK),
        done=(done == DONE) if done else None,
        confidence=state.option(CONFIDENCE_BLOCK),
        comment=state.text(COMMENT_BLOCK),
    )


def register(app: App, deps: Deps) -> None:
    def on_action_open(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The check-in button: opens the modal, with the button's key result picked."""
        ack()
        open_checkin(
            deps,
            client,
            trigger_id=str(body.get("trigger_id")),
            team_id=view_state.team_id(body),
            user_id=str(body["user"]["id"]),
            key_result_id=parse_id(view_state.button_value(body)),
        )

    def on_action_pick(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A key result was picked: show where it stands and the fields to fill in."""
        ack()
        view = body["view"]
        key_result_id = parse_id(view_state.selected_value(body))
        with session_scope(deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=view_state.team_id(body))
            target = (
                checkin_target(session, workspace_id=workspace_id, key_result_id=key_result_id)
                if key_result_id is not None
                else NotFound()
            )
            updated = (
                _picker(
                    session,
                    deps,
                    workspace_id=workspace_id,
                    user_id=str(body["user"]["id"]),
                    key_result_id=key_result_id,
                    objective_id=view_state.id_in(view, "objective"),
                )
                if isinstance(target, CheckinTarget)
                else message_view(NOT_FOUND)
            )
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)

    def on_options_pick(ack: Ack, body: dict[str, Any]) -> None:
        """Type-ahead for people with more key results than a menu holds."""
        typed = str(body.get("value") or "").strip().lower()
        with session_scope(deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=view_state.team_id(body))
            candidates = checkin_candidates(
                session,
                workspace_id=workspace_id,
                user_id=str(body["user"]["id"]),
                objective_id=view_state.id_in(body.get("view") or {}, "objective"),
            )
        matching = [
            c for c in candidates if typed in c.title.lower() or typed in c.objective_title.lower()
        ]
        ack(option_groups=candidate_option_groups(matching[:STATIC_OPTIONS_LIMIT]))

    def on_view_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Store the check-in once per submission, show the new progress, tell the channel."""
        view = body["view"]
        user_id = str(body["user"]["id"])
        key_result_id = view_state.id_in(view, "kr")
        if key_result_id is None:
            ack(response_action="update", view=message_view(NOT_FOUND))
            return
        with session_scope(deps.engine) as session:
            outcome = record_checkin(
                session,
                workspace_id=ensure_workspace(session, external_id=view_state.team_id(body)),
                user_id=user_id,
                key_result_id=key_result_id,
                entry=_entry(view),
                idempotency_key=submission_key(
                    user_id=user_id, view_id=str(view["id"]), view_hash=str(view.get("hash"))
                ),
                now=deps.clock(),
            )
        _answer(ack, outcome)
        if isinstance(outcome, Recorded) and outcome.created:
            post_checkin_update(deps, client, outcome)
            _refresh_homes(deps, client, view_state.team_id(body), user_id, outcome)

    def on_view_closed(ack: Ack) -> None:
        """Closing the modal without submitting writes nothing."""
        ack()

    app.action(CHECKIN_BUTTON)(on_action_open)
    app.action(PICK_ACTION)(on_action_pick)
    app.options(PICK_ACTION)(on_options_pick)
    app.view_submission(CHECKIN_CALLBACK)(on_view_submitted)
    app.view_closed(CHECKIN_CALLBACK)(on_view_closed)


def _refresh_homes(
    deps: Deps, client: WebClient, team_id: str, user_id: str, outcome: Recorded
) -> None:
    """The Home tabs that show this key result: the person who checked in, and its owner."""
    owner_id = outcome.target.kr_view.key_result.owner_id
    for person in dict.fromkeys([user_id, owner_id]):
        refresh_home(deps, client, team_id, person)


def _answer(ack: Ack, outcome: Recorded | NotFound | NotAllowed | Invalid) -> None:
    if isinstance(outcome, Invalid):
        ack(response_action="errors", errors=outcome.errors)
    elif isinstance(outcome, NotAllowed):
        ack(response_action="update", view=message_view(not_allowed_text(outcome.who_can)))
    elif isinstance(outcome, NotFound):
        ack(response_action="update", view=message_view(NOT_FOUND))
    else:
        ack(response_action="update", view=confirmation_view(outcome))
