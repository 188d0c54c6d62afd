"""The digest as plain text for a terminal: what `okrbot demo` prints."""

from collections.abc import Iterator

from okrbot.handlers.digest import Bucket, Digest, DigestKpi
from okrbot.handlers.health import Status
from okrbot.handlers.kpis import KpiView
from okrbot.handlers.objectives import ObjectiveView
from okrbot.handlers.units import format_number, format_value

BUCKET_NAMES = {
    Bucket.UNHEALTHY: "unhealthy",
    Bucket.WATCH: "watch",
    Bucket.STALE: "stale",
    Bucket.NO_DATA: "no data",
    Bucket.HEALTHY: "healthy",
}
STATUS_MARKS = {
    Status.UNHEALTHY: "RED   ",
    Status.WATCH: "YELLOW",
    Status.NO_DATA: "NODATA",
    Status.HEALTHY: "GREEN ",
}
BAR_WIDTH = 10


def render_digest(digest: Digest) -> str:
    return "\n".join(_lines(digest))


def _lines(digest: Digest) -> Iterator[str]:
    title = f"{digest.area.name} — KPI health, week of {digest.week_start:%d %B %Y}"
    yield title
    yield "=" * len(title)
    yield ", ".join(f"{digest.counts[b]} {BUCKET_NAMES[b]}" for b in Bucket)
    yield ""
    for item in digest.kpis:
        yield _kpi_line(item.view)
        yield from _fix_lines(item)
    if digest.objectives:
        yield ""
        yield "Objectives"
        for objective in digest.objectives:
            yield _objective_line(objective)
    yield ""


def _kpi_line(view: KpiView) -> str:
    kpi = view.kpi
    value = format_value(view.latest.value, kpi) if view.latest else "no value yet"
    change = "" if view.change is None else f" ({'+' if view.change >= 0 else ''}"
    change += "" if view.change is None else f"{format_number(view.change)})"
    stale = "  [stale]" if view.health.stale else ""
    return (
        f"  {STATUS_MARKS[view.health.status]} {kpi.name}: {value}{change}  {view.sparkline}{stale}"
    )


def _fix_lines(item: DigestKpi) -> Iterator[str]:
    if item.bucket != Bucket.UNHEALTHY:
        return
    if not item.fixes:
        yield "           no fix in progress: create an OKR to fix this KPI"
    for fix in item.fixes:
        yield f"           fix in progress: {fix.objective.title} {_bar(fix.progress)}"


def _objective_line(view: ObjectiveView) -> str:
    confidence = view.confidence.value.replace("_", " ") if view.confidence else "no check-in"
    return f"  {_bar(view.progress)} {view.objective.title} ({confidence})"


def _bar(fraction: float) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * BAR_WIDTH)
    return "#" * filled + "." * (BAR_WIDTH - filled) + f" {round(fraction * 100)} %"
