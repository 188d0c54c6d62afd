"""The golden table of KPI health: every target type at, just above and just below each boundary.

Read a row as: "a KPI with these settings and these values is judged so on this day".
Unless a row says otherwise, the day is Monday 2026-11-30 and each value is this week's.
"""

from datetime import date, timedelta
from typing import Any

import pytest

from okrbot.handlers.health import Health, Status, attention_rank, judge
from okrbot.storage.models import Cadence, Kpi, KpiValue, TargetType

TODAY = date(2026, 11, 30)  # a Monday
THIS_WEEK = TODAY
LAST_WEEK = TODAY - timedelta(weeks=1)

HEALTHY, WATCH, RED, NO_DATA = Status.HEALTHY, Status.WATCH, Status.UNHEALTHY, Status.NO_DATA


def kpi(**fields: Any) -> Kpi:
    return Kpi(id=1, workspace_id=1, area_id=1, name="k", owner_id="U", **fields)


def weekly(*values: float | None, ending: date = THIS_WEEK) -> list[KpiValue]:
    """One value a week, oldest first, the last in the week of `ending`; None leaves a gap."""
    first = ending - timedelta(weeks=len(values) - 1)
    return [
        KpiValue(
            workspace_id=1,
            kpi_id=1,
            period_start=first + timedelta(weeks=i),
            value=v,
            author_id="U",
        )
        for i, v in enumerate(values)
        if v is not None
    ]


AT_LEAST_7: dict[str, Any] = {"target_type": TargetType.AT_LEAST, "target": 7.0}
AT_LEAST_7_M: dict[str, Any] = {**AT_LEAST_7, "warning_margin": 0.5}
AT_MOST_2: dict[str, Any] = {"target_type": TargetType.AT_MOST, "target": 2.0}
AT_MOST_2_M: dict[str, Any] = {**AT_MOST_2, "warning_margin": 0.5}
BETWEEN_3_5: dict[str, Any] = {"target_type": TargetType.BETWEEN, "target": 3.0, "target_high": 5.0}
BETWEEN_3_5_M: dict[str, Any] = {**BETWEEN_3_5, "warning_margin": 0.5}
# 60 days from 100 on 2026-10-31 to 160 on 2026-12-30: on 2026-11-30 the line is at 130.
INCREASE: dict[str, Any] = {
    "target_type": TargetType.INCREASE_TO,
    "target": 160.0,
    "baseline": 100.0,
    "baseline_date": date(2026, 10, 31),
    "target_date": date(2026, 12, 30),
}
INCREASE_M: dict[str, Any] = {**INCREASE, "warning_margin": 2.0}
# From 50 down to 20 over the same 60 days: on 2026-11-30 the line is at 35.
DECREASE: dict[str, Any] = {
    **INCREASE,
    "target_type": TargetType.DECREASE_TO,
    "target": 20.0,
    "baseline": 50.0,
}


