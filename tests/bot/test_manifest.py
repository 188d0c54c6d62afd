"""manifest.yml creates the whole app, and matches what the bot listens to."""

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from okrbot.bot.slack.commands import SLASH_COMMANDS
from tests.conftest import RunningBot

ROOT = Path(__file__).parents[2]
SCHEMA = ROOT / "tests" / "schemas" / "manifest.schema.1.0.0.json"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())
    return loaded


def test_manifest_validates_against_slacks_schema(manifest: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(manifest)


def test_every_manifest_command_has_a_listener(manifest: dict[str, Any], bot: RunningBot) -> None:
    """Each command Slack will send is answered (Bolt answers 404 when nothing listens)."""
    for entry in manifest["features"]["slash_commands"]:
        response = bot.slack.command(entry["command"], "help")
        assert response.status_code == 200, entry["command"]
        assert entry["command"] in response.json()["text"]


def test_every_listened_command_is_in_the_manifest(manifest: dict[str, Any]) -> None:
    declared = {entry["command"] for entry in manifest["features"]["slash_commands"]}
    assert set(SLASH_COMMANDS) == declared


def test_every_subscribed_event_has_a_listener(manifest: dict[str, Any], bot: RunningBot) -> None:
    """Slack retries events nobody answers; every event in the manifest gets a 200."""
    for event_type in manifest["settings"]["event_subscriptions"]["bot_events"]:
        event: dict[str, Any] = {"type": event_type, "user": "U_ALICE"}
        if event_type == "app_home_opened":
            event.update({"tab": "home", "channel": "D_ALICE"})
        if event_type == "tokens_revoked":
            event["tokens"] = {"bot": ["U_BOT"]}
        if event_type == "message.im":  # Slack sends it as a message in an IM channel
            event = {
                "type": "message",
                "channel_type": "im",
                "channel": "D_ALICE",
                "user": "U_ALICE",
                "text": "hi",
            }
        assert bot.slack.event(event).status_code == 200, event_type
