"""`/okr checkin` over signed HTTP: the modal, the check-in, the channel thread, the rules."""

import json
import threading
from typing import TYPE_CHECKING, Any

import pytest

from okrbot.bot.slack.blocks.buttons import CHECKIN_BUTTON
from okrbot.bot.slack.blocks.checkin import PICK_ACTION
from okrbot.bot.slack.blocks.okr_new import ADD_KR_ACTION
from okrbot.storage.models import ChannelThread, CheckIn, KeyResult, Objective
from tests import okr_factories as seed
from tests.bot.okr_helpers import (
    checkin_values,
    chosen,
    eventually,
    metadata,
    next_view,
    picked,
    text_of,
    typed,
)
from tests.conftest import RunningBot, TestClock

if TYPE_CHECKING:
    import httpx


def open_checkin(bot: RunningBot, text: str = "", *, user: str = "U_ALICE") -> dict[str, Any]:
    """`/okr checkin [text]`: the modal opens at once, then fills with the key results."""
    updates = len(bot.fake.calls_to("views.update"))
    opens = len(bot.fake.calls_to("views.open"))
    response = bot.slack.command("/okr", f"checkin {text}".strip(), user=user)
    assert response.status_code == 200
    bot.fake.wait_for("views.open", count=opens + 1)
    return next_view(bot.fake, "views.update", updates)


def pick(
    bot: RunningBot, view: dict[str, Any], kr_id: int, *, user: str = "U_ALICE"
) -> dict[str, Any]:
    updates = len(bot.fake.calls_to("views.update"))
    response = bot.slack.block_action(
        PICK_ACTION,
        selected_option=picked(kr_id),
        action_type="static_select",
        block_id="kr_pick",
        view=view,
        user=user,
    )
    assert response.status_code == 200
    return next_view(bot.fake, "views.update", updates)


def picker_values(view: dict[str, Any]) -> list[str]:
    accessory = next(b for b in view["blocks"] if b.get("block_id") == "kr_pick")["accessory"]
    return [o["value"] for group in accessory.get("option_groups", []) for o in group["options"]]


def checkins(bot: RunningBot) -> list[CheckIn]:
    return seed.rows(bot.deps.engine, CheckIn)


@pytest.fixture
def acme(bot: RunningBot) -> tuple[int, int]:
    """The test team with a Marketing area whose channel is #marketing."""
    workspace_id = seed.workspace(bot.deps.engine)
    return workspace_id, seed.area(bot.deps.engine, workspace_id, leads=["U_ADMIN"])


# ---- the whole loop -----------------------------------------------------------------------
def create_objective_with_two_krs(bot: RunningBot, area_id: int) -> None:
    opens = len(bot.fake.calls_to("views.open"))
    assert bot.slack.command("/okr", "new", channel="C_MARKETING").status_code == 200
    form = next_view(bot.fake, "views.open", opens)
    updates = len(bot.fake.calls_to("views.update"))
    bot.slack.block_action(ADD_KR_ACTION, value="2", block_id="kr_add", view=form)
    form = next_view(bot.fake, "views.update", updates)
    answer = bot.slack.view_submission(
        form,
        {
            "title": typed("Grow signups"),
            "area": chosen(str(area_id), kind="static_select"),
            "owner": {"input": {"type": "users_select", "selected_user": "U_ALICE"}},
            "kr0_title": typed("Raise trial-to-paid"),
            "kr0_kind": chosen("metric"),
            "kr0_start": typed("5"),
            "kr0_target": typed("10"),
            "kr0_unit": typed("%"),
            "kr1_title": typed("Weekly signups"),
            "kr1_kind": chosen("metric"),
            "kr1_start": typed("200"),
            "kr1_target": typed("400"),
        },
    ).json()
    assert answer["response_action"] == "update", answer


