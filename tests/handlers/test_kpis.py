"""KPI use cases: views in attention order, finding by name, creating, editing, permissions."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from okrbot.handlers.health import Status
from okrbot.handlers.invalid import InvalidInputError
from okrbot.handlers.kpi_forms import KpiForm, create_kpi, edit_kpi
from okrbot.handlers.kpi_values import record_value
from okrbot.handlers.kpis import archive_kpi, find_kpi, kpi_views
from okrbot.handlers.permissions import Actor, NotAllowedError
from okrbot.storage import audit
from okrbot.storage.db import session_scope
from okrbot.storage.kpis import get_kpi, latest_values
from okrbot.storage.models import Area, Kpi, TargetType
from tests.kpi_factories import NOW, add_values, make_area, make_kpi

MONDAY = date(2026, 11, 30)
OWNER = Actor("U_OWNER", is_admin=False)
LEAD = Actor("U_LEAD", is_admin=False)
ADMIN = Actor("U_ADMIN", is_admin=True)
STRANGER = Actor("U_STRANGER", is_admin=False)


@pytest.fixture
def session(sqlite_engine: Engine) -> Iterator[Session]:
    with session_scope(sqlite_engine) as s:
        yield s


@pytest.fixture
def area(session: Session) -> Area:
    return make_area(session)


def weeks_ago(n: int) -> date:
    return MONDAY - timedelta(weeks=n)


# ---- views -----------------------------------------------------------------------------------
def test_views_come_red_watch_stale_no_data_healthy_then_by_name(
    session: Session, area: Area
) -> None:
    fine = make_kpi(session, area, name="B fine")
    add_values(session, fine, (MONDAY, 8.0))
    also_fine = make_kpi(session, area, name="A fine")
    add_values(session, also_fine, (MONDAY, 8.0))
    make_kpi(session, area, name="Empty")
    stale = make_kpi(session, area, name="Stale")
    add_values(session, stale, (weeks_ago(3), 8.0))
    watch = make_kpi(session, area, name="Watch", warning_margin=1.0)
    add_values(session, watch, (MONDAY, 7.5))
    red = make_kpi(session, area, name="Red")
    add_values(session, red, (MONDAY, 6.0))

    views = kpi_views(session, workspace_id=area.workspace_id, now=NOW)

    assert [v.kpi.name for v in views] == ["Red", "Watch", "Stale", "Empty", "A fine", "B fine"]
    assert [v.health.status for v in views][:2] == [Status.UNHEALTHY, Status.WATCH]
    assert views[2].health.stale


def test_a_view_has_the_latest_value_the_change_and_a_sparkline(
    session: Session, area: Area
) -> None:
    kpi = make_kpi(session, area)
    add_values(session, kpi, (weeks_ago(2), 7.0), (weeks_ago(1), 7.4), (MONDAY, 6.1))

    (view,) = kpi_views(session, workspace_id=area.workspace_id, now=NOW)

    assert view.latest is not None
    assert view.latest.value == 6.1
    assert view.change == pytest.approx(-1.3)
    assert view.history == (None,) * 9 + (7.0, 7.4, 6.1)
    assert view.sparkline == "▆█▁"
    assert view.area.name == "Marketing"


def test_no_change_is_claimed_across_a_missing_period(session: Session, area: Area) -> None:
    kpi = make_kpi(session, area)
    add_values(session, kpi, (weeks_ago(2), 7.0), (MONDAY, 6.1))
    (view,) = kpi_views(session, workspace_id=area.workspace_id, now=NOW)
    assert view.change is None
    assert view.sparkline == "█·▁"


def test_views_filter_by_area_and_ids_and_hide_archived(session: Session, area: Area) -> None:
    sales = make_area(session, name="Sales", channel_id="C_SALES")
    mine = make_kpi(session, area, name="Mine")
    make_kpi(session, sales, name="Theirs")
    make_kpi(session, area, name="Archived", archived_at=NOW)
    workspace_id = area.workspace_id

    by_area = kpi_views(session, workspace_id=workspace_id, now=NOW, area_id=area.id)
    by_ids = kpi_views(session, workspace_id=workspace_id, now=NOW, kpi_ids=[mine.id or 0])
    everything = kpi_views(session, workspace_id=workspace_id, now=NOW, include_archived=True)

    assert [v.kpi.name for v in by_area] == ["Mine"]
    assert [v.kpi.name for v in by_ids] == ["Mine"]
    assert sorted(v.kpi.name for v in everything) == ["Archived", "Mine", "Theirs"]


def test_views_never_show_another_workspaces_kpis(session: Session, area: Area) -> None:
    other = make_area(session, team="T_OTHER")
    theirs = make_kpi(session, other, name="Theirs")
    views = kpi_views(session, workspace_id=area.workspace_id, now=NOW, kpi_ids=[theirs.id or 0])
    assert views == []


def test_each_kpi_is_judged_on_its_areas_date(session: Session) -> None:
    """On Sunday 23:30 UTC it is already Monday in Tokyo, where last week's value has become
    the week before last's (stale); in Los Angeles it is still fresh."""
    tokyo = make_area(session, name="Tokyo", channel_id="C_TOKYO", timezone="Asia/Tokyo")
    la = make_area(session, name="LA", channel_id="C_LA", timezone="America/Los_Angeles")
    for area in (tokyo, la):
        kpi = make_kpi(session, area, name=area.name)
        add_values(session, kpi, (weeks_ago(1), 8.0))
    sunday_night = NOW + timedelta(days=6, hours=13, minutes=30)  # Sunday 23:30 UTC
    views = kpi_views(session, workspace_id=tokyo.workspace_id, now=sunday_night)
    stale = {v.kpi.name: v.health.stale for v in views}
    assert stale == {"Tokyo": True, "LA": False}


