"""`/okr new`: the objective form's rules, and the objective it creates."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from okrbot.handlers.numbers import InvalidNumberError, parse_id, parse_number
from okrbot.handlers.objectives import Invalid, default_period, period_error, title_error
from okrbot.storage import audit
from okrbot.storage.areas import area_for_channel, get_area, list_areas
from okrbot.storage.models import (
    Area,
    KeyResult,
    KeyResultKind,
    Kpi,
    Objective,
    ObjectiveStatus,
)
from okrbot.storage.objectives import (
    get_kpi,
    get_objective,
    kpi_choices,
    latest_kpi_value,
    objective_choices,
)

MAX_KEY_RESULTS = 5
UNIT_LIMIT = 24
KPI_PREFIX = "kpi:"
OBJECTIVE_PREFIX = "objective:"


@dataclass(frozen=True)
class KeyResultForm:
    """One key result row as typed; ids are the raw option values."""

    title: str = ""
    owner_id: str = ""
    kind: str = KeyResultKind.METRIC.value
    start: str = ""
    target: str = ""
    unit: str = ""
    kpi: str = ""

    def is_blank(self) -> bool:
        return not any(
            text.strip() for text in (self.title, self.start, self.target, self.unit, self.kpi)
        )


@dataclass(frozen=True)
class ObjectiveForm:
    """The objective form as typed; `alignment` is "kpi:ID", "objective:ID" or empty."""

    title: str = ""
    area: str = ""
    owner_id: str = ""
    period_start: date | None = None
    period_end: date | None = None
    alignment: str = ""
    key_results: tuple[KeyResultForm, ...] = ()


def kr_field(index: int, name: str) -> str:
    """The field name of a key result row's input, e.g. "kr1_target"."""
    return f"kr{index}_{name}"


def create_objective(
    session: Session, *, workspace_id: int, actor_id: str, form: ObjectiveForm, now: datetime
) -> Objective | Invalid:
    """Check every field; with no error, add the objective and its key results."""
    checker = _Checker(session, workspace_id, now)
    objective = checker.objective(form)
    key_results = [
        checker.key_result(index, row, default_owner=form.owner_id)
        for index, row in enumerate(form.key_results[:MAX_KEY_RESULTS])
        if index == 0 or not row.is_blank()
    ]
    if checker.errors or objective is None:
        return Invalid(checker.errors)
    session.add(objective)
    session.flush()
    assert objective.id is not None
    _audit_created(session, objective, actor_id, now)
    for position, kr in enumerate(k for k in key_results if k is not None):
        kr.objective_id = objective.id
        kr.position = position
        session.add(kr)
        session.flush()
        _audit_created(session, kr, actor_id, now)
    return objective


def _audit_created(
    session: Session, row: Objective | KeyResult, actor_id: str, now: datetime
) -> None:
    assert row.id is not None
    audit.record(
        session,
        workspace_id=row.workspace_id,
        actor_id=actor_id,
        entity=type(row).__name__.lower(),
        entity_id=row.id,
        action="create",
        at=now,
        after=audit.snapshot(row),
    )


