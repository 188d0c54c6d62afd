"""`/kpi digest`: the area's digest on demand, over signed HTTP, in its channel or just for you."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from okrbot.bot.scheduler import tick
from okrbot.bot.slack.blocks.buttons import KPI_FIX_BUTTON
from okrbot.storage.models import RunStatus
from tests import digest_seed as seed
from tests.conftest import RunningBot, TestClock
from tests.fakes.slack_api import ApiCall

THIS_WEEK = date(2026, 11, 30)


def _marketing(bot: RunningBot) -> tuple[int, int, int]:
    """Marketing (#marketing): conversion rate at 6.1 % against ≥ 7 %, signups healthy."""
    engine = bot.deps.engine
    workspace_id = seed.workspace(engine)
    area_id = seed.area(engine, workspace_id, "Marketing", channel="C_MARKETING")
    history = {THIS_WEEK - timedelta(weeks=weeks): 7.4 for weeks in range(1, 6)}
    conversion = seed.kpi(
        engine,
        workspace_id,
        area_id,
        "Website conversion rate",
        values={**history, THIS_WEEK: 6.1},
    )
    seed.kpi(
        engine, workspace_id, area_id, "Newsletter signups", target=100, values={THIS_WEEK: 140}
    )
    return workspace_id, area_id, conversion


def _blocks_with(calls: list[ApiCall], text: str) -> list[dict[str, Any]]:
    return [
        block
        for call in calls
        for block in call.args.get("blocks", [])
        if text in str(block.get("text", {}).get("text", ""))
    ]


def test_kpi_digest_posts_the_digest_with_a_fix_button_on_the_red_kpi(bot: RunningBot) -> None:
    """Conversion at 6.1 % vs ≥ 7 % shows red, with "Create OKR to fix this KPI"."""
    _, _, conversion = _marketing(bot)
    response = bot.slack.command("/kpi", "digest", channel="C_MARKETING", channel_name="marketing")
    assert response.status_code == 200
    posts = bot.fake.wait_for("chat.postMessage")
    assert [call.args["channel"] for call in posts] == ["C_MARKETING"]
    assert "Marketing KPI health, week 49: 1 unhealthy" in posts[0].args["text"]
    [red] = _blocks_with(posts, "Website conversion rate")
    assert red["text"]["text"].count("🔴") == 1
    assert "6.1 % vs ≥ 7 %" in red["text"]["text"]
    button = red["accessory"]
    assert button["text"]["text"] == "Create OKR to fix this KPI"
    assert (button["action_id"], button["value"]) == (KPI_FIX_BUTTON, str(conversion))
    [healthy] = _blocks_with(posts, "Newsletter signups")
    assert "🟢" in healthy["text"]["text"]
    assert "accessory" not in healthy


def test_the_digest_pings_only_the_owners_of_red_kpis(bot: RunningBot) -> None:
    """A weekly digest must not notify every KPI owner: only those whose KPI is red."""
    _marketing(bot)
    bot.slack.command("/kpi", "digest", channel="C_MARKETING")
    posts = bot.fake.wait_for("chat.postMessage")
    [red] = _blocks_with(posts, "Website conversion rate")
    [healthy] = _blocks_with(posts, "Newsletter signups")
    assert "<@" in red["text"]["text"]
    assert "<@" not in healthy["text"]["text"]


def test_a_red_kpi_with_a_fix_in_progress_shows_it_and_a_view_button(bot: RunningBot) -> None:
    """The fix is named under the KPI, "fix in progress" sits by its colour, and the button
    offers to view the fix instead of creating another."""
    workspace_id, area_id, conversion = _marketing(bot)
    seed.objective(
        bot.deps.engine, workspace_id, area_id, "Win back conversion", aligned_kpi_id=conversion
    )
    bot.slack.command("/kpi", "digest", channel="C_MARKETING")
    posts = bot.fake.wait_for("chat.postMessage")
    [red] = _blocks_with(posts, "Website conversion rate")
    assert "🔴 🛠 fix in progress *Website conversion rate*" in red["text"]["text"]
    assert "Fix in progress: *Win back conversion*" in red["text"]["text"]
    button = red["accessory"]
    assert button["text"]["text"] == "View fix-OKR"
    assert (button["action_id"], button["value"]) == (KPI_FIX_BUTTON, str(conversion))


def test_kpi_digest_preview_is_shown_only_to_the_caller(bot: RunningBot) -> None:
    """The preview is ephemeral: nothing is posted into the channel."""
    _marketing(bot)
    bot.slack.command("/kpi", "digest preview", channel="C_MARKETING")
    [answer] = bot.fake.wait_for("response_url")
    assert answer.args["response_type"] == "ephemeral"
    assert _blocks_with([answer], "Website conversion rate")
    assert bot.fake.calls_to("chat.postMessage") == []


def test_kpi_digest_in_a_channel_without_area_says_to_run_setup(bot: RunningBot) -> None:
    seed.workspace(bot.deps.engine)
    body = bot.slack.command("/kpi", "digest", channel="C_GENERAL").json()
    assert body["response_type"] == "ephemeral"
    assert "/okr setup" in body["text"]
    assert bot.fake.calls_to("chat.postMessage") == []


def test_kpi_digest_with_an_unknown_word_explains_the_two_forms(bot: RunningBot) -> None:
    body = bot.slack.command("/kpi", "digest everything", channel="C_MARKETING").json()
    assert body["response_type"] == "ephemeral"
    assert "/kpi digest preview" in body["text"]


def test_kpi_digest_where_the_bot_is_not_a_member_says_so(bot: RunningBot) -> None:
    """The caller learns why nothing appeared, and how to fix it."""
    bot.fake.add_channel("C_PRIVATE", "private", error="not_in_channel")
    workspace_id = seed.workspace(bot.deps.engine)
    seed.area(bot.deps.engine, workspace_id, "Legal", channel="C_PRIVATE")
    bot.slack.command("/kpi", "digest", channel="C_PRIVATE")
    [answer] = bot.fake.wait_for("response_url")
    assert "/invite @okrbot" in answer.args["text"]


def test_an_on_demand_digest_does_not_count_as_the_weekly_one(
    bot: RunningBot, clock: TestClock
) -> None:
    """After `/kpi digest` on Monday morning, the scheduled digest still goes out at 09:00."""
    _marketing(bot)
    bot.slack.command("/kpi", "digest", channel="C_MARKETING")
    bot.fake.wait_for("chat.postMessage")
    assert seed.digest_runs(bot.deps.engine) == []
    tick(bot.deps, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    assert len(bot.fake.calls_to("chat.postMessage")) == 2
    [run] = seed.digest_runs(bot.deps.engine)
    assert run.status == RunStatus.SENT
