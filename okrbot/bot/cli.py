"""The `okrbot` command."""

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from okrbot.bot.config import WHERE_TO_GET, ConfigError, Settings, load_settings

EXIT_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Callable[[Settings, argparse.Namespace], int] = args.run
    try:
        settings = load_settings()
        logging.basicConfig(
            level=settings.log_level,
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
            stream=sys.stderr,
        )
        logging.getLogger("alembic").setLevel(logging.WARNING)
        return command(settings, args)
    except ConfigError as error:
        print(f"okrbot: {error}", file=sys.stderr)  # noqa: T201
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okrbot",
        description="OKRs and KPIs in one place, in Slack. Settings come from the environment "
        "or a .env file; see README.md.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the Slack app (HTTP, or Socket Mode when SLACK_APP_TOKEN is set)",
        description="Apply pending migrations, start the scheduler, and serve Slack's requests "
        "at POST /slack/events (health check: GET /healthz).",
    )
    serve.add_argument(
        "--no-scheduler", action="store_true", help="do not post digests or reminders"
    )
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser(
        "migrate",
        help="bring the database schema up to date",
        description="Apply pending migrations to DATABASE_URL (safe to run while bots start).",
    )
    migrate.add_argument(
        "--revision", default="head", help="the revision to upgrade to (default: head)"
    )
    migrate.set_defaults(run=_migrate)

    tick = commands.add_parser(
        "tick",
        help="post the digests and reminders due now (what the scheduler runs every minute)",
        description="Run, once, exactly what the scheduler runs at an instant: post every "
        "digest and reminder due then and not sent yet, and retry those that failed. Safe "
        "beside running bots: everything is claimed in the database first, so nothing is "
        "posted twice. Needs SLACK_BOT_TOKEN.",
    )
    tick.add_argument(
        "--now",
        type=_instant,
        default=None,
        metavar="ISO-8601",
        help="the instant to tick at, with its offset, e.g. 2026-11-30T08:00:00+00:00 "
        "(default: the clock)",
    )
    tick.set_defaults(run=_tick)

    demo = commands.add_parser(
        "demo",
        help="seed a sample workspace and preview its weekly digests (no Slack needed)",
        description="Seed Marketing, Sales and Product with KPIs, objectives and check-ins "
        "into DATABASE_URL, then print what each area's weekly digest would say. "
        "Running it again adds nothing twice.",
    )
    demo.set_defaults(run=_demo)
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from okrbot.bot.runtime import serve  # noqa: PLC0415  (keeps `okrbot --help` fast)

    return serve(settings, scheduler=not args.no_scheduler)


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from okrbot.storage import migrate  # noqa: PLC0415
    from okrbot.storage.db import make_engine  # noqa: PLC0415

    engine = make_engine(settings.database_url)
    migrate.upgrade(engine, args.revision)
    print(f"database at revision {migrate.current_revision(engine)}")  # noqa: T201
    return 0


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 instant such as 2026-11-30T08:00:00+00:00"
        ) from error
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no offset: add one, e.g. {text}+00:00 for UTC"
        )
    return instant


def _tick(settings: Settings, args: argparse.Namespace) -> int:
    from okrbot.bot.deps import build_deps  # noqa: PLC0415
    from okrbot.bot.scheduler import tick  # noqa: PLC0415
    from okrbot.storage import migrate  # noqa: PLC0415

    if settings.slack_bot_token is None:
        raise ConfigError(f"SLACK_BOT_TOKEN is not set: {WHERE_TO_GET['SLACK_BOT_TOKEN']}.")
    deps = build_deps(settings)
    migrate.upgrade(deps.engine)
    now = args.now or deps.clock()
    tick(deps, now)
    print(f"ticked at {now.isoformat()}")  # noqa: T201
    return 0


def _demo(settings: Settings, _args: argparse.Namespace) -> int:
    from okrbot.bot.demo import run_demo  # noqa: PLC0415

    return run_demo(settings, out=sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