@contextmanager
def counting_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements_for(engine: Engine, kpis: int) -> int:
    with session_scope(engine) as session:
        area = make_area(session, team=f"T_{kpis}")
        for number in range(kpis):
            kpi = make_kpi(session, area, name=f"KPI {number:04d}")
            add_values(session, kpi, (MONDAY, float(number)), (weeks_ago(1), 1.0))
        workspace_id = area.workspace_id
    with session_scope(engine) as session, counting_statements(engine) as statements:
        views = kpi_views(session, workspace_id=workspace_id, now=NOW)
    assert len(views) == kpis
    return len(statements)


def test_views_take_the_same_number_of_statements_for_10_and_1000_kpis(
    sqlite_engine: Engine,
) -> None:
    """Areas, KPIs and values are each fetched in one statement, however many KPIs there are."""
    assert _statements_for(sqlite_engine, 10) == _statements_for(sqlite_engine, 1000)


# ---- finding ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Website conversion rate", "Website conversion rate"),
        ("website CONVERSION rate", "Website conversion rate"),
        ("sign", "Signups"),  # prefix
        ("conversion", "Website conversion rate"),  # contains
        ("singups", "Signups"),  # a typo
        ("churn", None),
        ("", None),
        ("Archived", None),
    ],
)
def test_find_kpi_by_name(session: Session, area: Area, typed: str, found: str | None) -> None:
    for name in ("Website conversion rate", "Signups", "Signups by referral"):
        make_kpi(session, area, name=name)
    make_kpi(session, area, name="Archived", archived_at=NOW)
    kpi = find_kpi(session, workspace_id=area.workspace_id, text=typed)
    assert (kpi.name if kpi else None) == found


# ---- creating and editing --------------------------------------------------------------------
def form(area: Area, **fields: Any) -> KpiForm:
    values: dict[str, Any] = {
        "name": "Website conversion rate",
        "area_id": area.id,
        "owner_id": "U_OWNER",
        "target_type": "at_least",
        "target": "7",
        "unit_kind": "percent",
        **fields,
    }
    return KpiForm(**values)


