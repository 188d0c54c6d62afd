"""Claims on scheduled runs: each digest or reminder is sent once per period, by one process.

A run is claimed by inserting its row (unique on workspace, kind, subject and period) before
anything is sent; of several processes claiming at once exactly one succeeds. The claimant
holds the run by its attempt number: a retry re-claims a failed or abandoned run by bumping
it, and every later write checks it, so a process that lost its run stops writing to it.

A digest can take several messages. `message_ts` records how far a send got, as the first
message's ts and the number of messages posted ("1764489600.000100#2"), so a retry resumes
after the last message posted instead of posting it twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import Session, col, select

from okrbot.storage.models import Area, RunKind, RunStatus, ScheduledRun, Workspace
from okrbot.storage.upsert import insert_if_absent

_UNIQUE = ["workspace_id", "kind", "subject", "period"]


@dataclass(frozen=True)
class Claim:
    """A run this process holds: its id and the attempt that every write checks."""

    run_id: int
    attempt: int


@dataclass(frozen=True)
class Progress:
    """How much of a run's message is already posted."""

    first_ts: str | None
    parts_posted: int

    @classmethod
    def of(cls, run: ScheduledRun) -> "Progress":
        if not run.message_ts:
            return cls(first_ts=None, parts_posted=0)
        ts, _, parts = run.message_ts.partition("#")
        return cls(first_ts=ts, parts_posted=int(parts) if parts.isdigit() else 1)

    def encoded(self) -> str:
        return f"{self.first_ts}#{self.parts_posted}"


def scheduled_areas(session: Session) -> list[Area]:
    """Every area with a home channel in a workspace that still has okrbot installed."""
    return list(
        session.exec(
            select(Area)
            .join(Workspace, col(Workspace.id) == col(Area.workspace_id))
            .where(col(Workspace.active).is_(True), col(Area.channel_id).is_not(None))
            .order_by(col(Area.id))
        )
    )


def taken(session: Session, *, kind: RunKind, periods: Iterable[str]) -> set[tuple[int, str, str]]:
    """(workspace, subject, period) of every run of `kind` already claimed for `periods`."""
    wanted = sorted(set(periods))
    if not wanted:
        return set()
    rows = session.exec(
        select(ScheduledRun.workspace_id, ScheduledRun.subject, ScheduledRun.period).where(
            ScheduledRun.kind == kind, col(ScheduledRun.period).in_(wanted)
        )
    )
    return {(workspace_id, subject, period) for workspace_id, subject, period in rows}


def claim(
    session: Session,
    *,
    workspace_id: int,
    kind: RunKind,
    subject: str,
    period: str,
    due_at: datetime,
    now: datetime,
    channel_id: str | None = None,
) -> Claim | None:
    """Claim a run; None when another tick or process already has it."""
    inserted = insert_if_absent(
        session,
        ScheduledRun,
        {
            "workspace_id": workspace_id,
            "kind": kind,
            "subject": subject,
            "period": period,
            "due_at": due_at,
            "status": RunStatus.CLAIMED,
            "attempts": 1,
            "claimed_at": now,
            "last_error": "",
            "channel_id": channel_id,
        },
        unique_on=_UNIQUE,
    )
    if not inserted:
        return None
    run = _find(session, workspace_id=workspace_id, kind=kind, subject=subject, period=period)
    assert run.id is not None
    return Claim(run_id=run.id, attempt=run.attempts)


def record_skipped(
    session: Session,
    *,
    workspace_id: int,
    kind: RunKind,
    subject: str,
    period: str,
    due_at: datetime,
    now: datetime,
    reason: str,
) -> bool:
    """Record that a run was never sent (e.g. too late); False if it was claimed meanwhile."""
    return insert_if_absent(
        session,
        ScheduledRun,
        {
            "workspace_id": workspace_id,
            "kind": kind,
            "subject": subject,
            "period": period,
            "due_at": due_at,
            "status": RunStatus.SKIPPED,
            "attempts": 0,
            "claimed_at": now,
            "finished_at": now,
            "last_error": reason[:500],
        },
        unique_on=_UNIQUE,
    )


