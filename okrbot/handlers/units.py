"""Numbers with their units, as people write them: "6.1 %", "€1,200", "42 signups".

Plain text for every surface (Slack, Teams, the terminal); each surface escapes as it needs.
Unit labels never contain `<` or `>` (the KPI form refuses them).
"""

from okrbot.storage.models import Kpi, TargetType, UnitKind

CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "€": "€", "$": "$", "£": "£"}


def format_number(value: float) -> str:
    """1200 → "1,200"; 6.10 → "6.1"; at most two decimals."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    return f"{rounded:,.2f}".rstrip("0").rstrip(".")


def unit_label(kpi: Kpi) -> str:
    """ "%", "EUR", "signups", or "" for a plain count."""
    return "%" if kpi.unit_kind == UnitKind.PERCENT else kpi.unit_label.strip()


def format_value(value: float, kpi: Kpi) -> str:
    """ "6.1 %", "€1,200", "-€5", "42", "3 signups"."""
    prefix, suffix = _affixes(kpi)
    return _signed(value, prefix) + suffix


def target_text(kpi: Kpi) -> str:
    """ "≥ 7 %", "≤ 2 %", "between 3 and 5 %", "→ 10 % by 2027-03-31"."""
    if kpi.target_type == TargetType.AT_MOST:
        return f"≤ {format_value(kpi.target, kpi)}"
    if kpi.target_type == TargetType.BETWEEN:
        prefix, _ = _affixes(kpi)
        high = kpi.target if kpi.target_high is None else kpi.target_high
        return f"between {_signed(kpi.target, prefix)} and {format_value(high, kpi)}"
    if kpi.target_type in {TargetType.INCREASE_TO, TargetType.DECREASE_TO}:
        by = f" by {kpi.target_date.isoformat()}" if kpi.target_date else ""
        return f"→ {format_value(kpi.target, kpi)}{by}"
    return f"≥ {format_value(kpi.target, kpi)}"


def change_text(change: float | None, kpi: Kpi) -> str:
    """ "▲ 0.4 %" / "▼ 1.3 %" / "no change" against the previous period; "" when unknown."""
    if change is None:
        return ""
    if format_number(abs(change)) == "0":
        return "no change"
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {format_value(abs(change), kpi)}"


def _affixes(kpi: Kpi) -> tuple[str, str]:
    """What goes before and after a number: ("€", "") or ("", " %") or ("", " signups")."""
    label = kpi.unit_label.strip()
    if kpi.unit_kind == UnitKind.PERCENT:
        return "", " %"
    if kpi.unit_kind == UnitKind.CURRENCY and label.upper() in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[label.upper()], ""
    return "", f" {label}" if label else ""


def _signed(value: float, prefix: str) -> str:
    text = format_number(abs(value))
    minus = "-" if value < 0 and text != "0" else ""
    return f"{minus}{prefix}{text}"
