"""Weekly check-in reminders as people get them: `okrbot tick` at fixed instants, the fake Slack."""

import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from okrbot.bot.deps import Deps
from okrbot.bot.reminders import send_reminders
from okrbot.bot.scheduler import tick
from okrbot.bot.slack.blocks.buttons import CHECKIN_BUTTON
from okrbot.bot.slack.blocks.checkin import PICK_BLOCK
from okrbot.bot.slack.blocks.reminders import (
    REMINDER_SNOOZE,
    REMINDER_STOP,
    reminder_blocks,
    without_choices,
)
from okrbot.handlers.reminders import QuietKr
from okrbot.storage import migrate
from okrbot.storage.db import make_engine, session_scope
from okrbot.storage.models import RunKind, RunStatus, ScheduledRun
from tests.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    RunningBot,
    _wipe_postgres,
    bot_settings,
)
from tests.fakes.slack_api import FakeSlack
from tests.reminder_factories import Seed

MONDAY = datetime(2026, 11, 30, tzinfo=UTC)  # week 49


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """An instant in UTC, `days` after Monday 30 November 2026."""
    return MONDAY + timedelta(days=days, hours=hour, minutes=minute)


def dms(fake: FakeSlack) -> list[str]:
    """Whom the bot sent a reminder DM, in order (from conversations.open)."""
    return [str(call.args["users"]) for call in fake.calls_to("conversations.open")]


def reminder_posts(fake: FakeSlack) -> list[dict[str, object]]:
    return [call.args for call in fake.calls_to("chat.postMessage")]


def buttons(blocks: list[dict[str, object]], action_id: str) -> list[str]:
    found = []
    for block in blocks:
        elements = [block.get("accessory"), *(block.get("elements") or [])]  # type: ignore[misc]
        found += [
            str(e.get("value", ""))
            for e in elements
            if isinstance(e, dict) and e.get("action_id") == action_id
        ]
    return found


@pytest.fixture
def seed(bot: RunningBot) -> Seed:
    return Seed(bot.deps.engine)


def test_tick_nudges_owners_of_quiet_key_results_at_their_own_local_time(
    bot: RunningBot, seed: Seed
) -> None:
    """At the area's reminder time (Monday 12:00): one DM to each owner of quiet key results,
    none to an owner who checked in 2 days ago, none to a snoozed or an opted-out person; the
    owner in Los Angeles gets theirs at 12:00 in Los Angeles, never at 03:00."""
    bot.fake.add_user("U_LA", "lee", tz="America/Los_Angeles")
    bot.fake.add_user("U_CAROL", "carol", tz="Europe/Berlin")
    bot.fake.add_user("U_DAVE", "dave", tz="Europe/Berlin")
    area = seed.area(hour=12)
    goal = seed.objective(area, "Grow signups")
    signups = seed.key_result(goal, "Signups to 500")
    seed.checkin(signups, at=at(-10, 9))
    newsletter = seed.key_result(goal, "Newsletter launched")
    recent = seed.key_result(goal, "Trial conversion", owner="U_BOB")
    seed.checkin(recent, at=at(-2, 15), author="U_BOB")
    seed.key_result(goal, "Webinars", owner="U_LA")
    seed.key_result(goal, "Partners", owner="U_CAROL")
    seed.preference("U_CAROL", snoozed_until=date(2026, 12, 6))
    seed.key_result(goal, "Press", owner="U_DAVE")
    seed.preference("U_DAVE", reminders_enabled=False)

    tick(bot.deps, at(0, 10, 59))  # 11:59 in Berlin: not yet
    assert dms(bot.fake) == []
    tick(bot.deps, at(0, 11))  # 12:00 in Berlin, 03:00 in Los Angeles
    assert dms(bot.fake) == ["U_ALICE"]
    tick(bot.deps, at(0, 15))  # 07:00 in Los Angeles: still nobody else
    assert dms(bot.fake) == ["U_ALICE"]
    tick(bot.deps, at(0, 20))  # 12:00 in Los Angeles
    assert dms(bot.fake) == ["U_ALICE", "U_LA"]
    tick(bot.deps, at(0, 20, 1))  # later ticks that week send nothing more
    tick(bot.deps, at(2, 12))
    assert dms(bot.fake) == ["U_ALICE", "U_LA"]

    alice, lee = reminder_posts(bot.fake)
    assert alice["channel"] == "DU_ALICE"
    assert "Signups to 500" in str(alice["text"])
    assert buttons(alice["blocks"], CHECKIN_BUTTON) == [str(signups.id), str(newsletter.id)]  # type: ignore[arg-type]
    assert buttons(alice["blocks"], REMINDER_SNOOZE) == ["snooze"]  # type: ignore[arg-type]
    assert buttons(alice["blocks"], REMINDER_STOP) == ["stop"]  # type: ignore[arg-type]
    assert "Webinars" in str(lee["text"])
    # Slack's time zone, once looked up, is kept for next week's reminders.
    stored = seed.stored_preference("U_LA")
    assert stored is not None
    assert stored.timezone == "America/Los_Angeles"


