"""The "what we tried" ledger: every objective ever aligned to a KPI, and whether it worked.

**The outcome rule.** An objective aligned to a KPI *recovered* it when one of the KPI's values
is judged healthy (`health.classify`, at its period's last day; watch does not count) in a
period from the one the objective started in to two periods after the one it ended in.

- It *started* on its period's first day, or on the day it was created if that is later: a
  healthy value from before anyone set out to fix the KPI proves nothing.
- It *ended* when it was marked achieved, missed or closed (that day, in the KPI's area's time
  zone; its period's last day when the moment is unknown). An active objective has not ended,
  however late it runs, and every value since it started counts.
- Periods are the KPI's (ISO weeks or months), so "two periods" is two weeks or two months.

Without a healthy value it is *not recovered* once the second period after its end is over, and
*in progress* until then (and while it is active).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session

from okrbot.handlers.health import Status, classify
from okrbot.handlers.objectives import ObjectiveView, objective_views
from okrbot.handlers.periods import local_date, next_period, period_end, period_start
from okrbot.storage.areas import list_areas
from okrbot.storage.kpis import PeriodValue, list_kpis
from okrbot.storage.lineage import values_since
from okrbot.storage.models import Area, Kpi, Objective, ObjectiveStatus

PERIODS_AFTER = 2  # how long after an objective ends a recovery still counts as its doing


class Outcome(StrEnum):
    RECOVERED = "recovered"
    NOT_RECOVERED = "not recovered"
    IN_PROGRESS = "in progress"


@dataclass(frozen=True)
class Verdict:
    """What the outcome rule says about one objective."""

    outcome: Outcome
    recovered_in: date | None  # the first healthy period in the window
    window_end: date | None  # the last period that counts; None while the objective is active


@dataclass(frozen=True)
class LedgerEntry:
    """One objective tried against a KPI: how far it got, and what became of the KPI."""

    objective: Objective
    progress: float
    started: date
    ended: date | None  # None while it is active
    verdict: Verdict
    judged_on: date  # "today" in the KPI's area when the verdict was reached

    @property
    def outcome(self) -> Outcome:
        return self.verdict.outcome


# ---- the rule ------------------------------------------------------------------------------
def verdict(
    kpi: Kpi, values: Sequence[PeriodValue], *, started: date, ended: date | None, today: date
) -> Verdict:
    """The outcome of an objective that ran from `started` to `ended` (None: still running)."""
    first = period_start(kpi.cadence, started)
    last = None
    if ended is not None:
        last = period_start(kpi.cadence, max(ended, started))
        for _ in range(PERIODS_AFTER):
            last = next_period(kpi.cadence, last)
    for value in sorted(values, key=lambda v: v.period_start):
        inside = first <= value.period_start and (last is None or value.period_start <= last)
        if inside and _healthy(kpi, value):
            return Verdict(Outcome.RECOVERED, recovered_in=value.period_start, window_end=last)
    if last is not None and period_start(kpi.cadence, today) > last:
        return Verdict(Outcome.NOT_RECOVERED, recovered_in=None, window_end=last)
    return Verdict(Outcome.IN_PROGRESS, recovered_in=None, window_end=last)


def _healthy(kpi: Kpi, value: PeriodValue) -> bool:
    day = period_end(kpi.cadence, value.period_start)
    return classify(kpi, value.value, day) == Status.HEALTHY


def ran(objective: Objective, timezone: str) -> tuple[date, date | None]:
    """(the day the objective started, the day it ended or None while it is active)."""
    created = local_date(objective.created_at, timezone)
    started = max(objective.period_start, created)
    if objective.status == ObjectiveStatus.ACTIVE:
        return started, None
    ended = local_date(objective.closed_at, timezone) if objective.closed_at else None
    return started, max(ended or objective.period_end, started)


# ---- reading it ----------------------------------------------------------------------------
def kpi_ledger(
    session: Session, *, workspace_id: int, kpi_id: int, now: datetime
) -> list[LedgerEntry]:
    """The objectives ever aligned to the KPI, newest first; empty for another workspace's id."""
    return ledger_summaries(session, workspace_id=workspace_id, kpi_ids=[kpi_id], now=now).get(
        kpi_id, []
    )


def ledger_summaries(
    session: Session, *, workspace_id: int, kpi_ids: Sequence[int], now: datetime
) -> dict[int, list[LedgerEntry]]:
    """The ledger of each KPI (archived ones too), in at most seven statements for any number.

    KPIs nothing was ever aligned to are left out.
    """
    if not kpi_ids:
        return {}
    listed = list_kpis(session, workspace_id=workspace_id, kpi_ids=kpi_ids, include_archived=True)
    kpis = {kpi.id: kpi for kpi in listed if kpi.id is not None}
    if not kpis:
        return {}
    views = objective_views(
        session,
        workspace_id=workspace_id,
        aligned_kpi_ids=list(kpis),
        statuses=tuple(ObjectiveStatus),
    )
    tried = [(view, kpi) for view in views if (kpi := _aligned_kpi(view, kpis)) is not None]
    if not tried:
        return {}
    since = min(period_start(kpi.cadence, view.objective.period_start) for view, kpi in tried)
    values = values_since(session, workspace_id=workspace_id, kpi_ids=list(kpis), since=since)
    areas = {area.id: area for area in list_areas(session, workspace_id=workspace_id)}
    ledgers: dict[int, list[LedgerEntry]] = {}
    for view, kpi in tried:
        area = areas.get(kpi.area_id)
        if area is not None and kpi.id is not None:
            entry = _entry(view, kpi, area, values.get(kpi.id, []), now)
            ledgers.setdefault(kpi.id, []).append(entry)
    return {kpi_id: _newest_first(entries) for kpi_id, entries in ledgers.items()}


def _aligned_kpi(view: ObjectiveView, kpis: dict[int, Kpi]) -> Kpi | None:
    kpi_id = view.objective.aligned_kpi_id
    return None if kpi_id is None else kpis.get(kpi_id)


def _entry(
    view: ObjectiveView, kpi: Kpi, area: Area, values: Sequence[PeriodValue], now: datetime
) -> LedgerEntry:
    started, ended = ran(view.objective, area.timezone)
    today = local_date(now, area.timezone)
    return LedgerEntry(
        objective=view.objective,
        progress=view.progress,
        started=started,
        ended=ended,
        verdict=verdict(kpi, values, started=started, ended=ended, today=today),
        judged_on=today,
    )


def _newest_first(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    return sorted(entries, key=lambda e: (e.started, e.objective.id or 0), reverse=True)
