"""Each feature module owns its subcommands, actions, views and events.

A feature module exposes `SUBCOMMANDS` (a sequence of `Subcommand`) and `register(app, deps)`
for everything that is not a slash command. Add a module here to switch it on.
"""

from types import ModuleType

from okrbot.bot.slack.features import (
    areas,
    checkin,
    digest,
    home,
    kpis,
    lifecycle,
    messages,
    okr_menu,
    okrs,
    reminders,
)

FEATURES: tuple[ModuleType, ...] = (
    lifecycle,
    home,
    checkin,
    okrs,
    okr_menu,
    digest,
    areas,
    kpis,
    reminders,
    messages,
)
