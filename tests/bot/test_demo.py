"""`okrbot demo`: what a newcomer runs first, with no Slack at all."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func
from sqlmodel import SQLModel, select

from okrbot.storage.db import make_engine, session_scope


def _demo(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "okrbot.bot.cli", "demo"],
        cwd=directory,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _row_counts(database: Path) -> dict[str, int]:
    engine = make_engine(f"sqlite:///{database}")
    with session_scope(engine) as session:
        counts = {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
        }
    engine.dispose()
    return counts


def test_demo_in_an_empty_directory_previews_each_areas_digest(tmp_path: Path) -> None:
    result = _demo(tmp_path)
    assert result.returncode == 0, result.stderr
    for area in ("Marketing", "Sales", "Product"):
        assert f"{area} — KPI health, week of" in result.stdout
    assert "RED    Website conversion rate: 6.1 %" in result.stdout
    assert "no fix in progress: create an OKR to fix this KPI" in result.stdout
    assert "[stale]" in result.stdout
    assert (tmp_path / "okrbot.db").exists()


def test_running_the_demo_twice_adds_nothing(tmp_path: Path) -> None:
    assert _demo(tmp_path).returncode == 0
    first = _row_counts(tmp_path / "okrbot.db")
    second_run = _demo(tmp_path)
    assert second_run.returncode == 0
    assert "already there" in second_run.stdout
    assert _row_counts(tmp_path / "okrbot.db") == first
    assert first["kpi"] == 7
    assert first["kpivalue"] > 7 * 12
