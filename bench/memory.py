"""Memory: peak RSS of `okrbot serve` idle, and after it built the biggest digest.

The server runs as operators run it (scheduler on) against the digest benchmark's largest
database; `/kpi digest preview` in that area's channel makes it build (and render) the digest.
Read from /proc/<pid>/status: VmHWM (the peak resident set) and VmRSS (now).
"""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bench import payloads
from bench.flows import KPI_CHANNEL, has_subcommand
from bench.load import read_calls, send_once
from bench.report import Report, Row
from bench.seed import KPI_OWNER
from bench.servers import Memory, okrbot_command, run_server
from okrbot.storage.db import make_engine

SECTION = "memory: okrbot serve"
IDLE_TARGET_MB = 150.0
SETTLE_S = 1.0
QUIET_S = 1.5
DIGEST_TIMEOUT_S = 120.0


def _no_digest_due(database: Path) -> None:
    """Move the area's weekly digest three days away, so the scheduler stays idle meanwhile."""
    engine = make_engine(f"sqlite:///{database}")
    weekday = (datetime.now(UTC) + timedelta(days=3)).weekday()
    with engine.begin() as connection:
        connection.execute(text("UPDATE area SET digest_weekday = :day"), {"day": weekday})
    engine.dispose()


def _preview_digest(url: str, fake_url: str) -> tuple[float, int]:
    """`/kpi digest preview`: seconds until its last message arrived, and how many came."""
    read_calls(fake_url)
    request = payloads.command(
        "/kpi",
        "digest preview",
        user=KPI_OWNER,
        channel=KPI_CHANNEL,
        response_base=fake_url.removesuffix("api/"),
    )
    began = time.time()
    response = send_once(url, request)
    if response.status_code != 200:
        raise RuntimeError(f"/kpi digest preview answered HTTP {response.status_code}")
    messages: list[float] = []
    deadline = time.monotonic() + DIGEST_TIMEOUT_S
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        arrived = [c["at"] for c in read_calls(fake_url) if c["method"] == "response_url"]
        if arrived:
            messages.extend(arrived)
            quiet_since = time.monotonic()
        elif messages and time.monotonic() - quiet_since > QUIET_S:
            break
        time.sleep(0.1)
    if not messages:
        raise RuntimeError("/kpi digest preview never answered")
    return max(messages) - began, len(messages)


def measure(
    report: Report,
    *,
    workdir: Path,
    fake_url: str,
    database: Path | None,
    kpis: int,
    baselines_idle: dict[str, Memory],
) -> None:
    if database is None:
        report.unavailable(SECTION, "peak RSS", "no digest database (see digest scaling)")
        return
    _no_digest_due(database)
    with run_server(
        "okrbot-memory",
        okrbot_command("serve"),
        workdir=workdir,
        fake_url=fake_url,
        database_url=f"sqlite:///{database}",
    ) as server:
        time.sleep(SETTLE_S)
        idle = server.memory()
        report.add(
            Row(
                SECTION,
                "idle: peak RSS (VmHWM)",
                "MiB",
                idle.peak_mb,
                {f"{name}, idle": memory.peak_mb for name, memory in baselines_idle.items()},
                target=f"< {IDLE_TARGET_MB:.0f} MiB",
                met=idle.peak_mb < IDLE_TARGET_MB,
            )
        )
        if not has_subcommand("/kpi", "digest"):
            report.unavailable(SECTION, "after the digest", "/kpi digest preview")
            return
        seconds, messages = _preview_digest(server.url, fake_url)
        after = server.memory()
    label = f"after the {kpis:,}-KPI digest"
    report.add(
        Row(
            SECTION,
            f"{label}: peak RSS (VmHWM)",
            "MiB",
            after.peak_mb,
            {"okrbot idle": idle.peak_mb},
        )
    )
    report.add(
        Row(
            SECTION,
            f"{label}: RSS now (VmRSS)",
            "MiB",
            after.now_mb,
            {"okrbot idle": idle.now_mb},
        )
    )
    report.add(
        Row(
            SECTION,
            f"/kpi digest preview, {kpis:,} KPIs: request -> last message",
            "ms",
            seconds * 1000,
            note=f"{messages} ephemeral messages",
        )
    )
    report.details["memory"] = {
        "idle": vars(idle),
        "after_digest": vars(after),
        "baselines_idle": {name: vars(m) for name, m in baselines_idle.items()},
        "digest_preview_s": seconds,
        "digest_messages": messages,
    }
