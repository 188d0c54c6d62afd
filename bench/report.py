"""The results: one row per figure, beside its same-run baselines, with ratios and targets."""

import json
import math
import os
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

UNAVAILABLE = "not available yet"


@dataclass
class Row:
    """One figure: okrbot's value beside its baselines, and whether it meets its target.

    `value is None` means the figure could not be measured (the feature is missing, or the
    run failed); `note` says why. `met is None` means the figure has no target of its own.
    """

    section: str
    figure: str
    unit: str
    value: float | None
    baselines: dict[str, float | None] = field(default_factory=dict)
    target: str = ""
    met: bool | None = None
    note: str = ""

    def ratio(self, baseline: str) -> float | None:
        """okrbot's value over the baseline's: 2.0 means okrbot takes twice as long."""
        base = self.baselines.get(baseline)
        if self.value is None or base is None or base == 0 or math.isnan(base):
            return None
        return self.value / base


@dataclass
class Report:
    quick: bool
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def unavailable(self, section: str, figure: str, why: str) -> None:
        self.add(Row(section, figure, "", None, note=f"{UNAVAILABLE}: {why}"))

    def missed(self) -> list[Row]:
        return [row for row in self.rows if row.met is False]

    def as_json(self) -> dict[str, Any]:
        return {
            "quick": self.quick,
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": len(os.sched_getaffinity(0)),
            },
            "rows": [
                {**asdict(row), "ratios": {name: row.ratio(name) for name in row.baselines}}
                for row in self.rows
            ],
            "details": self.details,
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=2, default=str) + "\n")


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def number(value: float | None, unit: str) -> str:
    if value is None or math.isnan(value):
        return "-"
    digits = 0 if abs(value) >= 100 or value == int(value) else 1 if abs(value) >= 10 else 2
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}" if unit else text


def _verdict(row: Row) -> str:
    if row.value is None or row.met is None:
        return ""
    return "met" if row.met else "MISSED"


def _cells(row: Row, names: list[str]) -> list[str]:
    if row.value is None:
        return [f"  {row.figure}", row.note, *["" for _ in names], "", ""]
    compared = []
    for name in names:
        base = row.baselines.get(name)
        ratio = row.ratio(name)
        cell = number(base, row.unit) if name in row.baselines else ""
        compared.append(f"{cell} ({ratio:.2f}x)" if ratio is not None else cell)
    return [f"  {row.figure}", number(row.value, row.unit), *compared, row.target, _verdict(row)]


def _table(rows: list[Row]) -> list[str]:
    names = list(dict.fromkeys(name for row in rows for name in row.baselines))
    header = ["", "okrbot", *names, "target", ""]
    lines = [header, *(_cells(row, names) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines
    ]
    rendered.insert(1, "  ".join("-" * w for w in widths))
    return [line.rstrip() for line in rendered]


def render(report: Report) -> str:
    """The table printed at the end of a run: one block per section, ratios in parentheses."""
    out: list[str] = []
    sections = list(dict.fromkeys(row.section for row in report.rows))
    for section in sections:
        rows = [row for row in report.rows if row.section == section]
        out += ["", f"== {section}", *_table(rows)]
    notes = [row for row in report.rows if row.note and row.value is not None]
    if notes:
        out += ["", "Notes:"]
        out += [f"  {row.section} / {row.figure.strip()}: {row.note}" for row in notes]
    missed = report.missed()
    out += ["", f"Targets: {sum(1 for r in report.rows if r.met)} met, {len(missed)} missed."]
    unavailable = [row for row in report.rows if row.value is None]
    if unavailable:
        out.append(f"Not measured: {len(unavailable)} (see above).")
    return "\n".join(out).lstrip("\n")
