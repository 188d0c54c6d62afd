"""Reading what Slack sends back: input values by block id, private metadata, the team.

Nothing read here is trusted: ids found in it are looked up again within the workspace.
"""

import json
from datetime import date
from typing import Any

from okrbot.handlers.numbers import parse_id


class ViewState:
    """The values of a submitted (or updated) modal, by block id, whatever the element."""

    def __init__(self, view: dict[str, Any]) -> None:
        values = (view.get("state") or {}).get("values") or {}
        self._blocks: dict[str, dict[str, Any]] = {
            block_id: next(iter(actions.values()), {}) for block_id, actions in values.items()
        }

    def text(self, block_id: str) -> str:
        return str(self._blocks.get(block_id, {}).get("value") or "")

    def option(self, block_id: str) -> str:
        selected = self._blocks.get(block_id, {}).get("selected_option") or {}
        return str(selected.get("value") or "")

    def user(self, block_id: str) -> str:
        return str(self._blocks.get(block_id, {}).get("selected_user") or "")

    def users(self, block_id: str) -> tuple[str, ...]:
        return tuple(str(u) for u in self._blocks.get(block_id, {}).get("selected_users") or ())

    def time(self, block_id: str) -> str:
        return str(self._blocks.get(block_id, {}).get("selected_time") or "")

    def day(self, block_id: str) -> date | None:
        picked = self._blocks.get(block_id, {}).get("selected_date")
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


def as_id(value: object) -> int | None:
    """A row id from a payload (an option value, a button value, metadata), if it can be one."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return parse_id(str(value))


def id_in(view: dict[str, Any], key: str) -> int | None:
    """An id the metadata carries, as a hint to look up again; None when it is not an id."""
    return as_id(metadata(view).get(key))


def team_id(body: dict[str, Any]) -> str:
    """The workspace an interaction came from."""
    return str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")


def selected_value(body: dict[str, Any]) -> str:
    """The value of the menu option a block action picked."""
    action = (body.get("actions") or [{}])[0]
    return str((action.get("selected_option") or {}).get("value") or "")


def button_value(body: dict[str, Any]) -> str:
    return str((body.get("actions") or [{}])[0].get("value") or "")