def test_creating_a_kpi_writes_it_and_an_audit_entry(session: Session, area: Area) -> None:
    kpi = create_kpi(session, workspace_id=area.workspace_id, actor=OWNER, form=form(area), now=NOW)
    assert (kpi.name, kpi.target_type, kpi.target, kpi.unit_kind) == (
        "Website conversion rate",
        TargetType.AT_LEAST,
        7.0,
        "percent",
    )
    entries = audit.history(
        session, workspace_id=area.workspace_id, entity="kpi", entity_id=kpi.id or 0
    )
    assert [e.action for e in entries] == ["created"]


INVALID_FORMS = [
    pytest.param({"name": "   "}, "name", id="an empty name"),
    pytest.param({"name": "x" * 151}, "name", id="a name over 150 characters"),
    pytest.param({"target": "abc"}, "target", id="a target that is not a number"),
    pytest.param({"target": "NaN"}, "target", id="a NaN target"),
    pytest.param({"target": "1e999"}, "target", id="an infinite target"),
    pytest.param(
        {"target_type": "between", "target": "5", "target_high": "3"},
        "target_high",
        id="a range whose low end is above its high end",
    ),
    pytest.param(
        {"target_type": "between", "target_high": ""},
        "target_high",
        id="a range without a high end",
    ),
    pytest.param(
        {
            "target_type": "increase_to",
            "target": "10",
            "baseline": "5",
            "target_date": date(2026, 11, 1),
        },
        "target_date",
        id="an increase by a date in the past",
    ),
    pytest.param(
        {
            "target_type": "increase_to",
            "target": "10",
            "baseline": "5",
            "target_date": date(2026, 11, 30),
        },
        "target_date",
        id="an increase by today",
    ),
    pytest.param(
        {
            "target_type": "decrease_to",
            "target": "10",
            "baseline": "5",
            "target_date": date(2027, 3, 31),
        },
        "target",
        id="a decrease to above its start",
    ),
    pytest.param({"warning_margin": "-1"}, "warning_margin", id="a negative margin"),
    pytest.param(
        {"unit_kind": "currency", "unit_label": ""}, "unit_label", id="a currency without its code"
    ),
    pytest.param({"area_id": 9999}, "area_id", id="an area of another workspace"),
    pytest.param(
        {"source_url": "javascript:alert(1)"}, "source_url", id="a link that is not a web address"
    ),
    pytest.param(
        {"source_url": "https://bi.example.com/x|<!channel>"},
        "source_url",
        id="a link that would break out of Slack's <url|label>",
    ),
    pytest.param({"red_after_periods": "0"}, "red_after_periods", id="red after zero periods"),
]


