"""Digest scaling: build (not send) an area's digest for 100, 1,000 and 10,000 KPIs.

For each size: wall time, SQL statements executed, and peak Python memory (tracemalloc, in a
separate build so it does not slow the timed ones). Baseline: one raw SQL query that fetches
the same latest values (each KPI's last 12, as the digest's sparklines need).
"""

import importlib
import itertools
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

from bench.report import Report, Row
from bench.seed import SeededArea, seed_kpis
from okrbot.bot.runtime import tune_gc
from okrbot.storage import migrate
from okrbot.storage.db import make_engine, session_scope

SECTION = "digest scaling (SQLite)"
TODAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday, as in the tests
HISTORY = 12  # values per KPI the digest shows (its sparkline)
TIME_TARGET_S = 1.0  # 10,000 KPIs in under 1 s
GROWTH_TARGET = 12.0  # 10x the KPIs costs at most 12x the time

# Each KPI's last 12 values by index seeks: the 12th-latest period bounds a range scan.
RAW_LATEST_VALUES = text(
    """
    SELECT k.id, k.name, k.target_type, k.target, k.target_high, k.warning_margin,
           v.period_start, v.value
    FROM kpi AS k
    LEFT JOIN kpivalue AS v ON v.kpi_id = k.id AND v.period_start >= COALESCE(
        (SELECT older.period_start FROM kpivalue AS older WHERE older.kpi_id = k.id
         ORDER BY older.period_start DESC LIMIT 1 OFFSET :history - 1),
        '0001-01-01')
    WHERE k.workspace_id = :workspace AND k.area_id = :area AND k.archived_at IS NULL
    ORDER BY k.id, v.period_start
    """
)

BuildDigest = Callable[..., Any]


def digest_builder() -> BuildDigest | None:
    """okrbot's digest use case, or None while it does not exist yet."""
    try:
        module = importlib.import_module("okrbot.handlers.digest")
    except ImportError:
        return None
    found: BuildDigest | None = getattr(module, "build_digest", None)
    return found


@contextmanager
def counting_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends to the database while the block runs."""
    statements: list[str] = []

    def on_execute(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def build_once(engine: Engine, area: SeededArea, build: BuildDigest) -> Any:
    """One digest built as the bot builds it: its own session, at TODAY."""
    with session_scope(engine) as session:
        return build(session, workspace_id=area.workspace_id, area_id=area.area_id, now=TODAY)


def raw_latest_values(engine: Engine, area: SeededArea) -> list[Any]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                RAW_LATEST_VALUES,
                {"workspace": area.workspace_id, "area": area.area_id, "history": HISTORY},
            )
        )


@dataclass
class SizeResult:
    kpis: int
    seconds: list[float]
    raw_seconds: list[float]
    statements: int
    statement_texts: list[str]
    peak_kib: float
    raw_peak_kib: float
    digest_kpis: int

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def raw_median_s(self) -> float:
        return statistics.median(self.raw_seconds)


def _timed(function: Callable[[], Any], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        samples.append(time.perf_counter() - began)
    return samples


def _peak_kib(function: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024


def seeded_database(workdir: Path, kpis: int) -> tuple[Engine, SeededArea]:
    engine = make_engine(f"sqlite:///{workdir / f'digest_{kpis}.db'}")
    migrate.upgrade(engine)
    area = seed_kpis(engine, count=kpis, today=TODAY.date())
    return engine, area


def measure_size(engine: Engine, area: SeededArea, build: BuildDigest, repeats: int) -> SizeResult:
    built = build_once(engine, area, build)  # warm: imports, the statement cache, SQLite's pages
    raw_latest_values(engine, area)
    with counting_statements(engine) as statements:
        build_once(engine, area, build)
    return SizeResult(
        kpis=len(area.kpi_ids),
        seconds=_timed(lambda: build_once(engine, area, build), repeats),
        raw_seconds=_timed(lambda: raw_latest_values(engine, area), repeats),
        statements=len(statements),
        statement_texts=statements,
        peak_kib=_peak_kib(lambda: build_once(engine, area, build)),
        raw_peak_kib=_peak_kib(lambda: raw_latest_values(engine, area)),
        digest_kpis=len(getattr(built, "kpis", ())),
    )


def run(report: Report, workdir: Path, *, sizes: tuple[int, ...], repeats: int) -> Path | None:
    """Measure every size; returns the largest seeded database (for the memory benchmark)."""
    tune_gc()  # the digest is built in `okrbot serve`, which runs with this setting
    build = digest_builder()
    if build is None:
        report.unavailable(SECTION, "build the digest", "okrbot.handlers.digest.build_digest")
        return None
    results: list[SizeResult] = []
    for kpis in sizes:
        engine, area = seeded_database(workdir, kpis)
        try:
            results.append(measure_size(engine, area, build, repeats))
        finally:
            engine.dispose()
    _report(report, results)
    return workdir / f"digest_{sizes[-1]}.db"


def _report(report: Report, results: list[SizeResult]) -> None:
    raw = "one raw SQL query"
    largest = results[-1].kpis
    for result in results:
        label = f"{result.kpis:,} KPIs"
        timed = report.add(
            Row(
                SECTION,
                f"{label}: build time (median)",
                "ms",
                result.median_s * 1000,
                {raw: result.raw_median_s * 1000},
            )
        )
        if result.kpis == largest and largest >= 10_000:
            timed.target, timed.met = "< 1,000 ms", result.median_s < TIME_TARGET_S
        report.add(
            Row(
                SECTION,
                f"{label}: SQL statements",
                "",
                result.statements,
                {raw: 1},
                target=f"= {results[0].statements} (as at {results[0].kpis:,})",
                met=result.statements == results[0].statements,
            )
        )
        memory = report.add(
            Row(
                SECTION,
                f"{label}: peak memory (tracemalloc)",
                "MiB",
                result.peak_kib / 1024,
                {raw: result.raw_peak_kib / 1024},
            )
        )
        if result.digest_kpis != result.kpis:
            memory.note = f"the digest holds {result.digest_kpis} of {result.kpis} KPIs"
    for smaller, larger in itertools.pairwise(results):
        growth = larger.median_s / smaller.median_s
        report.add(
            Row(
                SECTION,
                f"time growth {smaller.kpis:,} -> {larger.kpis:,} KPIs",
                "x",
                growth,
                {raw: larger.raw_median_s / smaller.raw_median_s},
                target=f"<= {GROWTH_TARGET:.0f}x",
                met=growth <= GROWTH_TARGET * larger.kpis / smaller.kpis / 10,
            )
        )
    report.details["digest"] = [
        {
            "kpis": r.kpis,
            "seconds": r.seconds,
            "raw_seconds": r.raw_seconds,
            "statements": r.statement_texts,
            "peak_kib": r.peak_kib,
            "raw_peak_kib": r.raw_peak_kib,
        }
        for r in results
    ]
