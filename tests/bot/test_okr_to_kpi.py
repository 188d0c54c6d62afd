"""OKR → KPI over signed HTTP: the offer (after the check-in that completes an objective, in
the `/okr list` menu, after "Mark achieved"), the pre-filled modal, and the lineage shown."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from okrbot.bot.slack.blocks.kpi_modals import FIELD_BLOCKS
from okrbot.bot.slack.blocks.okr_to_kpi import CALLBACK, PICK_ACTION, PICK_BLOCK, TURN_BUTTON
from okrbot.bot.slack.blocks.okrs import LIST_MENU_ACTION
from okrbot.storage.models import KeyResult, Kpi, KpiValue, ObjectiveStatus, ValueSource
from tests import okr_factories as seed
from tests.bot.okr_helpers import checkin_values, next_view, picked, text_of
from tests.conftest import RunningBot, TestClock
from tests.kpi_steps import submitted

UPLIFT = "Conversion-rate uplift per month"


@pytest.fixture
def acme(bot: RunningBot) -> tuple[int, int]:
    """The test team with a Marketing area (Berlin) whose channel is #marketing."""
    workspace_id = seed.workspace(bot.deps.engine)
    return workspace_id, seed.area(bot.deps.engine, workspace_id, leads=["U_ADMIN"])


def check_in(bot: RunningBot, value: str) -> dict[str, Any]:
    """`/okr checkin` (her only key result is picked) and submit `value`: the answer's view."""
    updates = len(bot.fake.calls_to("views.update"))
    assert bot.slack.command("/okr", "checkin").status_code == 200
    modal = next_view(bot.fake, "views.update", updates)
    answer = bot.slack.view_submission(modal, checkin_values(value, "on_track")).json()
    assert answer["response_action"] == "update", answer
    view: dict[str, Any] = answer["view"]
    return {**view, "id": "V_ANSWER", "hash": "hash-answer"}


