"""`/kpi …` end to end over signed HTTP: the real app, the fake Slack, a fixed clock."""

from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from okrbot.bot.slack.blocks.buttons import KPI_UPDATE_BUTTON
from okrbot.bot.slack.blocks.kpi_modals import FIELD_BLOCKS, TARGET_TYPE_ACTION
from okrbot.bot.slack.blocks.kpis import (
    INFO_BLOCK,
    PICK_ACTION,
    PICK_BLOCK,
    VALUE_BLOCK,
)
from okrbot.storage.models import Kpi, KpiValue
from okrbot.storage.workspaces import ensure_workspace
from tests.conftest import RunningBot, TestClock, running_bot
from tests.fakes.slack_api import FakeSlack
from tests.kpi_factories import make_kpi
from tests.kpi_steps import (
    create_kpi,
    errors_of,
    latest_view,
    open_update,
    record,
    set_up_area,
    submit_value,
    submitted,
)


def kpis(bot: RunningBot) -> list[Kpi]:
    with Session(bot.deps.engine) as session:
        return list(session.exec(select(Kpi)))


def values(bot: RunningBot) -> list[float]:
    with Session(bot.deps.engine) as session:
        return [
            v.value for v in session.exec(select(KpiValue).order_by(col(KpiValue.period_start)))
        ]


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Each block's text: a section's, or its elements' (a button's label, a context's text)."""
    return [
        (block.get("text") or {}).get("text", "")
        or " ".join(_element_text(e) for e in block.get("elements", []))
        for block in blocks
    ]


def _element_text(element: dict[str, Any]) -> str:
    text = element.get("text", "")
    return str(text.get("text", "")) if isinstance(text, dict) else str(text)


def list_kpis(bot: RunningBot, args: str = "", channel: str = "C_MARKETING") -> dict[str, Any]:
    body: dict[str, Any] = bot.slack.command("/kpi", f"list {args}".strip(), channel=channel).json()
    return body


# ---- Must show 2: the story, end to end -------------------------------------------------------
def test_a_kpi_from_setup_to_a_red_list_line(bot: RunningBot, clock: TestClock) -> None:
    """Setup → new KPI ≥ 7 % → 7.4 → a week later 6.1 → the list shows it red, with its trend."""
    assert set_up_area(bot).status_code == 200
    assert (
        create_kpi(bot, name="Website conversion rate", target="7", unit_kind="percent").content
        == b""
    )

    update = open_update(bot)  # picks from the area's KPIs
    (option,) = next(b for b in update["blocks"] if b.get("block_id") == PICK_BLOCK)["element"][
        "options"
    ]
    assert option["text"]["text"] == "Website conversion rate"
    updated = len(bot.fake.calls_to("views.update"))
    bot.slack.block_action(
        PICK_ACTION,
        action_type="static_select",
        selected_option=option,
        block_id=PICK_BLOCK,
        view=update,
    )
    picked = latest_view(bot, "views.update", count=updated + 1)
    info = next(b for b in picked["blocks"] if b.get("block_id") == INFO_BLOCK)["text"]["text"]
    assert info.startswith("⚪ *Website conversion rate*  no value yet · target ≥ 7 %")
    assert "No value yet" in info
    assert submit_value(bot, picked, "7.4").content == b""

    clock.advance(days=7)
    assert record(bot, "conversion", "6.1").content == b""

    body = list_kpis(bot)
    assert body["response_type"] == "ephemeral"
    line = block_texts(body["blocks"])[1]
    assert line.startswith("🔴 *Website conversion rate*")
    assert "6.1 % vs ≥ 7 %" in line
    assert "`█▁`" in line  # the sparkline of the last periods
    assert "▼ 1.3 %" in line  # the change against the previous week
    assert "<@U_ALICE>" in line
    assert body["blocks"][1]["accessory"]["action_id"] == KPI_UPDATE_BUTTON
    assert values(bot) == [7.4, 6.1]


