"""`/okr list` over signed HTTP: progress, confidence, the last check-in's age, the menu."""

from datetime import timedelta
from typing import Any

import pytest

from okrbot.bot.slack.blocks.okrs import LIST_MENU_ACTION
from okrbot.storage.models import AuditEntry, Confidence, Objective, ObjectiveStatus
from tests import okr_factories as seed
from tests.bot.okr_helpers import metadata, next_view, text_of, typed
from tests.conftest import RunningBot, TestClock


@pytest.fixture
def acme(bot: RunningBot) -> tuple[int, int]:
    workspace_id = seed.workspace(bot.deps.engine)
    return workspace_id, seed.area(bot.deps.engine, workspace_id, leads=["U_ADMIN"])


def listed(
    bot: RunningBot, args: str = "", *, channel: str = "C_MARKETING", user: str = "U_ALICE"
) -> dict[str, Any]:
    response = bot.slack.command("/okr", f"list {args}".strip(), channel=channel, user=user)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["response_type"] == "ephemeral"
    return body


def menu(bot: RunningBot, choice: str, objective_id: int, *, user: str = "U_ALICE") -> None:
    option = {"text": {"type": "plain_text", "text": choice}, "value": f"{choice}:{objective_id}"}
    response = bot.slack.block_action(
        LIST_MENU_ACTION,
        selected_option=option,
        action_type="overflow",
        channel="C_MARKETING",
        user=user,
    )
    assert response.status_code == 200


def test_the_list_shows_progress_confidence_and_the_age_of_the_last_check_in(
    bot: RunningBot, acme: tuple[int, int], clock: TestClock
) -> None:
    workspace_id, area_id = acme
    seeded = seed.objective(
        bot.deps.engine,
        workspace_id,
        area_id,
        "Grow signups",
        krs=[
            seed.KrSpec("Trial-to-paid", start=5, target=10, current=7),
            seed.KrSpec("Ship", milestone=True),
        ],
    )
    seed.checkin(
        bot.deps.engine,
        workspace_id,
        seeded.kr_ids[0],
        value=7,
        confidence=Confidence.NEEDS_ATTENTION,
        at=clock() - timedelta(days=3),
    )
    body = listed(bot)
    text = text_of(body["blocks"])
    assert "Grow signups" in text
    assert "▓▓░░░░░░░░ 20 %" in text  # (40 % + 0 %) / 2
    assert "🟡 needs attention" in text
    assert "last check-in 3 days ago" in text
    assert "Trial-to-paid: 7 % of 10 % (from 5 %) (40 %)" in text
    assert "Ship: not done yet (0 %)" in text
    menu_options = body["blocks"][1]["accessory"]["options"]
    assert [o["text"]["text"] for o in menu_options] == [
        "Check in",
        "Edit",
        "Mark achieved",
        "Mark missed",
        "Close",
    ]


def test_an_objective_never_checked_in_on_says_so(bot: RunningBot, acme: tuple[int, int]) -> None:
    workspace_id, area_id = acme
    seed.objective(bot.deps.engine, workspace_id, area_id, "Fresh <goal> & more")
    text = text_of(listed(bot)["blocks"])
    assert "no check-in yet" in text
    assert "Fresh &lt;goal&gt; &amp; more" in text


def test_mine_area_and_all_choose_which_objectives(bot: RunningBot, acme: tuple[int, int]) -> None:
    workspace_id, marketing = acme
    sales = seed.area(bot.deps.engine, workspace_id, "Sales", channel="C_SALES")
    seed.objective(
        bot.deps.engine,
        workspace_id,
        marketing,
        "Marketing, Bob's",
        owner="U_BOB",
        krs=[seed.KrSpec("x", owner="U_BOB")],
    )
    seed.objective(bot.deps.engine, workspace_id, sales, "Sales, Alice's", owner="U_ALICE")
    seed.objective(bot.deps.engine, workspace_id, sales, "Done", status=ObjectiveStatus.ACHIEVED)

    def titles(body: dict[str, Any]) -> list[str]:
        return [
            b["text"]["text"].split("\n")[0].strip("*") for b in body["blocks"] if "accessory" in b
        ]

    assert titles(listed(bot)) == ["Marketing, Bob's"]  # #marketing: its area
    assert titles(listed(bot, channel="C_GENERAL")) == ["Sales, Alice's"]  # elsewhere: mine
    assert titles(listed(bot, "mine")) == ["Sales, Alice's"]
    assert titles(listed(bot, "all")) == ["Marketing, Bob's", "Sales, Alice's"]
    assert "not an area's home channel" in listed(bot, "area", channel="C_GENERAL")["text"]
    assert "`mine`, `area` or `all`" in listed(bot, "everything")["text"]


