"""Rows for the Home tab and reminder tests, written straight through the storage models."""

from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from okrbot.storage.models import (
    Area,
    CheckIn,
    Confidence,
    KeyResult,
    Kpi,
    KpiValue,
    Objective,
    ObjectiveStatus,
    RunKind,
    ScheduledRun,
    TargetType,
    UnitKind,
    UserPreference,
)
from okrbot.storage.workspaces import ensure_workspace

R = TypeVar("R", bound=SQLModel)
TEAM = "T_ACME"  # the team the signed test client speaks for
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


class Seed:
    """Writes rows into one workspace; each method commits, so the bot sees them at once."""

    def __init__(self, engine: Engine, team: str = TEAM) -> None:
        self.engine = engine
        with Session(engine) as session:
            self.workspace_id = ensure_workspace(session, external_id=team)
            session.commit()

    def _add(self, row: R) -> R:
        with Session(self.engine, expire_on_commit=False) as session:
            session.add(row)
            session.commit()
            session.refresh(row)
        return row

    def area(
        self,
        name: str = "Marketing",
        *,
        timezone: str = "Europe/Berlin",
        weekday: int = 0,
        hour: int = 10,
        minute: int = 0,
        leads: tuple[str, ...] = (),
        channel: str | None = None,
    ) -> Area:
        """An area reminding on `weekday` at `hour:minute` (no channel: no digests in the way)."""
        return self._add(
            Area(
                workspace_id=self.workspace_id,
                name=name,
                channel_id=channel,
                timezone=timezone,
                reminder_weekday=weekday,
                reminder_hour=hour,
                reminder_minute=minute,
                leads=list(leads),
                created_at=LONG_AGO,
            )
        )

    def objective(
        self,
        area: Area,
        title: str,
        *,
        owner: str = "U_ALICE",
        status: ObjectiveStatus = ObjectiveStatus.ACTIVE,
        aligned_kpi: Kpi | None = None,
        created_at: datetime = LONG_AGO,
    ) -> Objective:
        return self._add(
            Objective(
                workspace_id=self.workspace_id,
                area_id=area.id or 0,
                title=title,
                owner_id=owner,
                period_start=date(2026, 10, 1),
                period_end=date(2026, 12, 31),
                status=status,
                aligned_kpi_id=aligned_kpi.id if aligned_kpi else None,
                created_at=created_at,
            )
        )

    def key_result(
        self,
        objective: Objective,
        title: str,
        *,
        owner: str = "U_ALICE",
        kpi: Kpi | None = None,
        current: float | None = None,
        created_at: datetime = LONG_AGO,
    ) -> KeyResult:
        """A metric key result from 0 to 10."""
        return self._add(
            KeyResult(
                workspace_id=self.workspace_id,
                objective_id=objective.id or 0,
                title=title,
                owner_id=owner,
                start_value=0.0,
                target_value=10.0,
                current_value=current,
                kpi_id=kpi.id if kpi else None,
                created_at=created_at,
            )
        )

    def checkin(
        self,
        kr: KeyResult,
        *,
        at: datetime,
        author: str = "U_ALICE",
        confidence: Confidence = Confidence.ON_TRACK,
        value: float = 5.0,
    ) -> CheckIn:
        return self._add(
            CheckIn(
                workspace_id=self.workspace_id,
                key_result_id=kr.id or 0,
                author_id=author,
                value=value,
                confidence=confidence,
                created_at=at,
            )
        )

    def kpi(
        self,
        area: Area,
        name: str,
        *,
        owner: str = "U_ALICE",
        target: float = 7.0,
        values: dict[date, float] | None = None,
        recorded_at: datetime = LONG_AGO,
    ) -> Kpi:
        """A weekly "stay at or above `target`" percentage, with `values` by week's Monday."""
        kpi = self._add(
            Kpi(
                workspace_id=self.workspace_id,
                area_id=area.id or 0,
                name=name,
                owner_id=owner,
                unit_kind=UnitKind.PERCENT,
                target_type=TargetType.AT_LEAST,
                target=target,
                created_at=LONG_AGO,
                updated_at=LONG_AGO,
            )
        )
        for period, value in (values or {}).items():
            self.kpi_value(kpi, period, value, recorded_at=recorded_at)
        return kpi

    def kpi_value(self, kpi: Kpi, period: date, value: float, *, recorded_at: datetime) -> None:
        self._add(
            KpiValue(
                workspace_id=self.workspace_id,
                kpi_id=kpi.id or 0,
                period_start=period - timedelta(days=period.weekday()),
                value=value,
                author_id=kpi.owner_id,
                recorded_at=recorded_at,
            )
        )

    def preference(self, user_id: str, **values: Any) -> None:
        self._add(UserPreference(workspace_id=self.workspace_id, user_id=user_id, **values))

    def reminder_runs(self) -> list[ScheduledRun]:
        with Session(self.engine) as session:
            return list(
                session.exec(select(ScheduledRun).where(ScheduledRun.kind == RunKind.REMINDER))
            )

    def stored_preference(self, user_id: str) -> UserPreference | None:
        with Session(self.engine) as session:
            return session.exec(
                select(UserPreference).where(
                    UserPreference.workspace_id == self.workspace_id,
                    UserPreference.user_id == user_id,
                )
            ).first()