def test_the_update_confirmation_says_what_was_recorded(bot: RunningBot) -> None:
    set_up_area(bot)
    create_kpi(bot)
    record(bot, "conversion", "7.4")
    note = bot.fake.wait_for("chat.postEphemeral", count=3)[-1].args
    assert note["text"] == (
        "🟢 Recorded *7.4 %* for *Website conversion rate*, period from 2026-11-30."
    )
    record(bot, "conversion", "7,1")  # same week: replaces
    note = bot.fake.wait_for("chat.postEphemeral", count=4)[-1].args
    assert "Recorded *7.1 %* (replacing 7.4 %)" in note["text"]
    assert values(bot) == [7.1]


# ---- Must show 3: bad numbers ------------------------------------------------------------------
def test_update_with_a_value_that_is_not_a_number_gets_an_inline_error(bot: RunningBot) -> None:
    """abc, NaN and 1e999 each get a sentence on the value field, and nothing is stored."""
    set_up_area(bot)
    create_kpi(bot)
    view = open_update(bot, "conversion")
    sentences = {
        text: errors_of(submit_value(bot, view, text))[VALUE_BLOCK]
        for text in ("abc", "NaN", "1e999")
    }
    assert sentences == {
        "abc": "“abc” is not a number. Enter digits, e.g. 7.4 or 1,200.",
        "NaN": "NaN is not a number you can record. Enter digits, e.g. 7.4.",
        "1e999": "“1e999” is too large to record. "
        "Enter a number between -1,000,000,000,000,000 and 1,000,000,000,000,000.",
    }
    assert values(bot) == []


# ---- Must show 4: permissions ------------------------------------------------------------------
def test_someone_who_is_neither_owner_lead_nor_admin_cannot_edit(bot: RunningBot) -> None:
    """Bob is told who can edit; the form never opens for him; a forged save changes nothing."""
    bot.fake.add_user("U_CAROL", "carol", tz="Europe/Berlin")
    set_up_area(bot)  # Alice leads Marketing
    create_kpi(bot, owner_id="U_CAROL")  # a lead may create a KPI for someone else

    bot.slack.command("/kpi", "edit conversion", user="U_BOB", channel="C_MARKETING")
    refusal = bot.fake.wait_for("response_url")[0].args
    assert refusal["response_type"] == "ephemeral"
    assert refusal["text"] == (
        "Only <@U_CAROL>, the Marketing lead (<@U_ALICE>) or a workspace admin can edit "
        "“Website conversion rate”. Ask one of them if it needs changing."
    )
    opened = len(bot.fake.calls_to("views.open"))
    assert opened == 2  # setup and new; not Bob's edit

    bot.slack.command("/kpi", "edit conversion", user="U_ADMIN", channel="C_MARKETING")
    form = latest_view(bot, count=3)
    forged = bot.slack.view_submission(
        form, submitted(form, **{FIELD_BLOCKS["target"]: "1"}), user="U_BOB"
    )
    assert (
        "Only Carol, the Marketing lead (Alice) or a workspace admin"
        in errors_of(forged)[FIELD_BLOCKS["name"]]
    )
    assert kpis(bot)[0].target == 7.0


def test_the_owner_edits_and_the_change_is_kept(bot: RunningBot) -> None:
    set_up_area(bot)
    create_kpi(bot)
    bot.slack.command("/kpi", "edit website conversion", channel="C_MARKETING")
    form = latest_view(bot, count=3)
    assert (
        next(b for b in form["blocks"] if b.get("block_id") == FIELD_BLOCKS["target"])["element"][
            "initial_value"
        ]
        == "7"
    )
    changes = {FIELD_BLOCKS["target"]: "7.5", FIELD_BLOCKS["warning_margin"]: "0.5"}
    assert bot.slack.view_submission(form, submitted(form, **changes)).content == b""
    (kpi,) = kpis(bot)
    assert (kpi.target, kpi.warning_margin) == (7.5, 0.5)


def test_only_owner_and_leads_record_values_and_others_are_told_who_can(bot: RunningBot) -> None:
    set_up_area(bot)
    create_kpi(bot)
    bot.slack.command("/kpi", "update conversion", user="U_BOB", channel="C_MARKETING")
    refusal = bot.fake.wait_for("response_url")[0].args["text"]
    assert refusal.startswith("Only <@U_ALICE> or a workspace admin can record values of")
    assert values(bot) == []