def test_a_long_list_is_cut_to_50_blocks_with_how_many_more(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    for number in range(30):
        seed.objective(bot.deps.engine, workspace_id, area_id, f"Objective {number}")
    blocks = listed(bot)["blocks"]
    assert len(blocks) <= 50
    assert "…and 6 more" in text_of(blocks[-1])


def test_marking_achieved_changes_the_status_with_an_audit_entry(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    objective_id = seed.objective(bot.deps.engine, workspace_id, area_id, "Grow").objective_id
    menu(bot, "achieved", objective_id)
    (answer,) = bot.fake.wait_for("response_url")
    assert "*Grow* is now achieved." in answer.args["text"]
    (objective,) = seed.rows(bot.deps.engine, Objective)
    assert objective.status == ObjectiveStatus.ACHIEVED
    (entry,) = seed.rows(bot.deps.engine, AuditEntry)
    assert (entry.entity, entry.action, entry.actor_id) == ("objective", "status", "U_ALICE")
    assert "Grow" not in text_of(listed(bot)["blocks"])  # only active objectives are listed


@pytest.mark.parametrize(
    ("choice", "status"), [("missed", ObjectiveStatus.MISSED), ("close", ObjectiveStatus.CLOSED)]
)
def test_an_areas_lead_may_mark_missed_or_close(
    bot: RunningBot, acme: tuple[int, int], choice: str, status: ObjectiveStatus
) -> None:
    workspace_id, area_id = acme
    objective_id = seed.objective(bot.deps.engine, workspace_id, area_id).objective_id
    menu(bot, choice, objective_id, user="U_ADMIN")
    bot.fake.wait_for("response_url")
    (objective,) = seed.rows(bot.deps.engine, Objective)
    assert objective.status == status


def test_others_are_told_who_can_change_it_and_forged_ids_find_nothing(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    objective_id = seed.objective(bot.deps.engine, workspace_id, area_id).objective_id
    other = seed.workspace(bot.deps.engine, seed.OTHER_TEAM)
    theirs = seed.objective(bot.deps.engine, other, seed.area(bot.deps.engine, other)).objective_id
    menu(bot, "close", objective_id, user="U_BOB")
    menu(bot, "close", theirs)
    refused, not_found = bot.fake.wait_for("response_url", count=2)
    assert "Only <@U_ALICE>" in refused.args["text"]
    assert "can't find that objective" in not_found.args["text"]
    assert {o.status for o in seed.rows(bot.deps.engine, Objective)} == {ObjectiveStatus.ACTIVE}
    assert seed.rows(bot.deps.engine, AuditEntry) == []


def test_check_in_from_the_menu_offers_that_objectives_key_results(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    seed.objective(bot.deps.engine, workspace_id, area_id, "Other", krs=[seed.KrSpec("Elsewhere")])
    seeded = seed.objective(
        bot.deps.engine, workspace_id, area_id, "This one", krs=[seed.KrSpec("a"), seed.KrSpec("b")]
    )
    updates = len(bot.fake.calls_to("views.update"))
    menu(bot, "checkin", seeded.objective_id)
    picker = next_view(bot.fake, "views.update", updates)
    assert "Elsewhere" not in text_of(picker)
    assert "a (This one)" in text_of(picker)
    assert metadata(picker)["objective"] == seeded.objective_id


def test_edit_opens_a_modal_and_saves_with_an_audit_entry(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    objective_id = seed.objective(bot.deps.engine, workspace_id, area_id, "Grow").objective_id
    opens = len(bot.fake.calls_to("views.open"))
    menu(bot, "edit", objective_id)
    form = next_view(bot.fake, "views.open", opens)
    answer = bot.slack.view_submission(
        form,
        {
            "title": typed("Grow paid signups"),
            "owner": {"input": {"type": "users_select", "selected_user": "U_BOB"}},
            "period_start": {"input": {"type": "datepicker", "selected_date": "2026-10-01"}},
            "period_end": {"input": {"type": "datepicker", "selected_date": "2027-03-31"}},
        },
    ).json()
    assert answer["response_action"] == "update"
    assert "Saved *Grow paid signups*" in text_of(answer["view"])
    (objective,) = seed.rows(bot.deps.engine, Objective)
    assert (objective.title, objective.owner_id, str(objective.period_end)) == (
        "Grow paid signups",
        "U_BOB",
        "2027-03-31",
    )
    (entry,) = seed.rows(bot.deps.engine, AuditEntry)
    assert entry.action == "edit"
    assert entry.before is not None
    assert entry.before["title"] == "Grow"


def test_edit_opens_the_form_for_its_owner_without_waiting_on_slack(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    """The owner's edit form opens while `users.info` is slow: the trigger lives only 3 s."""
    workspace_id, area_id = acme
    objective_id = seed.objective(bot.deps.engine, workspace_id, area_id, "Grow").objective_id
    opens = len(bot.fake.calls_to("views.open"))
    gate = bot.fake.hold("users.info")
    try:
        menu(bot, "edit", objective_id)
        form = next_view(bot.fake, "views.open", opens)
    finally:
        gate.set()
    assert form["callback_id"] == "okr_edit"
    assert bot.fake.calls_to("users.info") == []


def test_edit_opens_for_a_workspace_admin_and_is_refused_to_anyone_else(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    """An admin who neither owns nor leads gets the form; another person is told who can."""
    workspace_id, area_id = acme
    objective_id = seed.objective(bot.deps.engine, workspace_id, area_id, "Grow").objective_id
    bot.fake.add_user("U_BOSS", "boss", is_admin=True)
    opens = len(bot.fake.calls_to("views.open"))
    menu(bot, "edit", objective_id, user="U_BOSS")
    assert next_view(bot.fake, "views.open", opens)["callback_id"] == "okr_edit"

    menu(bot, "edit", objective_id, user="U_BOB")
    [refusal] = bot.fake.wait_for("response_url")
    assert "Only <@U_ALICE>" in refusal.args["text"]
    assert len(bot.fake.calls_to("views.open")) == opens + 1
