"""KPI health: one pure function that every surface (list, digest, Home tab) asks.

**Bands.** The target a person sets is the alarm line; the optional warning margin (in the KPI's
units) is an early-warning band on the healthy side of it. Without a margin (or with 0), health
is binary, as in Perdoo.

- *stay at or above X*, margin m: below X is unhealthy; from X up to X + m (not included) is
  watch; X + m and above is healthy.
- *stay at or below X*: mirrored. Above X is unhealthy; from X - m (not included) up to X is
  watch; X - m and below is healthy.
- *stay between L and H*: outside L…H is unhealthy; within m of either end is watch; the rest is
  healthy.
- *increase to* / *decrease to X by a date*: the expected value is read off the straight line
  from (baseline date, baseline) to (target date, X) at the judging date, clamped to the
  baseline before the line starts and to X after the target date. The value is then judged like
  *at or above* / *at or below* that expected value. Without a baseline, against X itself.

A value exactly on a boundary counts on the better side: meeting the target exactly is never
red, and meeting X + m exactly is healthy. Boundaries tolerate float rounding (1e-9).

**When.** The latest value is judged at today, so an increase whose value stopped coming in
falls behind its line. Earlier values (used only for the rule below) are judged at their
period's last day.

**Consecutive periods.** With "turn red only after N periods below" (default 1), a KPI is
unhealthy only when its latest N recorded values are all below; a latest value below the target
with fewer bad values before it shows *watch*, so one noisy week raises no alarm. Periods
without a value are skipped: a gap neither breaks nor extends a run.

**Stale.** A KPI is stale when its latest value's period started before the previous period:
a weekly KPI whose last value is for the week before last (this week's value is not due until
the week ends). Staleness is a flag beside the colour: a stale healthy KPI reads "healthy,
stale", never plain healthy, and a stale red KPI stays red. A KPI without any value has
*no data* (and is not called stale).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from okrbot.handlers.periods import period_end, period_start, previous_period
from okrbot.storage.kpis import PeriodValue
from okrbot.storage.models import Kpi, TargetType

TOLERANCE = 1e-9


class Status(StrEnum):
    HEALTHY = "healthy"
    WATCH = "watch"
    UNHEALTHY = "unhealthy"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Health:
    status: Status
    stale: bool


def judge(kpi: Kpi, values: Sequence[PeriodValue], today: date) -> Health:
    """The KPI's health on `today`, from its values (oldest first)."""
    ordered = sorted(values, key=lambda v: v.period_start)
    if not ordered:
        return Health(Status.NO_DATA, stale=False)
    latest = ordered[-1]
    current = period_start(kpi.cadence, today)
    stale = latest.period_start < previous_period(kpi.cadence, current)
    status = classify(kpi, latest.value, today)
    if status == Status.UNHEALTHY and not _below_long_enough(kpi, ordered):
        status = Status.WATCH
    return Health(status, stale=stale)


def classify(kpi: Kpi, value: float, day: date) -> Status:
    """Where one value falls on `day`: healthy, watch or unhealthy (no history rules)."""
    margin = abs(kpi.warning_margin or 0.0)
    if kpi.target_type == TargetType.AT_MOST:
        return _ceiling_band(value, kpi.target, margin)
    if kpi.target_type == TargetType.BETWEEN:
        high = kpi.target if kpi.target_high is None else kpi.target_high
        return _range_band(value, kpi.target, high, margin)
    if kpi.target_type == TargetType.INCREASE_TO:
        return _floor_band(value, expected_value(kpi, day), margin)
    if kpi.target_type == TargetType.DECREASE_TO:
        return _ceiling_band(value, expected_value(kpi, day), margin)
    return _floor_band(value, kpi.target, margin)


def expected_value(kpi: Kpi, day: date) -> float:
    """Where an increase/decrease KPI should be on `day`: its straight line, clamped."""
    if kpi.baseline is None or kpi.baseline_date is None or kpi.target_date is None:
        return kpi.target
    span = (kpi.target_date - kpi.baseline_date).days
    if span <= 0:
        return kpi.target
    share = min(max((day - kpi.baseline_date).days / span, 0.0), 1.0)
    return kpi.baseline + (kpi.target - kpi.baseline) * share


def _below_long_enough(kpi: Kpi, ordered: Sequence[PeriodValue]) -> bool:
    """True when the latest N recorded values (N = red_after_periods) are all unhealthy."""
    needed = max(1, kpi.red_after_periods)
    if len(ordered) < needed:
        return False
    earlier = ordered[len(ordered) - needed : -1]
    return all(
        classify(kpi, v.value, period_end(kpi.cadence, v.period_start)) == Status.UNHEALTHY
        for v in earlier
    )


def _at_least(value: float, bound: float) -> bool:
    return value >= bound or math.isclose(value, bound, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _at_most(value: float, bound: float) -> bool:
    return value <= bound or math.isclose(value, bound, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _floor_band(value: float, floor: float, margin: float) -> Status:
    if not _at_least(value, floor):
        return Status.UNHEALTHY
    return Status.HEALTHY if _at_least(value, floor + margin) else Status.WATCH


def _ceiling_band(value: float, ceiling: float, margin: float) -> Status:
    if not _at_most(value, ceiling):
        return Status.UNHEALTHY
    return Status.HEALTHY if _at_most(value, ceiling - margin) else Status.WATCH


def _range_band(value: float, low: float, high: float, margin: float) -> Status:
    if not (_at_least(value, low) and _at_most(value, high)):
        return Status.UNHEALTHY
    if _at_least(value, low + margin) and _at_most(value, high - margin):
        return Status.HEALTHY
    return Status.WATCH


def attention_rank(health: Health) -> int:
    """Sort key for what needs attention first: red, watch, stale, no data, healthy."""
    if health.status == Status.UNHEALTHY:
        return 0
    if health.status == Status.WATCH:
        return 1
    if health.stale:
        return 2
    if health.status == Status.NO_DATA:
        return 3
    return 4
