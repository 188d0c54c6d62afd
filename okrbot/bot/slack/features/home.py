"""App Home: a personal dashboard, published when a person opens it and when it changes.

Other features call `refresh_home(deps, client, team_id, user_id)` after something a person
sees on it changed (their check-in, a KPI of theirs turning red).
"""

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from okrbot.bot.deps import Deps
from okrbot.bot.slack.blocks.home import (
    HOME_NEW_KPI,
    HOME_NEW_OBJECTIVE,
    HOME_SETTINGS,
    HOME_SHOW_ALL,
    LISTS,
    REMINDERS_ACTION,
    REMINDERS_BLOCK,
    REMINDERS_OFF,
    SETTINGS_CALLBACK,
    home_view,
    loading_view,
    settings_view,
    show_all_view,
)
from okrbot.bot.slack.commands import Invocation, Subcommand
from okrbot.handlers.home import Dashboard, build_dashboard, home_visited
from okrbot.handlers.preferences import preferences, remember_timezone, set_reminders
from okrbot.handlers.schedule import zone
from okrbot.storage.db import session_scope
from okrbot.storage.workspaces import ensure_workspace

log = logging.getLogger("okrbot.home")

SUBCOMMANDS: tuple[Subcommand, ...] = ()
QUICK_ACTIONS = {HOME_NEW_OBJECTIVE: ("/okr", "new"), HOME_NEW_KPI: ("/kpi", "new")}


# ---- publishing -----------------------------------------------------------------------------
def refresh_home(
    deps: Deps, client: WebClient, team_id: str, user_id: str, *, view_hash: str | None = None
) -> None:
    """Publish the person's Home tab again with what it shows now.

    Only a tab the person has opened before: building one costs as much as the check-in that
    prompted it (BENCHMARKS.md), and a first visit publishes it fresh anyway. A failure is
    logged, not raised: the caller's own work is done, and the tab is rebuilt the next time
    the person opens it.
    """
    if not _has_visited(deps, team_id, user_id):
        return
    try:
        publish_home(deps, client, team_id=team_id, user_id=user_id, view_hash=view_hash)
    except SlackApiError as error:
        log.warning("home tab not refreshed user=%s: %s", user_id, error.response.get("error"))


def _has_visited(deps: Deps, team_id: str, user_id: str) -> bool:
    with session_scope(deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=team_id)
        return preferences(session, workspace_id=workspace_id, user_id=user_id).welcomed


def publish_home(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    visiting: bool = False,
    view_hash: str | None = None,
) -> None:
    """Build and publish the tab; on `hash_conflict` (someone published meanwhile), once more
    with a fresh build and no hash."""
    dashboard = _dashboard(deps, team_id, user_id, visiting=visiting)
    try:
        _publish(client, dashboard, view_hash)
    except SlackApiError as error:
        if error.response.get("error") != "hash_conflict":
            raise
        fresh = _dashboard(deps, team_id, user_id, welcome=dashboard.welcome)
        _publish(client, fresh, None)


def _dashboard(
    deps: Deps, team_id: str, user_id: str, *, visiting: bool = False, welcome: bool | None = None
) -> Dashboard:
    with session_scope(deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id=team_id)
        if visiting:
            welcome = home_visited(session, workspace_id=workspace_id, user_id=user_id)
        return build_dashboard(
            session, workspace_id=workspace_id, user_id=user_id, now=deps.clock(), welcome=welcome
        )


def _publish(client: WebClient, dashboard: Dashboard, view_hash: str | None) -> None:
    extra = {"hash": view_hash} if view_hash else {}
    client.views_publish(user_id=dashboard.user_id, view=home_view(dashboard), **extra)


