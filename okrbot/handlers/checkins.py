"""Checking in on a key result: what to pick from, who may, and recording it exactly once."""

import difflib
import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from okrbot.handlers.numbers import number_problem, parse_number
from okrbot.handlers.objectives import (
    Invalid,
    KeyResultView,
    NotAllowed,
    NotFound,
    ObjectiveView,
    local_today,
    objective_view,
    with_checkin,
)
from okrbot.storage import audit
from okrbot.storage import checkins as checkin_store
from okrbot.storage.areas import get_area
from okrbot.storage.models import (
    Area,
    CheckIn,
    Confidence,
    KeyResult,
    KeyResultKind,
)
from okrbot.storage.objectives import (
    PickableKeyResult,
    areas_of_person,
    get_key_result,
    get_kpi,
    get_objective,
    key_results_for_person,
    key_results_of_objective,
)

COMMENT_LIMIT = 3000


# ---- what to pick from --------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A key result someone might check in on."""

    key_result_id: int
    title: str
    objective_title: str
    mine: bool  # they own it, or its objective


def checkin_candidates(
    session: Session, *, workspace_id: int, user_id: str, objective_id: int | None = None
) -> list[Candidate]:
    """Their own key results first, then the others in their areas (or of one objective)."""
    if objective_id is not None:
        objective = get_objective(session, workspace_id=workspace_id, objective_id=objective_id)
        if objective is None:
            return []
        krs = key_results_of_objective(
            session, workspace_id=workspace_id, objective_id=objective_id
        )
        rows = [
            PickableKeyResult(kr.id, kr.title, kr.owner_id, objective.title, objective.owner_id)
            for kr in krs
            if kr.id is not None
        ]
    else:
        areas = areas_of_person(session, workspace_id=workspace_id, user_id=user_id)
        rows = key_results_for_person(
            session, workspace_id=workspace_id, user_id=user_id, area_ids=areas
        )
    candidates = [
        Candidate(
            key_result_id=row.id,
            title=row.title,
            objective_title=row.objective_title,
            mine=user_id in {row.owner_id, row.objective_owner_id},
        )
        for row in rows
    ]
    return sorted(candidates, key=lambda c: not c.mine)  # stable: keeps the objectives' order


def best_match(candidates: list[Candidate], text: str) -> Candidate | None:
    """The key result that `/okr checkin signups` most likely means, if any is close."""
    wanted = text.strip().lower()
    if not wanted:
        return None
    for found in (
        [c for c in candidates if c.title.lower() == wanted],
        [c for c in candidates if wanted in c.title.lower()],
        [c for c in candidates if wanted in c.objective_title.lower()],
    ):
        if found:
            return found[0]
    titles = [c.title.lower() for c in candidates]
    close = difflib.get_close_matches(wanted, titles, n=1, cutoff=0.6)
    return candidates[titles.index(close[0])] if close else None


# ---- one key result, as the check-in modal shows it ---------------------------------------
@dataclass(frozen=True)
class CheckinTarget:
    """A key result with its objective, progress, last check-in, and who may check in on it."""

    objective_view: ObjectiveView
    kr_view: KeyResultView
    area: Area | None
    kpi_name: str | None  # the KPI whose values it follows
    who_can: tuple[str, ...]

    def allows(self, user_id: str) -> bool:
        return user_id in self.who_can

    @property
    def follows_kpi(self) -> bool:
        return self.kpi_name is not None


def checkin_target(
    session: Session, *, workspace_id: int, key_result_id: int
) -> CheckinTarget | NotFound:
    """The key result with this id in this workspace; NotFound for any other id."""
    kr = get_key_result(session, workspace_id=workspace_id, key_result_id=key_result_id)
    if kr is None:
        return NotFound()
    found = objective_view(session, workspace_id=workspace_id, objective_id=kr.objective_id)
    if found is None:
        return NotFound()
    kr_view = next(v for v in found.key_results if v.key_result.id == key_result_id)
    area = get_area(session, workspace_id=workspace_id, area_id=found.objective.area_id)
    kpi = get_kpi(session, workspace_id=workspace_id, kpi_id=kr.kpi_id) if kr.kpi_id else None
    leads = area.leads if area else []
    return CheckinTarget(
        objective_view=found,
        kr_view=kr_view,
        area=area,
        kpi_name=kpi.name if kpi else None,
        who_can=tuple(dict.fromkeys([kr.owner_id, found.objective.owner_id, *leads])),
    )


# ---- recording ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckinEntry:
    """What the person entered: a value (metric) or done (milestone), confidence, comment."""

    value: str = ""
    done: bool | None = None
    confidence: str = ""
    comment: str = ""


@dataclass(frozen=True)
class Recorded:
    checkin: CheckIn
    target: CheckinTarget  # as it is after the check-in
    created: bool  # False when this submission had already been recorded


def submission_key(*, user_id: str, view_id: str, view_hash: str) -> str:
    """A stable identity for one submission of one modal: retries and double clicks share it."""
    digest = hashlib.sha256(f"{user_id}\n{view_id}\n{view_hash}".encode()).hexdigest()
    return f"view:{digest}"


