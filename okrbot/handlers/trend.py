"""A KPI's trend: its last periods as a Unicode sparkline, and the change against the previous."""

from collections.abc import Sequence
from datetime import date

from okrbot.handlers.periods import previous_period
from okrbot.storage.kpis import PeriodValue
from okrbot.storage.models import Cadence

BARS = "▁▂▃▄▅▆▇█"
GAP = "·"  # a period without a value, after the first one
HISTORY_PERIODS = 12


def history(values: Sequence[PeriodValue], periods: Sequence[date]) -> tuple[float | None, ...]:
    """The value of each period in `periods` (oldest first), None where there is none."""
    by_period = {v.period_start: v.value for v in values}
    return tuple(by_period.get(start) for start in periods)


def sparkline(series: Sequence[float | None]) -> str:
    """`▁▃█·▆`: one bar per period from the first value on; a dot where a value is missing."""
    present = [v for v in series if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    first = next(i for i, v in enumerate(series) if v is not None)
    return "".join(_bar(v, low, high) for v in series[first:])


def _bar(value: float | None, low: float, high: float) -> str:
    if value is None:
        return GAP
    if high == low:
        return BARS[len(BARS) // 2 - 1]
    return BARS[int((value - low) / (high - low) * (len(BARS) - 1) + 0.5)]


def change(values: Sequence[PeriodValue], cadence: Cadence) -> float | None:
    """The latest value minus the value of the period just before it; None without one."""
    if not values:
        return None
    ordered = sorted(values, key=lambda v: v.period_start)
    latest = ordered[-1]
    before = previous_period(cadence, latest.period_start)
    previous = next((v for v in ordered if v.period_start == before), None)
    return None if previous is None else latest.value - previous.value
