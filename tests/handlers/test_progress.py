"""Golden progress: metrics from start to target (either way), milestones, objectives."""

import pytest

from okrbot.handlers.progress import kr_progress, metric_progress, objective_progress
from okrbot.storage.models import KeyResult, KeyResultKind


def metric(start: float, target: float, current: float | None) -> KeyResult:
    return KeyResult(
        workspace_id=1,
        objective_id=1,
        title="metric",
        owner_id="U_ALICE",
        kind=KeyResultKind.METRIC,
        start_value=start,
        target_value=target,
        current_value=current,
    )


def milestone(*, done: bool) -> KeyResult:
    return KeyResult(
        workspace_id=1,
        objective_id=1,
        title="milestone",
        owner_id="U_ALICE",
        kind=KeyResultKind.MILESTONE,
        done=done,
    )


@pytest.mark.parametrize(
    ("start", "target", "current", "expected"),
    [
        # increasing: signups 100 → 200
        (100, 200, 100, 0.0),
        (100, 200, 150, 0.5),
        (100, 200, 175, 0.75),
        (100, 200, 200, 1.0),
        # decreasing: churn 5 % → 3 %
        (5, 3, 5, 0.0),
        (5, 3, 4, 0.5),
        (5, 3, 3.5, 0.75),
        (5, 3, 3, 1.0),
        # from zero, and negative values
        (0, 8, 2, 0.25),
        (-10, 10, 0, 0.5),
    ],
)
def test_metric_progress_is_the_share_of_the_way_from_start_to_target(
    start: float, target: float, current: float, expected: float
) -> None:
    assert kr_progress(metric(start, target, current)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("start", "target", "current", "expected"),
    [
        (100, 200, 250, 1.0),  # beyond the target
        (100, 200, 50, 0.0),  # went backwards
        (5, 3, 2, 1.0),  # churn fell below the target
        (5, 3, 6, 0.0),  # churn rose
    ],
)
def test_metric_progress_is_clamped_to_0_and_100_percent(
    start: float, target: float, current: float, expected: float
) -> None:
    assert kr_progress(metric(start, target, current)) == expected


def test_a_metric_without_a_current_value_has_made_no_progress() -> None:
    assert kr_progress(metric(5, 10, None)) == 0.0


def test_a_target_equal_to_the_start_is_all_or_nothing() -> None:
    assert metric_progress(start=5, target=5, current=5) == 1.0
    assert metric_progress(start=5, target=5, current=6) == 0.0


def test_a_milestone_is_0_or_100_percent() -> None:
    assert kr_progress(milestone(done=False)) == 0.0
    assert kr_progress(milestone(done=True)) == 1.0


def test_an_objective_is_the_mean_of_its_key_results() -> None:
    krs = [metric(0, 10, 5), metric(5, 3, 3), milestone(done=False), metric(0, 4, 1)]
    assert objective_progress(krs) == pytest.approx((0.5 + 1.0 + 0.0 + 0.25) / 4)


def test_an_objective_without_key_results_has_no_progress() -> None:
    assert objective_progress([]) == 0.0
