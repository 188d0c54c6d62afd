"""Creating and editing KPIs from a form: every field checked, nothing written when one is wrong.

Field names (the keys of `InvalidInputError.errors`) are KpiForm's attribute names.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlmodel import Session

from okrbot.handlers.invalid import InvalidInputError
from okrbot.handlers.kpis import kpi_with_area
from okrbot.handlers.numbers import InvalidNumberError, parse_number
from okrbot.handlers.periods import local_date
from okrbot.handlers.permissions import Actor, NotAllowedError, kpi_deciders, may_change_kpi
from okrbot.storage import audit
from okrbot.storage.areas import get_area
from okrbot.storage.kpis import kpi_named
from okrbot.storage.models import Area, Cadence, Kpi, TargetType, UnitKind

NAME_LIMIT = 150
UNIT_LABEL_LIMIT = 24
DESCRIPTION_LIMIT = 2000
URL_LIMIT = 500
MAX_RED_AFTER = 12
TRENDS = (TargetType.INCREASE_TO, TargetType.DECREASE_TO)
_Choice = TypeVar("_Choice", TargetType, UnitKind, Cadence)


@dataclass(frozen=True)
class KpiForm:
    """A KPI as typed into a form: raw text, checked by `create_kpi` and `edit_kpi`."""

    name: str
    area_id: int | None
    owner_id: str
    target_type: str
    target: str
    target_high: str = ""
    baseline: str = ""
    target_date: date | None = None
    unit_kind: str = UnitKind.COUNT
    unit_label: str = ""
    warning_margin: str = ""
    cadence: str = Cadence.WEEKLY
    red_after_periods: str = "1"
    description: str = ""
    source_url: str = ""


def create_kpi(
    session: Session, *, workspace_id: int, actor: Actor, form: KpiForm, now: datetime
) -> Kpi:
    """A new KPI; InvalidInputError (nothing written) when a field is wrong."""
    fields, area = _checked(session, workspace_id, form, now, current=None)
    owner_id = fields["owner_id"]
    if not (actor.is_admin or actor.user_id == owner_id or actor.user_id in area.leads):
        raise InvalidInputError(
            {
                "owner_id": "Only the area's leads or a workspace admin can create a KPI "
                "for someone else. Pick yourself as the owner, or ask a lead."
            }
        )
    kpi = Kpi(workspace_id=workspace_id, created_at=now, updated_at=now, **fields)
    session.add(kpi)
    session.flush()
    assert kpi.id is not None
    audit.record(
        session,
        workspace_id=workspace_id,
        actor_id=actor.user_id,
        entity="kpi",
        entity_id=kpi.id,
        action="created",
        at=now,
        after=audit.snapshot(kpi),
    )
    return kpi


def checked_new_kpi(
    session: Session, *, workspace_id: int, form: KpiForm, now: datetime
) -> tuple[dict[str, Any], Area]:
    """A new KPI's fields and area, checked as `create_kpi` checks them (who may is not asked).

    InvalidInputError when a field is wrong; nothing is written either way.
    """
    return _checked(session, workspace_id, form, now, current=None)


def editable_kpi(session: Session, *, workspace_id: int, kpi_id: int, actor: Actor) -> Kpi:
    """The KPI if `actor` may edit it; NotFoundError or NotAllowedError otherwise."""
    kpi, area = kpi_with_area(session, workspace_id=workspace_id, kpi_id=kpi_id, active=True)
    if not may_change_kpi(actor, owner_id=kpi.owner_id, area=area):
        raise NotAllowedError(kpi_deciders(f"edit “{kpi.name}”", owner_id=kpi.owner_id, area=area))
    return kpi


def edit_kpi(
    session: Session, *, workspace_id: int, kpi_id: int, actor: Actor, form: KpiForm, now: datetime
) -> Kpi:
    """Change a KPI; the audit log keeps the row before and after."""
    kpi = editable_kpi(session, workspace_id=workspace_id, kpi_id=kpi_id, actor=actor)
    fields, area = _checked(session, workspace_id, form, now, current=kpi)
    if not may_change_kpi(actor, owner_id=fields["owner_id"], area=area):
        raise InvalidInputError(
            {"area_id": f"You can't move a KPI you don't own into {area.name}: you don't lead it."}
        )
    with audit.recording_change(
        session,
        kpi,
        workspace_id=workspace_id,
        actor_id=actor.user_id,
        entity="kpi",
        action="edited",
        at=now,
    ):
        for name, value in fields.items():
            setattr(kpi, name, value)
        kpi.updated_at = now
    return kpi


def _checked(
    session: Session, workspace_id: int, form: KpiForm, now: datetime, *, current: Kpi | None
) -> tuple[dict[str, Any], Area]:
    """The form as Kpi fields, or InvalidInputError with a sentence for every wrong field."""
    check = _Checker()
    area = None
    if form.area_id is not None:
        area = get_area(session, workspace_id=workspace_id, area_id=form.area_id)
    if area is None:
        check.fail("area_id", "Pick the area this KPI belongs to.")
    today = local_date(now, area.timezone if area else "UTC")
    fields: dict[str, Any] = {
        "name": check.name(session, workspace_id, form.name, current),
        "area_id": form.area_id,
        "owner_id": check.required("owner_id", form.owner_id, "Pick the KPI's owner."),
        "description": check.text("description", form.description, DESCRIPTION_LIMIT),
        "source_url": check.url(form.source_url),
        "unit_kind": check.choice("unit_kind", form.unit_kind, UnitKind, "Pick a unit."),
        "unit_label": check.text("unit_label", form.unit_label, UNIT_LABEL_LIMIT),
        "cadence": check.choice("cadence", form.cadence, Cadence, "Pick how often it's updated."),
        "warning_margin": check.margin(form.warning_margin),
        "red_after_periods": check.red_after(form.red_after_periods),
    }
    if set(fields["unit_label"]) & set("<>&"):
        check.fail("unit_label", "A unit can't contain <, > or &.")
    if fields["unit_kind"] == UnitKind.CURRENCY and not fields["unit_label"]:
        check.fail("unit_label", "Enter the currency, e.g. EUR or USD.")
    fields.update(_target_fields(check, form, today, current))
    if check.errors or area is None:
        raise InvalidInputError(check.errors)
    return fields, area


def _target_fields(
    check: "_Checker", form: KpiForm, today: date, current: Kpi | None
) -> dict[str, Any]:
    kind = check.choice("target_type", form.target_type, TargetType, "Pick a target type.")
    target = check.number("target", form.target)
    fields: dict[str, Any] = {
        "target_type": kind,
        "target": target,
        "target_high": None,
        "baseline": None,
        "baseline_date": None,
        "target_date": None,
    }
    if kind == TargetType.BETWEEN:
        high = check.number("target_high", form.target_high, missing="Enter the high end.")
        if target is not None and high is not None and target > high:
            check.fail("target_high", f"The high end is below the low end ({target:.12g}).")
        fields["target_high"] = high
    if kind in TRENDS:
        fields.update(
            _trend_fields(check, kind=kind, form=form, target=target, today=today, current=current)
        )
    return fields


def _trend_fields(
    check: "_Checker",
    *,
    kind: TargetType,
    form: KpiForm,
    target: float | None,
    today: date,
    current: Kpi | None,
) -> dict[str, Any]:
    """The line an increase/decrease is judged against: from (today, baseline) to the target."""
    baseline = check.number("baseline", form.baseline, missing="Enter where the KPI starts.")
    unchanged_date = current is not None and current.target_date == form.target_date
    if form.target_date is None:
        check.fail("target_date", "Pick the date the target should be reached by.")
    elif form.target_date <= today and not unchanged_date:
        check.fail("target_date", "Pick a date after today.")
    if target is not None and baseline is not None:
        if kind == TargetType.INCREASE_TO and target <= baseline:
            check.fail("target", f"An increase needs a target above the start ({baseline:.12g}).")
        if kind == TargetType.DECREASE_TO and target >= baseline:
            check.fail("target", f"A decrease needs a target below the start ({baseline:.12g}).")
    baseline_date = today  # an edit that keeps the start keeps the line's start date
    if current is not None and current.baseline == baseline and current.baseline_date:
        baseline_date = current.baseline_date
    return {"baseline": baseline, "baseline_date": baseline_date, "target_date": form.target_date}


class _Checker:
    """Collects one sentence per wrong field while the fields are read."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, sentence: str) -> None:
        self.errors.setdefault(field, sentence)

    def name(self, session: Session, workspace_id: int, raw: str, current: Kpi | None) -> str:
        name = " ".join(raw.split())
        if not name:
            self.fail("name", "Give the KPI a name.")
        elif len(name) > NAME_LIMIT:
            self.fail("name", f"Keep the name to {NAME_LIMIT} characters (it has {len(name)}).")
        else:
            same = kpi_named(session, workspace_id=workspace_id, name=name)
            if same is not None and (current is None or same.id != current.id):
                self.fail("name", f"A KPI called “{same.name}” already exists. Pick another name.")
        return name

    def required(self, field: str, raw: str, missing: str) -> str:
        if not raw.strip():
            self.fail(field, missing)
        return raw.strip()

    def text(self, field: str, raw: str, limit: int) -> str:
        text = raw.strip()
        if len(text) > limit:
            self.fail(field, f"Keep this to {limit} characters (it has {len(text)}).")
        return text

    def url(self, raw: str) -> str | None:
        url = raw.strip()
        if not url:
            return None
        parts = urlsplit(url)
        # Slack links are written <url|label>: a |, < or > would break out of the link.
        breaks_link = any(char in url for char in "<>| \t\n")
        too_long = len(url) > URL_LIMIT
        if parts.scheme not in {"http", "https"} or not parts.netloc or too_long or breaks_link:
            self.fail("source_url", "Enter a web address starting with https://.")
        return url

    def choice(self, field: str, raw: str, kind: type[_Choice], missing: str) -> _Choice | None:
        try:
            return kind(raw)
        except ValueError:
            self.fail(field, missing)
            return None

    def number(self, field: str, raw: str, missing: str = "Enter a number.") -> float | None:
        if not raw.strip():
            self.fail(field, missing)
            return None
        try:
            return parse_number(raw)
        except InvalidNumberError as error:
            self.fail(field, str(error))
            return None

    def margin(self, raw: str) -> float | None:
        if not raw.strip():
            return None
        margin = self.number("warning_margin", raw)
        if margin is not None and margin < 0:
            self.fail("warning_margin", "The warning margin can't be negative.")
        return margin

    def red_after(self, raw: str) -> int:
        text = raw.strip() or "1"
        if text not in {str(n) for n in range(1, MAX_RED_AFTER + 1)}:
            self.fail("red_after_periods", f"Pick between 1 and {MAX_RED_AFTER} periods.")
            return 1
        return int(text)
