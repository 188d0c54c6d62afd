"""Which weekly digests a tick sends: claimed in the database before anything is posted."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from okrbot.handlers.schedule import (
    ABANDONED_AFTER,
    CATCH_UP,
    WeeklySchedule,
    latest_occurrence,
    too_late,
)
from okrbot.storage import runs
from okrbot.storage.models import Area, RunKind, ScheduledRun

TOO_LATE = "more than 24 hours late (okrbot was not running)"
NOT_SCHEDULED = "the area has no channel any more, or okrbot was uninstalled"


@dataclass(frozen=True)
class DigestJob:
    """One area's digest for one week, claimed by this process: post it, then record it."""

    claim: runs.Claim
    workspace_id: int
    area_id: int
    channel_id: str
    period: str
    progress: runs.Progress  # messages already posted by an earlier attempt


def schedule_of(area: Area) -> WeeklySchedule:
    return WeeklySchedule(
        timezone=area.timezone,
        weekday=area.digest_weekday,
        hour=area.digest_hour,
        minute=area.digest_minute,
    )


def claim_due_digests(session: Session, *, now: datetime) -> list[DigestJob]:
    """Claim every digest due at `now`: retries first, then this week's new ones.

    A digest is due from its instant until 24 hours later; one never claimed by then is
    recorded as skipped. Failed runs, and claims abandoned by a process that died, are
    re-claimed within the same 24 hours.
    """
    areas = runs.scheduled_areas(session)  # in id order, so concurrent claims never deadlock
    jobs = _reclaim_retries(session, {area.id: area for area in areas}, now)
    due = [(area, latest_occurrence(schedule_of(area), now)) for area in areas]
    claimed = runs.taken(
        session, kind=RunKind.DIGEST, periods={occurrence.period for _, occurrence in due}
    )
    for area, occurrence in due:
        if _key(area, occurrence.period) in claimed:
            continue
        if too_late(occurrence.due_at, now):
            runs.record_skipped(
                session,
                workspace_id=area.workspace_id,
                kind=RunKind.DIGEST,
                subject=str(area.id),
                period=occurrence.period,
                due_at=occurrence.due_at,
                now=now,
                reason=TOO_LATE,
            )
            continue
        claim = runs.claim(
            session,
            workspace_id=area.workspace_id,
            kind=RunKind.DIGEST,
            subject=str(area.id),
            period=occurrence.period,
            due_at=occurrence.due_at,
            now=now,
            channel_id=area.channel_id,
        )
        if claim is not None:
            jobs.append(_job(claim, area, occurrence.period, runs.Progress(None, 0)))
    return jobs


def _key(area: Area, period: str) -> tuple[int, str, str]:
    return (area.workspace_id, str(area.id), period)


def _reclaim_retries(
    session: Session, areas: dict[int | None, Area], now: datetime
) -> list[DigestJob]:
    abandoned_before = now - ABANDONED_AFTER
    jobs = []
    for run in runs.retryable(
        session, kind=RunKind.DIGEST, due_after=now - CATCH_UP, abandoned_before=abandoned_before
    ):
        assert run.id is not None
        claim = runs.reclaim(session, run_id=run.id, now=now, abandoned_before=abandoned_before)
        if claim is None:
            continue
        area = _area_of(run, areas)
        if area is None:
            runs.mark_skipped(session, claim, now=now, reason=NOT_SCHEDULED)
            continue
        jobs.append(_job(claim, area, run.period, runs.Progress.of(run)))
    return jobs


def _area_of(run: ScheduledRun, areas: dict[int | None, Area]) -> Area | None:
    area = areas.get(int(run.subject)) if run.subject.isdigit() else None
    return area if area is not None and area.workspace_id == run.workspace_id else None


def _job(claim: runs.Claim, area: Area, period: str, progress: runs.Progress) -> DigestJob:
    assert area.id is not None
    assert area.channel_id is not None
    return DigestJob(
        claim=claim,
        workspace_id=area.workspace_id,
        area_id=area.id,
        channel_id=area.channel_id,
        period=period,
        progress=progress,
    )
