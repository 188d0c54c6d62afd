"""An area's weekly KPI health digest, as neutral data that every platform renders.

Building one costs the same handful of SQL statements whatever the number of KPIs: the area,
the KPI views, the objectives aligned to red KPIs (open ones, and every one for the ledger),
and the area's active objectives.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum

from sqlmodel import Session

from okrbot.handlers.health import Health, attention_rank
from okrbot.handlers.kpis import KpiView, kpi_views
from okrbot.handlers.ledger import LedgerEntry, ledger_summaries
from okrbot.handlers.objectives import ObjectiveView, objective_views
from okrbot.handlers.schedule import current_period, week_start
from okrbot.storage import runs
from okrbot.storage.areas import get_area
from okrbot.storage.models import Area


class Bucket(IntEnum):
    """Where a KPI goes in the digest, most urgent first (values follow `attention_rank`)."""

    UNHEALTHY = 0
    WATCH = 1
    STALE = 2
    NO_DATA = 3
    HEALTHY = 4


def bucket_of(health: Health) -> Bucket:
    return Bucket(attention_rank(health))


@dataclass(frozen=True)
class DigestKpi:
    view: KpiView
    bucket: Bucket
    # For a red KPI: the open objectives aligned to it. With one, a fix is in progress;
    # without, the digest offers to create one.
    fixes: tuple[ObjectiveView, ...]
    fix_in_progress: bool
    # For a red KPI: every objective ever aligned to it, newest first ("tried before").
    tried: tuple[LedgerEntry, ...] = ()


@dataclass(frozen=True)
class Digest:
    area: Area
    period: str  # the ISO week, "2026-W49"
    week_start: date
    counts: dict[Bucket, int]  # every bucket, zero included; they add up to len(kpis)
    kpis: tuple[DigestKpi, ...]  # red → watch → stale → no data → healthy
    objectives: tuple[ObjectiveView, ...]  # the area's active objectives

    @property
    def total(self) -> int:
        return len(self.kpis)


def build_digest(
    session: Session, *, workspace_id: int, area_id: int, now: datetime, period: str | None = None
) -> Digest | None:
    """The area's digest at `now` for `period` (default: this week); None for no such area."""
    area = get_area(session, workspace_id=workspace_id, area_id=area_id)
    if area is None:
        return None
    views = kpi_views(session, workspace_id=workspace_id, now=now, area_id=area_id)
    red_ids = [_kpi_id(v) for v in views if bucket_of(v.health) == Bucket.UNHEALTHY]
    fixes = _fixes_by_kpi(session, workspace_id, red_ids)
    tried = ledger_summaries(session, workspace_id=workspace_id, kpi_ids=red_ids, now=now)
    kpis = tuple(
        _digest_kpi(view, fixes.get(_kpi_id(view), ()), tried.get(_kpi_id(view), ()))
        for view in views
    )
    label = period or current_period(now, area.timezone)
    counted = Counter(kpi.bucket for kpi in kpis)
    return Digest(
        area=area,
        period=label,
        week_start=week_start(label),
        counts={bucket: counted[bucket] for bucket in Bucket},
        kpis=kpis,
        objectives=tuple(objective_views(session, workspace_id=workspace_id, area_id=area_id)),
    )


def _digest_kpi(
    view: KpiView, fixes: Sequence[ObjectiveView], tried: Sequence[LedgerEntry]
) -> DigestKpi:
    bucket = bucket_of(view.health)
    aligned = tuple(fixes) if bucket == Bucket.UNHEALTHY else ()
    return DigestKpi(
        view=view,
        bucket=bucket,
        fixes=aligned,
        fix_in_progress=bool(aligned),
        tried=tuple(tried) if bucket == Bucket.UNHEALTHY else (),
    )


def _fixes_by_kpi(
    session: Session, workspace_id: int, kpi_ids: list[int]
) -> dict[int, tuple[ObjectiveView, ...]]:
    """The open objectives aligned to each of `kpi_ids`, in one batch."""
    if not kpi_ids:
        return {}
    found: dict[int, list[ObjectiveView]] = {}
    for view in objective_views(session, workspace_id=workspace_id, aligned_kpi_ids=kpi_ids):
        if view.objective.aligned_kpi_id is not None:
            found.setdefault(view.objective.aligned_kpi_id, []).append(view)
    return {kpi_id: tuple(views) for kpi_id, views in found.items()}


def _kpi_id(view: KpiView) -> int:
    assert view.kpi.id is not None
    return view.kpi.id


# ---- the area's channel, as deliveries find it --------------------------------------------
@dataclass(frozen=True)
class ChannelProblem:
    """A channel that just started refusing posts: whom to tell."""

    area_name: str
    leads: tuple[str, ...]


def channel_broken(
    session: Session, *, workspace_id: int, area_id: int, error: str
) -> ChannelProblem | None:
    """Record why the area's channel refuses posts; the problem only the first time it is seen."""
    if not runs.set_channel_error(session, workspace_id=workspace_id, area_id=area_id, error=error):
        return None
    area = get_area(session, workspace_id=workspace_id, area_id=area_id)
    assert area is not None
    return ChannelProblem(area_name=area.name, leads=tuple(area.leads))


def channel_works(session: Session, *, workspace_id: int, area_id: int) -> None:
    """A post got through: forget any earlier problem, so a new one is reported again."""
    runs.clear_channel_error(session, workspace_id=workspace_id, area_id=area_id)
