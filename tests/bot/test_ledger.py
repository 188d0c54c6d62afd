"""The "what we tried" ledger over signed HTTP: `/kpi show` and the digest under a red KPI."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from okrbot.bot.slack.blocks.okrs import LIST_MENU_ACTION
from okrbot.storage.db import session_scope
from okrbot.storage.models import Kpi, Objective, ObjectiveStatus
from tests import okr_factories as seed
from tests.bot.okr_helpers import text_of
from tests.conftest import RunningBot, TestClock
from tests.kpi_steps import create_kpi, latest_view, record, submitted


@pytest.fixture
def acme(bot: RunningBot) -> tuple[int, int]:
    """The test team with a Marketing area (Berlin) whose channel is #marketing."""
    workspace_id = seed.workspace(bot.deps.engine)
    return workspace_id, seed.area(bot.deps.engine, workspace_id, leads=["U_ADMIN"])


def at(clock: TestClock, day: date) -> None:
    clock.set(datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC))


def shown(bot: RunningBot, name: str) -> str:
    """`/kpi show NAME`: what the person reads."""
    response = bot.slack.command("/kpi", f"show {name}", channel="C_MARKETING")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["response_type"] == "ephemeral"
    return text_of(body["blocks"])


def new_fix_okr(bot: RunningBot, kpi_id: int, title: str) -> int:
    """`/okr new` aligned to the KPI ("improves a KPI"), submitted; the new objective's id."""
    opened = len(bot.fake.calls_to("views.open"))
    bot.slack.command("/okr", "new", channel="C_MARKETING")
    form = latest_view(bot, count=opened + 1)
    values = submitted(
        form,
        title=title,
        alignment=f"kpi:{kpi_id}",
        kr0_title="Website conversion rate",
        kr0_start="6.1",
        kr0_target="7",
        kr0_unit="%",
    )
    answer = bot.slack.view_submission(form, values).json()
    assert answer["response_action"] == "update", answer
    (objective,) = [o for o in seed.rows(bot.deps.engine, Objective) if o.title == title]
    assert objective.aligned_kpi_id == kpi_id
    return objective.id or 0


def mark_achieved(bot: RunningBot, objective_id: int) -> None:
    value = f"achieved:{objective_id}"
    option = {"text": {"type": "plain_text", "text": "Mark achieved"}, "value": value}
    response = bot.slack.block_action(
        LIST_MENU_ACTION, selected_option=option, action_type="overflow", channel="C_MARKETING"
    )
    assert response.status_code == 200
    bot.fake.wait_for("response_url")


def test_a_closed_fix_okr_shows_as_tried_and_recovered_once_the_kpi_is_healthy_again(
    bot: RunningBot, acme: tuple[int, int], clock: TestClock
) -> None:
    """Red KPI → a fix-OKR aligned to it → `/kpi show` lists it in progress → the KPI is
    healthy again and the objective is marked achieved → `/kpi show` lists it as recovered."""
    at(clock, date(2026, 11, 2))
    assert create_kpi(bot, name="Website conversion rate", target="7").status_code == 200
    record(bot, "Website conversion rate", "6.1")
    (kpi,) = seed.rows(bot.deps.engine, Kpi)
    objective_id = new_fix_okr(bot, kpi.id, "Get website conversion rate back to 7 %")

    at(clock, date(2026, 11, 9))
    record(bot, "Website conversion rate", "6.6")
    text = shown(bot, "conversion")
    assert "*What we tried* (1)" in text
    assert "*Get website conversion rate back to 7 %* · Q4 · active" in text
    assert "🔄 in progress" in text

    at(clock, date(2026, 11, 16))
    record(bot, "Website conversion rate", "7.4")
    mark_achieved(bot, objective_id)

    at(clock, date(2026, 11, 30))
    text = shown(bot, "conversion")
    assert "*Get website conversion rate back to 7 %* · Q4 · achieved" in text
    assert "✅ recovered (week of 16 Nov 2026)" in text


def closed_objective(
    bot: RunningBot,
    workspace_id: int,
    area_id: int,
    kpi_id: int,
    title: str,
    *,
    status: ObjectiveStatus,
    closed: datetime,
) -> None:
    with session_scope(bot.deps.engine) as session:
        session.add(
            Objective(
                workspace_id=workspace_id,
                area_id=area_id,
                title=title,
                owner_id="U_ALICE",
                period_start=date(2026, 10, 1),
                period_end=date(2026, 12, 31),
                status=status,
                aligned_kpi_id=kpi_id,
                created_at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
                closed_at=closed,
            )
        )


def test_the_digest_names_what_was_tried_before_under_a_red_kpi(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    """Under the red KPI, one line: each objective that ended, its quarter and its outcome."""
    workspace_id, area_id = acme
    kpi_id = seed.kpi(
        bot.deps.engine,
        workspace_id,
        area_id,
        "Website conversion rate",
        values={date(2026, 10, 5): 6.0, date(2026, 11, 23): 6.1, date(2026, 11, 30): 6.1},
    )
    closed_objective(
        bot,
        workspace_id,
        area_id,
        kpi_id,
        "Optimise <the> funnel",
        status=ObjectiveStatus.MISSED,
        closed=datetime(2026, 10, 23, 12, 0, tzinfo=UTC),
    )
    response = bot.slack.command("/kpi", "digest preview", channel="C_MARKETING")
    assert response.status_code == 200
    (message,) = bot.fake.wait_for("response_url")
    text = text_of(message.args["blocks"])
    assert "↳ Tried before: Optimise &lt;the&gt; funnel (Q4, not recovered)" in text


def test_a_kpi_nothing_aimed_at_says_so(bot: RunningBot, acme: tuple[int, int]) -> None:
    workspace_id, area_id = acme
    seed.kpi(bot.deps.engine, workspace_id, area_id, "Website conversion rate")
    assert "no objective has aimed at this KPI yet" in shown(bot, "conversion")
