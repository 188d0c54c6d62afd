"""Fix-OKR from a red KPI over signed HTTP: digest → draft → fix in progress, never two."""

import json
import threading
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from okrbot.bot.slack.blocks.buttons import KPI_FIX_BUTTON
from okrbot.bot.slack.blocks.fix_okr import FIX_CALLBACK, VIEW_FIX_CALLBACK
from okrbot.bot.slack.features.fix_okr import Origin, origin_of
from okrbot.storage.models import AuditEntry, KeyResult, Kpi, Objective
from tests import digest_seed as seed
from tests.bot.okr_helpers import shown, text_of
from tests.conftest import RunningBot, TestClock, running_bot
from tests.fakes.slack_api import ApiCall, FakeSlack
from tests.okr_factories import rows

THIS_WEEK = date(2026, 11, 30)
DIGEST_TS = "1764496800.000100"  # the digest message the button sits on
FIX_TITLE = "Get website conversion rate back to 7 %"


def _marketing(engine: Engine) -> tuple[int, int, int]:
    """Marketing (#marketing): conversion rate at 6.1 % against ≥ 7 % after weeks at 7.4."""
    workspace_id = seed.workspace(engine)
    area_id = seed.area(engine, workspace_id, "Marketing", channel="C_MARKETING")
    history = {THIS_WEEK - timedelta(weeks=weeks): 7.4 for weeks in range(1, 6)}
    conversion = seed.kpi(
        engine, workspace_id, area_id, "Website conversion rate", values={**history, THIS_WEEK: 6.1}
    )
    return workspace_id, area_id, conversion


def _red_block(posts: list[ApiCall]) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        block
        for call in posts
        for block in call.args.get("blocks", [])
        if "Website conversion rate" in str(block.get("text", {}).get("text", ""))
    ]
    [block] = found
    return block


def _click(bot: RunningBot, kpi_id: int, **where: Any) -> dict[str, Any]:
    """Click the fix button; the modal opens at once, then shows the draft or the open fix."""
    opened = len(bot.fake.calls_to("views.open"))
    updated = len(bot.fake.calls_to("views.update"))
    assert bot.slack.block_action(KPI_FIX_BUTTON, value=str(kpi_id), **where).status_code == 200
    bot.fake.wait_for("views.open", count=opened + 1)
    filled = bot.fake.wait_for("views.update", count=updated + 1)[updated]
    return shown(filled)


def _state(element: dict[str, Any]) -> dict[str, Any]:
    """What Slack sends for an input nobody touched: its initial value."""
    kind = element["type"]
    if kind == "users_select":
        return {"type": kind, "selected_user": element.get("initial_user")}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date")}
    if kind in {"radio_buttons", "static_select"}:
        return {"type": kind, "selected_option": element.get("initial_option")}
    return {"type": kind, "value": element.get("initial_value")}