def test_one_dm_per_person_per_week_across_all_their_key_results_and_areas(
    bot: RunningBot, seed: Seed
) -> None:
    """Quiet key results in two areas: one DM, at the earlier area's time, naming all of them."""
    sales = seed.area("Sales", weekday=1, hour=9)
    marketing = seed.area("Marketing", weekday=0, hour=15)
    seed.key_result(seed.objective(sales, "Close deals"), "Ten new logos")
    seed.key_result(seed.objective(marketing, "Grow"), "Signups")
    for instant in (at(0, 13, 59), at(0, 14), at(1, 8), at(1, 9), at(3, 12)):
        tick(bot.deps, instant)
    assert dms(bot.fake) == ["U_ALICE"]
    (post,) = reminder_posts(bot.fake)
    assert "Ten new logos" in str(post["blocks"])
    assert "Signups" in str(post["blocks"])
    (run,) = seed.reminder_runs()
    assert run.due_at == at(0, 14)  # Monday 15:00 in Berlin, before Tuesday 09:00


def test_snooze_skips_next_weeks_nudge_and_the_one_after_comes(bot: RunningBot, seed: Seed) -> None:
    """Clicking "Snooze for a week" in the DM: no nudge next week, the week after as usual."""
    seed.key_result(seed.objective(seed.area(), "Grow"), "Signups")
    bot.open_home()
    tick(bot.deps, at(0, 9))  # 10:00 in Berlin, week 49
    assert dms(bot.fake) == ["U_ALICE"]

    bot.fake.reset_calls()
    bot.deps.clock.set(at(0, 9, 5))  # type: ignore[attr-defined]
    response = bot.slack.block_action(
        REMINDER_SNOOZE, value="snooze", channel="DU_ALICE", message_ts="1.000002"
    )
    assert response.status_code == 200
    (replaced,) = bot.fake.wait_for("response_url")
    assert replaced.args["replace_original"] is True
    assert "Snoozed" in str(replaced.args["text"])
    assert buttons(replaced.args["blocks"], REMINDER_SNOOZE) == []
    bot.fake.wait_for("views.publish")  # the Home tab shows the snooze

    bot.fake.reset_calls()
    tick(bot.deps, at(7, 9))  # week 50: snoozed
    tick(bot.deps, at(8, 12))
    assert dms(bot.fake) == []
    tick(bot.deps, at(14, 9))  # week 51: back
    assert dms(bot.fake) == ["U_ALICE"]


def test_stop_reminding_me_and_slash_command_turn_reminders_off_and_on(
    bot: RunningBot, seed: Seed
) -> None:
    """ "Stop reminding me" ends the nudges; `/okr reminders on` brings them back, ephemerally
    confirmed; `/okr reminders off` stops them again."""
    seed.key_result(seed.objective(seed.area(), "Grow"), "Signups")
    tick(bot.deps, at(0, 9))
    bot.slack.block_action(REMINDER_STOP, value="stop", channel="DU_ALICE")
    bot.fake.wait_for("response_url")
    bot.fake.reset_calls()
    tick(bot.deps, at(7, 9))
    assert dms(bot.fake) == []

    answer = bot.slack.command("/okr", "reminders on").json()
    assert answer["response_type"] == "ephemeral"
    assert "Reminders are on" in answer["text"]
    tick(bot.deps, at(14, 9))
    assert dms(bot.fake) == ["U_ALICE"]

    answer = bot.slack.command("/okr", "reminders off").json()
    assert "Reminders are off" in answer["text"]
    assert "off" in bot.slack.command("/okr", "reminders").json()["text"]
    tick(bot.deps, at(21, 9))
    assert dms(bot.fake) == ["U_ALICE"]
    nonsense = bot.slack.command("/okr", "reminders maybe").json()
    assert "`/okr reminders on`" in nonsense["text"]


def test_a_dm_that_fails_is_retried_at_the_next_tick_and_sent_once(
    bot: RunningBot, seed: Seed
) -> None:
    """Slack refusing the DM at one tick: recorded, then sent once at the next."""
    seed.key_result(seed.objective(seed.area(), "Grow"), "Signups")
    bot.fake.fail_next("chat.postMessage", status=200, error="fatal_error")
    tick(bot.deps, at(0, 9))
    (run,) = seed.reminder_runs()
    assert run.status == RunStatus.FAILED
    tick(bot.deps, at(0, 9, 1))
    tick(bot.deps, at(0, 9, 2))
    (run,) = seed.reminder_runs()
    assert run.status == RunStatus.SENT
    delivered = [
        c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "DU_ALICE"
    ]
    assert len(delivered) == 2  # one refused, one delivered


