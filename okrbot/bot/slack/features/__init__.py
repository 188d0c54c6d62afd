"""Each feature module owns its subcommands, actions, views and events.

A feature module exposes `SUBCOMMANDS` (a sequence of `Subcommand`) and `register(app, deps)`
for everything that is not a slash command. Add a module here to switch it on.
"""

from types import ModuleType

from okrbot.bot.slack.features import (
    areas,
    checkin,
    digest,
    fix_okr,
    home,
    kpis,
    lifecycle,
    messages,
    okr_menu,
    okr_to_kpi,
    okrs,
    reminders,
)

FEATURES: tuple[ModuleType, ...] = (
    lifecycle,
    home,
    checkin,
    okrs,
    okr_menu,
    okr_to_kpi,
    digest,
    fix_okr,
    areas,
    kpis,
    reminders,
    messages,
)
