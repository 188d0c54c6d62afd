"""Buttons that appear on several surfaces (digest, lists, Home tab, DMs), each with one listener.

The action ids live here, beside the builders, so a surface can show a button without importing
the feature that answers it.
"""

CHECKIN_BUTTON = "okr_checkin_open"  # value: a key result id, or "" to pick one
KPI_UPDATE_BUTTON = "kpi_update_open"  # value: the KPI id; opens the update modal for it
KPI_FIX_BUTTON = "kpi_fix_okr_open"  # value: the KPI id; drafts (or shows) its fix-OKR
