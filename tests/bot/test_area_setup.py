"""`/okr setup`: a channel becomes an area's home; running it again changes the area."""

from sqlmodel import Session, select

from okrbot.bot.slack.blocks.areas import NAME_BLOCK, TIMEZONE_BLOCK, WEEKDAY_BLOCK
from okrbot.storage import audit
from okrbot.storage.models import Area
from tests.conftest import RunningBot
from tests.kpi_steps import (
    errors_of,
    latest_view,
    modal_counts,
    set_up_area,
    setup_form,
    submitted,
)


def areas(bot: RunningBot) -> list[Area]:
    with Session(bot.deps.engine) as session:
        return list(session.exec(select(Area)))


def test_setup_opens_a_form_named_after_the_channel_in_the_users_time_zone(
    bot: RunningBot,
) -> None:
    bot.slack.command(
        "/okr", "setup", user="U_BOB", channel="C_MARKETING", channel_name="marketing"
    )
    assert latest_view(bot)["blocks"]  # a modal opened at once, before asking Slack anything
    view = setup_form(bot, 0, 0)
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert blocks[NAME_BLOCK]["element"]["initial_value"] == "Marketing"
    assert blocks[TIMEZONE_BLOCK]["element"]["initial_value"] == "America/New_York"


def test_setup_links_the_channel_to_a_new_area(bot: RunningBot) -> None:
    """Submitting the form creates the area, linked to the channel, and says so."""
    response = set_up_area(bot, **{WEEKDAY_BLOCK: "4"})
    assert response.status_code == 200
    assert response.content == b""  # the modal closes
    (area,) = areas(bot)
    assert (area.name, area.channel_id, area.timezone, area.leads) == (
        "Marketing",
        "C_MARKETING",
        "Europe/Berlin",
        ["U_ALICE"],
    )
    assert (area.digest_weekday, area.digest_hour, area.digest_minute) == (4, 9, 0)
    note = bot.fake.wait_for("chat.postEphemeral")[0].args
    assert note["user"] == "U_ALICE"
    assert "*Marketing* is set up in <#C_MARKETING>" in note["text"]
    assert "Fridays at 09:00 (Europe/Berlin)" in note["text"]


def test_running_setup_again_changes_the_same_area(bot: RunningBot) -> None:
    set_up_area(bot)
    set_up_area(bot, **{NAME_BLOCK: "Growth marketing", TIMEZONE_BLOCK: "Europe/London"})
    (area,) = areas(bot)
    assert (area.name, area.timezone) == ("Growth marketing", "Europe/London")
    second = latest_view(bot, count=2)  # the area exists: its form opens straight away
    name_block = next(b for b in second["blocks"] if b.get("block_id") == NAME_BLOCK)
    assert name_block["element"]["initial_value"] == "Marketing"  # the form was filled in
    with Session(bot.deps.engine) as session:
        entries = audit.history(
            session, workspace_id=area.workspace_id, entity="area", entity_id=area.id or 0
        )
    assert [e.action for e in entries] == ["created", "edited"]


def test_an_unknown_time_zone_gets_an_inline_error_and_nothing_is_saved(bot: RunningBot) -> None:
    response = set_up_area(bot, **{TIMEZONE_BLOCK: "Mars/Olympus"})
    assert "time zone" in errors_of(response)[TIMEZONE_BLOCK]
    assert areas(bot) == []


def test_a_name_another_channel_uses_is_refused(bot: RunningBot) -> None:
    set_up_area(bot)
    counts = modal_counts(bot)
    bot.slack.command("/okr", "setup", channel="C_GENERAL", channel_name="general")
    view = setup_form(bot, *counts)
    response = bot.slack.view_submission(view, submitted(view, **{NAME_BLOCK: "marketing"}))
    assert "Another channel already has the area “Marketing”" in errors_of(response)[NAME_BLOCK]
    assert len(areas(bot)) == 1


def test_only_leads_and_admins_change_an_area_with_leads(bot: RunningBot) -> None:
    """Someone else running setup in the area's channel is told who can change it."""
    set_up_area(bot)
    opened = len(bot.fake.calls_to("views.open"))
    bot.slack.command(
        "/okr", "setup", user="U_BOB", channel="C_MARKETING", channel_name="marketing"
    )
    refusal = bot.fake.wait_for("response_url")[0].args
    assert refusal["text"].startswith("Only the Marketing lead (<@U_ALICE>) or a workspace admin")
    assert len(bot.fake.calls_to("views.open")) == opened
    set_up_area(bot, user="U_ADMIN", **{TIMEZONE_BLOCK: "UTC"})
    assert areas(bot)[0].timezone == "UTC"


def test_setup_in_a_direct_message_explains_where_to_run_it(bot: RunningBot) -> None:
    body = bot.slack.command(
        "/okr", "setup", channel="D_ALICE", channel_name="directmessage"
    ).json()
    assert "in the channel that should be the area's home" in body["text"]
    assert bot.fake.calls_to("views.open") == []
