"""Signed requests exactly as Slack sends them (the same shapes as tests/fakes/slack_client.py)."""

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.fakes.slack_client import sign

TEAM = "T_ACME"
FORM = "application/x-www-form-urlencoded"
_sequence = itertools.count(1)


@dataclass(frozen=True)
class Request:
    """One request to send; `trigger_id` is empty when the request carries none."""

    body: bytes
    trigger_id: str = ""
    content_type: str = FORM


def signed_headers(secret: str, request: Request) -> dict[str, str]:
    """Signed at send time, as Slack does: a stale timestamp is refused."""
    timestamp = str(int(time.time()))
    return {
        "Content-Type": request.content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(secret, timestamp, request.body),
    }


def trigger_id() -> str:
    """A fresh trigger id carrying its issue time; the fake Slack refuses it after 3 s."""
    return f"{next(_sequence)}.{int(time.time() * 1000)}.bench"


def trigger_issued_at(trigger: str) -> float:
    return int(trigger.split(".")[1]) / 1000


def _user(user: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM}


def command(command: str, text: str, *, user: str, channel: str, response_base: str) -> Request:
    """A slash command; `response_base` is the fake Slack's URL without `api/`."""
    trigger = trigger_id()
    fields = {
        "token": "deprecated-verification-token",
        "team_id": TEAM,
        "team_domain": "acme",
        "channel_id": channel,
        "channel_name": channel.lower(),
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A_OKRBOT",
        "is_enterprise_install": "false",
        "response_url": f"{response_base}response/{next(_sequence)}",
        "trigger_id": trigger,
    }
    return Request(urlencode(fields).encode(), trigger)


def view_submission(
    view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str, view_id: str
) -> Request:
    """Submit `view` (as the bot opened it) with `values`: {block_id: {action_id: state}}."""
    trigger = trigger_id()
    submitted = {
        "id": view_id,
        "team_id": TEAM,
        "type": view.get("type", "modal"),
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": values},
        "hash": f"hash-{view_id}",
        "title": view.get("title"),
        "submit": view.get("submit"),
        "close": view.get("close"),
        "root_view_id": view_id,
        "app_id": "A_OKRBOT",
        "bot_id": "B_BOT",
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": _user(user),
        "api_app_id": "A_OKRBOT",
        "token": "deprecated-verification-token",
        "trigger_id": trigger,
        "view": submitted,
        "response_urls": [],
    }
    return Request(urlencode({"payload": json.dumps(payload)}).encode(), trigger)