@pytest.mark.parametrize(("fields", "field"), INVALID_FORMS)
def test_an_invalid_field_is_named_and_nothing_is_written(
    session: Session, area: Area, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        create_kpi(
            session, workspace_id=area.workspace_id, actor=ADMIN, form=form(area, **fields), now=NOW
        )
    assert field in raised.value.errors
    assert raised.value.errors[field].endswith(".")
    assert session.exec(Kpi.__table__.select()).all() == []  # type: ignore[attr-defined]


def test_a_duplicate_name_is_refused_whatever_its_case(session: Session, area: Area) -> None:
    make_kpi(session, area, name="Signups")
    with pytest.raises(InvalidInputError) as raised:
        create_kpi(
            session,
            workspace_id=area.workspace_id,
            actor=OWNER,
            form=form(area, name="SIGNUPS"),
            now=NOW,
        )
    assert "already exists" in raised.value.errors["name"]


def test_an_increase_is_judged_against_a_line_starting_today(session: Session, area: Area) -> None:
    fields = {
        "target_type": "increase_to",
        "target": "10",
        "baseline": "5",
        "target_date": date(2027, 3, 31),
    }
    kpi = create_kpi(
        session, workspace_id=area.workspace_id, actor=OWNER, form=form(area, **fields), now=NOW
    )
    assert (kpi.baseline, kpi.baseline_date, kpi.target_date) == (5.0, MONDAY, date(2027, 3, 31))


def test_only_leads_and_admins_create_a_kpi_for_someone_else(session: Session, area: Area) -> None:
    someone_else = form(area, owner_id="U_SOMEONE")
    with pytest.raises(InvalidInputError) as raised:
        create_kpi(
            session, workspace_id=area.workspace_id, actor=STRANGER, form=someone_else, now=NOW
        )
    assert "owner_id" in raised.value.errors
    kpi = create_kpi(
        session, workspace_id=area.workspace_id, actor=LEAD, form=someone_else, now=NOW
    )
    assert kpi.owner_id == "U_SOMEONE"


@pytest.mark.parametrize("actor", [OWNER, LEAD, ADMIN], ids=["owner", "lead", "admin"])
def test_owner_lead_and_admin_may_edit(session: Session, area: Area, actor: Actor) -> None:
    kpi = make_kpi(session, area)
    edited = edit_kpi(
        session,
        workspace_id=area.workspace_id,
        kpi_id=kpi.id or 0,
        actor=actor,
        form=form(area, target="7.5"),
        now=NOW,
    )
    assert edited.target == 7.5
    entries = audit.history(
        session, workspace_id=area.workspace_id, entity="kpi", entity_id=kpi.id or 0
    )
    assert [(e.action, (e.before or {})["target"], (e.after or {})["target"]) for e in entries] == [
        ("edited", 7.0, 7.5)
    ]


def test_anyone_else_is_refused_and_told_who_can(session: Session, area: Area) -> None:
    kpi = make_kpi(session, area)
    with pytest.raises(NotAllowedError) as raised:
        edit_kpi(
            session,
            workspace_id=area.workspace_id,
            kpi_id=kpi.id or 0,
            actor=STRANGER,
            form=form(area, target="1"),
            now=NOW,
        )
    who = raised.value.who_can
    assert (who.owner_id, who.area_name, who.lead_ids) == ("U_OWNER", "Marketing", ("U_LEAD",))
    assert get_kpi(session, workspace_id=area.workspace_id, kpi_id=kpi.id or 0).target == 7.0  # type: ignore[union-attr]


def test_archiving_keeps_the_history_and_hides_the_kpi(session: Session, area: Area) -> None:
    kpi = make_kpi(session, area)
    add_values(session, kpi, (MONDAY, 7.0))
    assert archive_kpi(
        session, workspace_id=area.workspace_id, kpi_id=kpi.id or 0, actor=OWNER, now=NOW
    )
    assert not archive_kpi(
        session, workspace_id=area.workspace_id, kpi_id=kpi.id or 0, actor=OWNER, now=NOW
    )
    assert kpi_views(session, workspace_id=area.workspace_id, now=NOW) == []
    assert latest_values(session, workspace_id=area.workspace_id, include_archived=True)
    with pytest.raises(NotAllowedError):
        archive_kpi(
            session, workspace_id=area.workspace_id, kpi_id=kpi.id or 0, actor=STRANGER, now=NOW
        )


# ---- recording values ------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["abc", "NaN", "1e999", "inf", ""])
def test_a_value_that_is_not_a_number_is_refused(session: Session, area: Area, text: str) -> None:
    kpi = make_kpi(session, area)
    with pytest.raises(InvalidInputError) as raised:
        record_value(
            session,
            workspace_id=area.workspace_id,
            kpi_id=kpi.id or 0,
            actor=OWNER,
            text=text,
            note="",
            now=NOW,
        )
    assert set(raised.value.errors) == {"value"}
    assert latest_values(session, workspace_id=area.workspace_id) == {}


@pytest.mark.parametrize(
    ("actor", "allowed"), [(OWNER, True), (LEAD, True), (ADMIN, True), (STRANGER, False)]
)
def test_who_may_record_a_value(session: Session, area: Area, actor: Actor, allowed: bool) -> None:
    """The owner and the area's leads may record; admins too; anyone else is refused."""
    kpi = make_kpi(session, area)
    try:
        record_value(
            session,
            workspace_id=area.workspace_id,
            kpi_id=kpi.id or 0,
            actor=actor,
            text="7",
            note="",
            now=NOW,
        )
    except NotAllowedError:
        assert not allowed
    else:
        assert allowed