def _values(view: dict[str, Any], **typed: str) -> dict[str, dict[str, Any]]:
    """The modal's state as submitted: every input as drafted, except what `typed` changes."""
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        state = _state(element)
        if block["block_id"] in typed:
            state["value"] = typed[block["block_id"]]
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def _input(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    element: dict[str, Any] = block["element"]
    return element


def _objectives(engine: Engine) -> list[Objective]:
    return rows(engine, Objective)


# ---- Must show 2 ----------------------------------------------------------------------------
def test_a_red_kpi_in_the_digest_becomes_a_fix_okr_and_a_second_click_shows_it(
    bot: RunningBot,
) -> None:
    """Red in the digest → draft naming the KPI, 6.1 and 7 → submit → aligned objective, a
    threaded note, "fix in progress" and "View fix-OKR" in the digest → a second click shows
    the fix and creates nothing."""
    engine = bot.deps.engine
    _, _, conversion = _marketing(engine)
    bot.slack.command("/kpi", "digest", channel="C_MARKETING")
    button = _red_block(bot.fake.wait_for("chat.postMessage"))["accessory"]
    assert button["text"]["text"] == "Create OKR to fix this KPI"

    draft = _click(bot, int(button["value"]), channel="C_MARKETING", message_ts=DIGEST_TS)
    assert draft["callback_id"] == FIX_CALLBACK
    words = text_of(draft["blocks"])
    assert "*Website conversion rate* is red: *6.1 %* against a target of *≥ 7 %*" in words
    assert "Improves KPI: *Website conversion rate*" in words
    assert "_Suggested_ — keep, edit or clear the title to drop it" in words
    assert _input(draft, "title")["initial_value"] == FIX_TITLE
    assert _input(draft, "owner")["initial_user"] == "U_ALICE"
    assert _input(draft, "period_end")["initial_date"] == "2027-01-11"
    assert (
        _input(draft, "kr0_start")["initial_value"],
        _input(draft, "kr0_target")["initial_value"],
    ) == ("6.1", "7")
    assert "kr0_kind" not in {b.get("block_id") for b in draft["blocks"]}  # KR 1 follows the KPI

    answer = bot.slack.view_submission(draft, _values(draft)).json()
    assert answer["response_action"] == "update"
    assert answer["view"]["callback_id"] == VIEW_FIX_CALLBACK
    assert "Created" in text_of(answer["view"]["blocks"])
    [objective] = _objectives(engine)
    assert (objective.title, objective.aligned_kpi_id) == (FIX_TITLE, conversion)
    linked = [kr for kr in rows(engine, KeyResult) if kr.position == 0]
    assert [(kr.kpi_id, kr.start_value, kr.target_value) for kr in linked] == [(conversion, 6.1, 7)]
    assert len(rows(engine, KeyResult)) == 3
    assert {entry.entity for entry in rows(engine, AuditEntry)} == {"objective", "keyresult"}

    note = bot.fake.wait_for("chat.postMessage", count=2)[1]
    assert (note.args["channel"], note.args["thread_ts"]) == ("C_MARKETING", DIGEST_TS)
    assert note.args["text"] == (
        f"🛠 <@U_ALICE> started a fix-OKR for *Website conversion rate*: *{FIX_TITLE}*"
    )

    bot.slack.command("/kpi", "digest", channel="C_MARKETING")
    again = _red_block(bot.fake.wait_for("chat.postMessage", count=3)[2:])
    assert "🔴 🛠 fix in progress *Website conversion rate*" in again["text"]["text"]
    assert f"Fix in progress: *{FIX_TITLE}*" in again["text"]["text"]
    assert again["accessory"]["text"]["text"] == "View fix-OKR"

    shown_fix = _click(bot, conversion, channel="C_MARKETING", message_ts=DIGEST_TS)
    assert shown_fix["callback_id"] == VIEW_FIX_CALLBACK
    assert FIX_TITLE in text_of(shown_fix["blocks"])
    assert "<@U_ALICE>" in text_of(shown_fix["blocks"])
    assert "Run 3 experiments to raise website conversion rate" in text_of(shown_fix["blocks"])
    assert len(_objectives(engine)) == 1


def test_two_people_submitting_two_drafts_at_once_create_one_fix(
    empty_database_url: str, fake_slack: FakeSlack, clock: TestClock
) -> None:
    """Alice and Bob each open a draft and submit together: one objective; the other is shown
    it; one note in the channel."""
    with running_bot(empty_database_url, fake_slack, clock) as bot:
        _, _, conversion = _marketing(bot.deps.engine)
        drafts = {
            user: _click(bot, conversion, user=user, channel="C_MARKETING", message_ts=DIGEST_TS)
            for user in ("U_ALICE", "U_BOB")
        }
        together = threading.Barrier(2)
        answers: dict[str, dict[str, Any]] = {}

        def submit(user: str) -> None:
            values = _values(drafts[user], title=f"{FIX_TITLE}, by {user}")
            together.wait()
            answers[user] = bot.slack.view_submission(drafts[user], values, user=user).json()

        threads = [threading.Thread(target=submit, args=(user,)) for user in drafts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        [objective] = _objectives(bot.deps.engine)
        assert objective.aligned_kpi_id == conversion
        texts = sorted(text_of(answer["view"]["blocks"]) for answer in answers.values())
        assert all(objective.title in text for text in texts)
        assert ["Created" in text for text in texts].count(True) == 1
        assert ["nothing new was created" in text for text in texts].count(True) == 1
        [note] = bot.fake.wait_for("chat.postMessage")
        assert objective.title in note.args["text"]


# ---- around it ------------------------------------------------------------------------------
def test_from_app_home_the_note_goes_to_the_areas_channel_and_home_shows_the_fix(
    bot: RunningBot,
) -> None:
    """No message to thread under: the area's channel hears of it; the tab is published again
    with "View fix-OKR" instead of the create button."""
    _, _, conversion = _marketing(bot.deps.engine)
    bot.open_home()
    home = {"type": "home", "id": "V_HOME", "hash": "hash-home", "blocks": []}
    draft = _click(bot, conversion, view=home, container_type="view")
    assert bot.slack.view_submission(draft, _values(draft)).json()["response_action"] == "update"
    [note] = bot.fake.wait_for("chat.postMessage")
    assert note.args["channel"] == "C_MARKETING"
    assert "thread_ts" not in note.args
    assert "started a fix-OKR for *Website conversion rate*" in note.args["text"]
    published = bot.fake.wait_for("views.publish", count=2)[-1]
    assert published.args["user_id"] == "U_ALICE"
    tab = json.dumps(published.args["view"], ensure_ascii=False)
    assert "View fix-OKR" in tab
    assert "Create OKR to fix this KPI" not in tab


def test_bad_fields_get_inline_errors_and_nothing_is_written(bot: RunningBot) -> None:
    _, _, conversion = _marketing(bot.deps.engine)
    draft = _click(bot, conversion, channel="C_MARKETING", message_ts=DIGEST_TS)
    answer = bot.slack.view_submission(
        draft, _values(draft, title="", kr0_target="abc", kr2_start="NaN")
    ).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"title", "kr0_target", "kr2_start"}
    assert "“abc” is not a number" in answer["errors"]["kr0_target"]
    assert _objectives(bot.deps.engine) == []
    assert rows(bot.deps.engine, AuditEntry) == []
    assert bot.fake.calls_to("chat.postMessage") == []


def test_a_kpi_of_another_workspace_or_archived_opens_a_modal_saying_so(bot: RunningBot) -> None:
    """A forged button value shows nothing of the other workspace, and creates nothing."""
    _, _, conversion = _marketing(bot.deps.engine)
    other = seed.workspace(bot.deps.engine, "T_OTHER")
    their_area = seed.area(bot.deps.engine, other, "Theirs", channel="C_THEIRS")
    theirs = seed.kpi(bot.deps.engine, other, their_area, "Their secret KPI", values={THIS_WEEK: 1})
    gone = _click(bot, theirs, channel="C_MARKETING")
    assert "no longer exists" in text_of(gone["blocks"])
    assert "Their secret KPI" not in json.dumps(gone)

    draft = _click(bot, conversion, channel="C_MARKETING")
    with Session(bot.deps.engine) as session:
        kpi = session.get(Kpi, conversion)
        assert kpi is not None
        kpi.archived_at = bot.deps.clock()
        session.add(kpi)
        session.commit()
    answer = bot.slack.view_submission(draft, _values(draft)).json()
    assert "no longer exists" in text_of(answer["view"]["blocks"])
    assert _objectives(bot.deps.engine) == []


def test_kpi_list_show_and_home_offer_the_fix_then_show_it_in_progress(bot: RunningBot) -> None:
    """Every surface: "Create OKR to fix this KPI" under the red KPI; once a fix is open,
    "fix in progress" by its colour and "View fix-OKR"."""
    _, _, conversion = _marketing(bot.deps.engine)

    def surfaces() -> dict[str, str]:
        listed = bot.slack.command("/kpi", "list", channel="C_MARKETING").json()
        detail = bot.slack.command("/kpi", "show conversion", channel="C_MARKETING").json()
        published = len(bot.fake.calls_to("views.publish"))
        bot.slack.event({"type": "app_home_opened", "user": "U_ALICE", "tab": "home"})
        home = bot.fake.wait_for("views.publish", count=published + 1)[published].args["view"]
        return {
            "list": json.dumps(listed["blocks"], ensure_ascii=False),
            "show": json.dumps(detail["blocks"], ensure_ascii=False),
            "home": json.dumps(home["blocks"], ensure_ascii=False),
        }

    for where, blocks in surfaces().items():
        assert "Create OKR to fix this KPI" in blocks, where
        assert "fix in progress" not in blocks, where
    draft = _click(bot, conversion, channel="C_MARKETING")
    bot.slack.view_submission(draft, _values(draft))
    for where, blocks in surfaces().items():
        assert "🔴 🛠 fix in progress *Website conversion rate*" in blocks, where
        assert "View fix-OKR" in blocks, where
        assert "Create OKR to fix this KPI" not in blocks, where


def test_only_a_shared_message_is_threaded_under() -> None:
    """A digest message gets a thread; an ephemeral `/kpi list` answer only its channel; the
    Home tab neither."""
    message = {"type": "message", "channel_id": "C_MARKETING", "message_ts": DIGEST_TS}
    assert origin_of({"container": message}) == Origin("C_MARKETING", DIGEST_TS)
    ephemeral = {**message, "is_ephemeral": True}
    assert origin_of({"container": ephemeral}) == Origin("C_MARKETING", "")
    assert origin_of({"container": {"type": "view", "view_id": "V1"}}) == Origin()
