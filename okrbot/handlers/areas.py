"""Areas: `/okr setup` links a channel to an area, or changes the area linked to it."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from okrbot.handlers.invalid import InvalidInputError
from okrbot.handlers.periods import is_timezone
from okrbot.handlers.permissions import Actor, NotAllowedError, area_deciders, may_change_area
from okrbot.storage import audit
from okrbot.storage.areas import area_for_channel, area_named
from okrbot.storage.models import Area

NAME_LIMIT = 80
LEAD_LIMIT = 20
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class AreaForm:
    """An area as typed into the setup form. Field names key `InvalidInputError.errors`."""

    name: str
    timezone: str
    digest_weekday: str  # "0" (Monday) to "6" (Sunday)
    digest_time: str  # "09:00"
    leads: tuple[str, ...]


@dataclass(frozen=True)
class SetUp:
    area: Area
    created: bool


def default_area_name(channel_name: str) -> str:
    """ "marketing-team" → "Marketing team": a channel's name as an area's."""
    words = channel_name.replace("-", " ").replace("_", " ").split()
    return " ".join(words).capitalize()[:NAME_LIMIT]


def setup_area(
    session: Session,
    *,
    workspace_id: int,
    channel_id: str,
    actor: Actor,
    form: AreaForm,
    now: datetime,
) -> SetUp:
    """Create the channel's area, or change it; InvalidInputError writes nothing."""
    area = area_for_channel(session, workspace_id=workspace_id, channel_id=channel_id)
    if area is not None and not may_change_area(actor, area):
        raise NotAllowedError(area_deciders(f"change the {area.name} area", area))
    fields = _checked(session, workspace_id, form, current=area)
    before = None if area is None else audit.snapshot(area)
    if area is None:
        area = Area(workspace_id=workspace_id, channel_id=channel_id, created_at=now, **fields)
    for name, value in fields.items():
        setattr(area, name, value)
    session.add(area)
    session.flush()
    assert area.id is not None
    audit.record(
        session,
        workspace_id=workspace_id,
        actor_id=actor.user_id,
        entity="area",
        entity_id=area.id,
        action="created" if before is None else "edited",
        at=now,
        before=before,
        after=audit.snapshot(area),
    )
    return SetUp(area=area, created=before is None)


def _checked(
    session: Session, workspace_id: int, form: AreaForm, *, current: Area | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = " ".join(form.name.split())
    if not name:
        errors["name"] = "Give the area a name, e.g. Marketing."
    elif len(name) > NAME_LIMIT:
        errors["name"] = f"Keep the name to {NAME_LIMIT} characters (it has {len(name)})."
    else:
        same = area_named(session, workspace_id=workspace_id, name=name)
        if same is not None and (current is None or same.id != current.id):
            errors["name"] = (
                f"Another channel already has the area “{same.name}”. Pick another name."
            )
    timezone = form.timezone.strip()
    if not is_timezone(timezone):
        errors["timezone"] = "Enter a time zone like Europe/Berlin or America/New_York."
    weekday = form.digest_weekday.strip()
    if weekday not in {str(day) for day in range(len(WEEKDAYS))}:
        errors["digest_weekday"] = "Pick the day the digest is posted."
    time = _TIME.fullmatch(form.digest_time.strip())
    if time is None:
        errors["digest_time"] = "Pick the time the digest is posted, e.g. 09:00."
    leads = list(dict.fromkeys(lead for lead in form.leads if lead))
    if len(leads) > LEAD_LIMIT:
        errors["leads"] = f"Pick at most {LEAD_LIMIT} leads."
    if errors or time is None:
        raise InvalidInputError(errors)
    return {
        "name": name,
        "timezone": timezone,
        "digest_weekday": int(weekday),
        "digest_hour": int(time.group(1)),
        "digest_minute": int(time.group(2)),
        "leads": leads,
    }