GOLDEN = [
    # stay at or above 7, no margin: binary; meeting the target exactly is healthy
    pytest.param(AT_LEAST_7, [7.0], HEALTHY, id="at_least: exactly 7 is healthy"),
    pytest.param(AT_LEAST_7, [7.01], HEALTHY, id="at_least: just above is healthy"),
    pytest.param(AT_LEAST_7, [6.99], RED, id="at_least: just below is red"),
    # with a 0.5 margin: a watch band from 7 up to 7.5 on the healthy side
    pytest.param(AT_LEAST_7_M, [6.99], RED, id="at_least+m: below the target is red"),
    pytest.param(AT_LEAST_7_M, [7.0], WATCH, id="at_least+m: exactly the target is watch"),
    pytest.param(AT_LEAST_7_M, [7.49], WATCH, id="at_least+m: inside the band is watch"),
    pytest.param(AT_LEAST_7_M, [7.5], HEALTHY, id="at_least+m: the band's edge is healthy"),
    pytest.param(AT_LEAST_7_M, [7.51], HEALTHY, id="at_least+m: above the band is healthy"),
    # stay at or below 2
    pytest.param(AT_MOST_2, [2.0], HEALTHY, id="at_most: exactly 2 is healthy"),
    pytest.param(AT_MOST_2, [1.99], HEALTHY, id="at_most: just below is healthy"),
    pytest.param(AT_MOST_2, [2.01], RED, id="at_most: just above is red"),
    pytest.param(AT_MOST_2_M, [2.01], RED, id="at_most+m: above the target is red"),
    pytest.param(AT_MOST_2_M, [2.0], WATCH, id="at_most+m: exactly the target is watch"),
    pytest.param(AT_MOST_2_M, [1.51], WATCH, id="at_most+m: inside the band is watch"),
    pytest.param(AT_MOST_2_M, [1.5], HEALTHY, id="at_most+m: the band's edge is healthy"),
    pytest.param(AT_MOST_2_M, [1.49], HEALTHY, id="at_most+m: below the band is healthy"),
    # stay between 3 and 5
    pytest.param(BETWEEN_3_5, [3.0], HEALTHY, id="between: the low end is healthy"),
    pytest.param(BETWEEN_3_5, [2.99], RED, id="between: just below the low end is red"),
    pytest.param(BETWEEN_3_5, [3.01], HEALTHY, id="between: just above the low end is healthy"),
    pytest.param(BETWEEN_3_5, [5.0], HEALTHY, id="between: the high end is healthy"),
    pytest.param(BETWEEN_3_5, [5.01], RED, id="between: just above the high end is red"),
    pytest.param(BETWEEN_3_5, [4.99], HEALTHY, id="between: just below the high end is healthy"),
    pytest.param(BETWEEN_3_5_M, [2.99], RED, id="between+m: below the range is red"),
    pytest.param(BETWEEN_3_5_M, [3.0], WATCH, id="between+m: the low end is watch"),
    pytest.param(BETWEEN_3_5_M, [3.49], WATCH, id="between+m: near the low end is watch"),
    pytest.param(BETWEEN_3_5_M, [3.5], HEALTHY, id="between+m: the low band's edge is healthy"),
    pytest.param(BETWEEN_3_5_M, [4.0], HEALTHY, id="between+m: the middle is healthy"),
    pytest.param(BETWEEN_3_5_M, [4.5], HEALTHY, id="between+m: the high band's edge is healthy"),
    pytest.param(BETWEEN_3_5_M, [4.51], WATCH, id="between+m: near the high end is watch"),
    pytest.param(BETWEEN_3_5_M, [5.0], WATCH, id="between+m: the high end is watch"),
    pytest.param(BETWEEN_3_5_M, [5.01], RED, id="between+m: above the range is red"),
    # zero and negative targets
    pytest.param({**AT_MOST_2, "target": 0.0}, [0.0], HEALTHY, id="at_most 0: zero is healthy"),
    pytest.param({**AT_MOST_2, "target": 0.0}, [0.01], RED, id="at_most 0: anything above is red"),
    pytest.param({**AT_LEAST_7, "target": 0.0}, [0.0], HEALTHY, id="at_least 0: zero is healthy"),
    pytest.param({**AT_LEAST_7, "target": 0.0}, [-0.01], RED, id="at_least 0: below zero is red"),
    pytest.param({**AT_LEAST_7, "target": -5.0}, [-5.0], HEALTHY, id="at_least -5: -5 is healthy"),
    pytest.param(
        {**AT_LEAST_7, "target": -5.0}, [-4.99], HEALTHY, id="at_least -5: -4.99 is healthy"
    ),
    pytest.param({**AT_LEAST_7, "target": -5.0}, [-5.01], RED, id="at_least -5: -5.01 is red"),
    pytest.param(
        {**AT_MOST_2_M, "target": -10.0, "warning_margin": 2.0},
        [-12.0],
        HEALTHY,
        id="at_most -10+m2: -12 is healthy",
    ),
    pytest.param(
        {**AT_MOST_2_M, "target": -10.0, "warning_margin": 2.0},
        [-11.0],
        WATCH,
        id="at_most -10+m2: -11 is watch",
    ),
    pytest.param(
        {**AT_MOST_2_M, "target": -10.0, "warning_margin": 2.0},
        [-9.99],
        RED,
        id="at_most -10+m2: -9.99 is red",
    ),
    pytest.param(
        {**BETWEEN_3_5, "target": -2.0, "target_high": 2.0},
        [0.0],
        HEALTHY,
        id="between -2 and 2: zero is healthy",
    ),
    pytest.param(
        {**BETWEEN_3_5, "target": -2.0, "target_high": 2.0},
        [-2.01],
        RED,
        id="between -2 and 2: -2.01 is red",
    ),
    pytest.param(
        {**AT_LEAST_7, "target": 0.3},
        [0.1 + 0.2],
        HEALTHY,
        id="float rounding: 0.1 + 0.2 meets 0.3",
    ),
    # increase to 160 from 100: judged against the line (130 today)
    pytest.param(INCREASE, [130.0], HEALTHY, id="increase: on the line is healthy"),
    pytest.param(INCREASE, [131.0], HEALTHY, id="increase: ahead of the line is healthy"),
    pytest.param(INCREASE, [129.9], RED, id="increase: behind the line is red"),
    pytest.param(INCREASE_M, [130.0], WATCH, id="increase+m: on the line is watch"),
    pytest.param(INCREASE_M, [132.0], HEALTHY, id="increase+m: the band's edge is healthy"),
    pytest.param(INCREASE_M, [129.9], RED, id="increase+m: behind the line is red"),
    # decrease to 20 from 50: the line is at 35 today
    pytest.param(DECREASE, [35.0], HEALTHY, id="decrease: on the line is healthy"),
    pytest.param(DECREASE, [34.0], HEALTHY, id="decrease: ahead of the line is healthy"),
    pytest.param(DECREASE, [35.1], RED, id="decrease: behind the line is red"),
]


