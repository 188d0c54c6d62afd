"""`/okr new` over signed HTTP: one modal, rows added in place, inline errors, nothing half-written."""

from typing import Any

from okrbot.bot.slack.blocks.okr_new import ADD_KR_ACTION
from okrbot.storage.models import AuditEntry, KeyResult, KeyResultKind, Kpi, Objective
from tests import okr_factories as seed
from tests.bot.okr_helpers import block_ids, chosen, next_view, text_of, typed
from tests.conftest import RunningBot


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def open_form(bot: RunningBot, channel: str = "C_MARKETING") -> dict[str, Any]:
    opens = len(bot.fake.calls_to("views.open"))
    response = bot.slack.command("/okr", "new", channel=channel)
    assert response.status_code == 200
    return next_view(bot.fake, "views.open", opens)


def add_row(bot: RunningBot, form: dict[str, Any]) -> dict[str, Any]:
    updates = len(bot.fake.calls_to("views.update"))
    bot.slack.block_action(ADD_KR_ACTION, value="2", block_id="kr_add", view=form)
    return next_view(bot.fake, "views.update", updates)


def owner(user: str) -> dict[str, Any]:
    return {"input": {"type": "users_select", "selected_user": user}}


def test_without_any_area_the_user_is_told_to_run_setup(bot: RunningBot) -> None:
    body = bot.slack.command("/okr", "new", channel="C_GENERAL").json()
    assert body["response_type"] == "ephemeral"
    assert "`/okr setup`" in body["text"]
    assert bot.fake.calls_to("views.open") == []


def test_the_modal_starts_with_the_channels_area_its_owner_and_this_quarter(
    bot: RunningBot,
) -> None:
    workspace_id = seed.workspace(bot.deps.engine)
    area_id = seed.area(bot.deps.engine, workspace_id)
    seed.area(bot.deps.engine, workspace_id, "Sales", channel="C_SALES")
    seed.kpi(bot.deps.engine, workspace_id, area_id, "Conversion rate")
    seed.objective(bot.deps.engine, workspace_id, area_id, "Company goal")
    form = open_form(bot)
    assert block(form, "area")["element"]["initial_option"]["value"] == str(area_id)
    assert block(form, "owner")["element"]["initial_user"] == "U_ALICE"
    assert block(form, "period_start")["element"]["initial_date"] == "2026-10-01"
    assert block(form, "period_end")["element"]["initial_date"] == "2026-12-31"
    groups = block(form, "alignment")["element"]["option_groups"]
    assert [g["label"]["text"] for g in groups] == ["Improves a KPI", "Supports an objective"]
    assert "Conversion rate" in text_of(groups)
    assert "kr1_title" not in block_ids(form)
    elsewhere = open_form(bot, channel="C_GENERAL")  # not an area's channel: no area chosen
    assert "initial_option" not in block(elsewhere, "area")["element"]


def test_add_key_result_adds_rows_in_place_up_to_five(bot: RunningBot) -> None:
    """Every block id stays, so Slack keeps what was typed; at five the button goes away."""
    workspace_id = seed.workspace(bot.deps.engine)
    seed.area(bot.deps.engine, workspace_id)
    form = open_form(bot)
    before = block_ids(form)
    for rows in range(2, 6):
        form = add_row(bot, form)
        assert f"kr{rows - 1}_title" in block_ids(form)
        assert all(block_id in block_ids(form) for block_id in before if block_id != "kr_add")
        before = block_ids(form)
    assert "kr_add" not in block_ids(form)
    assert len(form["blocks"]) <= 100
    assert add_row(bot, form)["blocks"] == form["blocks"]  # a forged sixth click adds nothing