def record_checkin(
    session: Session,
    *,
    workspace_id: int,
    user_id: str,
    key_result_id: int,
    entry: CheckinEntry,
    idempotency_key: str,
    now: datetime,
) -> Recorded | NotFound | NotAllowed | Invalid:
    """Store a check-in and move the key result, once per idempotency key, or say why not."""
    earlier = _already_recorded(session, workspace_id, idempotency_key)
    if earlier is not None:
        return earlier
    target = checkin_target(session, workspace_id=workspace_id, key_result_id=key_result_id)
    if isinstance(target, NotFound):
        return target
    if not target.allows(user_id):
        return NotAllowed(who_can=target.who_can)
    checkin = _checkin_from(entry, target, workspace_id=workspace_id, user_id=user_id, now=now)
    if isinstance(checkin, Invalid):
        return checkin
    checkin.idempotency_key = idempotency_key
    if not checkin_store.insert_checkin(session, checkin):
        again = _already_recorded(session, workspace_id, idempotency_key)
        assert again is not None, "the check-in that won the race is committed"
        return again
    stored = checkin_store.checkin_by_key(
        session, workspace_id=workspace_id, idempotency_key=idempotency_key
    )
    assert stored is not None
    moved = _move_key_result(session, stored, actor_id=user_id, now=now)
    objective = with_checkin(target.objective_view, moved, stored)
    kr_view = next(v for v in objective.key_results if v.key_result.id == key_result_id)
    after = replace(target, objective_view=objective, kr_view=kr_view)
    return Recorded(checkin=stored, target=after, created=True)


def _already_recorded(session: Session, workspace_id: int, key: str) -> Recorded | None:
    checkin = checkin_store.checkin_by_key(session, workspace_id=workspace_id, idempotency_key=key)
    if checkin is None:
        return None
    target = checkin_target(session, workspace_id=workspace_id, key_result_id=checkin.key_result_id)
    if isinstance(target, NotFound):
        return None
    return Recorded(checkin=checkin, target=target, created=False)


def entry_errors(entry: CheckinEntry, target: CheckinTarget) -> dict[str, str]:
    """A sentence for every wrong field: value, done, confidence or comment."""
    errors: dict[str, str] = {}
    kr = target.kr_view.key_result
    if kr.kind == KeyResultKind.MILESTONE:
        if entry.done is None:
            errors["done"] = "Pick whether it is done."
    elif not target.follows_kpi:
        if not entry.value.strip():
            errors["value"] = "Enter the current value, e.g. 6.5."
        elif problem := number_problem(entry.value):
            errors["value"] = problem
    if entry.confidence not in {c.value for c in Confidence}:
        errors["confidence"] = "Pick how confident you are: on track, needs attention or off track."
    if len(entry.comment) > COMMENT_LIMIT:
        errors["comment"] = (
            f"Keep the comment within {COMMENT_LIMIT:,} characters (it has {len(entry.comment):,})."
        )
    return errors


def _checkin_from(
    entry: CheckinEntry, target: CheckinTarget, *, workspace_id: int, user_id: str, now: datetime
) -> CheckIn | Invalid:
    errors = entry_errors(entry, target)
    if errors:
        return Invalid(errors)
    kr = target.kr_view.key_result
    assert kr.id is not None
    milestone = kr.kind == KeyResultKind.MILESTONE
    if milestone:
        value = None
    else:
        value = kr.current_value if target.follows_kpi else parse_number(entry.value)
    return CheckIn(
        workspace_id=workspace_id,
        key_result_id=kr.id,
        author_id=user_id,
        value=None if milestone else value,
        done=entry.done if milestone else None,
        confidence=Confidence(entry.confidence),
        comment=entry.comment,
        created_at=now,
    )


def _move_key_result(
    session: Session, checkin: CheckIn, *, actor_id: str, now: datetime
) -> KeyResult:
    """The key result takes the check-in's value; both changes go to the audit log."""
    kr = get_key_result(
        session, workspace_id=checkin.workspace_id, key_result_id=checkin.key_result_id
    )
    assert kr is not None
    before = audit.snapshot(kr)
    if checkin.done is not None:
        kr.done = checkin.done
    if checkin.value is not None:
        kr.current_value = checkin.value
    session.add(kr)
    for entity, entity_id, action, previous, after in (
        ("checkin", checkin.id, "create", None, audit.snapshot(checkin)),
        ("keyresult", checkin.key_result_id, "checkin", before, audit.snapshot(kr)),
    ):
        assert entity_id is not None
        audit.record(
            session,
            workspace_id=checkin.workspace_id,
            actor_id=actor_id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            at=now,
            before=previous,
            after=after,
        )
    return kr


# ---- the channel thread -------------------------------------------------------------------
def week_period(moment: datetime, timezone: str) -> str:
    """The ISO week `moment` falls in where the area is, e.g. "2026-W49"."""
    year, week, _ = local_today(moment, timezone).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class ThreadKey:
    """One objective's check-ins of one week."""

    workspace_id: int
    objective_id: int
    period: str  # week_period(...)

    def where(self) -> dict[str, Any]:
        return {
            "workspace_id": self.workspace_id,
            "objective_id": self.objective_id,
            "period": self.period,
        }


@dataclass(frozen=True)
class ThreadClaim:
    """Where the week's check-ins go; `mine` when this caller posts the parent message."""

    mine: bool
    channel_id: str
    message_ts: str | None  # None until whoever claimed it has posted the parent message


def claim_thread(
    session: Session, *, key: ThreadKey, channel_id: str, now: datetime
) -> ThreadClaim:
    """Claim the week's thread before posting, so two first check-ins never make two."""
    mine = checkin_store.claim_channel_thread(
        session, channel_id=channel_id, now=now, **key.where()
    )
    found = checkin_store.channel_thread(session, **key.where())
    if found is None:  # the claim was just given up by a failed post
        return ThreadClaim(mine=False, channel_id=channel_id, message_ts=None)
    return ThreadClaim(mine=mine, channel_id=found.channel_id, message_ts=found.message_ts)


def thread_started(session: Session, *, key: ThreadKey, message_ts: str) -> None:
    checkin_store.set_thread_message(session, message_ts=message_ts, **key.where())


def thread_failed(session: Session, *, key: ThreadKey) -> None:
    """The parent message could not be posted: free the claim for the next check-in."""
    checkin_store.release_channel_thread(session, **key.where())
