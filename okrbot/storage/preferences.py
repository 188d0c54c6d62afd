"""What each person asked of okrbot (reminders, snoozes, the welcome), one row per person.

A person has no row until they change something; reading one that does not exist gives the
defaults. Writes are single UPDATE statements on a row created with INSERT … ON CONFLICT, so
two requests for the same person at once never fail and never write a second row.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from okrbot.storage.models import UserPreference
from okrbot.storage.upsert import insert_if_absent


def get_preference(session: Session, *, workspace_id: int, user_id: str) -> UserPreference:
    """The person's preferences; the defaults (not stored) when they never changed any."""
    found = session.exec(
        select(UserPreference).where(
            UserPreference.workspace_id == workspace_id, UserPreference.user_id == user_id
        )
    ).first()
    return found or UserPreference(workspace_id=workspace_id, user_id=user_id)


def preferences_of(
    session: Session, people: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], UserPreference]:
    """The stored preferences of (workspace id, user id) pairs, in one statement."""
    wanted = set(people)
    if not wanted:
        return {}
    rows = session.exec(
        select(UserPreference).where(
            col(UserPreference.workspace_id).in_(sorted({w for w, _ in wanted})),
            col(UserPreference.user_id).in_(sorted({u for _, u in wanted})),
        )
    )
    found = {(row.workspace_id, row.user_id): row for row in rows}
    return {key: row for key, row in found.items() if key in wanted}


def set_preference(session: Session, *, workspace_id: int, user_id: str, **values: Any) -> None:
    """Change some of a person's preferences, creating their row on first use."""
    insert_if_absent(
        session,
        UserPreference,
        {"workspace_id": workspace_id, "user_id": user_id},
        unique_on=["workspace_id", "user_id"],
    )
    session.execute(
        update(UserPreference)
        .where(
            col(UserPreference.workspace_id) == workspace_id,
            col(UserPreference.user_id) == user_id,
        )
        .values(**values)
    )


def claim_welcome(session: Session, *, workspace_id: int, user_id: str) -> bool:
    """Mark the person welcomed; True only the first time (for exactly one caller)."""
    insert_if_absent(
        session,
        UserPreference,
        {"workspace_id": workspace_id, "user_id": user_id},
        unique_on=["workspace_id", "user_id"],
    )
    result = session.execute(
        update(UserPreference)
        .where(
            col(UserPreference.workspace_id) == workspace_id,
            col(UserPreference.user_id) == user_id,
            col(UserPreference.welcomed).is_(False),
        )
        .values(welcomed=True)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
