"""The `okrbot` command as an operator runs it."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_client import SlackClient

OKRBOT = [sys.executable, "-m", "okrbot.bot.cli"]


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    """A clean environment: nothing from the developer's shell or a stray .env leaks in."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    return {**keep, "DATABASE_URL": f"sqlite:///{tmp_path / 'okrbot.db'}", **values}


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OKRBOT, *args],
        env=_env(tmp_path, **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_without_signing_secret_exits_2_naming_it(tmp_path: Path) -> None:
    result = _run(tmp_path, "serve", SLACK_BOT_TOKEN=BOT_TOKEN)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_SIGNING_SECRET is not set" in lines[0]
    assert "Signing Secret from Basic Information" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_malformed_setting_exits_2_naming_it(tmp_path: Path) -> None:
    result = _run(
        tmp_path, "serve", SLACK_BOT_TOKEN="not-a-token", SLACK_SIGNING_SECRET=SIGNING_SECRET
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "SLACK_BOT_TOKEN is malformed" in result.stderr
    assert "not-a-token" not in result.stderr  # secrets are never echoed


@pytest.mark.parametrize("command", [[], ["serve"], ["migrate"]])
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = _run(tmp_path, *command, "--help")
    assert result.returncode == 0
    assert "usage: okrbot" in result.stdout


def test_migrate_brings_an_empty_database_to_head(tmp_path: Path) -> None:
    result = _run(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served_bot(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[SlackClient]:
    """`okrbot serve` as a real process, talking to the fake Slack."""
    port = _free_port()
    process = subprocess.Popen(
        [*OKRBOT, "serve", "--no-scheduler"],
        env=_env(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake_slack.url,
            HOST="127.0.0.1",
            PORT=str(port),
        ),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(url + "healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                time.sleep(0.1)
        yield SlackClient(bot_url=url, signing_secret=SIGNING_SECRET, fake_api_url=fake_slack.url)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_served_bot_is_healthy_and_answers_signed_help(served_bot: SlackClient) -> None:
    """`okrbot serve`: /healthz is 200, and a signed `/okr help` gets the help ephemerally."""
    assert httpx.get(served_bot.bot_url + "healthz").status_code == 200
    response = served_bot.command("/okr", "help")
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert "/okr help" in response.json()["text"]


def test_served_bot_refuses_a_wrong_signature(served_bot: SlackClient) -> None:
    response = served_bot.post(
        b"command=%2Fokr&text=help", "application/x-www-form-urlencoded", signature="v0=bad"
    )
    assert response.status_code == 401


def test_serve_stops_cleanly_on_sigterm(tmp_path: Path, fake_slack: FakeSlack) -> None:
    """A container orchestrator's SIGTERM ends `okrbot serve` with status 0."""
    port = _free_port()
    process = subprocess.Popen(
        [*OKRBOT, "serve"],
        env=_env(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake_slack.url,
            HOST="127.0.0.1",
            PORT=str(port),
        ),
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    assert process.wait(timeout=10) == 0
