"""`python -m bench`: run every benchmark, print the table, write bench/results.json.

Every figure is measured beside its baseline in the same run; see BENCHMARKS.md.
"""

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import ack, digest, flows, memory, pg, throughput
from bench.report import Report, render
from bench.seed import seed_okrs
from bench.servers import REPO, Memory, Server, okrbot_command, run_fake_slack, run_server
from okrbot.storage import migrate
from okrbot.storage.db import make_engine

RESULTS = Path(__file__).parent / "results.json"
SECTIONS = ("digest", "ack", "throughput", "memory")


@dataclass(frozen=True)
class Plan:
    quick: bool
    digest_sizes: tuple[int, ...]
    digest_repeats: int
    levels: tuple[ack.Level, ...]
    checkins_per_client: int


FULL = Plan(
    quick=False,
    digest_sizes=(100, 1_000, 10_000),
    digest_repeats=3,
    levels=ack.FULL_LEVELS,
    checkins_per_client=50,
)
QUICK = Plan(
    quick=True,
    digest_sizes=(100, 1_000),
    digest_repeats=1,
    levels=ack.QUICK_LEVELS,
    checkins_per_client=5,
)


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (small sizes)")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only these sections")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    only = set(args.only or SECTIONS)
    report = Report(quick=plan.quick)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="okrbot-bench-") as scratch:
        run(report, plan, only, Path(scratch))
    report.details["wall_seconds"] = time.perf_counter() - began
    print(render(report))
    report.write(args.output)
    say(f"done in {report.details['wall_seconds']:.0f} s; results in {_shown(args.output)}")
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def run(report: Report, plan: Plan, only: set[str], workdir: Path) -> None:
    digest_db: Path | None = None
    if "digest" in only or "memory" in only:
        say(f"digest scaling: {', '.join(f'{n:,}' for n in plan.digest_sizes)} KPIs")
        sizes = plan.digest_sizes if "digest" in only else plan.digest_sizes[-1:]
        digest_db = digest.run(report, workdir, sizes=sizes, repeats=plan.digest_repeats)
    channels = [flows.OKR_CHANNEL, flows.KPI_CHANNEL]
    with run_fake_slack(workdir, list(flows.USERS), channels) as fake_url:
        baselines_idle: dict[str, Memory] = {}
        if only & {"ack", "throughput"}:
            baselines_idle = _http_benchmarks(report, plan, only, workdir, fake_url)
        if "throughput" in only:
            _postgres_throughput(report, plan, workdir, fake_url)
        if "memory" in only:
            say("memory: okrbot serve, idle and after the biggest digest")
            memory.measure(
                report,
                workdir=workdir,
                fake_url=fake_url,
                database=digest_db,
                kpis=plan.digest_sizes[-1],
                baselines_idle=baselines_idle,
            )


def _okr_database(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    seed_okrs(engine, users=list(flows.USERS), today=digest.TODAY.date(), key_results_each=1)
    engine.dispose()


@contextmanager
def _okrbot(workdir: Path, fake_url: str, database_url: str, name: str) -> Iterator[Server]:
    _okr_database(database_url)
    command = okrbot_command("serve", "--no-scheduler")
    with run_server(
        name, command, workdir=workdir, fake_url=fake_url, database_url=database_url
    ) as server:
        yield server


def _http_benchmarks(
    report: Report, plan: Plan, only: set[str], workdir: Path, fake_url: str
) -> dict[str, Memory]:
    """Ack latency and SQLite write throughput, with okrbot and both baselines up at once."""
    database_url = f"sqlite:///{workdir / 'okrbot.db'}"
    say("starting okrbot serve (SQLite) and the two bare-Bolt baselines")
    with ExitStack() as stack:
        bot = stack.enter_context(_okrbot(workdir, fake_url, database_url, "okrbot"))
        same = stack.enter_context(
            run_server(
                "bare-wsgi",
                [sys.executable, "-m", "bench.bare_wsgi"],
                workdir=workdir,
                fake_url=fake_url,
                ready_path="",
            )
        )
        fastest = stack.enter_context(
            run_server(
                "bare-asgi",
                [sys.executable, "-m", "bench.bare_asgi"],
                workdir=workdir,
                fake_url=fake_url,
                ready_path="",
            )
        )
        idle = {ack.SAME_SERVER: same.memory(), ack.FASTEST: fastest.memory()}
        servers = ack.Servers(bot, same, fastest, fake_url)
        has_checkin = flows.has_subcommand("/okr", "checkin")
        if "ack" in only:
            command = (
                flows.checkin_command(fake_url) if has_checkin else flows.stand_in_command(fake_url)
            )
            say(f"ack latency: {command.title}")
            ack.measure(report, servers, command, plan.levels)
        submission = None
        if has_checkin:
            views = flows.capture_checkin_views(bot.url, fake_url, flows.USERS[: flows.SUBMITTERS])
            submission = flows.checkin_submission(views)
        if "ack" in only:
            if submission is None:
                report.unavailable("ack latency: check-in view submission", "all", "/okr checkin")
            else:
                say(f"ack latency: {submission.title}")
                ack.measure(report, servers, submission, plan.levels)
        if "throughput" in only:
            if submission is None:
                report.unavailable(throughput.SECTION, "SQLite", "/okr checkin")
            else:
                say("write throughput: SQLite")
                engine = make_engine(database_url)
                throughput.measure(
                    report,
                    backend="SQLite",
                    engine=engine,
                    okrbot=bot,
                    baseline=same,
                    baseline_name=ack.SAME_SERVER,
                    fake_url=fake_url,
                    scenario=submission,
                    per_client=plan.checkins_per_client,
                )
                engine.dispose()
        report.details["servers_after_load"] = {
            server.name: vars(server.memory()) for server in (bot, same, fastest)
        }
        return idle


def _postgres_throughput(report: Report, plan: Plan, workdir: Path, fake_url: str) -> None:
    if not flows.has_subcommand("/okr", "checkin"):
        report.unavailable(throughput.SECTION, "PostgreSQL", "/okr checkin")
        return
    if not pg.reachable():
        report.unavailable(throughput.SECTION, "PostgreSQL", f"no server at {pg.PG_ADMIN_URL}")
        return
    say("write throughput: PostgreSQL")
    with (
        pg.scratch_database() as database_url,
        _okrbot(workdir, fake_url, database_url, "okrbot-postgres") as bot,
        run_server(
            "bare-wsgi-postgres",
            [sys.executable, "-m", "bench.bare_wsgi"],
            workdir=workdir,
            fake_url=fake_url,
            ready_path="",
        ) as same,
    ):
        views = flows.capture_checkin_views(bot.url, fake_url, flows.USERS[: flows.SUBMITTERS])
        engine = make_engine(database_url)
        try:
            throughput.measure(
                report,
                backend="PostgreSQL",
                engine=engine,
                okrbot=bot,
                baseline=same,
                baseline_name=ack.SAME_SERVER,
                fake_url=fake_url,
                scenario=flows.checkin_submission(views),
                per_client=plan.checkins_per_client,
            )
        finally:
            engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