def test_new_objective_checkin_and_a_threaded_update_end_to_end(
    bot: RunningBot, acme: tuple[int, int], clock: TestClock
) -> None:
    """/okr new with two KRs → /okr checkin → pick → submit 6.5, needs attention, a comment:
    stored, the new progress shown, one update in #marketing; the week's second check-in
    replies in the same thread."""
    _, area_id = acme
    create_objective_with_two_krs(bot, area_id)
    trial, signups = seed.rows(bot.deps.engine, KeyResult)

    picker = open_checkin(bot)
    assert picker_values(picker) == [str(trial.id), str(signups.id)]  # both hers; none picked
    details = pick(bot, picker, trial.id)
    assert "Raise trial-to-paid" in text_of(details)
    assert "5 % of 10 % (from 5 %)" in text_of(details)
    assert "░░░░░░░░░░ 0 %" in text_of(details)
    assert "No check-in yet." in text_of(details)

    comment = "Paid ads paused <!channel>\n\nback next week & more"
    answer = bot.slack.view_submission(details, checkin_values("6.5", "needs_attention", comment))
    body = answer.json()
    assert body["response_action"] == "update"
    assert "▓▓▓░░░░░░░ 30 %" in text_of(body["view"])
    assert "needs attention" in text_of(body["view"])

    (stored,) = checkins(bot)
    assert (stored.key_result_id, stored.value, stored.comment) == (trial.id, 6.5, comment)
    (posted,) = bot.fake.wait_for("chat.postMessage", count=1)
    assert posted.args["channel"] == "C_MARKETING"
    assert "thread_ts" not in posted.args
    assert "Grow signups" in text_of(posted.args["blocks"])
    assert "&lt;!channel&gt;" in text_of(posted.args["blocks"])
    assert "<!channel>" not in text_of(posted.args)

    clock.advance(days=2)
    details = pick(bot, open_checkin(bot), signups.id)
    assert "Last check-in" not in text_of(details)
    bot.slack.view_submission(details, checkin_values("260", "on_track"))
    _, reply = bot.fake.wait_for("chat.postMessage", count=2)
    (thread,) = seed.rows(bot.deps.engine, ChannelThread)
    assert reply.args["thread_ts"] == thread.message_ts
    assert reply.args["channel"] == "C_MARKETING"
    assert len(checkins(bot)) == 2


def test_the_first_check_in_of_the_next_week_starts_a_new_thread(
    bot: RunningBot, acme: tuple[int, int], clock: TestClock
) -> None:
    workspace_id, area_id = acme
    kr_id = seed.objective(bot.deps.engine, workspace_id, area_id).kr_ids[0]
    bot.slack.view_submission(open_checkin(bot), checkin_values("6"))
    bot.fake.wait_for("chat.postMessage", count=1)
    clock.advance(days=7)
    details = open_checkin(bot)
    assert metadata(details)["kr"] == kr_id  # the only one: picked already
    bot.slack.view_submission(details, checkin_values("7"))
    _, second = bot.fake.wait_for("chat.postMessage", count=2)
    assert "thread_ts" not in second.args
    assert len(seed.rows(bot.deps.engine, ChannelThread)) == 2