def test_every_bad_field_gets_an_inline_error_and_nothing_is_written(bot: RunningBot) -> None:
    workspace_id = seed.workspace(bot.deps.engine)
    seed.area(bot.deps.engine, workspace_id)
    other = seed.workspace(bot.deps.engine, seed.OTHER_TEAM)
    their_area = seed.area(bot.deps.engine, other, "Theirs", channel="C_THEIRS")
    form = add_row(bot, open_form(bot))
    answer = bot.slack.view_submission(
        form,
        {
            "title": typed("Grow signups"),
            "area": chosen(str(their_area), kind="static_select"),  # forged
            "owner": owner("U_ALICE"),
            "period_start": {"input": {"type": "datepicker", "selected_date": "2026-12-31"}},
            "period_end": {"input": {"type": "datepicker", "selected_date": "2026-10-01"}},
            "kr0_title": typed("Churn down"),
            "kr0_kind": chosen("metric"),
            "kr0_start": typed("abc"),
            "kr0_target": typed("NaN"),
            "kr1_title": typed(""),
            "kr1_kind": chosen("metric"),
            "kr1_target": typed("8"),
        },
    ).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {
        "area",
        "period_end",
        "kr0_start",
        "kr0_target",
        "kr1_title",
        "kr1_start",
    }
    assert "“abc” is not a number" in answer["errors"]["kr0_start"]
    assert seed.rows(bot.deps.engine, Objective) == []
    assert seed.rows(bot.deps.engine, KeyResult) == []
    assert seed.rows(bot.deps.engine, AuditEntry) == []


def test_a_fix_okr_with_two_key_results_is_created_and_shown(bot: RunningBot) -> None:
    workspace_id = seed.workspace(bot.deps.engine)
    area_id = seed.area(bot.deps.engine, workspace_id)
    kpi_id = seed.kpi(bot.deps.engine, workspace_id, area_id, "Churn")
    form = add_row(bot, open_form(bot))
    answer = bot.slack.view_submission(
        form,
        {
            "title": typed("Keep customers <for real>"),
            "area": chosen(str(area_id), kind="static_select"),
            "owner": owner("U_BOB"),
            "alignment": chosen(f"kpi:{kpi_id}", "okr_new_alignment", "static_select"),
            "kr0_title": typed("Churn from 5 % to 3 %"),
            "kr0_kind": chosen("metric"),
            "kr0_start": typed("5"),
            "kr0_target": typed("3"),
            "kr0_unit": typed("%"),
            "kr1_title": typed("Exit interviews"),
            "kr1_kind": chosen("milestone"),
            "kr1_owner": owner("U_ALICE"),
        },
    ).json()
    assert answer["response_action"] == "update"
    assert "Keep customers &lt;for real&gt;" in text_of(answer["view"])
    assert "Exit interviews" in text_of(answer["view"])
    (objective,) = seed.rows(bot.deps.engine, Objective)
    assert (objective.owner_id, objective.aligned_kpi_id) == ("U_BOB", kpi_id)
    krs = seed.rows(bot.deps.engine, KeyResult)
    assert [(kr.kind, kr.owner_id) for kr in krs] == [
        (KeyResultKind.METRIC, "U_BOB"),  # no owner picked: the objective's
        (KeyResultKind.MILESTONE, "U_ALICE"),
    ]
    assert [e.actor_id for e in seed.rows(bot.deps.engine, AuditEntry)] == ["U_ALICE"] * 3


def test_beyond_100_kpis_alignment_and_kpi_links_search_as_you_type(bot: RunningBot) -> None:
    workspace_id = seed.workspace(bot.deps.engine)
    area_id = seed.area(bot.deps.engine, workspace_id)
    for number in range(101):
        seed.kpi(bot.deps.engine, workspace_id, area_id, f"KPI {number:03d}")
    seed.objective(bot.deps.engine, workspace_id, area_id, "KPI 050 rescue")
    form = open_form(bot)
    assert block(form, "alignment")["element"]["type"] == "external_select"
    assert block(form, "kr0_kpi")["element"]["type"] == "external_select"
    found = bot.slack.options("okr_new_alignment", "050", block_id="alignment", view=form).json()
    kpi_050 = next(k.id for k in seed.rows(bot.deps.engine, Kpi) if k.name == "KPI 050")
    (rescue,) = seed.rows(bot.deps.engine, Objective)
    assert [[o["value"] for o in g["options"]] for g in found["option_groups"]] == [
        [f"kpi:{kpi_050}"],
        [f"objective:{rescue.id}"],
    ]
    linked = bot.slack.options("okr_new_kr_kpi", "10", block_id="kr0_kpi", view=form).json()
    assert [o["text"]["text"] for o in linked["options"]] == ["KPI 010", "KPI 100"]
