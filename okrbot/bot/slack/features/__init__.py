"""Each feature module owns its subcommands, actions, views and events.

A feature module exposes `SUBCOMMANDS` (a sequence of `Subcommand`) and `register(app, deps)`
for everything that is not a slash command. Add a module here to switch it on.
"""

from types import ModuleType

from okrbot.bot.slack.features import areas, checkin, home, kpis, lifecycle, okr_menu, okrs

FEATURES: tuple[ModuleType, ...] = (lifecycle, home, checkin, okrs, okr_menu, areas, kpis)
