"""Ack latency: okrbot vs two bare-Bolt baselines, at 1, 10 and 50 concurrent clients.

All three servers run at once, each in its own process, idle while another is measured; each
(kind of request, concurrency) is run on okrbot and on both baselines back to back, so a noisy
neighbour on the machine hurts all three alike and the ratios stay honest.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.flows import Scenario
from bench.load import MODAL_DEADLINE_S, CheckAck, LoadResult, MakeRequest, run_load
from bench.report import Report, Row
from bench.servers import Server

OKRBOT = "okrbot"
SAME_SERVER = "bare Bolt, waitress"
FASTEST = "bare AsyncApp, uvicorn"
TARGET_CLIENTS = 50
P50_VS_SAME = 1.3
P50_VS_FASTEST = 1.5
P99_TARGET_MS = 300.0


@dataclass(frozen=True)
class Level:
    clients: int
    per_client: int


FULL_LEVELS = (Level(1, 100), Level(10, 30), Level(50, 20))
QUICK_LEVELS = (Level(1, 10), Level(10, 3), Level(50, 2))


@dataclass(frozen=True)
class Servers:
    okrbot: Server
    same_server: Server
    fastest: Server
    fake: str


@dataclass(frozen=True)
class Target:
    name: str
    server: Server
    make: MakeRequest
    check: CheckAck
    opens_modal: bool

    def run(self, fake: str, clients: int, per_client: int) -> LoadResult:
        return run_load(
            self.server.url,
            fake,
            clients=clients,
            per_client=per_client,
            make=self.make,
            check=self.check,
            expects_modal=self.opens_modal,
            server_cpu=self.server.cpu_seconds,
        )


def _targets(servers: Servers, scenario: Scenario) -> list[Target]:
    baseline = (scenario.baseline, scenario.check_baseline, scenario.baseline_opens_modal)
    return [
        Target(
            OKRBOT, servers.okrbot, scenario.okrbot, scenario.check, scenario.okrbot_opens_modal
        ),
        Target(SAME_SERVER, servers.same_server, *baseline),
        Target(FASTEST, servers.fastest, *baseline),
    ]


def warm_up(servers: Servers, scenario: Scenario) -> None:
    """First requests pay for imports, auth.test and connection pools: not measured."""
    for target in _targets(servers, scenario):
        target.run(servers.fake, clients=5, per_client=4)


def measure(report: Report, servers: Servers, scenario: Scenario, levels: Sequence[Level]) -> None:
    warm_up(servers, scenario)
    details: list[dict[str, Any]] = []
    for level in levels:
        results = {
            target.name: target.run(servers.fake, level.clients, level.per_client)
            for target in _targets(servers, scenario)
        }
        _report_level(report, scenario, level, results)
        details.append({name: result.summary() for name, result in results.items()})
    report.details[f"ack {scenario.title}"] = details


def _report_level(
    report: Report, scenario: Scenario, level: Level, results: dict[str, LoadResult]
) -> None:
    section = f"ack latency: {scenario.title}"
    okrbot, same, fastest = (results[n].summary() for n in (OKRBOT, SAME_SERVER, FASTEST))
    at_target = level.clients == TARGET_CLIENTS
    prefix = f"{level.clients:>2} clients"

    def row(figure: str, unit: str, key: str, stat: str | None = None) -> Row:
        def pick(summary: dict[str, Any]) -> float:
            value = summary[key]
            return float(value[stat] if stat else value)

        return report.add(
            Row(
                section,
                f"{prefix}: {figure}",
                unit,
                pick(okrbot),
                {SAME_SERVER: pick(same), FASTEST: pick(fastest)},
            )
        )

    for stat in ("p50", "p95", "p99", "max"):
        ack_row = row(f"ack {stat}", "ms", "ack_ms", stat)
        if at_target and stat == "p50":
            vs_same, vs_fastest = ack_row.ratio(SAME_SERVER), ack_row.ratio(FASTEST)
            ack_row.target = f"<= {P50_VS_SAME}x / {P50_VS_FASTEST}x"
            ack_row.met = (
                vs_same is not None
                and vs_fastest is not None
                and vs_same <= P50_VS_SAME
                and vs_fastest <= P50_VS_FASTEST
            )
        if at_target and stat == "p99":
            ack_row.target = f"< {P99_TARGET_MS:.0f} ms"
            ack_row.met = okrbot["ack_ms"][stat] < P99_TARGET_MS
    row("throughput", "req/s", "throughput_per_s")
    row("server CPU per request", "ms", "server_cpu_ms_per_request")
    if scenario.okrbot_opens_modal:
        modal = row("request -> views.open, max", "ms", "modal_ms", "max")
        modal.target = f"< {MODAL_DEADLINE_S * 1000:.0f} ms"
        modal.met = (
            okrbot["modals_late"] == 0 and okrbot["modal_ms"]["max"] < MODAL_DEADLINE_S * 1000
        )
    errors = row(f"errors (of {okrbot['requests']})", "", "errors")
    errors.target, errors.met = "0", okrbot["errors"] == 0
    samples = [
        f"{name}: {sample}"
        for name, summary in ((OKRBOT, okrbot), (SAME_SERVER, same), (FASTEST, fastest))
        for sample in summary["error_samples"]
    ]
    if samples:
        errors.note = "; ".join(samples)
