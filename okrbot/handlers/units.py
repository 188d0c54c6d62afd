"""Numbers with their units, as people write them: "6.1 %", "€1,200", "42 signups"."""

from okrbot.storage.models import Kpi, UnitKind

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}


def format_number(value: float) -> str:
    """At most two decimals, no trailing zeros, thousands separated: 12000.0 → "12,000"."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def format_value(value: float, kpi: Kpi) -> str:
    """A KPI's value with its unit."""
    number = format_number(value)
    if kpi.unit_kind == UnitKind.PERCENT:
        return f"{number} %"
    if kpi.unit_kind == UnitKind.CURRENCY:
        code = kpi.unit_label.upper()
        symbol = CURRENCY_SYMBOLS.get(code)
        return f"{symbol}{number}" if symbol else f"{number} {code}".strip()
    if kpi.unit_kind == UnitKind.TEXT and kpi.unit_label:
        return f"{number} {kpi.unit_label}"
    return number


def unit_label(kpi: Kpi) -> str:
    """The unit on its own: "%", "EUR", "signups", or "" for a plain count."""
    if kpi.unit_kind == UnitKind.PERCENT:
        return "%"
    if kpi.unit_kind in {UnitKind.CURRENCY, UnitKind.TEXT}:
        return kpi.unit_label
    return ""
