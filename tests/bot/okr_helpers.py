"""Small helpers for the OKR bot tests: views as Slack echoes them, their text, form values."""

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from tests.fakes.slack_api import ApiCall, FakeSlack

_hashes = itertools.count(1)


def shown(call: ApiCall, view_id: str = "V_TEST") -> dict[str, Any]:
    """The view a views.open / views.update call put on screen, with an id and a fresh hash."""
    view: dict[str, Any] = dict(call.args["view"])
    view["id"] = call.args.get("view_id") or view_id
    view["hash"] = f"hash-{next(_hashes)}"
    return view


def next_view(fake: FakeSlack, method: str, before: int) -> dict[str, Any]:
    """The view of the first `method` call after the `before` calls already made."""
    return shown(fake.wait_for(method, count=before + 1)[before])


def text_of(node: Any) -> str:
    """Every text in a view, message or ack body, joined: what a person would read."""
    if isinstance(node, dict):
        return "\n".join(
            value if key == "text" and isinstance(value, str) else text_of(value)
            for key, value in node.items()
        )
    if isinstance(node, list):
        return "\n".join(text_of(item) for item in node)
    return ""


def block_ids(view: dict[str, Any]) -> list[str]:
    return [block["block_id"] for block in view["blocks"] if "block_id" in block]


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(view.get("private_metadata") or "{}")
    return found


def typed(value: str) -> dict[str, Any]:
    return {"input": {"type": "plain_text_input", "value": value}}


def chosen(value: str, action_id: str = "input", kind: str = "radio_buttons") -> dict[str, Any]:
    return {action_id: {"type": kind, "selected_option": {"value": value}}}


def checkin_values(
    value: str | None = "6.5", confidence: str = "needs_attention", comment: str = ""
) -> dict[str, dict[str, Any]]:
    values = {"confidence": chosen(confidence), "comment": typed(comment)}
    if value is not None:
        values["value"] = typed(value)
    return values


def picked(kr_id: int) -> dict[str, Any]:
    """The selected option of the key result picker."""
    return {"text": {"type": "plain_text", "text": "picked"}, "value": str(kr_id)}


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until `check()` holds: for what the bot writes after its call to Slack returns."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.02)
