"""The `okrbot` command."""

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from okrbot.bot.config import ConfigError, Settings, load_settings

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


if __name__ == "__main__":
    sys.exit(main())
