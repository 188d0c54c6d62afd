"""How OKR numbers read in Slack."""

from datetime import UTC, date, datetime, timedelta

import pytest

from okrbot.bot.slack.blocks.okr_format import (
    ago,
    confidence_label,
    day,
    format_value,
    mentions,
    progress_bar,
)
from okrbot.storage.models import Confidence

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fraction", "bar"),
    [
        (0.0, "░░░░░░░░░░ 0 %"),
        (0.4, "▓▓▓▓░░░░░░ 40 %"),
        (0.45, "▓▓▓▓▓░░░░░ 45 %"),
        (1.0, "▓▓▓▓▓▓▓▓▓▓ 100 %"),
        (1.7, "▓▓▓▓▓▓▓▓▓▓ 100 %"),
        (-0.2, "░░░░░░░░░░ 0 %"),
    ],
)
def test_progress_bars(fraction: float, bar: str) -> None:
    assert progress_bar(fraction) == bar


def test_confidence_labels() -> None:
    assert confidence_label(Confidence.ON_TRACK) == "🟢 on track"
    assert confidence_label(Confidence.NEEDS_ATTENTION) == "🟡 needs attention"
    assert confidence_label(Confidence.OFF_TRACK) == "🔴 off track"
    assert confidence_label(None) == "no check-in yet"


@pytest.mark.parametrize(
    ("then", "said"),
    [
        (NOW, "just now"),
        (NOW - timedelta(minutes=5), "5 minutes ago"),
        (NOW - timedelta(hours=1), "1 hour ago"),
        (NOW - timedelta(days=3, hours=2), "3 days ago"),
        (NOW - timedelta(days=15), "2 weeks ago"),
        (None, "never"),
    ],
)
def test_how_long_ago(then: datetime | None, said: str) -> None:
    assert ago(then, NOW) == said


def test_values_days_and_mentions() -> None:
    assert format_value(6.5, "%") == "6.5 %"
    assert format_value(1200, "EUR") == "1,200 EUR"
    assert format_value(0.125) == "0.12"
    assert format_value(None, "%") == "no value yet"
    assert day(date(2026, 12, 31)) == "31 Dec 2026"
    assert mentions(["U1"]) == "<@U1>"
    assert mentions(["U1", "U2", "U3"]) == "<@U1>, <@U2> or <@U3>"
