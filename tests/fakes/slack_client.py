"""Sends requests to the bot exactly as Slack does: real payload shapes, signed with v0 HMAC."""

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.fakes.blockkit import assert_valid_response

TEAM = "T_ACME"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SlackClient:
    """What Slack sends to the bot's request URL, one method per kind of request."""

    bot_url: str
    signing_secret: str
    fake_api_url: str
    team: str = TEAM
    timeout: float = 10.0
    _seq: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))

    # ---- plumbing ------------------------------------------------------------------------
    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        signed: bool = True,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sent = {"Content-Type": content_type, **(headers or {})}
        if signed:
            sent["X-Slack-Request-Timestamp"] = ts
            sent["X-Slack-Signature"] = signature or sign(self.signing_secret, ts, body)
        response = httpx.post(
            self.bot_url + "slack/events", content=body, headers=sent, timeout=self.timeout
        )
        if response.status_code == 200:
            assert_valid_response(response)
        return response

    def trigger_id(self) -> str:
        """A fresh trigger id; the fake Slack refuses it after 3 seconds, as Slack does."""
        return f"{next(self._seq)}.{int(time.time() * 1000)}.abc123"

    def response_url(self) -> str:
        return f"{self.fake_api_url.removesuffix('api/')}response/{next(self._seq)}"

    def _form(self, fields: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded", **kwargs)

    def _interactive(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self._form({"payload": json.dumps(payload)}, **kwargs)

    def _user(self, user: str) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team}

    # ---- slash commands --------------------------------------------------------------------
    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = "U_ALICE",
        channel: str = "C_GENERAL",
        channel_name: str = "general",
        **kwargs: Any,
    ) -> httpx.Response:
        return self._form(
            {
                "token": "deprecated-verification-token",
                "team_id": self.team,
                "team_domain": "acme",
                "channel_id": channel,
                "channel_name": channel_name,
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": "A_OKRBOT",
                "is_enterprise_install": "false",
                "response_url": self.response_url(),
                "trigger_id": self.trigger_id(),
            },
            **kwargs,
        )

    # ---- interactivity ---------------------------------------------------------------------
    def block_action(
        self,
        action_id: str,
        *,
        value: str | None = None,
        selected_option: dict[str, Any] | None = None,
        action_type: str = "button",
        block_id: str = "actions",
        user: str = "U_ALICE",
        view: dict[str, Any] | None = None,
        channel: str | None = None,
        message_ts: str | None = None,
        container_type: str | None = None,
    ) -> httpx.Response:
        action: dict[str, Any] = {
            "type": action_type,
            "action_id": action_id,
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            action["value"] = value
        if selected_option is not None:
            action["selected_option"] = selected_option
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team, "domain": "acme"},
            "user": self._user(user),
            "api_app_id": "A_OKRBOT",
            "token": "deprecated-verification-token",
            "trigger_id": self.trigger_id(),
            "actions": [action],
            "container": {"type": container_type or ("view" if view else "message")},
        }
        if view is not None:
            payload["view"] = _as_submitted(view, {})
            payload["container"]["view_id"] = payload["view"]["id"]
        if channel is not None:
            payload["channel"] = {"id": channel, "name": "channel"}
            payload["message"] = {"ts": message_ts or "1.000001", "type": "message"}
            payload["container"].update({"channel_id": channel, "message_ts": message_ts})
            payload["response_url"] = self.response_url()
        return self._interactive(payload)

    def view_submission(
        self, view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str = "U_ALICE"
    ) -> httpx.Response:
        """Submit `view` (as the bot opened it) with `values`: {block_id: {action_id: state}}."""
        return self._interactive(
            {
                "type": "view_submission",
                "team": {"id": self.team, "domain": "acme"},
                "user": self._user(user),
                "api_app_id": "A_OKRBOT",
                "token": "deprecated-verification-token",
                "trigger_id": self.trigger_id(),
                "view": _as_submitted(view, values),
                "response_urls": [],
            }
        )

    def view_closed(self, view: dict[str, Any], *, user: str = "U_ALICE") -> httpx.Response:
        return self._interactive(
            {
                "type": "view_closed",
                "team": {"id": self.team, "domain": "acme"},
                "user": self._user(user),
                "api_app_id": "A_OKRBOT",
                "view": _as_submitted(view, {}),
                "is_cleared": False,
            }
        )

    def options(
        self,
        action_id: str,
        value: str,
        *,
        block_id: str = "pick",
        view: dict[str, Any] | None = None,
        user: str = "U_ALICE",
    ) -> httpx.Response:
        """A block_suggestion: what an external_select asks as the user types."""
        payload: dict[str, Any] = {
            "type": "block_suggestion",
            "team": {"id": self.team, "domain": "acme"},
            "user": self._user(user),
            "api_app_id": "A_OKRBOT",
            "token": "deprecated-verification-token",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "container": {"type": "view"},
        }
        if view is not None:
            payload["view"] = _as_submitted(view, {})
        return self._interactive(payload)

    # ---- events ----------------------------------------------------------------------------
    def event(self, event: dict[str, Any]) -> httpx.Response:
        body = {
            "token": "deprecated-verification-token",
            "team_id": self.team,
            "api_app_id": "A_OKRBOT",
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": f"Ev{next(self._seq):08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": self.team, "user_id": "U_BOT", "is_bot": True, "enterprise_id": None}
            ],
        }
        return self.post(json.dumps(body).encode(), "application/json")


def _as_submitted(view: dict[str, Any], values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The view as Slack echoes it back in a payload: ids, hash, team, and its state."""
    return {
        "id": view.get("id", "V00000000"),
        "team_id": TEAM,
        "type": view.get("type", "modal"),
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": values},
        "hash": view.get("hash", "hash-0"),
        "title": view.get("title"),
        "submit": view.get("submit"),
        "close": view.get("close"),
        "root_view_id": view.get("id", "V00000000"),
        "app_id": "A_OKRBOT",
        "bot_id": "B_BOT",
    }
