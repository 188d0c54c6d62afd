"""One structured log line per Slack request, and one error handler for every listener."""

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond

log = logging.getLogger("okrbot.requests")


_IDENTIFIERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "block_actions": lambda body: (body.get("actions") or [{}])[0].get("action_id"),
    "view_submission": lambda body: (body.get("view") or {}).get("callback_id"),
    "view_closed": lambda body: (body.get("view") or {}).get("callback_id"),
    "block_suggestion": lambda body: body.get("action_id"),
    "event_callback": lambda body: (body.get("event") or {}).get("type"),
}


def describe(body: object) -> tuple[str, str, str]:
    """(kind, id, workspace) of a request: e.g. ("command", "/okr checkin", "T123")."""
    if not isinstance(body, dict):
        return "unknown", "", ""
    team = str(body.get("team_id") or (body.get("team") or {}).get("id") or "")
    if "command" in body:
        word = str(body.get("text") or "").split(" ", 1)[0]
        return "command", f"{body['command']} {word}".strip(), team
    kind = str(body.get("type") or "unknown")
    identify = _IDENTIFIERS.get(kind)
    return kind, str(identify(body) or "") if identify else "", team


def log_request(body: dict[str, Any], status: int, started: float) -> None:
    """The one line per request: what it was, whose it was, how it ended, how long it took."""
    kind, ident, team = describe(body)
    log.info(
        "request type=%s id=%r workspace=%s status=%s ms=%.1f",
        kind,
        ident,
        team,
        status,
        (time.perf_counter() - started) * 1000,
    )


SORRY = (
    "Sorry, something went wrong on our side and nothing was changed. "
    "Please try again; if it keeps happening, tell whoever runs okrbot."
)


def on_error(
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    respond: Respond | None,
) -> BoltResponse | None:
    """Log the traceback for operators; tell the person plainly, never with a traceback.

    Before the ack, Slack gets a 200 with the apology instead of Bolt's bare 500; after it,
    the apology goes to the response URL where there is one.
    """
    kind, ident, team = describe(body)
    logging.getLogger("okrbot.errors").error(
        "listener failed type=%s id=%r workspace=%s", kind, ident, team, exc_info=error
    )
    if response is not None and kind == "command":
        return BoltResponse(
            status=200,
            body=json.dumps({"response_type": "ephemeral", "text": SORRY}),
            headers={"content-type": "application/json;charset=utf-8"},
        )
    if respond is not None and body.get("response_url"):
        respond(text=SORRY, response_type="ephemeral", replace_original=False)
    if response is not None:
        return BoltResponse(status=200, body="")
    return None


def install(app: App) -> None:
    app.error(on_error)
