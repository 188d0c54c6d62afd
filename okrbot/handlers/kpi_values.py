"""Recording a KPI's value: one per period, in the area's time zone; a new one replaces it.

The replaced value is kept in the audit log (before/after), so history is never lost.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from okrbot.handlers.invalid import InvalidInputError
from okrbot.handlers.kpis import kpi_with_area
from okrbot.handlers.numbers import InvalidNumberError, parse_number
from okrbot.handlers.periods import local_date, period_start
from okrbot.handlers.permissions import Actor, NotAllowedError, kpi_deciders, may_record_value
from okrbot.storage import audit
from okrbot.storage.kpis import insert_value_if_absent, value_for_period
from okrbot.storage.models import Area, Kpi, KpiValue, ValueSource

NOTE_LIMIT = 2000


@dataclass(frozen=True)
class Recorded:
    kpi: Kpi
    value: KpiValue
    period_start: date
    replaced: float | None  # the value this one replaced in the same period, if any


def recordable_kpi(
    session: Session, *, workspace_id: int, kpi_id: int, actor: Actor
) -> tuple[Kpi, Area]:
    """The active KPI and its area, if `actor` may record its value."""
    kpi, area = kpi_with_area(session, workspace_id=workspace_id, kpi_id=kpi_id, active=True)
    if not may_record_value(actor, owner_id=kpi.owner_id, area=area):
        doing = f"record values of “{kpi.name}”"
        raise NotAllowedError(kpi_deciders(doing, owner_id=kpi.owner_id, area=area))
    return kpi, area


def record_value(
    session: Session,
    *,
    workspace_id: int,
    kpi_id: int,
    actor: Actor,
    text: str,
    note: str,
    now: datetime,
    source: ValueSource = ValueSource.SLACK,
) -> Recorded:
    """Store `text` as this period's value. InvalidInputError ("value", "note") writes nothing."""
    kpi, area = recordable_kpi(session, workspace_id=workspace_id, kpi_id=kpi_id, actor=actor)
    errors: dict[str, str] = {}
    number = 0.0
    try:
        number = parse_number(text)
    except InvalidNumberError as error:
        errors["value"] = str(error)
    if len(note.strip()) > NOTE_LIMIT:
        errors["note"] = f"Keep the note to {NOTE_LIMIT} characters (it has {len(note.strip())})."
    if errors:
        raise InvalidInputError(errors)
    start = period_start(kpi.cadence, local_date(now, area.timezone))
    inserted = insert_value_if_absent(
        session,
        workspace_id=workspace_id,
        kpi_id=kpi_id,
        period_start=start,
        value=number,
        author_id=actor.user_id,
        note=note.strip(),
        source=source,
        at=now,
    )
    row = value_for_period(session, workspace_id=workspace_id, kpi_id=kpi_id, period_start=start)
    assert row is not None
    assert row.id is not None
    before = None if inserted else audit.snapshot(row)
    if not inserted:
        row.value, row.author_id, row.note = number, actor.user_id, note.strip()
        row.source, row.recorded_at = source, now
        session.add(row)
        session.flush()
    audit.record(
        session,
        workspace_id=workspace_id,
        actor_id=actor.user_id,
        entity="kpi_value",
        entity_id=row.id,
        action="recorded" if inserted else "replaced",
        at=now,
        before=before,
        after=audit.snapshot(row),
    )
    return Recorded(
        kpi=kpi,
        value=row,
        period_start=start,
        replaced=None if before is None else float(before["value"]),
    )
