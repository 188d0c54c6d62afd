"""Write throughput: check-ins per second through the HTTP path, then every row counted.

10 concurrent clients submit check-in modals (each a new modal, so each must be stored once).
Afterwards the check-in rows are counted: none lost (every confirmed submission has its row),
none duplicated (no idempotency key twice, no more rows than submissions).
"""

from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bench.flows import Scenario
from bench.load import run_load
from bench.report import Report, Row
from bench.servers import Server
from okrbot.storage.models import CheckIn

SECTION = "write throughput: check-ins, 10 clients"
CLIENTS = 10


@dataclass(frozen=True)
class Counted:
    rows: int
    distinct_keys: int


def count_checkins(engine: Engine) -> Counted:
    with Session(engine) as session:
        rows = session.exec(select(func.count()).select_from(CheckIn)).one()
        keys = session.exec(select(func.count(func.distinct(col(CheckIn.idempotency_key))))).one()
    return Counted(rows, keys)


def measure(
    report: Report,
    *,
    backend: str,
    engine: Engine,
    okrbot: Server,
    baseline: Server,
    baseline_name: str,
    fake_url: str,
    scenario: Scenario,
    per_client: int,
) -> None:
    before = count_checkins(engine)
    result = run_load(
        okrbot.url,
        fake_url,
        clients=CLIENTS,
        per_client=per_client,
        make=scenario.okrbot,
        check=scenario.check,
        expects_modal=False,
        server_cpu=okrbot.cpu_seconds,
    )
    after = count_checkins(engine)
    base = run_load(
        baseline.url,
        fake_url,
        clients=CLIENTS,
        per_client=per_client,
        make=scenario.baseline,
        check=scenario.check_baseline,
        expects_modal=False,
        server_cpu=baseline.cpu_seconds,
    ).summary()
    summary = result.summary()
    sent = len(result.sent)
    confirmed = sum(1 for s in result.sent if not s.error)
    added = after.rows - before.rows
    duplicated = (after.rows - after.distinct_keys) + max(0, added - sent)
    lost = max(0, confirmed - added)
    same = f"{baseline_name} (acks only)"
    report.add(
        Row(
            SECTION,
            f"{backend}: check-ins per second",
            "/s",
            summary["throughput_per_s"],
            {same: base["throughput_per_s"]},
        )
    )
    report.add(
        Row(
            SECTION,
            f"{backend}: ack p99",
            "ms",
            summary["ack_ms"]["p99"],
            {same: base["ack_ms"]["p99"]},
        )
    )
    report.add(
        Row(
            SECTION,
            f"{backend}: server CPU per check-in",
            "ms",
            summary["server_cpu_ms_per_request"],
            {same: base["server_cpu_ms_per_request"]},
        )
    )
    row = report.add(
        Row(
            SECTION,
            f"{backend}: rows stored / submissions confirmed / sent",
            "",
            added,
            target="= confirmed = sent",
            met=added == confirmed == sent,
            note=f"{added} stored, {confirmed} confirmed, {sent} sent",
        )
    )
    if result.error_samples:
        row.note += "; errors: " + "; ".join(result.error_samples)
    report.add(
        Row(
            SECTION,
            f"{backend}: lost / duplicated check-ins",
            "",
            lost + duplicated,
            target="0",
            met=lost == 0 and duplicated == 0,
            note=f"{lost} lost, {duplicated} duplicated",
        )
    )
    report.details[f"throughput {backend}"] = {
        "okrbot": summary,
        "baseline": base,
        "rows_before": before.rows,
        "rows_after": after.rows,
        "distinct_keys_after": after.distinct_keys,
    }
