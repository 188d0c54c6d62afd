"""What every adapter needs, built once by the composition root and passed down."""

from dataclasses import dataclass, field

from sqlalchemy import Engine

from okrbot.bot.clock import Clock, system_clock
from okrbot.bot.config import Settings
from okrbot.bot.slack.users import UserDirectory
from okrbot.storage.db import make_engine


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    clock: Clock = system_clock
    users: UserDirectory = field(default_factory=UserDirectory)


def build_deps(settings: Settings, clock: Clock = system_clock) -> Deps:
    return Deps(settings=settings, engine=make_engine(settings.database_url), clock=clock)
