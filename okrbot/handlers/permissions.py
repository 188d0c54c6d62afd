"""Who may change what. Everyone in the workspace may read.

- Creating, editing and archiving a KPI, and changing its thresholds: the KPI's owner, the
  leads of its area, and workspace admins/owners. Anyone may create a KPI they own themselves.
- Recording a KPI value: the owner and the area's leads, and also workspace admins: an admin
  could make themselves the owner anyway, so refusing them would only add a step.
- Changing an area's settings (`/okr setup` again): its leads and admins; anyone while the area
  has no leads. Creating an area: anyone.
"""

from dataclasses import dataclass

from okrbot.storage.models import Area


@dataclass(frozen=True)
class Actor:
    """The person asking, as far as permissions go."""

    user_id: str
    is_admin: bool  # a workspace admin or owner


@dataclass(frozen=True)
class WhoCan:
    """Who may do a refused thing, so the refusal can name them."""

    doing: str  # "edit “Website conversion rate”"
    owner_id: str | None
    area_name: str
    lead_ids: tuple[str, ...]


class NotAllowedError(Exception):
    def __init__(self, who_can: WhoCan) -> None:
        super().__init__(f"not allowed to {who_can.doing}")
        self.who_can = who_can


def may_change_kpi(actor: Actor, *, owner_id: str, area: Area) -> bool:
    return actor.is_admin or actor.user_id == owner_id or actor.user_id in area.leads


def may_record_value(actor: Actor, *, owner_id: str, area: Area) -> bool:
    return actor.is_admin or actor.user_id == owner_id or actor.user_id in area.leads


def may_change_area(actor: Actor, area: Area) -> bool:
    return actor.is_admin or not area.leads or actor.user_id in area.leads


def kpi_deciders(doing: str, *, owner_id: str, area: Area) -> WhoCan:
    return WhoCan(doing=doing, owner_id=owner_id, area_name=area.name, lead_ids=tuple(area.leads))


def area_deciders(doing: str, area: Area) -> WhoCan:
    return WhoCan(doing=doing, owner_id=None, area_name=area.name, lead_ids=tuple(area.leads))