# ---- quick actions that run a slash command -------------------------------------------------
class _DirectAck(Ack):
    """A button's ack that passes on what a slash command would have said, as a DM."""

    def __init__(self, ack: Ack, client: WebClient, user_id: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._ack = ack
        self._client = client
        self._user_id = user_id

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        answered = self._ack()
        _tell(self._client, self._user_id, args, kwargs)
        return answered


class _DirectRespond(Respond):
    """`respond` for a command run from the Home tab (no response URL): a DM instead."""

    def __init__(self, client: WebClient, user_id: str) -> None:
        super().__init__(response_url=None)
        self._client = client
        self._user_id = user_id

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        _tell(self._client, self._user_id, args, kwargs)


def _tell(client: WebClient, user_id: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    text = args[0] if args else kwargs.get("text")
    blocks = kwargs.get("blocks")
    if isinstance(text, str) and (text or blocks):
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def find_subcommand(command: str, name: str) -> Subcommand | None:
    """The feature subcommand `command name`, if a feature registered one."""
    from okrbot.bot.slack.features import FEATURES  # noqa: PLC0415  (it imports this module)

    return next(
        (s for f in FEATURES for s in f.SUBCOMMANDS if (s.command, s.name) == (command, name)),
        None,
    )


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body.get("user", {}).get("team_id") or "")


# ---- listeners ------------------------------------------------------------------------------
def register(app: App, deps: Deps) -> None:
    def on_event_home_opened(
        event: dict[str, Any], body: dict[str, Any], client: WebClient
    ) -> None:
        """Publish the dashboard (the welcome the first time), then note the person's zone."""
        if event.get("tab") != "home":
            return
        team_id = str(body.get("team_id") or "")
        user_id = str(event["user"])
        view_hash = (event.get("view") or {}).get("hash")
        publish_home(
            deps, client, team_id=team_id, user_id=user_id, visiting=True, view_hash=view_hash
        )
        user = deps.users.get(client, team_id=team_id, user_id=user_id)
        if user.tz:
            with session_scope(deps.engine) as session:
                workspace_id = ensure_workspace(session, external_id=team_id)
                remember_timezone(
                    session, workspace_id=workspace_id, user_id=user_id, timezone=user.tz
                )

    app.event("app_home_opened")(on_event_home_opened)
    _register_actions(app, deps)


def _register_actions(app: App, deps: Deps) -> None:
    def on_action_show_all(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A list that is too long for the tab, whole, in a modal."""
        ack()
        which = str(body["actions"][0].get("value") or "")
        which = which if which in LISTS else LISTS[0]
        opened = client.views_open(trigger_id=body["trigger_id"], view=loading_view("Loading"))
        dashboard = _dashboard(deps, _team(body), str(body["user"]["id"]), welcome=False)
        client.views_update(view_id=opened["view"]["id"], view=show_all_view(dashboard, which))

    def on_action_quick(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """ "New objective" / "New KPI": exactly what `/okr new` / `/kpi new` do."""
        action_id = str(body["actions"][0]["action_id"])
        user_id = str(body["user"]["id"])
        subcommand = find_subcommand(*QUICK_ACTIONS[action_id])
        if subcommand is None:
            ack()
            client.chat_postMessage(
                channel=user_id, text="That isn't available yet. `/okr help` lists what is."
            )
            return
        command_body = {
            "team_id": _team(body),
            "user_id": user_id,
            "channel_id": "",
            "trigger_id": body["trigger_id"],
            "text": subcommand.name,
        }
        subcommand.run(
            Invocation(
                deps=deps,
                ack=_DirectAck(ack, client, user_id),
                respond=_DirectRespond(client, user_id),
                client=client,
                body=command_body,
                args="",
            )
        )

    def on_action_settings(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        with session_scope(deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=_team(body))
            chosen = preferences(session, workspace_id=workspace_id, user_id=body["user"]["id"])
        today = deps.clock().astimezone(zone(chosen.timezone or "UTC")).date()
        view = settings_view(
            reminders_enabled=chosen.reminders_enabled,
            snoozed_until=chosen.snoozed_until,
            today=today,
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def on_view_settings(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Save the choice (turning reminders on ends a snooze), then show it on the tab."""
        values = body["view"].get("state", {}).get("values", {})
        picked = (values.get(REMINDERS_BLOCK, {}).get(REMINDERS_ACTION) or {}).get(
            "selected_option"
        ) or {}
        team_id, user_id = _team(body), str(body["user"]["id"])
        with session_scope(deps.engine) as session:
            workspace_id = ensure_workspace(session, external_id=team_id)
            set_reminders(
                session,
                workspace_id=workspace_id,
                user_id=user_id,
                enabled=picked.get("value") != REMINDERS_OFF,
            )
        ack()
        refresh_home(deps, client, team_id, user_id)

    app.action(HOME_SHOW_ALL)(on_action_show_all)
    for action_id in QUICK_ACTIONS:
        app.action(action_id)(on_action_quick)
    app.action(HOME_SETTINGS)(on_action_settings)
    app.view_submission(SETTINGS_CALLBACK)(on_view_settings)