@pytest.mark.parametrize(("settings", "values", "expected"), GOLDEN)
def test_golden_health(settings: dict[str, Any], values: list[float], expected: Status) -> None:
    health = judge(kpi(**settings), weekly(*values), TODAY)
    assert health == Health(expected, stale=False)


LINE_ENDS = [
    pytest.param(date(2026, 10, 1), 100.0, HEALTHY, id="before the line starts: the baseline"),
    pytest.param(date(2026, 10, 1), 99.0, RED, id="before the line starts: below the baseline"),
    pytest.param(date(2027, 1, 15), 160.0, HEALTHY, id="after the target date: the target"),
    pytest.param(date(2027, 1, 15), 159.0, RED, id="after the target date: short of it"),
]


@pytest.mark.parametrize(("today", "value", "expected"), LINE_ENDS)
def test_golden_increase_line_is_clamped(today: date, value: float, expected: Status) -> None:
    """Before its start the line is the baseline; after the target date, the target."""
    health = judge(kpi(**INCREASE), weekly(value, ending=today), today)
    assert health.status == expected


PERSISTENCE = [
    pytest.param([8.0, 6.0], WATCH, id="N=2: one bad week after a good one is watch"),
    pytest.param([6.0], WATCH, id="N=2: a first value that is bad is watch"),
    pytest.param([6.0, 6.0], RED, id="N=2: two bad weeks in a row are red"),
    pytest.param([6.0, 8.0], HEALTHY, id="N=2: a bad week then a good one is healthy"),
    pytest.param([6.0, 8.0, 6.0], WATCH, id="N=2: a flip back to bad is watch again"),
    pytest.param([6.0, None, 6.0], RED, id="N=2: a week without a value does not break a run"),
    pytest.param([8.0, 6.0, 7.2], WATCH, id="N=2 with margin: in the band is watch"),
]


