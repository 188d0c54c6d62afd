"""Buttons that appear on several surfaces (digest, lists, Home tab, DMs), each with one listener.

The action ids live here, beside the builders, so a surface can show a button without importing
the feature that answers it.
"""

from typing import Any

from okrbot.bot.slack.blocks.text import plain
from okrbot.handlers.health import Status
from okrbot.handlers.kpis import KpiView
from okrbot.storage.models import Objective

CHECKIN_BUTTON = "okr_checkin_open"  # value: a key result id, or "" to pick one
KPI_UPDATE_BUTTON = "kpi_update_open"  # value: the KPI id; opens the update modal for it
KPI_FIX_BUTTON = "kpi_fix_okr_open"  # value: the KPI id; drafts (or shows) its fix-OKR

CREATE_FIX = "Create OKR to fix this KPI"
VIEW_FIX = "View fix-OKR"
BUTTON_TEXT_LIMIT = 75


def fix_button(kpi_id: int, open_fix: Objective | None, *, kpi_name: str = "") -> dict[str, Any]:
    """ "Create OKR to fix this KPI", or "View fix-OKR" while one is open (the listener decides).

    With `kpi_name`, for a row of several: "Fix Conversion rate" / "View fix-OKR: Conversion rate".
    """
    if kpi_name:
        label = f"{VIEW_FIX}: {kpi_name}" if open_fix else f"Fix {kpi_name}"
    else:
        label = VIEW_FIX if open_fix else CREATE_FIX
    button: dict[str, Any] = {
        "type": "button",
        "text": plain(label, BUTTON_TEXT_LIMIT),
        "action_id": KPI_FIX_BUTTON,
        "value": str(kpi_id),
    }
    if open_fix is None:
        button["style"] = "danger"  # a red KPI with nobody on it yet
    return button


def fix_actions(view: KpiView) -> list[dict[str, Any]]:
    """Under a red KPI, or one with a fix in progress, an actions block with its fix button."""
    red = view.health.status == Status.UNHEALTHY
    if view.kpi.id is None or view.kpi.archived_at is not None:
        return []
    if not red and view.open_fix is None:
        return []
    return [{"type": "actions", "elements": [fix_button(view.kpi.id, view.open_fix)]}]