def test_picking_a_kpi_you_cannot_record_says_who_can_and_saving_is_refused(
    bot: RunningBot,
) -> None:
    set_up_area(bot)
    create_kpi(bot)
    update = open_update(bot, user="U_BOB")
    option = next(b for b in update["blocks"] if b.get("block_id") == PICK_BLOCK)["element"][
        "options"
    ][0]
    updated = len(bot.fake.calls_to("views.update"))
    bot.slack.block_action(
        PICK_ACTION,
        action_type="static_select",
        selected_option=option,
        block_id=PICK_BLOCK,
        view=update,
        user="U_BOB",
    )
    picked = latest_view(bot, "views.update", count=updated + 1)
    assert "Only <@U_ALICE> or a workspace admin can record values" in str(picked["blocks"])
    refused = submit_value(bot, picked, "7", user="U_BOB")
    assert errors_of(refused)[PICK_BLOCK].startswith("Only Alice or a workspace admin")
    assert values(bot) == []


def test_archiving_needs_the_same_rights_and_hides_the_kpi(bot: RunningBot) -> None:
    set_up_area(bot)
    create_kpi(bot)
    bot.slack.command("/kpi", "archive conversion", user="U_BOB", channel="C_MARKETING")
    assert bot.fake.wait_for("response_url")[0].args["text"].startswith("Only <@U_ALICE>")
    bot.slack.command("/kpi", "archive conversion", user="U_ALICE", channel="C_MARKETING")
    assert (
        "Archived *Website conversion rate*"
        in bot.fake.wait_for("response_url", count=2)[1].args["text"]
    )
    assert "none yet" in list_kpis(bot)["text"]


# ---- Must show 5: stale ------------------------------------------------------------------------
def test_a_kpi_three_weeks_silent_is_stale_and_a_red_one_stays_red(
    bot: RunningBot, clock: TestClock
) -> None:
    set_up_area(bot)
    create_kpi(bot, name="Conversion")
    create_kpi(bot, name="Signups", target="100", unit_kind="count")
    record(bot, "Conversion", "6")  # red
    record(bot, "Signups", "120")  # healthy
    clock.advance(days=21)

    lines = block_texts(list_kpis(bot)["blocks"])[1:]

    assert lines[0].startswith("🔴 ⏳ stale *Conversion*")
    assert lines[1] == "Create OKR to fix this KPI"  # under the red one
    assert lines[2].startswith("🟢 ⏳ stale *Signups*")


# ---- /kpi new --------------------------------------------------------------------------------------
def test_new_without_any_area_says_to_run_setup_first(bot: RunningBot) -> None:
    body = bot.slack.command("/kpi", "new", channel="C_GENERAL").json()
    assert body["response_type"] == "ephemeral"
    assert "Run `/okr setup` in the area's channel" in body["text"]
    assert bot.fake.calls_to("views.open") == []


def test_new_outside_an_area_channel_asks_for_the_area(bot: RunningBot) -> None:
    set_up_area(bot)
    response = create_kpi(bot, channel="C_GENERAL")
    assert errors_of(response) == {FIELD_BLOCKS["area_id"]: "Pick the area this KPI belongs to."}
    assert kpis(bot) == []


def test_picking_a_range_shows_its_high_end_and_a_reversed_range_is_refused(
    bot: RunningBot,
) -> None:
    set_up_area(bot)
    bot.slack.command("/kpi", "new", channel="C_MARKETING")
    form = latest_view(bot, count=2)
    assert FIELD_BLOCKS["target_high"] not in {b.get("block_id") for b in form["blocks"]}
    between = next(
        o
        for o in next(
            b for b in form["blocks"] if b.get("block_id") == FIELD_BLOCKS["target_type"]
        )["element"]["options"]
        if o["value"] == "between"
    )
    updated = len(bot.fake.calls_to("views.update"))
    bot.slack.block_action(
        TARGET_TYPE_ACTION,
        action_type="static_select",
        selected_option=between,
        block_id=FIELD_BLOCKS["target_type"],
        view=form,
    )
    redrawn = latest_view(bot, "views.update", count=updated + 1)
    assert FIELD_BLOCKS["target_high"] in {b.get("block_id") for b in redrawn["blocks"]}
    changes = {
        FIELD_BLOCKS["name"]: "Support backlog",
        FIELD_BLOCKS["target_type"]: "between",
        FIELD_BLOCKS["target"]: "5",
        FIELD_BLOCKS["target_high"]: "3",
    }
    response = bot.slack.view_submission(redrawn, submitted(redrawn, **changes))
    assert errors_of(response) == {
        FIELD_BLOCKS["target_high"]: "The high end is below the low end (5)."
    }
    assert kpis(bot) == []