def offered(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """The "Turn into a KPI" button among `blocks`."""
    (button,) = [
        b["accessory"] for b in blocks if (b.get("accessory") or {}).get("action_id") == TURN_BUTTON
    ]
    assert isinstance(button, dict)
    return button


def open_from_button(
    bot: RunningBot, button: dict[str, Any], *, view: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    """Click the button (in a modal, or in a message); the modal once it is filled in."""
    updates = len(bot.fake.calls_to("views.update"))
    response = bot.slack.block_action(TURN_BUTTON, value=button["value"], view=view, **kw)
    assert response.status_code == 200
    return next_view(bot.fake, "views.update", updates)


def menu(bot: RunningBot, choice: str, objective_id: int, *, user: str = "U_ALICE") -> None:
    value = f"{choice}:{objective_id}"
    option = {"text": {"type": "plain_text", "text": choice}, "value": value}
    response = bot.slack.block_action(
        LIST_MENU_ACTION,
        selected_option=option,
        action_type="overflow",
        channel="C_MARKETING",
        user=user,
    )
    assert response.status_code == 200


def open_from_menu(bot: RunningBot, objective_id: int, *, user: str = "U_ALICE") -> dict[str, Any]:
    opens = len(bot.fake.calls_to("views.open"))
    updates = len(bot.fake.calls_to("views.update"))
    menu(bot, "to_kpi", objective_id, user=user)
    bot.fake.wait_for("views.open", count=opens + 1)
    return next_view(bot.fake, "views.update", updates)


def listed(bot: RunningBot, args: str = "") -> list[dict[str, Any]]:
    response = bot.slack.command("/okr", f"list {args}".strip(), channel="C_MARKETING")
    assert response.status_code == 200
    blocks: list[dict[str, Any]] = response.json()["blocks"]
    return blocks


def menu_labels(blocks: list[dict[str, Any]]) -> list[str]:
    (overflow,) = [b["accessory"] for b in blocks if "accessory" in b]
    return [option["text"]["text"] for option in overflow["options"]]


def kpi_show(bot: RunningBot, name: str) -> str:
    response = bot.slack.command("/kpi", f"show {name}", channel="C_MARKETING")
    assert response.status_code == 200
    return text_of(response.json()["blocks"])


# ---- the whole loop -----------------------------------------------------------------------
def test_an_achieved_objective_turns_into_a_kpi_with_its_check_ins_as_history_end_to_end(
    bot: RunningBot, acme: tuple[int, int], clock: TestClock
) -> None:
    """A key result "Conversion-rate uplift per month" 0 → 5 %, checked in over four weeks; the
    check-in that reaches 5 % offers "Turn into a KPI" → the modal is pre-filled → submitted:
    a KPI "stay at or above 5 %" exists with the check-ins as its history, `/kpi show` says it
    came from the objective and `/okr list` says the objective became it."""
    workspace_id, area_id = acme
    seeded = seed.objective(
        bot.deps.engine,
        workspace_id,
        area_id,
        "Lift conversion",
        krs=[seed.KrSpec(UPLIFT, start=0, target=5)],
    )
    answers = []
    for week, value in enumerate(["1.5", "2.5", "4", "5"]):
        clock.set(datetime(2026, 11, 3, 9, 0, tzinfo=UTC) + timedelta(weeks=week))
        answers.append(check_in(bot, value))
    assert all("Turn into a KPI" not in text_of(a) for a in answers[:-1])
    assert "Every key result of *Lift conversion* reached its target" in text_of(answers[-1])

    opens = len(bot.fake.calls_to("views.push"))
    modal = open_from_button(bot, offered(answers[-1]["blocks"]), view=answers[-1])
    assert len(bot.fake.calls_to("views.push")) == opens + 1  # on top of the check-in's answer
    text = text_of(modal)
    assert f"key result *{UPLIFT}* (0 % → 5 %)" in text
    assert "4 weeks of values" in text
    state = submitted(modal)
    assert state[FIELD_BLOCKS["name"]][f"kr{seeded.kr_ids[0]}"]["value"] == UPLIFT
    assert state[FIELD_BLOCKS["target"]][f"kr{seeded.kr_ids[0]}"]["value"] == "5"
    assert state[FIELD_BLOCKS["target_type"]][f"kr{seeded.kr_ids[0]}"]["selected_option"][
        "value"
    ] == ("at_least")
    assert state[FIELD_BLOCKS["owner_id"]][f"kr{seeded.kr_ids[0]}"]["selected_user"] == "U_ALICE"

    answer = bot.slack.view_submission(modal, state).json()
    assert answer["response_action"] == "update", answer
    assert f"Created the KPI *{UPLIFT}* (≥ 5 %) with 4 values" in text_of(answer["view"])

    (kpi,) = seed.rows(bot.deps.engine, Kpi)
    assert (kpi.name, kpi.target_type, kpi.target, kpi.origin_objective_id) == (
        UPLIFT,
        "at_least",
        5.0,
        seeded.objective_id,
    )
    values = sorted(seed.rows(bot.deps.engine, KpiValue), key=lambda v: v.period_start)
    assert [(v.period_start.isoformat(), v.value) for v in values] == [
        ("2026-11-02", 1.5),
        ("2026-11-09", 2.5),
        ("2026-11-16", 4.0),
        ("2026-11-23", 5.0),
    ]
    assert {v.source for v in values} == {ValueSource.IMPORT}
    (kr,) = seed.rows(bot.deps.engine, KeyResult)
    assert kr.kpi_id == kpi.id

    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    shown = kpi_show(bot, "conversion-rate uplift")
    assert "Came from objective *Lift conversion* (Q4, active)" in shown
    assert "2026-11-23: 5 %" in shown
    assert f"Became KPI *{UPLIFT}*" in text_of(listed(bot))

    menu(bot, "achieved", seeded.objective_id)  # marked achieved, it leaves the active list
    bot.fake.wait_for("response_url")
    assert f"Became KPI *{UPLIFT}*" in text_of(listed(bot, "achieved"))
    assert "Came from objective *Lift conversion* (Q4, achieved)" in kpi_show(bot, "uplift")


# ---- where it is offered ------------------------------------------------------------------
def test_the_list_menu_offers_it_only_once_an_objective_is_achieved(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    """Half-way: the usual five choices. Every key result done: in place of "Mark missed".
    Marked achieved (`/okr list achieved`): in place of "Mark achieved"."""
    workspace_id, area_id = acme
    half = seed.objective(
        bot.deps.engine, workspace_id, area_id, krs=[seed.KrSpec(UPLIFT, start=0, target=5)]
    )
    assert "Turn into a KPI" not in menu_labels(listed(bot))
    seed.checkin(bot.deps.engine, workspace_id, half.kr_ids[0], value=5)
    with bot.deps.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE keyresult SET current_value = 5")
    assert menu_labels(listed(bot)) == [
        "Check in",
        "Edit",
        "Mark achieved",
        "Close",
        "Turn into a KPI",
    ]
    menu(bot, "achieved", half.objective_id)
    (answer,) = bot.fake.wait_for("response_url")
    assert offered(answer.args["blocks"])["value"] == str(half.objective_id)
    assert menu_labels(listed(bot, "achieved")) == [
        "Check in",
        "Edit",
        "Mark missed",
        "Close",
        "Turn into a KPI",
    ]


def test_mark_achieved_offers_it_and_the_button_opens_the_modal(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    seeded = seed.objective(
        bot.deps.engine,
        workspace_id,
        area_id,
        "Lift conversion",
        krs=[seed.KrSpec(UPLIFT, start=0, target=5, current=4)],
    )
    menu(bot, "achieved", seeded.objective_id)
    (answer,) = bot.fake.wait_for("response_url")
    assert "*Lift conversion* is achieved" in text_of(answer.args["blocks"])
    modal = open_from_button(bot, offered(answer.args["blocks"]), channel="C_MARKETING")
    assert modal["callback_id"] == CALLBACK
    assert "It has no check-ins yet" in text_of(modal)
    answer_body = bot.slack.view_submission(modal, submitted(modal)).json()
    assert "with 0 values" in text_of(answer_body["view"])


def test_picking_another_key_result_fills_the_form_from_it(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    """From the menu: a picker of the key results with numbers; picking "Churn" (5 % → 3 %)
    redraws the form as "stay at or below 3 %", and that is what gets created."""
    workspace_id, area_id = acme
    seeded = seed.objective(
        bot.deps.engine,
        workspace_id,
        area_id,
        "Lift conversion",
        krs=[
            seed.KrSpec(UPLIFT, start=0, target=5, current=5),
            seed.KrSpec("Ship the new checkout", milestone=True),
            seed.KrSpec("Churn", owner="U_BOB", start=5, target=3, current=3),
        ],
        status=ObjectiveStatus.ACHIEVED,
    )
    modal = open_from_menu(bot, seeded.objective_id)
    picker = next(b for b in modal["blocks"] if b.get("block_id") == PICK_BLOCK)["accessory"]
    assert [o["text"]["text"] for o in picker["options"]] == [UPLIFT, "Churn"]

    updates = len(bot.fake.calls_to("views.update"))
    bot.slack.block_action(
        PICK_ACTION,
        selected_option=picked(seeded.kr_ids[2]),
        action_type="static_select",
        block_id=PICK_BLOCK,
        view=modal,
    )
    churn = next_view(bot.fake, "views.update", updates)
    state = submitted(churn)
    action = f"kr{seeded.kr_ids[2]}"
    assert state[FIELD_BLOCKS["name"]][action]["value"] == "Churn"
    assert state[FIELD_BLOCKS["owner_id"]][action]["selected_user"] == "U_BOB"
    answer = bot.slack.view_submission(churn, state).json()
    assert "Created the KPI *Churn* (≤ 3 %)" in text_of(answer["view"])
    (kpi,) = seed.rows(bot.deps.engine, Kpi)
    assert (kpi.target_type, kpi.target, kpi.owner_id) == ("at_most", 3.0, "U_BOB")


# ---- a key result that already follows a KPI ----------------------------------------------
def test_a_key_result_that_follows_a_kpi_offers_to_keep_it_and_creates_nothing(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    conversion = seed.kpi(bot.deps.engine, workspace_id, area_id, "Website conversion rate")
    spec = seed.KrSpec(UPLIFT, start=0, target=5, current=5, kpi_id=conversion)
    seeded = seed.objective(
        bot.deps.engine,
        workspace_id,
        area_id,
        "Lift conversion",
        krs=[spec],
        status=ObjectiveStatus.ACHIEVED,
    )
    modal = open_from_menu(bot, seeded.objective_id)
    assert "already follows the KPI *Website conversion rate*" in text_of(modal)
    assert modal["submit"]["text"] == "Keep this KPI"
    assert FIELD_BLOCKS["name"] not in {b.get("block_id") for b in modal["blocks"]}
    answer = bot.slack.view_submission(modal, submitted(modal)).json()
    assert "*Website conversion rate* (≥ 7) is the KPI" in text_of(answer["view"])
    (kpi,) = seed.rows(bot.deps.engine, Kpi)
    assert kpi.origin_objective_id == seeded.objective_id
    assert "Came from objective *Lift conversion*" in kpi_show(bot, "website")


# ---- refusals -----------------------------------------------------------------------------
def test_someone_else_is_told_who_may_and_nothing_can_be_submitted(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    seeded = seed.objective(
        bot.deps.engine,
        workspace_id,
        area_id,
        krs=[seed.KrSpec(UPLIFT, start=0, target=5, current=5)],
        status=ObjectiveStatus.ACHIEVED,
    )
    modal = open_from_menu(bot, seeded.objective_id, user="U_BOB")
    assert "Only <@U_ALICE> or <@U_ADMIN>" in text_of(modal)
    assert "submit" not in modal


def test_a_wrong_threshold_is_shown_on_its_field_and_nothing_is_created(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    seeded = seed.objective(
        bot.deps.engine,
        workspace_id,
        area_id,
        krs=[seed.KrSpec(UPLIFT, start=0, target=5, current=5)],
        status=ObjectiveStatus.ACHIEVED,
    )
    modal = open_from_menu(bot, seeded.objective_id)
    state = submitted(modal, **{FIELD_BLOCKS["target"]: "1e999"})
    answer = bot.slack.view_submission(modal, state).json()
    assert answer["response_action"] == "errors"
    assert "too large" in answer["errors"][FIELD_BLOCKS["target"]]
    assert seed.rows(bot.deps.engine, Kpi) == []


def test_a_forged_objective_id_changes_nothing(bot: RunningBot, acme: tuple[int, int]) -> None:
    """A button value naming another workspace's objective finds nothing."""
    other = seed.workspace(bot.deps.engine, seed.OTHER_TEAM)
    theirs = seed.objective(
        bot.deps.engine,
        other,
        seed.area(bot.deps.engine, other, channel="C_THEIRS"),
        krs=[seed.KrSpec(UPLIFT, start=0, target=5, current=5)],
        status=ObjectiveStatus.ACHIEVED,
    )
    modal = open_from_button(bot, {"value": str(theirs.objective_id)}, channel="C_MARKETING")
    assert "I can't find that objective" in text_of(modal)
    assert "submit" not in modal
    assert seed.rows(bot.deps.engine, Kpi) == []
