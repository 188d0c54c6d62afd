"""A person's dashboard (the Home tab): their key results, their KPIs, and their areas.

*Their areas* are those they lead, own an active objective or key result in, or own a KPI in.
An area's *attention* is its red KPIs (other than the person's own, which are listed above)
and its active objectives that need attention: a latest confidence of "needs attention" or
"off track", or no check-in for `QUIET_OBJECTIVE` (14 days).

Building it costs the same statements however much there is (about fourteen).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from okrbot.handlers.health import Status
from okrbot.handlers.kpis import KpiView, kpi_views
from okrbot.handlers.objectives import KeyResultView, ObjectiveView, objective_views
from okrbot.handlers.preferences import Preferences, preferences
from okrbot.storage import preferences as preference_store
from okrbot.storage.areas import list_areas
from okrbot.storage.dashboard import active_objective_ids
from okrbot.storage.models import Area, Confidence, Objective

QUIET_OBJECTIVE = timedelta(days=14)
WORRYING = (Confidence.OFF_TRACK, Confidence.NEEDS_ATTENTION)


@dataclass(frozen=True)
class MyKeyResult:
    view: KeyResultView
    objective: Objective

    @property
    def last_checkin_at(self) -> datetime | None:
        checkin = self.view.last_checkin
        return checkin.created_at if checkin else None


@dataclass(frozen=True)
class KpiAttention:
    """A KPI with the open objectives aligned to it (fixes, for a red one)."""

    view: KpiView
    fixes: tuple[ObjectiveView, ...]

    @property
    def red(self) -> bool:
        return self.view.health.status == Status.UNHEALTHY

    @property
    def needs_fix(self) -> bool:
        """Red, and no open objective is fixing it yet."""
        return self.red and not self.fixes


@dataclass(frozen=True)
class AreaAttention:
    area: Area
    red_kpis: tuple[KpiAttention, ...]
    objectives: tuple[ObjectiveView, ...]  # those that need attention, most worrying first

    @property
    def calm(self) -> bool:
        return not self.red_kpis and not self.objectives


@dataclass(frozen=True)
class Dashboard:
    user_id: str
    now: datetime
    welcome: bool  # show the first-visit welcome
    preferences: Preferences
    key_results: tuple[MyKeyResult, ...]  # the key results they own, longest quiet first
    kpis: tuple[KpiAttention, ...]  # the KPIs they own, red first
    areas: tuple[AreaAttention, ...]  # by name


def home_visited(session: Session, *, workspace_id: int, user_id: str) -> bool:
    """Record a visit to the Home tab; True on the first one (show the welcome)."""
    return preference_store.claim_welcome(session, workspace_id=workspace_id, user_id=user_id)


def build_dashboard(
    session: Session,
    *,
    workspace_id: int,
    user_id: str,
    now: datetime,
    welcome: bool | None = None,
) -> Dashboard:
    """The person's dashboard at `now`; `welcome` None means: until they have visited once."""
    chosen = preferences(session, workspace_id=workspace_id, user_id=user_id)
    areas = {area.id: area for area in list_areas(session, workspace_id=workspace_id)}
    kpis = kpi_views(session, workspace_id=workspace_id, now=now)
    mine = objective_views(session, workspace_id=workspace_id, owner_id=user_id)
    area_ids = _areas_of(user_id, areas.values(), mine, kpis)
    red_ids = [
        _id(v) for v in kpis if v.health.status == Status.UNHEALTHY and _sees(v, user_id, area_ids)
    ]
    ids = active_objective_ids(
        session, workspace_id=workspace_id, area_ids=area_ids, aligned_kpi_ids=red_ids
    )
    around = objective_views(session, workspace_id=workspace_id, objective_ids=ids) if ids else []
    fixes = _fixes_by_kpi(around)
    return Dashboard(
        user_id=user_id,
        now=now,
        welcome=not chosen.welcomed if welcome is None else welcome,
        preferences=chosen,
        key_results=_my_key_results(mine, user_id),
        kpis=tuple(
            KpiAttention(v, fixes.get(_id(v), ())) for v in kpis if v.kpi.owner_id == user_id
        ),
        areas=tuple(
            _attention(
                areas[area_id], user_id=user_id, kpis=kpis, objectives=around, fixes=fixes, now=now
            )
            for area_id in sorted(area_ids, key=lambda a: areas[a].name.casefold())
        ),
    )


def _id(view: KpiView) -> int:
    assert view.kpi.id is not None
    return view.kpi.id


def _sees(view: KpiView, user_id: str, area_ids: set[int]) -> bool:
    return view.kpi.owner_id == user_id or view.kpi.area_id in area_ids


def _areas_of(
    user_id: str, areas: Iterable[Area], mine: Sequence[ObjectiveView], kpis: Sequence[KpiView]
) -> set[int]:
    leads = {area.id for area in areas if area.id is not None and user_id in area.leads}
    owned = {view.objective.area_id for view in mine}
    watched = {view.kpi.area_id for view in kpis if view.kpi.owner_id == user_id}
    return leads | owned | watched


def _my_key_results(mine: Sequence[ObjectiveView], user_id: str) -> tuple[MyKeyResult, ...]:
    found = [
        MyKeyResult(view=kr, objective=view.objective)
        for view in mine
        for kr in view.key_results
        if kr.key_result.owner_id == user_id
    ]
    return tuple(sorted(found, key=_quiet_first))


def _quiet_first(kr: MyKeyResult) -> float:
    """Never checked in first, then the longest without a check-in; stable otherwise."""
    return kr.last_checkin_at.timestamp() if kr.last_checkin_at else float("-inf")


def _fixes_by_kpi(views: Sequence[ObjectiveView]) -> dict[int, tuple[ObjectiveView, ...]]:
    found: dict[int, list[ObjectiveView]] = {}
    for view in views:
        if view.objective.aligned_kpi_id is not None:
            found.setdefault(view.objective.aligned_kpi_id, []).append(view)
    return {kpi_id: tuple(fixes) for kpi_id, fixes in found.items()}


def _attention(
    area: Area,
    *,
    user_id: str,
    kpis: Sequence[KpiView],
    objectives: Sequence[ObjectiveView],
    fixes: dict[int, tuple[ObjectiveView, ...]],
    now: datetime,
) -> AreaAttention:
    red = tuple(
        KpiAttention(v, fixes.get(_id(v), ()))
        for v in kpis
        if v.kpi.area_id == area.id
        and v.health.status == Status.UNHEALTHY
        and v.kpi.owner_id != user_id
    )
    worrying = [v for v in objectives if v.objective.area_id == area.id and needs_attention(v, now)]
    return AreaAttention(area=area, red_kpis=red, objectives=tuple(sorted(worrying, key=_worry)))


def needs_attention(view: ObjectiveView, now: datetime) -> bool:
    """A worrying latest confidence, or no check-in for two weeks (new objectives excepted)."""
    if view.confidence in WORRYING:
        return True
    quiet_since = view.last_checkin_at or view.objective.created_at
    return bool(view.key_results) and now - quiet_since > QUIET_OBJECTIVE


def _worry(view: ObjectiveView) -> int:
    if view.confidence == Confidence.OFF_TRACK:
        return 0
    if view.confidence == Confidence.NEEDS_ATTENTION:
        return 1
    return 2
