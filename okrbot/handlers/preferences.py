"""A person's choices about okrbot: weekly reminders on or off, a snooze, the first welcome."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from okrbot.handlers.periods import is_timezone
from okrbot.handlers.reminders import snooze_end
from okrbot.handlers.schedule import zone
from okrbot.storage import preferences as store


@dataclass(frozen=True)
class Preferences:
    reminders_enabled: bool
    snoozed_until: date | None  # the last day of a snooze, in the person's time zone
    timezone: str | None
    welcomed: bool

    def snoozed_on(self, day: date) -> bool:
        return self.snoozed_until is not None and day <= self.snoozed_until


def preferences(session: Session, *, workspace_id: int, user_id: str) -> Preferences:
    found = store.get_preference(session, workspace_id=workspace_id, user_id=user_id)
    return Preferences(
        reminders_enabled=found.reminders_enabled,
        snoozed_until=found.snoozed_until,
        timezone=found.timezone,
        welcomed=found.welcomed,
    )


def set_reminders(session: Session, *, workspace_id: int, user_id: str, enabled: bool) -> None:
    """Turn weekly reminders on (which also ends a snooze) or off."""
    store.set_preference(
        session,
        workspace_id=workspace_id,
        user_id=user_id,
        reminders_enabled=enabled,
        snoozed_until=None,
    )


def snooze_for_a_week(
    session: Session, *, workspace_id: int, user_id: str, timezone: str, now: datetime
) -> date:
    """Skip next week's reminder; the one after comes again. Returns the snooze's last day."""
    until = snooze_end(now.astimezone(zone(timezone)).date())
    store.set_preference(session, workspace_id=workspace_id, user_id=user_id, snoozed_until=until)
    return until


def remember_timezone(session: Session, *, workspace_id: int, user_id: str, timezone: str) -> None:
    """Keep the person's time zone (from Slack) for reminders; unknown names are ignored."""
    if is_timezone(timezone):
        store.set_preference(session, workspace_id=workspace_id, user_id=user_id, timezone=timezone)


def first_visit(session: Session, *, workspace_id: int, user_id: str) -> bool:
    """True the first time a person opens okrbot's Home tab, and never again."""
    return store.claim_welcome(session, workspace_id=workspace_id, user_id=user_id)