# ---- exactly once -------------------------------------------------------------------------
def test_the_same_view_submitted_twice_is_one_check_in(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    """Slack retrying, or a double click, answers as the first submit did and stores once."""
    workspace_id, area_id = acme
    seed.objective(bot.deps.engine, workspace_id, area_id)
    details = open_checkin(bot)
    first = bot.slack.view_submission(details, checkin_values("6.5"))
    second = bot.slack.view_submission(details, checkin_values("6.5"))
    assert first.json() == second.json()
    assert first.json()["response_action"] == "update"
    assert len(checkins(bot)) == 1
    bot.slack.view_submission(open_checkin(bot), checkin_values("7"))  # a new, real one
    posts = bot.fake.wait_for("chat.postMessage", count=2)
    assert ["thread_ts" in post.args for post in posts] == [False, True]  # the repeat posted none
    assert len(checkins(bot)) == 2


def test_two_simultaneous_submits_of_one_view_store_one_check_in(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    seed.objective(bot.deps.engine, workspace_id, area_id)
    details = open_checkin(bot)
    barrier = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def submit() -> None:
        barrier.wait()
        answers.append(bot.slack.view_submission(details, checkin_values("6.5")))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.json()["response_action"] for a in answers] == ["update", "update"]
    assert len(checkins(bot)) == 1


def test_closing_the_modal_writes_nothing(bot: RunningBot, acme: tuple[int, int]) -> None:
    workspace_id, area_id = acme
    seed.objective(bot.deps.engine, workspace_id, area_id)
    details = open_checkin(bot)
    assert bot.slack.view_closed(details).status_code == 200
    assert checkins(bot) == []
    (kr,) = seed.rows(bot.deps.engine, KeyResult)
    assert kr.current_value == 5.0


# ---- bad input and forged ids -------------------------------------------------------------
def test_abc_as_a_value_is_an_inline_error_and_nothing_is_stored(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    seed.objective(bot.deps.engine, workspace_id, area_id)
    answer = bot.slack.view_submission(open_checkin(bot), checkin_values("abc")).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"value"}
    assert "“abc” is not a number" in answer["errors"]["value"]
    assert checkins(bot) == []
    assert bot.fake.calls_to("chat.postMessage") == []


def theirs(bot: RunningBot) -> tuple[int, int]:
    """Another workspace's objective and key result, both owned by a U_ALICE of theirs."""
    other = seed.workspace(bot.deps.engine, seed.OTHER_TEAM)
    area_id = seed.area(bot.deps.engine, other, "Their secret area", channel="C_THEIRS")
    seeded = seed.objective(
        bot.deps.engine,
        other,
        area_id,
        "Their secret plan",
        krs=[seed.KrSpec("Their secret KR")],
    )
    return seeded.objective_id, seeded.kr_ids[0]


def test_a_forged_key_result_id_in_the_metadata_is_refused_and_nothing_stored(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    seed.objective(bot.deps.engine, workspace_id, area_id)
    _, their_kr = theirs(bot)
    details = open_checkin(bot)
    forged = {**details, "private_metadata": json.dumps({"kr": their_kr})}
    answer = bot.slack.view_submission(forged, checkin_values("6.5")).json()
    assert answer["response_action"] == "update"
    assert "can't find that key result" in text_of(answer["view"])
    assert checkins(bot) == []
    (their_kr_row, _) = sorted(
        seed.rows(bot.deps.engine, KeyResult), key=lambda k: k.id != their_kr
    )
    assert their_kr_row.current_value == 5.0
    for junk in ("not json", json.dumps({"kr": "1 OR 1=1"}), json.dumps([1])):
        answer = bot.slack.view_submission({**details, "private_metadata": junk}, checkin_values())
        assert answer.json()["response_action"] == "update"
    assert checkins(bot) == []


def test_a_forged_option_or_button_value_shows_nothing_of_another_workspace(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    seed.objective(bot.deps.engine, workspace_id, area_id, krs=[seed.KrSpec("a"), seed.KrSpec("b")])
    _, their_kr = theirs(bot)
    forged_pick = pick(bot, open_checkin(bot), their_kr)
    assert "Their secret" not in text_of(forged_pick)
    assert "can't find that key result" in text_of(forged_pick)

    updates = len(bot.fake.calls_to("views.update"))
    bot.slack.block_action(CHECKIN_BUTTON, value=str(their_kr), channel="C_GENERAL")
    from_button = next_view(bot.fake, "views.update", updates)
    assert "Their secret" not in text_of(from_button)
    assert "submit" not in from_button
    assert checkins(bot) == []


def test_someone_who_may_not_check_in_is_told_who_can(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    """Bob is neither the owner nor a lead: he is told to ask Alice or the lead, even when he
    submits a view he should never have had."""
    workspace_id, area_id = acme
    kr_id = seed.objective(bot.deps.engine, workspace_id, area_id, owner="U_ALICE").kr_ids[0]
    updates = len(bot.fake.calls_to("views.update"))
    bot.slack.block_action(CHECKIN_BUTTON, value=str(kr_id), channel="C_GENERAL", user="U_BOB")
    refused = next_view(bot.fake, "views.update", updates)
    assert "Only <@U_ALICE> or <@U_ADMIN> can check in" in text_of(refused)
    assert "submit" not in refused

    details = pick(bot, open_checkin(bot), kr_id)  # Alice's modal, submitted as Bob
    answer = bot.slack.view_submission(details, checkin_values("9"), user="U_BOB").json()
    assert answer["response_action"] == "update"
    assert "Only <@U_ALICE> or <@U_ADMIN>" in text_of(answer["view"])
    assert checkins(bot) == []


def test_the_areas_lead_may_check_in_on_anyones_key_result(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    kr_id = seed.objective(bot.deps.engine, workspace_id, area_id, owner="U_ALICE").kr_ids[0]
    details = open_checkin(bot, user="U_ADMIN")  # the only one in the lead's area: picked
    assert metadata(details)["kr"] == kr_id
    answer = bot.slack.view_submission(details, checkin_values("7", "on_track"), user="U_ADMIN")
    assert answer.json()["response_action"] == "update"
    (stored,) = checkins(bot)
    assert stored.author_id == "U_ADMIN"


# ---- picking ------------------------------------------------------------------------------
def test_the_typed_text_preselects_the_best_match(bot: RunningBot, acme: tuple[int, int]) -> None:
    workspace_id, area_id = acme
    seed.objective(
        bot.deps.engine,
        workspace_id,
        area_id,
        krs=[seed.KrSpec("Raise trial-to-paid"), seed.KrSpec("Double weekly signups")],
    )
    _, signups = seed.rows(bot.deps.engine, KeyResult)
    details = open_checkin(bot, "signups")
    assert metadata(details)["kr"] == signups.id
    accessory = next(b for b in details["blocks"] if b.get("block_id") == "kr_pick")["accessory"]
    assert accessory["initial_option"]["value"] == str(signups.id)
    assert "New value (%)" in text_of(details)
    nothing = open_checkin(bot, "payroll <b>")
    assert metadata(nothing)["kr"] is None
    assert "No key result matches “payroll &lt;b&gt;”" in text_of(nothing)


def test_the_check_in_button_opens_the_modal_with_its_key_result(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    """The button the digest, Home tab and reminders carry: its value picks the key result."""
    workspace_id, area_id = acme
    seeded = seed.objective(
        bot.deps.engine,
        workspace_id,
        area_id,
        krs=[seed.KrSpec("a"), seed.KrSpec("Ship it", milestone=True)],
    )
    seed.checkin(
        bot.deps.engine,
        workspace_id,
        seeded.kr_ids[1],
        value=None,
        author="U_BOB",
        comment="Almost",
    )
    updates = len(bot.fake.calls_to("views.update"))
    bot.slack.block_action(CHECKIN_BUTTON, value=str(seeded.kr_ids[1]), container_type="view")
    details = next_view(bot.fake, "views.update", updates)
    assert metadata(details)["kr"] == seeded.kr_ids[1]
    assert "Is it done?" in text_of(details)
    assert "Last check-in: <@U_BOB>" in text_of(details)
    assert "“Almost”" in text_of(details)
    answer = bot.slack.view_submission(
        details, {"done": chosen("done"), "confidence": chosen("on_track")}
    ).json()
    assert "▓▓▓▓▓▓▓▓▓▓ 100 %" in text_of(answer["view"])


def test_with_more_than_100_key_results_the_picker_searches_as_you_type(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    krs = [seed.KrSpec(f"Key result {number}") for number in range(101)]
    seed.objective(bot.deps.engine, workspace_id, area_id, krs=krs)
    picker = open_checkin(bot)
    accessory = next(b for b in picker["blocks"] if b.get("block_id") == "kr_pick")["accessory"]
    assert accessory["type"] == "external_select"
    answer = bot.slack.options(PICK_ACTION, "result 10", block_id="kr_pick", view=picker).json()
    labels = [o["text"]["text"] for group in answer["option_groups"] for o in group["options"]]
    assert labels == [f"Key result {n} (Grow signups)" for n in (10, 100)]


def test_someone_with_no_key_results_is_told_how_to_set_one(bot: RunningBot) -> None:
    view = open_checkin(bot)
    assert "no key results to check in on yet" in text_of(view)
    assert "/okr new" in text_of(view)
    assert seed.rows(bot.deps.engine, Objective) == []


# ---- the channel thread -------------------------------------------------------------------
def test_two_first_check_ins_at_once_make_one_thread(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    """Alice and the lead check in on the same objective at the same moment: one parent
    message, and the other update replies under it."""
    workspace_id, area_id = acme
    seeded = seed.objective(
        bot.deps.engine, workspace_id, area_id, krs=[seed.KrSpec("a"), seed.KrSpec("b")]
    )
    views = [pick(bot, open_checkin(bot), kr_id) for kr_id in seeded.kr_ids]
    barrier = threading.Barrier(2)

    def submit(view: dict[str, Any]) -> None:
        barrier.wait()
        bot.slack.view_submission(view, checkin_values("7", "on_track"))

    threads = [threading.Thread(target=submit, args=(view,)) for view in views]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    posts = bot.fake.wait_for("chat.postMessage", count=2)
    (thread_row,) = seed.rows(bot.deps.engine, ChannelThread)
    assert sorted(str(p.args.get("thread_ts")) for p in posts) == sorted(
        ["None", str(thread_row.message_ts)]
    )
    assert len(checkins(bot)) == 2


def test_when_the_bot_cannot_post_the_check_in_still_counts_and_the_next_one_retries(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    workspace_id, area_id = acme
    seeded = seed.objective(
        bot.deps.engine, workspace_id, area_id, krs=[seed.KrSpec("a"), seed.KrSpec("b")]
    )
    bot.fake.channels["C_MARKETING"].error = "not_in_channel"
    answer = bot.slack.view_submission(
        pick(bot, open_checkin(bot), seeded.kr_ids[0]), checkin_values()
    )
    assert answer.json()["response_action"] == "update"
    bot.fake.wait_for("chat.postMessage", count=1)
    assert len(checkins(bot)) == 1
    bot.fake.channels["C_MARKETING"].error = None  # someone invited the bot
    bot.slack.view_submission(pick(bot, open_checkin(bot), seeded.kr_ids[1]), checkin_values())
    _, parent = bot.fake.wait_for("chat.postMessage", count=2)
    assert "thread_ts" not in parent.args
    eventually(
        lambda: (
            [t.message_ts is not None for t in seed.rows(bot.deps.engine, ChannelThread)] == [True]
        )
    )
    (thread_row,) = seed.rows(bot.deps.engine, ChannelThread)
    assert thread_row.message_ts is not None


def test_a_check_in_refreshes_the_home_tab_of_who_checked_in(
    bot: RunningBot, acme: tuple[int, int]
) -> None:
    """A Home tab the person has opened shows the key result's new progress without being
    reopened."""
    workspace_id, area_id = acme
    seed.objective(bot.deps.engine, workspace_id, area_id)
    bot.open_home()
    bot.slack.view_submission(open_checkin(bot), checkin_values("6.5"))
    published = bot.fake.wait_for("views.publish", count=2)[-1]
    assert published.args["user_id"] == "U_ALICE"
    home = text_of(published.args["view"])
    assert "Raise trial-to-paid" in home
    assert "▓▓▓░░░░░░░ 30 %" in home  # 5 → 6.5 of 10: the progress after this check-in