class _Checker:
    """Reads a form into rows, collecting a sentence for every field that is wrong."""

    def __init__(self, session: Session, workspace_id: int, now: datetime) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.now = now
        self.errors: dict[str, str] = {}

    def objective(self, form: ObjectiveForm) -> Objective | None:
        self._check("title", title_error(form.title, "the objective"))
        area = None
        area_id = parse_id(form.area)
        if area_id is not None:
            area = get_area(self.session, workspace_id=self.workspace_id, area_id=area_id)
        self._check("area", None if area else "Pick the area this objective belongs to.")
        self._check("owner", None if form.owner_id else "Pick who owns the objective.")
        self._check(
            "period_end", period_error(form.period_start, form.period_end, both_required=False)
        )
        aligned_kpi_id, parent_id = self._alignment(form.alignment)
        if self.errors or area is None or area_id is None:
            return None
        start, end = form.period_start, form.period_end
        if start is None or end is None:
            start, end = default_period(self.now, area)
        return Objective(
            workspace_id=self.workspace_id,
            area_id=area_id,
            title=form.title.strip(),
            owner_id=form.owner_id,
            period_start=start,
            period_end=end,
            status=ObjectiveStatus.ACTIVE,
            aligned_kpi_id=aligned_kpi_id,
            parent_objective_id=parent_id,
            created_at=self.now,
        )

    def _alignment(self, value: str) -> tuple[int | None, int | None]:
        """(aligned KPI id, parent objective id) from "kpi:ID" or "objective:ID"."""
        if not value:
            return None, None
        kpi_id = parse_id(value.removeprefix(KPI_PREFIX)) if value.startswith(KPI_PREFIX) else None
        if kpi_id is not None and self._kpi_exists(kpi_id):
            return kpi_id, None
        parent_id = (
            parse_id(value.removeprefix(OBJECTIVE_PREFIX))
            if value.startswith(OBJECTIVE_PREFIX)
            else None
        )
        if parent_id is not None and get_objective(
            self.session, workspace_id=self.workspace_id, objective_id=parent_id
        ):
            return None, parent_id
        self.errors["alignment"] = "That KPI or objective no longer exists; pick another."
        return None, None

    def _kpi_exists(self, kpi_id: int) -> bool:
        return get_kpi(self.session, workspace_id=self.workspace_id, kpi_id=kpi_id) is not None

    def key_result(self, index: int, row: KeyResultForm, *, default_owner: str) -> KeyResult | None:
        errors_before = len(self.errors)
        number = index + 1
        self._check(kr_field(index, "title"), title_error(row.title, f"key result {number}"))
        kind = KeyResultKind.MILESTONE if row.kind == "milestone" else KeyResultKind.METRIC
        kpi_id = self._linked_kpi(index, row.kpi, kind)
        start = target = None
        if kind == KeyResultKind.METRIC:
            start = self._number(index, "start", row.start, self._kpi_start(kpi_id))
            target = self._number(index, "target", row.target, None)
            if start is not None and target is not None and start == target:
                self.errors[kr_field(index, "target")] = "The target must differ from the start."
            if len(row.unit.strip()) > UNIT_LIMIT:
                self.errors[kr_field(index, "unit")] = (
                    f"Keep the unit within {UNIT_LIMIT} characters, e.g. % or EUR."
                )
        if len(self.errors) > errors_before:
            return None
        return KeyResult(
            workspace_id=self.workspace_id,
            objective_id=0,  # set once the objective has its id
            title=row.title.strip(),
            owner_id=row.owner_id or default_owner,
            kind=kind,
            start_value=start,
            target_value=target,
            current_value=start,
            unit=row.unit.strip() if kind == KeyResultKind.METRIC else "",
            kpi_id=kpi_id,
            created_at=self.now,
        )

    def _linked_kpi(self, index: int, value: str, kind: KeyResultKind) -> int | None:
        if not value:
            return None
        kpi_id = parse_id(value.removeprefix(KPI_PREFIX))
        if kpi_id is None or not self._kpi_exists(kpi_id):
            self.errors[kr_field(index, "kpi")] = "That KPI no longer exists; pick another."
            return None
        if kind != KeyResultKind.METRIC:
            self.errors[kr_field(index, "kpi")] = "Only a metric key result can follow a KPI."
            return None
        return kpi_id

    def _kpi_start(self, kpi_id: int | None) -> float | None:
        """A key result that follows a KPI starts, unless told otherwise, at its latest value."""
        if kpi_id is None:
            return None
        latest = latest_kpi_value(self.session, workspace_id=self.workspace_id, kpi_id=kpi_id)
        return latest.value if latest else None

    def _number(self, index: int, name: str, text: str, default: float | None) -> float | None:
        if not text.strip():
            if default is not None:
                return default
            self.errors[kr_field(index, name)] = f"Enter the {name} value, e.g. 5 or 12.5."
            return None
        try:
            return parse_number(text)
        except InvalidNumberError as invalid:
            self.errors[kr_field(index, name)] = str(invalid)
            return None

    def _check(self, field: str, problem: str | None) -> None:
        if problem:
            self.errors[field] = problem


# ---- what the form offers -----------------------------------------------------------------
CHOICE_LIMIT = 100  # what a menu holds; beyond it, people type to search


@dataclass(frozen=True)
class FormChoices:
    """The areas, KPIs and objectives the form offers (one more than fits says "search")."""

    areas: tuple[Area, ...]
    default_area_id: int | None
    kpis: tuple[Kpi, ...]
    objectives: tuple[Objective, ...]
    period: tuple[date, date]


def form_choices(
    session: Session, *, workspace_id: int, channel_id: str, now: datetime
) -> FormChoices:
    """What to offer: the channel's area first chosen, and this quarter in its time zone."""
    areas = list_areas(session, workspace_id=workspace_id)
    home = area_for_channel(session, workspace_id=workspace_id, channel_id=channel_id)
    return FormChoices(
        areas=tuple(areas[:CHOICE_LIMIT]),
        default_area_id=home.id if home else None,
        kpis=tuple(kpi_choices(session, workspace_id=workspace_id, limit=CHOICE_LIMIT + 1)),
        objectives=tuple(
            objective_choices(session, workspace_id=workspace_id, limit=CHOICE_LIMIT + 1)
        ),
        period=default_period(now, home),
    )


def search_alignments(
    session: Session, *, workspace_id: int, search: str, limit: int = CHOICE_LIMIT
) -> tuple[list[Kpi], list[Objective]]:
    """KPIs and objectives whose names contain `search`, at most `limit` in all."""
    kpis = kpi_choices(session, workspace_id=workspace_id, search=search, limit=limit)
    objectives = objective_choices(
        session, workspace_id=workspace_id, search=search, limit=limit - len(kpis)
    )
    return kpis, objectives


def search_kpis(
    session: Session, *, workspace_id: int, search: str, limit: int = CHOICE_LIMIT
) -> list[Kpi]:
    return kpi_choices(session, workspace_id=workspace_id, search=search, limit=limit)
