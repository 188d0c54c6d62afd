"""The audit log: who changed what, when, with the row before and after."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from okrbot.storage.models import AuditEntry


def snapshot(row: SQLModel) -> dict[str, Any]:
    """A row as JSON-safe data, for the audit log's before/after."""
    return row.model_dump(mode="json")


def record(
    session: Session,
    *,
    workspace_id: int,
    actor_id: str,
    entity: str,
    entity_id: int,
    action: str,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the caller's unit of work (it commits with the change)."""
    entry = AuditEntry(
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        at=at,
    )
    session.add(entry)
    return entry


@contextmanager
def recording_change(
    session: Session,
    row: SQLModel,
    *,
    workspace_id: int,
    actor_id: str,
    entity: str,
    action: str,
    at: datetime,
) -> Iterator[None]:
    """Change `row` inside the block; the audit log gets the row before and after."""
    before = snapshot(row)
    yield
    session.add(row)
    entity_id = getattr(row, "id", None)
    assert isinstance(entity_id, int)
    record(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        at=at,
        before=before,
        after=snapshot(row),
    )


def history(
    session: Session, *, workspace_id: int, entity: str, entity_id: int
) -> list[AuditEntry]:
    """Every audit entry of one row, oldest first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(
                AuditEntry.workspace_id == workspace_id,
                AuditEntry.entity == entity,
                AuditEntry.entity_id == entity_id,
            )
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        )
    )
