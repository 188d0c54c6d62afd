"""KPI value storage on SQLite and PostgreSQL: one per period, replacements audited, batches."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from okrbot.handlers.kpi_values import record_value
from okrbot.handlers.permissions import Actor
from okrbot.storage import audit
from okrbot.storage.db import session_scope
from okrbot.storage.kpis import latest_values, list_kpis, search_kpis
from okrbot.storage.models import KpiValue
from tests.kpi_factories import NOW, add_values, make_area, make_kpi

OWNER = Actor(user_id="U_OWNER", is_admin=False)


def test_recording_twice_in_a_period_replaces_and_the_audit_keeps_the_old(
    any_engine: Engine,
) -> None:
    """A second value in the same week replaces the first; the audit log has both."""
    with session_scope(any_engine) as session:
        kpi = make_kpi(session, make_area(session))
        workspace_id, kpi_id = kpi.workspace_id, kpi.id or 0
    for text in ("7.4", "7.9"):
        with session_scope(any_engine) as session:
            record_value(
                session,
                workspace_id=workspace_id,
                kpi_id=kpi_id,
                actor=OWNER,
                text=text,
                note="",
                now=NOW,
            )
    with session_scope(any_engine) as session:
        rows = list(session.exec(select(KpiValue)))
        assert [(r.period_start, r.value, r.source, r.author_id) for r in rows] == [
            (date(2026, 11, 30), 7.9, "slack", "U_OWNER")
        ]
        entries = audit.history(
            session, workspace_id=workspace_id, entity="kpi_value", entity_id=rows[0].id or 0
        )
        assert [e.action for e in entries] == ["recorded", "replaced"]
        assert entries[1].before is not None
        assert entries[1].after is not None
        assert (entries[1].before["value"], entries[1].after["value"]) == (7.4, 7.9)


def test_a_new_week_adds_a_value_and_keeps_the_old_one(any_engine: Engine) -> None:
    with session_scope(any_engine) as session:
        kpi = make_kpi(session, make_area(session))
        workspace_id, kpi_id = kpi.workspace_id, kpi.id or 0
    for text, now in (("7.4", NOW), ("6.1", NOW + timedelta(days=7))):
        with session_scope(any_engine) as session:
            record_value(
                session,
                workspace_id=workspace_id,
                kpi_id=kpi_id,
                actor=OWNER,
                text=text,
                note="",
                now=now,
            )
    with session_scope(any_engine) as session:
        values = latest_values(session, workspace_id=workspace_id)[kpi_id]
        assert [(v.period_start, v.value) for v in values] == [
            (date(2026, 11, 30), 7.4),
            (date(2026, 12, 7), 6.1),
        ]


def test_the_period_is_the_areas_week(any_engine: Engine) -> None:
    """Sunday 23:30 UTC is Monday in Berlin: the value lands in the Berlin week."""
    with session_scope(any_engine) as session:
        kpi = make_kpi(session, make_area(session, timezone="Europe/Berlin"))
        workspace_id, kpi_id = kpi.workspace_id, kpi.id or 0
    late_sunday = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    with session_scope(any_engine) as session:
        recorded = record_value(
            session,
            workspace_id=workspace_id,
            kpi_id=kpi_id,
            actor=OWNER,
            text="7",
            note="",
            now=late_sunday,
        )
    assert late_sunday.date() == date(2026, 12, 6)
    assert recorded.period_start == date(2026, 12, 7)


def test_latest_values_are_the_last_twelve_per_kpi_oldest_first(any_engine: Engine) -> None:
    """However old, each KPI's latest values come back, at most 12, and only this workspace's."""
    monday = date(2026, 11, 30)
    with session_scope(any_engine) as session:
        area = make_area(session)
        busy = make_kpi(session, area, name="Busy")
        old = make_kpi(session, area, name="Old")
        elsewhere = make_kpi(session, make_area(session, team="T_OTHER"), name="Elsewhere")
        add_values(session, busy, *[(monday - timedelta(weeks=w), float(w)) for w in range(20)])
        add_values(session, old, (monday - timedelta(weeks=52), 3.0))
        add_values(session, elsewhere, (monday, 1.0))
        workspace_id, ids = area.workspace_id, (busy.id, old.id, elsewhere.id)
    with session_scope(any_engine) as session:
        values = latest_values(session, workspace_id=workspace_id)
    assert set(values) == {ids[0], ids[1]}
    assert [v.value for v in values[ids[0] or 0]] == [float(w) for w in range(11, -1, -1)]
    assert [v.value for v in values[ids[1] or 0]] == [3.0]


def test_archived_kpis_are_left_out_unless_asked(any_engine: Engine) -> None:
    with session_scope(any_engine) as session:
        area = make_area(session)
        make_kpi(session, area, name="Kept")
        make_kpi(session, area, name="Gone", archived_at=NOW)
        workspace_id = area.workspace_id
    with session_scope(any_engine) as session:
        assert [k.name for k in list_kpis(session, workspace_id=workspace_id)] == ["Kept"]
        everything = list_kpis(session, workspace_id=workspace_id, include_archived=True)
        assert [k.name for k in everything] == ["Gone", "Kept"]


def test_search_matches_any_part_of_the_name_and_treats_wildcards_literally(
    any_engine: Engine,
) -> None:
    with session_scope(any_engine) as session:
        area = make_area(session)
        for name in ("Website conversion rate", "Signups", "100% uptime"):
            make_kpi(session, area, name=name)
        workspace_id = area.workspace_id
    with session_scope(any_engine) as session:
        found = search_kpis(session, workspace_id=workspace_id, text="CONVERSION")
        assert [k.name for k in found] == ["Website conversion rate"]
        assert [k.name for k in search_kpis(session, workspace_id=workspace_id, text="%")] == [
            "100% uptime"
        ]