def test_a_tick_killed_between_claim_and_send_sends_once_after_restart(
    bot: RunningBot, seed: Seed
) -> None:
    """A claim left behind by a process that died is taken over after 10 minutes: one DM."""
    seed.key_result(seed.objective(seed.area(), "Grow"), "Signups")
    with session_scope(bot.deps.engine) as session:
        session.add(
            ScheduledRun(
                workspace_id=seed.workspace_id,
                kind=RunKind.REMINDER,
                subject="U_ALICE",
                period="2026-W49",
                due_at=at(0, 9),
                attempts=1,
                claimed_at=at(0, 9),
            )
        )
    tick(bot.deps, at(0, 9, 5))
    assert dms(bot.fake) == []  # the other process may still be sending
    tick(bot.deps, at(0, 9, 11))
    tick(bot.deps, at(0, 9, 12))
    assert dms(bot.fake) == ["U_ALICE"]


# ---- in parallel, on SQLite and PostgreSQL ----------------------------------------------------
@pytest.fixture
def deps(any_engine: Engine, fake_slack: FakeSlack) -> Deps:
    url = any_engine.url.render_as_string(hide_password=False)
    return Deps(settings=bot_settings(url, fake_slack), engine=any_engine)


def test_ticks_in_parallel_send_one_dm_per_person(deps: Deps, fake_slack: FakeSlack) -> None:
    """Four ticks at the same instant, in parallel threads: each owner gets exactly one DM."""
    seed = Seed(deps.engine)
    goal = seed.objective(seed.area(), "Grow")
    for owner in ("U_ALICE", "U_BOB", "U_ADMIN"):
        seed.key_result(goal, f"{owner}'s key result", owner=owner)
    seed.preference("U_BOB", timezone="Europe/Berlin")  # Slack says New York: 04:00 there
    seed.preference("U_ADMIN", timezone="Europe/Berlin")
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        send_reminders(deps, at(0, 9))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(dms(fake_slack)) == ["U_ADMIN", "U_ALICE", "U_BOB"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 3
    assert {run.status for run in seed.reminder_runs()} == {RunStatus.SENT}


@pytest.mark.postgres
def test_two_tick_processes_on_postgresql_send_one_dm_per_person(
    pg_scratch_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Two bots (two OS processes running `okrbot tick --now …`) the same minute: one DM each."""
    _wipe_postgres(pg_scratch_url)
    engine = make_engine(pg_scratch_url)
    migrate.upgrade(engine)
    seed = Seed(engine)
    goal = seed.objective(seed.area(), "Grow")
    for owner in ("U_ALICE", "U_ADMIN"):
        seed.key_result(goal, f"{owner}'s key result", owner=owner)
    seed.preference("U_ADMIN", timezone="Europe/Berlin")
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env = {
        **keep,
        "DATABASE_URL": pg_scratch_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.url,
    }
    command = [sys.executable, "-m", "okrbot.bot.cli", "tick", "--now", at(0, 9).isoformat()]
    processes = [
        subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert sorted(dms(fake_slack)) == ["U_ADMIN", "U_ALICE"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    engine.dispose()


def test_check_in_from_the_reminder_opens_the_modal_with_that_key_result(
    bot: RunningBot, seed: Seed
) -> None:
    goal = seed.objective(seed.area(), "Grow")
    seed.key_result(goal, "Signups")
    newsletter = seed.key_result(goal, "Newsletter")
    tick(bot.deps, at(0, 9))
    (post,) = reminder_posts(bot.fake)
    assert str(newsletter.id) in buttons(post["blocks"], CHECKIN_BUTTON)  # type: ignore[arg-type]
    bot.slack.block_action(CHECKIN_BUTTON, value=str(newsletter.id), channel="DU_ALICE")
    bot.fake.wait_for("views.open")
    (filled,) = bot.fake.wait_for("views.update")
    picker = next(b for b in filled.args["view"]["blocks"] if b.get("block_id") == PICK_BLOCK)
    assert picker["accessory"]["initial_option"]["value"] == str(newsletter.id)


def test_after_a_choice_the_reminder_keeps_its_check_in_buttons_but_not_its_choices() -> None:
    krs = [QuietKr(7, "Signups", "Grow", "Marketing", 0.4, None)]
    after = without_choices(reminder_blocks(krs, at(0, 9)), "Snoozed")
    assert buttons(after, CHECKIN_BUTTON) == ["7"]
    assert buttons(after, REMINDER_SNOOZE) == buttons(after, REMINDER_STOP) == []
    assert after[-1]["elements"][0]["text"] == "Snoozed"


def test_an_unknown_reminders_word_is_quoted_without_pinging_anyone(bot: RunningBot) -> None:
    """`/okr reminders <!channel>` is answered with the word escaped, so it pings nobody."""
    answer = bot.slack.command("/okr", "reminders <!channel>").json()
    assert "&lt;!channel&gt;" in answer["text"]
    assert "<!channel>" not in answer["text"]
