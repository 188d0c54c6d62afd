"""Golden tests of the drafted fix-OKR, one per target type."""

from datetime import date
from typing import Any

import pytest

from okrbot.handlers.fix_draft import (
    FixOkrDraft,
    KeyResultDraft,
    draft_fix_okr,
    fix_period_end,
)
from okrbot.storage.models import KeyResultKind, Kpi, TargetType, UnitKind

TODAY = date(2026, 11, 2)  # the quarter ends 2026-12-31, more than six weeks away


def kpi(name: str, target_type: TargetType, target: float, **fields: Any) -> Kpi:
    return Kpi(
        id=7,
        workspace_id=1,
        area_id=3,
        owner_id="U_MAYA",
        name=name,
        target_type=target_type,
        target=target,
        **fields,
    )


def causes(name: str) -> KeyResultDraft:
    return KeyResultDraft(
        title=f"Find and share the top 3 causes of the change in {name}",
        kind=KeyResultKind.MILESTONE,
        start=None,
        target=None,
        unit="",
        kpi_id=None,
        suggested=True,
    )


def experiments(count: int, verb: str, name: str) -> KeyResultDraft:
    return KeyResultDraft(
        title=f"Run {count} experiments to {verb} {name}",
        kind=KeyResultKind.METRIC,
        start=0,
        target=count,
        unit="experiments",
        kpi_id=None,
        suggested=True,
    )


def linked(title: str, start: float, target: float, unit: str) -> KeyResultDraft:
    return KeyResultDraft(
        title=title,
        kind=KeyResultKind.METRIC,
        start=start,
        target=target,
        unit=unit,
        kpi_id=7,
        suggested=False,
    )


def test_stay_at_or_above() -> None:
    """Conversion at 6.1 % against ≥ 7 %: back to 7 %, causes and three experiments."""
    draft = draft_fix_okr(
        kpi("Website conversion rate", TargetType.AT_LEAST, 7, unit_kind=UnitKind.PERCENT),
        6.1,
        TODAY,
    )
    assert draft == FixOkrDraft(
        title="Get website conversion rate back to 7 %",
        area_id=3,
        owner_id="U_MAYA",
        kpi_id=7,
        period_start=TODAY,
        period_end=date(2026, 12, 31),
        key_results=(
            linked("Website conversion rate: from 6.1 % to 7 %", 6.1, 7, "%"),
            causes("website conversion rate"),
            experiments(3, "raise", "website conversion rate"),
        ),
    )


def test_stay_at_or_below() -> None:
    """Cost per lead at €60 against ≤ €45 (a third over): back down, five experiments."""
    draft = draft_fix_okr(
        kpi(
            "Cost per lead",
            TargetType.AT_MOST,
            45,
            unit_kind=UnitKind.CURRENCY,
            unit_label="EUR",
        ),
        60,
        TODAY,
    )
    assert draft.title == "Get cost per lead back down to €45"
    assert draft.key_results == (
        linked("Cost per lead: from €60 to €45", 60, 45, "EUR"),
        causes("cost per lead"),
        experiments(5, "lower", "cost per lead"),
    )


@pytest.mark.parametrize(
    ("current", "edge", "extra"),
    [
        (5.8, 5.0, (experiments(3, "lower", "pipeline coverage"),)),  # above: the high edge
        (2.9, 3.0, ()),  # just below: the low edge, a small gap needs no experiments
    ],
)
def test_stay_between(current: float, edge: float, extra: tuple[KeyResultDraft, ...]) -> None:
    """A range comes back inside at its nearer edge."""
    draft = draft_fix_okr(
        kpi(
            "Pipeline coverage",
            TargetType.BETWEEN,
            3,
            target_high=5,
            unit_kind=UnitKind.TEXT,
            unit_label="x",
        ),
        current,
        TODAY,
    )
    assert draft.title == "Get pipeline coverage back between 3 x and 5 x"
    shown = f"{current:g} x"
    assert draft.key_results == (
        linked(f"Pipeline coverage: from {shown} to {edge:g} x", current, edge, "x"),
        causes("pipeline coverage"),
        *extra,
    )


def test_increase_to_gets_back_on_its_line() -> None:
    """An increase from 4 % (2026-01-01) to 10 % (2027-01-01) is back on its line at 9.92 %
    on the objective's last day."""
    draft = draft_fix_okr(
        kpi(
            "Trial-to-paid rate",
            TargetType.INCREASE_TO,
            10,
            unit_kind=UnitKind.PERCENT,
            baseline=4,
            baseline_date=date(2026, 1, 1),
            target_date=date(2027, 1, 1),
        ),
        7,
        TODAY,
    )
    goal = 4 + 6 * 364 / 365
    assert draft.title == "Get trial-to-paid rate back on track: 9.98 % by 2026-12-31"
    assert draft.key_results[0] == linked(
        "Trial-to-paid rate: from 7 % to 9.98 %", 7, round(goal, 6), "%"
    )
    assert draft.key_results[2] == experiments(5, "raise", "trial-to-paid rate")


def test_decrease_to_gets_back_on_its_line() -> None:
    """A decrease from 8 % to 2 % over 2026 reads 2.02 % on 2026-12-31's line."""
    draft = draft_fix_okr(
        kpi(
            "Monthly churn",
            TargetType.DECREASE_TO,
            2,
            unit_kind=UnitKind.PERCENT,
            baseline=8,
            baseline_date=date(2026, 1, 1),
            target_date=date(2027, 1, 1),
        ),
        3.5,
        TODAY,
    )
    assert draft.title == "Get monthly churn back on track: 2.02 % by 2026-12-31"
    assert draft.key_results[0].target == round(8 - 6 * 364 / 365, 6)
    assert draft.key_results[2] == experiments(5, "lower", "monthly churn")


def test_an_acronym_keeps_its_capitals() -> None:
    draft = draft_fix_okr(kpi("NPS", TargetType.AT_LEAST, 40), 30, TODAY)
    assert draft.title == "Get NPS back to 40"


@pytest.mark.parametrize(
    ("today", "end"),
    [
        (date(2026, 11, 2), date(2026, 12, 31)),  # the rest of the quarter
        (date(2026, 12, 4), date(2027, 1, 15)),  # the quarter ends sooner: six weeks
        (date(2027, 2, 14), date(2027, 3, 31)),  # exactly six weeks left
    ],
)
def test_the_fix_runs_to_the_quarters_end_or_six_weeks(today: date, end: date) -> None:
    assert fix_period_end(today) == end
