"""Fix-OKRs: start one from a red KPI (its draft, or the fix already open), and create it.

A KPI has at most one open fix. Creating one locks the KPI's row first and looks again
(`storage.fixes.lock_kpi`), so two people submitting two drafts at the same moment get one
objective between them: the second is shown the first.

The form is `/okr new`'s (`objective_form`), read the way a fix takes it: the KPI's area,
aligned to the KPI, key result 1 following the KPI's values, and a suggested key result
whose title was cleared dropped.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from okrbot.handlers.fix_draft import FixOkrDraft, draft_fix_okr
from okrbot.handlers.invalid import NotFoundError
from okrbot.handlers.kpis import KpiView, kpi_view
from okrbot.handlers.objective_form import (
    KPI_PREFIX,
    KeyResultForm,
    ObjectiveForm,
    create_objective,
)
from okrbot.handlers.objectives import Invalid, NotFound, ObjectiveView, local_today, objective_view
from okrbot.storage.areas import get_area
from okrbot.storage.fixes import lock_kpi, open_fixes
from okrbot.storage.models import Area, KeyResultKind, Kpi, Objective


@dataclass(frozen=True)
class FixDraft:
    """A KPI without an open fix, and the fix-OKR drafted for it."""

    kpi: KpiView
    draft: FixOkrDraft


@dataclass(frozen=True)
class OpenFix:
    """The KPI's fix already in progress."""

    kpi: Kpi
    fix: ObjectiveView


@dataclass(frozen=True)
class FixCreated:
    kpi: Kpi
    area: Area  # the KPI's, whose channel hears of the fix when no other channel is known
    fix: ObjectiveView


def start_fix(
    session: Session, *, workspace_id: int, kpi_id: int, now: datetime
) -> FixDraft | OpenFix | NotFound:
    """What "Create OKR to fix this KPI" opens: the open fix if there is one, else a draft.

    The draft starts from the KPI's latest value, on today's date in the KPI's area.
    """
    try:
        view = kpi_view(session, workspace_id=workspace_id, kpi_id=kpi_id, now=now)
    except NotFoundError:
        return NotFound()
    if view.kpi.archived_at is not None:
        return NotFound()
    if view.open_fix is not None:
        return _open_fix(session, view.kpi, view.open_fix)
    current = view.latest.value if view.latest else None
    today = local_today(now, view.area.timezone)
    return FixDraft(kpi=view, draft=draft_fix_okr(view.kpi, current, today))


def create_fix_okr(
    session: Session,
    *,
    workspace_id: int,
    kpi_id: int,
    actor_id: str,
    form: ObjectiveForm,
    now: datetime,
) -> FixCreated | OpenFix | Invalid | NotFound:
    """Create the fix-OKR, unless the KPI got one meanwhile (then that one, and nothing new)."""
    kpi = lock_kpi(session, workspace_id=workspace_id, kpi_id=kpi_id)
    if kpi is None or kpi.archived_at is not None or kpi.id is None:
        return NotFound()
    existing = open_fixes(session, workspace_id=workspace_id, kpi_ids=[kpi.id]).get(kpi.id)
    if existing is not None:
        return _open_fix(session, kpi, existing)
    area = get_area(session, workspace_id=workspace_id, area_id=kpi.area_id)
    if area is None:
        return NotFound()
    created = create_objective(
        session, workspace_id=workspace_id, actor_id=actor_id, form=as_fix(form, kpi), now=now
    )
    if isinstance(created, Invalid):
        return created
    return FixCreated(kpi=kpi, area=area, fix=_view_of(session, created))


def as_fix(form: ObjectiveForm, kpi: Kpi) -> ObjectiveForm:
    """The form as a fix of `kpi` takes it, whatever was sent for the fixed parts."""
    linked = f"{KPI_PREFIX}{kpi.id}"
    first, *rest = form.key_results or (KeyResultForm(),)
    return replace(
        form,
        area=str(kpi.area_id),
        alignment=linked,
        key_results=(
            replace(first, kind=KeyResultKind.METRIC.value, kpi=linked),
            *(row if row.title.strip() else KeyResultForm() for row in rest),
        ),
    )


def _open_fix(session: Session, kpi: Kpi, objective: Objective) -> OpenFix:
    return OpenFix(kpi=kpi, fix=_view_of(session, objective))


def _view_of(session: Session, objective: Objective) -> ObjectiveView:
    assert objective.id is not None
    view = objective_view(session, workspace_id=objective.workspace_id, objective_id=objective.id)
    assert view is not None  # just read or written in this transaction
    return view