def test_an_increase_by_a_past_date_is_refused(bot: RunningBot) -> None:
    set_up_area(bot)
    bot.slack.command("/kpi", "new", channel="C_MARKETING")
    form = latest_view(bot, count=2)
    kind = next(b for b in form["blocks"] if b.get("block_id") == FIELD_BLOCKS["target_type"])
    increase = next(o for o in kind["element"]["options"] if o["value"] == "increase_to")
    updated = len(bot.fake.calls_to("views.update"))
    bot.slack.block_action(
        TARGET_TYPE_ACTION,
        action_type="static_select",
        selected_option=increase,
        block_id=kind["block_id"],
        view=form,
    )
    redrawn = latest_view(bot, "views.update", count=updated + 1)
    changes = {
        FIELD_BLOCKS["name"]: "MRR",
        FIELD_BLOCKS["target_type"]: "increase_to",
        FIELD_BLOCKS["target"]: "120",
        FIELD_BLOCKS["baseline"]: "100",
        FIELD_BLOCKS["target_date"]: "2026-11-01",
    }
    response = bot.slack.view_submission(redrawn, submitted(redrawn, **changes))
    assert errors_of(response) == {FIELD_BLOCKS["target_date"]: "Pick a date after today."}


def test_a_name_that_could_ping_a_channel_is_shown_escaped(bot: RunningBot) -> None:
    """A KPI named `<!channel>` pings nobody: the list shows it escaped."""
    set_up_area(bot)
    create_kpi(bot, name="<!channel> & co")
    line = block_texts(list_kpis(bot)["blocks"])[1]
    assert "*&lt;!channel&gt; &amp; co*" in line
    assert "<!channel>" not in line


# ---- /kpi list ---------------------------------------------------------------------------------
def seed_kpis(bot: RunningBot, count: int, area_name: str = "Marketing") -> None:
    from okrbot.storage.areas import area_named  # noqa: PLC0415

    with Session(bot.deps.engine) as session:
        workspace_id = ensure_workspace(session, external_id="T_ACME")
        area = area_named(session, workspace_id=workspace_id, name=area_name)
        assert area is not None
        for number in range(count):
            make_kpi(session, area, name=f"KPI {number:03d}", owner_id="U_ALICE")
        session.commit()


def test_a_long_list_stops_at_slacks_limit_and_says_how_many_more(bot: RunningBot) -> None:
    """With 60 KPIs the list shows 48 and "…and 12 more": no KPI is lost silently."""
    set_up_area(bot)
    seed_kpis(bot, 60)
    body = list_kpis(bot)
    assert len(body["blocks"]) == 50
    assert "(60)" in block_texts(body["blocks"])[0]
    assert block_texts(body["blocks"])[-1].startswith("…and 12 more")


def test_list_names_an_area_or_all_and_explains_an_unknown_one(bot: RunningBot) -> None:
    set_up_area(bot)
    create_kpi(bot)
    assert "*Marketing KPIs* (1)" in list_kpis(bot, "market", channel="C_GENERAL")["text"]
    everything = list_kpis(bot, "all", channel="C_GENERAL")
    assert "*All KPIs* (1)" in everything["text"]
    assert "_Marketing_" in block_texts(everything["blocks"])[1]
    unknown = list_kpis(bot, "finance")["text"]
    assert (
        unknown
        == "There is no area called “finance”. Areas: Marketing. `/kpi list all` lists every KPI."
    )


