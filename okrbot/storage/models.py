"""The tables. Every row belongs to a workspace, and every query filters by it."""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from okrbot.storage.types import EnumText, UtcDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _instant(*, nullable: bool = False, default_now: bool = False) -> Any:
    """A timezone-aware instant column."""
    if default_now:
        return Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=nullable)
    return Field(default=None, sa_type=UtcDateTime, nullable=nullable)


def _workspace_fk() -> Any:
    return Field(foreign_key="workspace.id", index=True, ondelete="CASCADE")


class Cadence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class TargetType(StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    BETWEEN = "between"
    INCREASE_TO = "increase_to"
    DECREASE_TO = "decrease_to"


class UnitKind(StrEnum):
    PERCENT = "percent"
    CURRENCY = "currency"
    COUNT = "count"
    TEXT = "text"


class ValueSource(StrEnum):
    SLACK = "slack"
    IMPORT = "import"
    API = "api"


class ObjectiveStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    MISSED = "missed"
    CLOSED = "closed"


class KeyResultKind(StrEnum):
    METRIC = "metric"
    MILESTONE = "milestone"


class Confidence(StrEnum):
    ON_TRACK = "on_track"
    NEEDS_ATTENTION = "needs_attention"
    OFF_TRACK = "off_track"


class RunKind(StrEnum):
    DIGEST = "digest"
    REMINDER = "reminder"


class RunStatus(StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


def _enum(kind: type[StrEnum], default: StrEnum | None = None) -> Any:
    return Field(default=default, sa_type=EnumText(kind))


class Workspace(SQLModel, table=True):
    """A Slack workspace (or, later, a Teams tenant) that installed okrbot."""

    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(default="slack", max_length=16)
    external_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    active: bool = True
    created_at: datetime = _instant(default_now=True)


class Area(SQLModel, table=True):
    """A part of the business (Marketing, Sales, Product) with a home channel and a schedule."""

    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        UniqueConstraint("workspace_id", "channel_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    name: str = Field(max_length=80)
    channel_id: str | None = Field(default=None, max_length=32)
    timezone: str = Field(default="UTC", max_length=64)
    digest_weekday: int = 0  # Monday is 0, as in datetime.weekday()
    digest_hour: int = 9
    digest_minute: int = 0
    reminder_weekday: int = 0
    reminder_hour: int = 10
    reminder_minute: int = 0
    leads: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Why the bot could not post to the channel (e.g. "not_in_channel"); empty when it can.
    channel_error: str = Field(default="", max_length=64)
    created_at: datetime = _instant(default_now=True)


class Kpi(SQLModel, table=True):
    """A business-as-usual health indicator, judged against a threshold."""

    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    area_id: int = Field(foreign_key="area.id", index=True)
    name: str = Field(max_length=150)
    owner_id: str = Field(max_length=32)
    description: str = Field(default="", sa_type=Text)
    source_url: str | None = Field(default=None, max_length=500)
    unit_kind: UnitKind = _enum(UnitKind, UnitKind.COUNT)
    unit_label: str = Field(default="", max_length=24)
    cadence: Cadence = _enum(Cadence, Cadence.WEEKLY)
    target_type: TargetType = _enum(TargetType, TargetType.AT_LEAST)
    target: float
    target_high: float | None = None
    baseline: float | None = None
    baseline_date: date | None = None
    target_date: date | None = None
    warning_margin: float | None = None
    red_after_periods: int = 1
    # Lineage of a KPI that an achieved objective turned into. Not a foreign key: objectives
    # already point at KPIs, and a cycle of foreign keys would complicate every migration.
    origin_objective_id: int | None = Field(default=None, index=True)
    archived_at: datetime | None = _instant(nullable=True)
    created_at: datetime = _instant(default_now=True)
    updated_at: datetime = _instant(default_now=True)


class KpiValue(SQLModel, table=True):
    """One value of a KPI for one period (the ISO week's Monday, or the month's 1st)."""

    __table_args__ = (
        UniqueConstraint("kpi_id", "period_start"),
        Index("ix_kpivalue_workspace_kpi_period", "workspace_id", "kpi_id", "period_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    kpi_id: int = Field(foreign_key="kpi.id", ondelete="CASCADE")
    period_start: date
    value: float
    source: ValueSource = _enum(ValueSource, ValueSource.SLACK)
    author_id: str = Field(max_length=32)
    note: str = Field(default="", sa_type=Text)
    recorded_at: datetime = _instant(default_now=True)


class Objective(SQLModel, table=True):
    """What a team sets out to build or change in a period."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    area_id: int = Field(foreign_key="area.id", index=True)
    title: str = Field(max_length=150)
    owner_id: str = Field(max_length=32)
    period_start: date
    period_end: date
    status: ObjectiveStatus = _enum(ObjectiveStatus, ObjectiveStatus.ACTIVE)
    aligned_kpi_id: int | None = Field(
        default=None, foreign_key="kpi.id", index=True, nullable=True
    )
    parent_objective_id: int | None = Field(default=None, foreign_key="objective.id")
    created_at: datetime = _instant(default_now=True)
    closed_at: datetime | None = _instant(nullable=True)


class KeyResult(SQLModel, table=True):
    """A measurable result of an objective: a metric from start to target, or a milestone."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    objective_id: int = Field(foreign_key="objective.id", index=True, ondelete="CASCADE")
    position: int = 0
    title: str = Field(max_length=150)
    owner_id: str = Field(max_length=32)
    kind: KeyResultKind = _enum(KeyResultKind, KeyResultKind.METRIC)
    start_value: float | None = None
    target_value: float | None = None
    current_value: float | None = None
    unit: str = Field(default="", max_length=24)
    done: bool = False
    kpi_id: int | None = Field(default=None, foreign_key="kpi.id", index=True)
    created_at: datetime = _instant(default_now=True)


class CheckIn(SQLModel, table=True):
    """A key result's value, confidence and comment at one moment."""

    __table_args__ = (UniqueConstraint("workspace_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    key_result_id: int = Field(foreign_key="keyresult.id", index=True, ondelete="CASCADE")
    author_id: str = Field(max_length=32)
    value: float | None = None
    done: bool | None = None
    confidence: Confidence = _enum(Confidence, Confidence.ON_TRACK)
    comment: str = Field(default="", sa_type=Text)
    idempotency_key: str | None = Field(default=None, max_length=128)
    created_at: datetime = _instant(default_now=True)


class ScheduledRun(SQLModel, table=True):
    """A claim on one digest or reminder for one period, so it is sent exactly once."""

    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "subject", "period"),
        # Every tick asks which of this week's runs exist, and which need a retry.
        Index("ix_scheduledrun_kind_period", "kind", "period"),
        Index("ix_scheduledrun_kind_status", "kind", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    kind: RunKind = _enum(RunKind)
    subject: str = Field(max_length=64)  # the area id of a digest, the user id of a reminder
    period: str = Field(max_length=16)  # e.g. "2026-W49"
    due_at: datetime = _instant()
    status: RunStatus = _enum(RunStatus, RunStatus.CLAIMED)
    attempts: int = 0
    claimed_at: datetime = _instant(default_now=True)
    finished_at: datetime | None = _instant(nullable=True)
    last_error: str = Field(default="", max_length=500)
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)


class ChannelThread(SQLModel, table=True):
    """The channel message that one objective's check-ins thread under, one per week."""

    __table_args__ = (UniqueConstraint("workspace_id", "objective_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    objective_id: int = Field(foreign_key="objective.id", ondelete="CASCADE")
    period: str = Field(max_length=16)
    channel_id: str = Field(max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = _instant(default_now=True)


class UserPreference(SQLModel, table=True):
    """What one person asked of okrbot: reminders, snoozes, whether they saw the welcome."""

    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    user_id: str = Field(max_length=32)
    timezone: str | None = Field(default=None, max_length=64)
    reminders_enabled: bool = True
    snoozed_until: date | None = None
    welcomed: bool = False


class AuditEntry(SQLModel, table=True):
    """Who changed what, when, with the row before and after."""

    __table_args__ = (Index("ix_auditentry_subject", "workspace_id", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    actor_id: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    entity_id: int
    action: str = Field(max_length=32)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    at: datetime = _instant(default_now=True)
