"""The scheduler: one tick a minute; what is due lives in our tables, not in pickled jobs."""

import logging
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from okrbot.bot.deps import Deps
from okrbot.bot.digests import send_digests
from okrbot.bot.reminders import send_reminders

log = logging.getLogger("okrbot.scheduler")

TickJob = Callable[[Deps, datetime], None]

# What a tick runs, in order. Each job claims its work in the database before sending,
# so overlapping ticks, restarts and several processes never send anything twice.
TICK_JOBS: tuple[TickJob, ...] = (send_digests, send_reminders)


def tick(deps: Deps, now: datetime) -> None:
    """Run every job that is due at `now`; one failing job does not stop the others."""
    for job in TICK_JOBS:
        try:
            job(deps, now)
        except Exception:
            log.exception("tick job %s failed at %s", job.__name__, now.isoformat())


def start_scheduler(deps: Deps) -> Callable[[], None]:
    """Start ticking once a minute in a background thread; returns a function that stops it."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        lambda: tick(deps, deps.clock()),
        "cron",
        second=0,
        id="tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=50,
    )
    scheduler.start()
    log.info("scheduler started: one tick a minute")
    return lambda: scheduler.shutdown(wait=False)
