"""Check-ins, claimed by an idempotency key, and the weekly channel threads they post into."""

from datetime import datetime

from sqlmodel import Session, col, delete, select

from okrbot.storage.models import ChannelThread, CheckIn
from okrbot.storage.upsert import insert_if_absent


def insert_checkin(session: Session, checkin: CheckIn) -> bool:
    """Add `checkin` unless one with its idempotency key exists; True if this one was added."""
    values = checkin.model_dump(exclude={"id"})
    return insert_if_absent(session, CheckIn, values, unique_on=["workspace_id", "idempotency_key"])


def checkin_by_key(session: Session, *, workspace_id: int, idempotency_key: str) -> CheckIn | None:
    return session.exec(
        select(CheckIn).where(
            CheckIn.workspace_id == workspace_id, CheckIn.idempotency_key == idempotency_key
        )
    ).first()


def checkins_of(session: Session, *, workspace_id: int, key_result_id: int) -> list[CheckIn]:
    """Every check-in of a key result, oldest first."""
    return list(
        session.exec(
            select(CheckIn)
            .where(CheckIn.workspace_id == workspace_id, CheckIn.key_result_id == key_result_id)
            .order_by(col(CheckIn.created_at), col(CheckIn.id))
        )
    )


def claim_channel_thread(
    session: Session,
    *,
    workspace_id: int,
    objective_id: int,
    period: str,
    channel_id: str,
    now: datetime,
) -> bool:
    """Claim the right to post an objective's thread for `period`; True for exactly one caller."""
    return insert_if_absent(
        session,
        ChannelThread,
        {
            "workspace_id": workspace_id,
            "objective_id": objective_id,
            "period": period,
            "channel_id": channel_id,
            "message_ts": None,
            "created_at": now,
        },
        unique_on=["workspace_id", "objective_id", "period"],
    )


def channel_thread(
    session: Session, *, workspace_id: int, objective_id: int, period: str
) -> ChannelThread | None:
    return session.exec(
        select(ChannelThread).where(
            ChannelThread.workspace_id == workspace_id,
            ChannelThread.objective_id == objective_id,
            ChannelThread.period == period,
        )
    ).first()


def set_thread_message(
    session: Session, *, workspace_id: int, objective_id: int, period: str, message_ts: str
) -> None:
    """Record the parent message that later check-ins reply to."""
    thread = channel_thread(
        session, workspace_id=workspace_id, objective_id=objective_id, period=period
    )
    if thread is not None:
        thread.message_ts = message_ts
        session.add(thread)


def release_channel_thread(
    session: Session, *, workspace_id: int, objective_id: int, period: str
) -> None:
    """Give up a claim whose parent message could not be posted, so a later check-in retries."""
    session.exec(
        delete(ChannelThread).where(
            col(ChannelThread.workspace_id) == workspace_id,
            col(ChannelThread.objective_id) == objective_id,
            col(ChannelThread.period) == period,
            col(ChannelThread.message_ts).is_(None),
        )
    )
