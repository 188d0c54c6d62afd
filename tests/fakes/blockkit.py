"""Validates what the bot sends with slack_sdk's own Block Kit models and Slack's limits."""

import json
from collections.abc import Iterator
from typing import Any

import httpx
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TEXT_CHARS = 3000


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def assert_valid_blocks(blocks: list[dict[str, Any]], limit: int = MESSAGE_BLOCKS) -> None:
    assert isinstance(blocks, list), f"blocks must be a list, got {type(blocks)}"
    assert len(blocks) <= limit, f"{len(blocks)} blocks, Slack allows {limit}"
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, f"unknown block: {raw}"
        block.validate_json()
    for text in _texts(blocks):
        assert len(text) <= TEXT_CHARS, f"a text of {len(text)} characters: {text[:80]}…"


def assert_valid_view(view: dict[str, Any]) -> None:
    View(**view).validate_json()
    assert_valid_blocks(view.get("blocks", []), VIEW_BLOCKS)


def assert_valid_message(args: dict[str, Any]) -> None:
    if "blocks" in args:
        assert_valid_blocks(args["blocks"])
    text = args.get("text")
    if isinstance(text, str):
        assert len(text) <= 40_000, "message text over Slack's 40,000 characters"


def assert_valid_payload(method: str, args: dict[str, Any]) -> None:
    """Validate one Web API call's surface (message, view) by what the method sends."""
    if method.startswith("views."):
        assert_valid_view(args["view"])
    elif method.startswith("chat.") or method == "response_url":
        assert_valid_message(args)


def assert_valid_response(response: httpx.Response) -> None:
    """Validate an ack's body: an ephemeral message, a view update or push, or field errors."""
    if not response.content or "json" not in response.headers.get("content-type", ""):
        return
    body = json.loads(response.content)
    if not isinstance(body, dict):
        return
    action = body.get("response_action")
    if action in {"update", "push"}:
        assert_valid_view(body["view"])
    elif action == "errors":
        assert all(isinstance(v, str) and v for v in body["errors"].values()), body
    else:
        assert_valid_message(body)