@pytest.mark.parametrize(("values", "expected"), PERSISTENCE)
def test_golden_red_only_after_n_periods(values: list[float | None], expected: Status) -> None:
    """With "turn red after 2 periods", one noisy week shows watch, not red."""
    settings: dict[str, Any] = {**AT_LEAST_7, "red_after_periods": 2, "warning_margin": 0.5}
    assert judge(kpi(**settings), weekly(*values), TODAY).status == expected


def test_golden_n_periods_of_an_increase_use_each_period_line() -> None:
    """Earlier values of an increase are judged against the line at the end of their week."""
    settings: dict[str, Any] = {**INCREASE, "red_after_periods": 2}
    # Last week ended on 2026-11-29 with the line at 129: 128 was behind, so two bad weeks.
    assert judge(kpi(**settings), weekly(128.0, 129.0), TODAY).status == RED
    # 129.5 was ahead of last week's line: only this week is behind.
    assert judge(kpi(**settings), weekly(129.5, 129.0), TODAY).status == WATCH


STALENESS = [
    pytest.param(
        AT_LEAST_7,
        [8.0],
        LAST_WEEK,
        Health(HEALTHY, stale=False),
        id="weekly: last week's value is fresh",
    ),
    pytest.param(
        AT_LEAST_7,
        [8.0],
        TODAY - timedelta(weeks=2),
        Health(HEALTHY, stale=True),
        id="weekly: a value two weeks old is stale",
    ),
    pytest.param(
        AT_LEAST_7,
        [8.0],
        TODAY - timedelta(weeks=3),
        Health(HEALTHY, stale=True),
        id="weekly: a healthy value three weeks old is healthy but stale",
    ),
    pytest.param(
        AT_LEAST_7,
        [6.0],
        TODAY - timedelta(weeks=3),
        Health(RED, stale=True),
        id="weekly: a red value three weeks old stays red",
    ),
    pytest.param(
        {**AT_LEAST_7, "cadence": Cadence.MONTHLY},
        [8.0],
        date(2026, 10, 1),
        Health(HEALTHY, stale=False),
        id="monthly: last month's value is fresh",
    ),
    pytest.param(
        {**AT_LEAST_7, "cadence": Cadence.MONTHLY},
        [8.0],
        date(2026, 9, 1),
        Health(HEALTHY, stale=True),
        id="monthly: a value two months old is stale",
    ),
    pytest.param(
        INCREASE,
        [120.0],
        TODAY - timedelta(weeks=2),
        Health(RED, stale=True),
        id="increase: a stale value falls behind today's line",
    ),
]


@pytest.mark.parametrize(("settings", "values", "period", "expected"), STALENESS)
def test_golden_staleness(
    settings: dict[str, Any], values: list[float], period: date, expected: Health
) -> None:
    """Stale is a flag beside the colour: it never hides red, and never looks plainly healthy."""
    assert judge(kpi(**settings), weekly(*values, ending=period), TODAY) == expected


def test_a_kpi_without_values_has_no_data() -> None:
    assert judge(kpi(**AT_LEAST_7), [], TODAY) == Health(NO_DATA, stale=False)


def test_values_in_any_order_are_judged_by_the_latest() -> None:
    values = weekly(6.0, 8.0)
    assert judge(kpi(**AT_LEAST_7), values[::-1], TODAY).status == HEALTHY


def test_attention_order_is_red_watch_stale_no_data_healthy() -> None:
    healths = [
        Health(HEALTHY, stale=False),
        Health(NO_DATA, stale=False),
        Health(HEALTHY, stale=True),
        Health(WATCH, stale=True),
        Health(RED, stale=True),
    ]
    assert sorted(healths, key=attention_rank) == healths[::-1]
