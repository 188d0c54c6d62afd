"""The drafted fix-OKR for a red KPI: a pure, deterministic function of the KPI and today.

- The objective names the KPI and where it must get back to, in the KPI's area, owned by the
  KPI's owner, from today to the end of the quarter (or six weeks, if the quarter ends sooner).
- Key result 1 is linked to the KPI: from its current value to its threshold — for a range, the
  nearer edge; for increase/decrease, the point on its line at the objective's end.
- One or two suggested key results follow from the KPI's kind and how far off it is: always a
  milestone to find the top causes; for a gap of 10 % or more of the threshold, a number of
  experiments to run (three, or five from 25 %).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from okrbot.handlers.health import expected_value
from okrbot.handlers.units import format_value, unit_label
from okrbot.storage.models import KeyResultKind, Kpi, TargetType

MINIMUM_PERIOD = timedelta(weeks=6)
SMALL_GAP = 0.10
LARGE_GAP = 0.25


@dataclass(frozen=True)
class KeyResultDraft:
    title: str
    kind: KeyResultKind
    start: float | None
    target: float | None
    unit: str
    kpi_id: int | None  # set on the key result that follows the KPI's values
    suggested: bool  # a rule's suggestion, for the person to keep or drop


@dataclass(frozen=True)
class FixOkrDraft:
    title: str
    area_id: int
    owner_id: str
    kpi_id: int
    period_start: date
    period_end: date
    key_results: tuple[KeyResultDraft, ...]


def draft_fix_okr(kpi: Kpi, current: float | None, today: date) -> FixOkrDraft:
    """The fix-OKR a person starts from when they click "Create OKR to fix this KPI"."""
    assert kpi.id is not None
    end = fix_period_end(today)
    goal = recovery_target(kpi, current, end)
    start = goal if current is None else current
    unit = unit_label(kpi)
    linked = KeyResultDraft(
        title=f"{kpi.name}: from {format_value(start, kpi)} to {format_value(goal, kpi)}",
        kind=KeyResultKind.METRIC,
        start=start,
        target=goal,
        unit=unit,
        kpi_id=kpi.id,
        suggested=False,
    )
    return FixOkrDraft(
        title=objective_title(kpi, goal, end),
        area_id=kpi.area_id,
        owner_id=kpi.owner_id,
        kpi_id=kpi.id,
        period_start=today,
        period_end=end,
        key_results=(linked, *suggested_key_results(kpi, start, goal)),
    )


def fix_period_end(today: date) -> date:
    """The end of the current quarter, or six weeks from today if the quarter ends sooner."""
    next_quarter_month = 3 * ((today.month - 1) // 3) + 4
    year = today.year + (next_quarter_month > 12)  # noqa: PLR2004 (months in a year)
    quarter_end = date(year, (next_quarter_month - 1) % 12 + 1, 1) - timedelta(days=1)
    return max(quarter_end, today + MINIMUM_PERIOD)


def recovery_target(kpi: Kpi, current: float | None, end: date) -> float:
    """Where the KPI counts as healthy again: its threshold, a range's nearer edge, or its line."""
    if kpi.target_type == TargetType.BETWEEN:
        high = kpi.target if kpi.target_high is None else kpi.target_high
        return high if current is not None and current > high else kpi.target
    if kpi.target_type in {TargetType.INCREASE_TO, TargetType.DECREASE_TO}:
        return round(expected_value(kpi, end), 6)
    return kpi.target


def objective_title(kpi: Kpi, goal: float, end: date) -> str:
    shown = format_value(goal, kpi)
    name = in_sentence(kpi.name)
    if kpi.target_type == TargetType.BETWEEN:
        high = kpi.target if kpi.target_high is None else kpi.target_high
        low_text, high_text = format_value(kpi.target, kpi), format_value(high, kpi)
        return f"Get {name} back between {low_text} and {high_text}"
    if kpi.target_type in {TargetType.INCREASE_TO, TargetType.DECREASE_TO}:
        return f"Get {name} back on track: {shown} by {end.isoformat()}"
    if kpi.target_type == TargetType.AT_MOST:
        return f"Get {name} back down to {shown}"
    return f"Get {name} back to {shown}"


def in_sentence(name: str) -> str:
    """A name as it reads mid-sentence: "Website conversion rate" → "website conversion rate",
    while "NPS" stays "NPS"."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def suggested_key_results(kpi: Kpi, start: float, goal: float) -> tuple[KeyResultDraft, ...]:
    name = in_sentence(kpi.name)
    causes = KeyResultDraft(
        title=f"Find and share the top 3 causes of the change in {name}",
        kind=KeyResultKind.MILESTONE,
        start=None,
        target=None,
        unit="",
        kpi_id=None,
        suggested=True,
    )
    gap = _relative_gap(start, goal)
    if gap < SMALL_GAP:
        return (causes,)
    experiments = 5 if gap >= LARGE_GAP else 3
    direction = "lower" if goal < start else "raise"
    return (
        causes,
        KeyResultDraft(
            title=f"Run {experiments} experiments to {direction} {name}",
            kind=KeyResultKind.METRIC,
            start=0,
            target=experiments,
            unit="experiments",
            kpi_id=None,
            suggested=True,
        ),
    )


def _relative_gap(start: float, goal: float) -> float:
    scale = abs(goal) or abs(start) or 1.0
    return abs(goal - start) / scale
