"""Rows for the OKR tests: areas, objectives, key results, check-ins, written straight."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, select

from okrbot.storage.db import session_scope
from okrbot.storage.models import (
    Area,
    CheckIn,
    Confidence,
    KeyResult,
    KeyResultKind,
    Kpi,
    KpiValue,
    Objective,
    ObjectiveStatus,
)
from okrbot.storage.workspaces import ensure_workspace

TEAM = "T_ACME"  # the team the signed test client speaks for
OTHER_TEAM = "T_OTHER"
CREATED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def workspace(engine: Engine, team: str = TEAM) -> int:
    with session_scope(engine) as session:
        return ensure_workspace(session, external_id=team)


def area(
    engine: Engine,
    workspace_id: int,
    name: str = "Marketing",
    *,
    channel: str | None = "C_MARKETING",
    leads: Sequence[str] = (),
    timezone: str = "Europe/Berlin",
) -> int:
    with session_scope(engine) as session:
        row = Area(
            workspace_id=workspace_id,
            name=name,
            channel_id=channel,
            timezone=timezone,
            leads=list(leads),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


@dataclass
class KrSpec:
    title: str
    owner: str = "U_ALICE"
    start: float | None = 5.0
    target: float | None = 10.0
    current: float | None = None
    unit: str = "%"
    milestone: bool = False
    kpi_id: int | None = None


@dataclass
class Seeded:
    objective_id: int
    kr_ids: list[int] = field(default_factory=list)


def objective(
    engine: Engine,
    workspace_id: int,
    area_id: int,
    title: str = "Grow signups",
    *,
    owner: str = "U_ALICE",
    krs: Sequence[KrSpec] = (KrSpec("Raise trial-to-paid"),),
    status: ObjectiveStatus = ObjectiveStatus.ACTIVE,
    created_at: datetime = CREATED,
    aligned_kpi_id: int | None = None,
) -> Seeded:
    with session_scope(engine) as session:
        row = Objective(
            workspace_id=workspace_id,
            area_id=area_id,
            title=title,
            owner_id=owner,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 12, 31),
            status=status,
            created_at=created_at,
            aligned_kpi_id=aligned_kpi_id,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        seeded = Seeded(objective_id=row.id)
        for position, spec in enumerate(krs):
            kr = KeyResult(
                workspace_id=workspace_id,
                objective_id=row.id,
                position=position,
                title=spec.title,
                owner_id=spec.owner,
                kind=KeyResultKind.MILESTONE if spec.milestone else KeyResultKind.METRIC,
                start_value=None if spec.milestone else spec.start,
                target_value=None if spec.milestone else spec.target,
                current_value=spec.current if spec.current is not None else spec.start,
                unit="" if spec.milestone else spec.unit,
                kpi_id=spec.kpi_id,
            )
            session.add(kr)
            session.flush()
            assert kr.id is not None
            seeded.kr_ids.append(kr.id)
        return seeded


def checkin(
    engine: Engine,
    workspace_id: int,
    kr_id: int,
    *,
    value: float | None = 6.0,
    confidence: Confidence = Confidence.ON_TRACK,
    author: str = "U_ALICE",
    comment: str = "",
    at: datetime = CREATED,
) -> None:
    with session_scope(engine) as session:
        session.add(
            CheckIn(
                workspace_id=workspace_id,
                key_result_id=kr_id,
                author_id=author,
                value=value,
                confidence=confidence,
                comment=comment,
                created_at=at,
            )
        )


def kpi(
    engine: Engine,
    workspace_id: int,
    area_id: int,
    name: str = "Conversion rate",
    *,
    values: dict[date, float] | None = None,
) -> int:
    with session_scope(engine) as session:
        row = Kpi(
            workspace_id=workspace_id, area_id=area_id, name=name, owner_id="U_ALICE", target=7
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        for period_start, value in (values or {}).items():
            session.add(
                KpiValue(
                    workspace_id=workspace_id,
                    kpi_id=row.id,
                    period_start=period_start,
                    value=value,
                    author_id="U_ALICE",
                )
            )
        return row.id


def rows(engine: Engine, model: type[Any]) -> list[Any]:
    with Session(engine) as session:
        return list(session.exec(select(model)))


@contextmanager
def counting_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
