"""Each feature module owns its subcommands, actions, views and events.

A feature module exposes `SUBCOMMANDS` (a sequence of `Subcommand`) and `register(app, deps)`
for everything that is not a slash command. Add a module here to switch it on.
"""

from types import ModuleType

from okrbot.bot.slack.features import areas, home, kpis, lifecycle

FEATURES: tuple[ModuleType, ...] = (lifecycle, home, areas, kpis)
