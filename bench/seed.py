"""The bench seeder: many KPIs with a year of weekly values, and OKRs to check in on.

Bulk inserts straight into the storage tables (thousands of rows a statement), so 10,000 KPIs
with 52 values each (520,000 rows) take seconds, not minutes. Deterministic for a given size.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlmodel import col

from okrbot.storage.db import session_scope
from okrbot.storage.models import (
    Area,
    Cadence,
    KeyResult,
    KeyResultKind,
    Kpi,
    KpiValue,
    Objective,
    TargetType,
    UnitKind,
    ValueSource,
)
from okrbot.storage.workspaces import ensure_workspace

TEAM = "T_ACME"
WEEKS = 52
CHUNK = 20_000
KPI_OWNER = "U_BENCH_00"


@dataclass(frozen=True)
class SeededArea:
    workspace_id: int
    area_id: int
    channel_id: str
    kpi_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class SeededOkrs:
    area: SeededArea
    key_results: dict[str, tuple[int, ...]]  # user id -> the key results they own


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _area(
    connection: Connection, workspace_id: int, *, name: str, channel_id: str, lead: str
) -> int:
    statement = insert(Area).values(
        workspace_id=workspace_id,
        name=name,
        channel_id=channel_id,
        timezone="Europe/Berlin",
        leads=[lead],
        created_at=datetime.now(UTC),
    )
    area_id = connection.execute(statement).inserted_primary_key
    assert area_id is not None
    return int(area_id[0])


def seed_kpis(
    engine: Engine,
    *,
    count: int,
    today: date,
    weeks: int = WEEKS,
    area_name: str = "Bench KPIs",
    channel_id: str = "C_BENCH_KPIS",
) -> SeededArea:
    """`count` KPIs in one new area, each with `weeks` weekly values ending this week.

    A realistic mix: every target type, some with a warning band, about one in five red in
    the latest week, and one in ten stale (its 52 values end a month ago).
    """
    rng = random.Random(count)
    monday = week_start(today)
    created = datetime.combine(monday - timedelta(weeks=weeks), time(9), tzinfo=UTC)
    with session_scope(engine) as session:
        workspace_id = ensure_workspace(session, external_id=TEAM)
        connection = session.connection()
        area_id = _area(
            connection, workspace_id, name=area_name, channel_id=channel_id, lead=KPI_OWNER
        )
        specs = [_kpi_spec(rng, index) for index in range(count)]
        for chunk in _chunks(
            [
                {
                    "workspace_id": workspace_id,
                    "area_id": area_id,
                    "name": f"{area_name} {index:05d}",
                    "owner_id": KPI_OWNER,
                    "description": "",
                    "unit_kind": UnitKind.PERCENT if index % 3 else UnitKind.COUNT,
                    "unit_label": "",
                    "cadence": Cadence.WEEKLY,
                    "created_at": created,
                    "updated_at": created,
                    "red_after_periods": 1,
                    **spec.columns,
                }
                for index, spec in enumerate(specs)
            ]
        ):
            connection.execute(insert(Kpi), chunk)
        ids = select(col(Kpi.id)).where(col(Kpi.area_id) == area_id).order_by(col(Kpi.id))
        kpi_ids = tuple(int(kpi_id) for kpi_id in connection.execute(ids).scalars() if kpi_id)
        values = (
            {
                "workspace_id": workspace_id,
                "kpi_id": kpi_id,
                "period_start": monday - timedelta(weeks=spec.silent_weeks + weeks_ago),
                "value": value,
                "source": ValueSource.IMPORT,
                "author_id": KPI_OWNER,
                "note": "",
                "recorded_at": created,
            }
            for kpi_id, spec in zip(kpi_ids, specs, strict=True)
            for weeks_ago, value in zip(range(weeks - 1, -1, -1), spec.series(weeks), strict=True)
        )
        for chunk in _chunks(values):
            connection.execute(insert(KpiValue), chunk)
    return SeededArea(workspace_id, area_id, channel_id, kpi_ids)


@dataclass(frozen=True)
class _KpiSpec:
    columns: dict[str, Any]
    start: float
    step: float
    last: float
    silent_weeks: int

    def series(self, weeks: int) -> list[float]:
        values = [round(self.start + self.step * ((i * 7) % 5 - 2), 2) for i in range(weeks)]
        values[-1] = self.last
        return values


def _kpi_spec(rng: random.Random, index: int) -> _KpiSpec:
    target = round(rng.uniform(5, 500), 1)
    red = index % 5 == 0
    kind = (TargetType.AT_LEAST, TargetType.AT_MOST, TargetType.BETWEEN)[index % 3]
    columns: dict[str, Any] = {
        "target_type": kind,
        "target": target,
        "target_high": None,
        "warning_margin": None,
    }
    if index % 4 == 0:
        columns["warning_margin"] = round(target * 0.05, 2)
    if kind is TargetType.AT_LEAST:
        healthy, unhealthy = target * 1.2, target * 0.8
    elif kind is TargetType.AT_MOST:
        healthy, unhealthy = target * 0.8, target * 1.2
    else:
        columns["target_high"] = round(target * 1.5, 1)
        healthy, unhealthy = target * 1.25, target * 0.5
    last = round(unhealthy if red else healthy, 2)
    return _KpiSpec(columns, round(healthy, 2), target * 0.02, last, 4 if index % 10 == 7 else 0)


def _chunks(rows: Any) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def seed_okrs(
    engine: Engine,
    *,
    users: list[str],
    today: date,
    key_results_each: int = 2,
    area_name: str = "Bench OKRs",
    channel_id: str = "C_BENCH_OKRS",
) -> SeededOkrs:
    """One active objective a user, this quarter, with `key_results_each` metric KRs they own."""
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    next_quarter = date(
        quarter_start.year + quarter_start.month // 10, (quarter_start.month + 2) % 12 + 1, 1
    )
    created = datetime.combine(quarter_start, time(9), tzinfo=UTC)
    owned: dict[str, tuple[int, ...]] = {}
    with session_scope(engine) as session:
        workspace_id = ensure_workspace(session, external_id=TEAM)
        connection = session.connection()
        area_id = _area(
            connection, workspace_id, name=area_name, channel_id=channel_id, lead=users[0]
        )
        for user in users:
            objective = connection.execute(
                insert(Objective).values(
                    workspace_id=workspace_id,
                    area_id=area_id,
                    title=f"Objective of {user}",
                    owner_id=user,
                    period_start=quarter_start,
                    period_end=next_quarter - timedelta(days=1),
                    created_at=created,
                )
            ).inserted_primary_key
            assert objective is not None
            krs = []
            for position in range(key_results_each):
                kr = connection.execute(
                    insert(KeyResult).values(
                        workspace_id=workspace_id,
                        objective_id=int(objective[0]),
                        position=position,
                        title=f"Key result {position + 1} of {user}",
                        owner_id=user,
                        kind=KeyResultKind.METRIC,
                        start_value=0,
                        target_value=100,
                        current_value=10,
                        unit="%",
                        created_at=created,
                    )
                ).inserted_primary_key
                assert kr is not None
                krs.append(int(kr[0]))
            owned[user] = tuple(krs)
    return SeededOkrs(SeededArea(workspace_id, area_id, channel_id), owned)