def retryable(
    session: Session, *, kind: RunKind, due_after: datetime, abandoned_before: datetime
) -> list[ScheduledRun]:
    """Runs to try again: failed ones, and claims abandoned before `abandoned_before`."""
    return list(
        session.exec(
            select(ScheduledRun)
            .where(
                ScheduledRun.kind == kind,
                col(ScheduledRun.due_at) > due_after,
                _retryable(abandoned_before),
            )
            .order_by(col(ScheduledRun.id))
        )
    )


def reclaim(
    session: Session, *, run_id: int, now: datetime, abandoned_before: datetime
) -> Claim | None:
    """Take over a failed or abandoned run; None when another process got there first."""
    result = session.execute(
        update(ScheduledRun)
        .where(col(ScheduledRun.id) == run_id, _retryable(abandoned_before))
        .values(
            status=RunStatus.CLAIMED,
            attempts=col(ScheduledRun.attempts) + 1,
            claimed_at=now,
            finished_at=None,
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    run = session.get(ScheduledRun, run_id, populate_existing=True)
    assert run is not None
    return Claim(run_id=run_id, attempt=run.attempts)


def get_run(session: Session, claim: Claim) -> ScheduledRun | None:
    """The claimed run, or None if another process took it over."""
    run = session.get(ScheduledRun, claim.run_id, populate_existing=True)
    return run if run is not None and run.attempts == claim.attempt else None


def record_posted(session: Session, claim: Claim, *, channel_id: str, progress: Progress) -> bool:
    """Note that a message of the run is posted; False if the run is no longer ours."""
    return _write(session, claim, channel_id=channel_id, message_ts=progress.encoded())


def mark_sent(session: Session, claim: Claim, *, now: datetime) -> bool:
    return _write(session, claim, status=RunStatus.SENT, finished_at=now, last_error="")


def mark_failed(session: Session, claim: Claim, *, now: datetime, error: str) -> bool:
    return _write(session, claim, status=RunStatus.FAILED, finished_at=now, last_error=error[:500])


def mark_skipped(session: Session, claim: Claim, *, now: datetime, reason: str) -> bool:
    return _write(
        session, claim, status=RunStatus.SKIPPED, finished_at=now, last_error=reason[:500]
    )


def _write(session: Session, claim: Claim, **values: object) -> bool:
    result = session.execute(
        update(ScheduledRun)
        .where(
            col(ScheduledRun.id) == claim.run_id,
            col(ScheduledRun.attempts) == claim.attempt,
            col(ScheduledRun.status) == RunStatus.CLAIMED,
        )
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _retryable(abandoned_before: datetime) -> ColumnElement[bool]:
    return or_(
        col(ScheduledRun.status) == RunStatus.FAILED,
        and_(
            col(ScheduledRun.status) == RunStatus.CLAIMED,
            col(ScheduledRun.claimed_at) < abandoned_before,
        ),
    )


def _find(
    session: Session, *, workspace_id: int, kind: RunKind, subject: str, period: str
) -> ScheduledRun:
    return session.exec(
        select(ScheduledRun).where(
            ScheduledRun.workspace_id == workspace_id,
            ScheduledRun.kind == kind,
            ScheduledRun.subject == subject,
            ScheduledRun.period == period,
        )
    ).one()


# ---- the area's channel, as deliveries find it --------------------------------------------
def set_channel_error(session: Session, *, workspace_id: int, area_id: int, error: str) -> bool:
    """Record why the area's channel refuses posts; True only when it had no problem before."""
    result = session.execute(
        update(Area)
        .where(
            col(Area.workspace_id) == workspace_id,
            col(Area.id) == area_id,
            col(Area.channel_error) == "",
        )
        .values(channel_error=error[:64])
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def clear_channel_error(session: Session, *, workspace_id: int, area_id: int) -> None:
    session.execute(
        update(Area)
        .where(
            col(Area.workspace_id) == workspace_id,
            col(Area.id) == area_id,
            col(Area.channel_error) != "",
        )
        .values(channel_error="")
    )
