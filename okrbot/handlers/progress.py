"""Progress of key results and objectives: pure rules, golden-tested."""

import math
from collections.abc import Sequence

from okrbot.storage.models import KeyResult, KeyResultKind


def clamp(fraction: float) -> float:
    """`fraction` held within 0 to 1; NaN counts as no progress."""
    if math.isnan(fraction):
        return 0.0
    return min(1.0, max(0.0, fraction))


def metric_progress(*, start: float | None, target: float | None, current: float | None) -> float:
    """The share of the way from `start` to `target` that `current` has come, within 0 to 1.

    Works for decreasing targets too (churn 5 % → 3 %: at 4 % it is half-way). Without a
    current value nothing has moved yet.
    """
    if start is None or target is None or current is None:
        return 0.0
    if target == start:
        return 1.0 if current == target else 0.0
    return clamp((current - start) / (target - start))


def kr_progress(kr: KeyResult) -> float:
    """0.0 to 1.0: a metric by its way from start to target, a milestone 0 or 1."""
    if kr.kind == KeyResultKind.MILESTONE:
        return 1.0 if kr.done else 0.0
    return metric_progress(start=kr.start_value, target=kr.target_value, current=kr.current_value)


def objective_progress(krs: Sequence[KeyResult]) -> float:
    """The mean of its key results' progress; 0 without key results."""
    if not krs:
        return 0.0
    return sum(kr_progress(kr) for kr in krs) / len(krs)