def test_the_update_button_opens_the_modal_with_that_kpi(bot: RunningBot) -> None:
    set_up_area(bot)
    create_kpi(bot)
    button = list_kpis(bot)["blocks"][1]["accessory"]
    bot.slack.block_action(KPI_UPDATE_BUTTON, value=button["value"], channel="C_MARKETING")
    view = latest_view(bot, count=3)
    picker = next(b for b in view["blocks"] if b.get("block_id") == PICK_BLOCK)["element"]
    assert picker["initial_option"]["value"] == button["value"]
    assert submit_value(bot, view, "8").content == b""
    assert values(bot) == [8.0]


def test_the_update_button_of_another_workspace_kpi_opens_nothing(bot: RunningBot) -> None:
    """Ids from buttons are looked up within the requesting workspace."""
    with Session(bot.deps.engine) as session:
        from tests.kpi_factories import make_area  # noqa: PLC0415

        theirs = make_kpi(session, make_area(session, team="T_OTHER"))
        session.commit()
        kpi_id = theirs.id
    bot.slack.block_action(KPI_UPDATE_BUTTON, value=str(kpi_id), channel="C_MARKETING")
    assert "archived or removed" in bot.fake.wait_for("response_url")[0].args["text"]
    assert bot.fake.calls_to("views.open") == []


# ---- /kpi update -------------------------------------------------------------------------------
def test_update_with_a_name_that_matches_nothing_says_so(bot: RunningBot) -> None:
    set_up_area(bot)
    create_kpi(bot)
    body = bot.slack.command("/kpi", "update churn", channel="C_MARKETING").json()
    assert body["text"].startswith("No KPI matches “churn”.")


def test_past_100_kpis_the_picker_searches_as_you_type(bot: RunningBot) -> None:
    set_up_area(bot)
    seed_kpis(bot, 101)
    view = open_update(bot)
    picker = next(b for b in view["blocks"] if b.get("block_id") == PICK_BLOCK)["element"]
    assert picker["type"] == "external_select"
    found = bot.slack.options(PICK_ACTION, "10", block_id=PICK_BLOCK, view=view).json()
    assert [o["text"]["text"] for o in found["options"]] == ["KPI 010", "KPI 100"]


# ---- /kpi show ---------------------------------------------------------------------------------
def test_show_gives_the_kpi_in_full(bot: RunningBot, clock: TestClock) -> None:
    set_up_area(bot)
    create_kpi(bot)
    record(bot, "conversion", "7.4")
    clock.advance(days=7)
    record(bot, "conversion", "6.1")
    body = bot.slack.command("/kpi", "show conversion", channel="C_GENERAL").json()
    header, line, facts, *rest = body["blocks"]
    assert header["text"]["text"] == "Website conversion rate"
    assert line["text"]["text"].startswith("🔴 *Website conversion rate*  6.1 % vs ≥ 7 %")
    shown = [field["text"] for field in facts["fields"]]
    assert shown[:3] == ["*Target*\n≥ 7 %", "*Health*\nred", "*Owner*\n<@U_ALICE>"]
    texts = " ".join(text for text in block_texts(rest))
    assert "2026-11-30: 7.4 % · 2026-12-07: 6.1 %" in texts


def test_recording_a_red_value_refreshes_the_owners_home_tab(bot: RunningBot) -> None:
    """The owner's Home tab, once opened, shows the KPI turning red without reopening it."""
    set_up_area(bot)
    create_kpi(bot)
    bot.open_home()
    record(bot, "conversion", "6.1")
    published = bot.fake.wait_for("views.publish", count=2)[-1]
    assert published.args["user_id"] == "U_ALICE"
    home = str(published.args["view"]["blocks"])
    assert "Website conversion rate" in home
    assert "6.1 %" in home


def test_a_home_tab_never_opened_is_not_published_on_every_change(
    fake_slack: FakeSlack, clock: TestClock, tmp_path: Path
) -> None:
    """Building a Home tab costs as much as a check-in: only tabs people opened are kept
    current; a first visit publishes it fresh."""
    with running_bot(f"sqlite:///{tmp_path / 'okrbot.db'}", fake_slack, clock) as bot:
        set_up_area(bot)
        create_kpi(bot)
        record(bot, "conversion", "6.1")
    # Leaving the block waited for every listener to finish its work after the ack.
    assert fake_slack.calls_to("chat.postEphemeral")
    assert fake_slack.calls_to("views.publish") == []
