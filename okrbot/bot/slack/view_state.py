"""Reading what Slack sends back: input values by block id, private metadata, the team.

Nothing read here is trusted: ids found in it are looked up again within the workspace.
"""

import json
from datetime import date
from typing import Any

from okrbot.handlers.numbers import parse_id

State = dict[str, dict[str, Any]]


def inputs(view: dict[str, Any]) -> State:
    """Each input block's element state by block id, whatever the element's action id."""
    values = (view.get("state") or {}).get("values") or {}
    return {block_id: next(iter(actions.values()), {}) for block_id, actions in values.items()}


def text(state: State, block_id: str) -> str:
    return str(state.get(block_id, {}).get("value") or "")


def option(state: State, block_id: str) -> str:
    return str((state.get(block_id, {}).get("selected_option") or {}).get("value") or "")


def user(state: State, block_id: str) -> str:
    return str(state.get(block_id, {}).get("selected_user") or "")


def day(state: State, block_id: str) -> date | None:
    picked = state.get(block_id, {}).get("selected_date")
    try:
        return date.fromisoformat(str(picked)) if picked else None
    except ValueError:
        return None


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The view's private metadata as a dict; empty when it is missing or not JSON."""
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def id_in(view: dict[str, Any], key: str) -> int | None:
    """An id the metadata carries, as a hint to look up again; None when it is not an id."""
    return parse_id(str(metadata(view).get(key) or ""))


def team_id(body: dict[str, Any]) -> str:
    """The workspace an interaction came from."""
    return str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")


def selected_value(body: dict[str, Any]) -> str:
    """The value of the menu option a block action picked."""
    action = (body.get("actions") or [{}])[0]
    return str((action.get("selected_option") or {}).get("value") or "")


def button_value(body: dict[str, Any]) -> str:
    return str((body.get("actions") or [{}])[0].get("value") or "")
