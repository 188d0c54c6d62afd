"""Workspace rows: found or created from the platform's team id."""

from sqlmodel import Session, select

from okrbot.storage.models import Workspace
from okrbot.storage.upsert import insert_if_absent


def ensure_workspace(session: Session, *, external_id: str, platform: str = "slack") -> int:
    """The id of the workspace with this external id, creating it on first sight."""
    insert_if_absent(
        session,
        Workspace,
        {"platform": platform, "external_id": external_id, "name": ""},
        unique_on=["platform", "external_id"],
    )
    found = session.exec(
        select(Workspace.id).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    ).one()
    assert found is not None
    return found


def find_workspace(session: Session, *, external_id: str, platform: str = "slack") -> int | None:
    """The id of the workspace with this external id, if okrbot has seen it."""
    return session.exec(
        select(Workspace.id).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    ).first()


def set_workspace_active(
    session: Session, *, external_id: str, active: bool, platform: str = "slack"
) -> None:
    workspace = session.exec(
        select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    ).first()
    if workspace is not None:
        workspace.active = active
        session.add(workspace)
