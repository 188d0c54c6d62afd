"""The tick job that posts weekly digests: claim, build, send, record, on the scheduler thread."""

import logging
from datetime import datetime

from okrbot.bot.delivery import ChannelUnavailableError, Courier, SendError, retrying_client
from okrbot.bot.deps import Deps
from okrbot.bot.slack.blocks.digest import Message, channel_problem_message, digest_messages
from okrbot.handlers.digest import build_digest, channel_broken, channel_works
from okrbot.handlers.digest_runs import DigestJob, claim_due_digests
from okrbot.storage import runs
from okrbot.storage.db import session_scope

log = logging.getLogger("okrbot.digests")

AREA_GONE = "the area was deleted"


def send_digests(deps: Deps, now: datetime) -> None:
    """Post every digest due at `now` (and retry those that failed); each exactly once."""
    with session_scope(deps.engine) as session:
        jobs = claim_due_digests(session, now=now)
    if not jobs:
        return
    courier = Courier(retrying_client(deps.settings))
    for job in jobs:
        try:
            _send(deps, courier, job, now)
        except Exception as error:  # one area's bug must not hold back the others' digests
            log.exception("digest crashed area=%s period=%s", job.area_id, job.period)
            with session_scope(deps.engine) as session:
                runs.mark_failed(session, job.claim, now=now, error=_describe(error))


def _send(deps: Deps, courier: Courier, job: DigestJob, now: datetime) -> None:
    with session_scope(deps.engine) as session:
        digest = build_digest(
            session, workspace_id=job.workspace_id, area_id=job.area_id, now=now, period=job.period
        )
        if digest is None:
            runs.mark_skipped(session, job.claim, now=now, reason=AREA_GONE)
            return
    try:
        posted = _post_remaining(deps, courier, job, digest_messages(digest))
    except ChannelUnavailableError as error:
        _record_channel_problem(deps, courier, job, error, now)
        return
    except SendError as error:
        log.warning("digest failed area=%s period=%s: %s", job.area_id, job.period, error)
        with session_scope(deps.engine) as session:
            runs.mark_failed(session, job.claim, now=now, error=_describe(error))
        return
    if posted:
        with session_scope(deps.engine) as session:
            runs.mark_sent(session, job.claim, now=now)
            channel_works(session, workspace_id=job.workspace_id, area_id=job.area_id)
        log.info("digest sent area=%s period=%s", job.area_id, job.period)


def _post_remaining(deps: Deps, courier: Courier, job: DigestJob, messages: list[Message]) -> bool:
    """Post the messages an earlier attempt did not; False if another process took the run."""
    progress = job.progress
    for number, message in enumerate(messages, start=1):
        if number <= progress.parts_posted:
            continue
        ts = courier.post(job.channel_id, text=message.text, blocks=message.blocks)
        progress = runs.Progress(first_ts=progress.first_ts or ts, parts_posted=number)
        with session_scope(deps.engine) as session:
            if not runs.record_posted(
                session, job.claim, channel_id=job.channel_id, progress=progress
            ):
                log.warning("digest run %s was taken over; stopping", job.claim.run_id)
                return False
    return True


def _record_channel_problem(
    deps: Deps, courier: Courier, job: DigestJob, error: ChannelUnavailableError, now: datetime
) -> None:
    """Record why the channel refuses posts; the first time, tell the area's leads."""
    with session_scope(deps.engine) as session:
        runs.mark_failed(session, job.claim, now=now, error=error.error)
        newly = channel_broken(
            session, workspace_id=job.workspace_id, area_id=job.area_id, error=error.error
        )
    log.warning("digest cannot be posted area=%s: %s", job.area_id, error.error)
    if newly is None:
        return
    message = channel_problem_message(newly.area_name, job.channel_id, error.error)
    for lead in newly.leads:
        courier.tell(lead, text=message.text, blocks=message.blocks)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"
