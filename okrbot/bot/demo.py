"""`okrbot demo`: seed a sample workspace and print each area's weekly digest. No Slack needed."""

from typing import TextIO

from okrbot.bot.clock import Clock, system_clock
from okrbot.bot.config import Settings
from okrbot.bot.terminal import render_digest
from okrbot.handlers.demo import DEMO_TIMEZONE, DEMO_WORKSPACE, seed_demo
from okrbot.handlers.digest import build_digest
from okrbot.handlers.periods import local_date
from okrbot.storage import migrate
from okrbot.storage.areas import list_areas
from okrbot.storage.db import make_engine, session_scope
from okrbot.storage.workspaces import find_workspace


def run_demo(settings: Settings, *, out: TextIO, clock: Clock = system_clock) -> int:
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    now = clock()
    with session_scope(engine) as session:
        created = seed_demo(session, today=local_date(now, DEMO_TIMEZONE), now=now)
    out.write("Seeded a sample workspace" if created else "The sample workspace is already there")
    out.write(f" in {engine.url.render_as_string(hide_password=True)}.\n")
    out.write("This is what each area's weekly KPI digest would say:\n\n")
    with session_scope(engine) as session:
        workspace_id = find_workspace(session, external_id=DEMO_WORKSPACE)
        assert workspace_id is not None
        for area in list_areas(session, workspace_id=workspace_id):
            assert area.id is not None
            digest = build_digest(session, workspace_id=workspace_id, area_id=area.id, now=now)
            assert digest is not None
            out.write(render_digest(digest) + "\n")
    out.write("Next: create the Slack app from manifest.yml (see README.md) and run `make run`.\n")
    engine.dispose()
    return 0
