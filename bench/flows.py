"""The requests under test: `/okr checkin` and its view submission, as okrbot and a baseline get them.

okrbot gets the real flow (a seeded workspace where 50 people each own a key result); the
baselines get the same kind of request and answer it the bare-Bolt way.
"""

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench import payloads
from bench.bare import MODAL
from bench.load import CheckAck, MakeRequest, read_calls, send_once
from okrbot.bot.slack.blocks.checkin import (
    COMMENT_BLOCK,
    CONFIDENCE_BLOCK,
    INPUT_ACTION,
    VALUE_BLOCK,
)
from okrbot.bot.slack.features import FEATURES
from okrbot.bot.slack.observability import SORRY
from okrbot.storage.models import Confidence

USERS = tuple(f"U_BENCH_{n:02d}" for n in range(50))
SUBMITTERS = 10  # people whose check-in modals are captured and submitted over and over
OKR_CHANNEL = "C_BENCH_OKRS"
KPI_CHANNEL = "C_BENCH_KPIS"
CONFIRMED = "Checked in on"
_view_ids = itertools.count(1)


@dataclass(frozen=True)
class Scenario:
    """One kind of request, as sent to okrbot and to the baselines, and how to judge each ack."""

    title: str
    okrbot: MakeRequest
    baseline: MakeRequest
    check: CheckAck
    check_baseline: CheckAck
    okrbot_opens_modal: bool
    baseline_opens_modal: bool


def has_subcommand(command: str, name: str) -> bool:
    """True when a feature switched on in okrbot registers `command name`."""
    return any(s.command == command and s.name == name for f in FEATURES for s in f.SUBCOMMANDS)


def _status_ok(response: httpx.Response) -> str:
    return "" if response.status_code == 200 else f"HTTP {response.status_code}"


def _silent_ack(response: httpx.Response) -> str:
    """A command that opens a modal acks with nothing to show; text means it refused."""
    problem = _status_ok(response)
    if problem:
        return problem
    if SORRY in response.text:
        return "apology"
    if response.content and response.headers.get("content-type", "").startswith("application/json"):
        return f"answered instead of opening a modal: {response.text[:80]}"
    return ""


def _confirmed(response: httpx.Response) -> str:
    problem = _status_ok(response)
    if problem:
        return problem
    if CONFIRMED not in response.text:
        return f"not confirmed: {response.text[:80]}"
    return ""


def _fake_base(fake_url: str) -> str:
    return fake_url.removesuffix("api/")


def checkin_command(fake_url: str) -> Scenario:
    """`/okr checkin` from 50 different people: ack, then views.open (and its views.update)."""
    base = _fake_base(fake_url)

    def make(client: int, _i: int) -> payloads.Request:
        return payloads.command(
            "/okr",
            "checkin",
            user=USERS[client % len(USERS)],
            channel=OKR_CHANNEL,
            response_base=base,
        )

    return Scenario(
        title="/okr checkin (ack, views.open)",
        okrbot=make,
        baseline=make,
        check=_silent_ack,
        check_baseline=_status_ok,
        okrbot_opens_modal=True,
        baseline_opens_modal=True,
    )


def capture_checkin_views(okrbot_url: str, fake_url: str, users: tuple[str, ...]) -> dict[str, Any]:
    """Each user's check-in modal as okrbot opens it with their key result picked."""
    base = _fake_base(fake_url)
    views: dict[str, Any] = {}
    for user in users:
        read_calls(fake_url)
        request = payloads.command(
            "/okr",
            f"checkin Key result 1 of {user}",
            user=user,
            channel=OKR_CHANNEL,
            response_base=base,
        )
        response = send_once(okrbot_url, request)
        if _silent_ack(response):
            raise RuntimeError(f"/okr checkin for {user}: {_silent_ack(response)}")
        views[user] = _wait_for_entry_view(fake_url, user)
    return views


def _wait_for_entry_view(fake_url: str, user: str, timeout_s: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for call in read_calls(fake_url):
            view = call.get("view")
            if call["method"] == "views.update" and isinstance(view, dict) and view.get("submit"):
                return view
        time.sleep(0.05)
    raise RuntimeError(f"okrbot never showed {user} a check-in modal to fill in")


def checkin_values(value: float) -> dict[str, dict[str, Any]]:
    """What a person types into the check-in modal: a value, a confidence, a comment."""
    confidence = Confidence.ON_TRACK.value
    return {
        VALUE_BLOCK: {INPUT_ACTION: {"type": "plain_text_input", "value": f"{value:g}"}},
        CONFIDENCE_BLOCK: {
            INPUT_ACTION: {
                "type": "radio_buttons",
                "selected_option": {
                    "value": confidence,
                    "text": {"type": "plain_text", "text": confidence},
                },
            }
        },
        COMMENT_BLOCK: {
            INPUT_ACTION: {"type": "plain_text_input", "value": "Bench check-in: steady progress."}
        },
    }


def checkin_submission(views: dict[str, Any]) -> Scenario:
    """Submitting those modals: each submission a new modal (its own view id), so each must be
    stored once. The baseline acks a submitted one-block modal."""
    users = list(views)

    def make(client: int, i: int) -> payloads.Request:
        user = users[client % len(users)]
        view_id = f"VBENCH{next(_view_ids):08d}"
        return payloads.view_submission(
            views[user], checkin_values(10 + i % 80), user=user, view_id=view_id
        )

    def baseline(client: int, _i: int) -> payloads.Request:
        view_id = f"VBASE{next(_view_ids):08d}"
        return payloads.view_submission(MODAL, {}, user=USERS[client], view_id=view_id)

    return Scenario(
        title="check-in view submission (validate, store, respond)",
        okrbot=make,
        baseline=baseline,
        check=_confirmed,
        check_baseline=_status_ok,
        okrbot_opens_modal=False,
        baseline_opens_modal=False,
    )


def stand_in_command(fake_url: str) -> Scenario:
    """While `/okr checkin` does not exist: `/okr help` (an ack with blocks, no modal)."""
    base = _fake_base(fake_url)

    def make(client: int, _i: int) -> payloads.Request:
        return payloads.command(
            "/okr",
            "help",
            user=USERS[client % len(USERS)],
            channel=OKR_CHANNEL,
            response_base=base,
        )

    def check(response: httpx.Response) -> str:
        problem = _status_ok(response)
        return problem or (
            "" if "/okr help" in json.loads(response.content).get("text", "") else "no help"
        )

    return Scenario(
        title="/okr help (stand-in: /okr checkin is not available yet)",
        okrbot=make,
        baseline=make,
        check=check,
        check_baseline=_status_ok,
        okrbot_opens_modal=False,
        baseline_opens_modal=True,
    )
