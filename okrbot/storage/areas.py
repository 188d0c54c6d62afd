"""Area queries."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from okrbot.storage.models import Area


def area_for_channel(session: Session, *, workspace_id: int, channel_id: str) -> Area | None:
    """The area whose home channel this is, if any."""
    return session.exec(
        select(Area).where(Area.workspace_id == workspace_id, Area.channel_id == channel_id)
    ).first()


def get_area(session: Session, *, workspace_id: int, area_id: int) -> Area | None:
    """The area with this id in this workspace; None for another workspace's id."""
    return session.exec(
        select(Area).where(Area.workspace_id == workspace_id, Area.id == area_id)
    ).first()


def list_areas(session: Session, *, workspace_id: int) -> list[Area]:
    return list(
        session.exec(select(Area).where(Area.workspace_id == workspace_id).order_by(col(Area.name)))
    )


def area_named(session: Session, *, workspace_id: int, name: str) -> Area | None:
    """The area with this name, ignoring case."""
    return session.exec(
        select(Area).where(
            Area.workspace_id == workspace_id, func.lower(Area.name) == name.strip().lower()
        )
    ).first()
