"""How a KPI reads in Slack: status emoji, values with units, targets, and the one-line summary.

`format_value` and `target_text` return plain text; `kpi_line` returns mrkdwn with user text
escaped. Unit labels never contain `<` or `>` (the form refuses them).
"""

from okrbot.bot.slack.blocks.text import escape
from okrbot.handlers.health import Health, Status
from okrbot.handlers.kpis import KpiView
from okrbot.storage.models import Kpi, TargetType, UnitKind

STATUS_EMOJI = {
    Status.HEALTHY: "🟢",
    Status.WATCH: "🟡",
    Status.UNHEALTHY: "🔴",
    Status.NO_DATA: "⚪",
}
STATUS_WORDS = {
    Status.HEALTHY: "healthy",
    Status.WATCH: "watch",
    Status.UNHEALTHY: "red",
    Status.NO_DATA: "no data",
}
STALE_MARKER = "⏳ stale"
FIX_MARKER = "🛠 fix in progress"
CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "€": "€", "$": "$", "£": "£"}


def health_emoji(health: Health) -> str:
    """🟢 healthy, 🟡 watch, 🔴 unhealthy, ⚪ no data; a stale KPI adds "⏳ stale"."""
    emoji = STATUS_EMOJI[Status(health.status)]
    return f"{emoji} {STALE_MARKER}" if health.stale else emoji


def health_words(health: Health) -> str:
    """ "red, stale": the health in words, for text fallbacks and screen readers."""
    words = STATUS_WORDS[Status(health.status)]
    return f"{words}, stale" if health.stale else words


def number_text(value: float) -> str:
    """1200 → "1,200"; 6.10 → "6.1"; at most two decimals."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    return f"{rounded:,.2f}".rstrip("0").rstrip(".")


def _affixes(kpi: Kpi) -> tuple[str, str]:
    """What goes before and after a number: ("€", "") or ("", " %") or ("", " signups")."""
    label = kpi.unit_label.strip()
    if kpi.unit_kind == UnitKind.PERCENT:
        return "", " %"
    if kpi.unit_kind == UnitKind.CURRENCY and label.upper() in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[label.upper()], ""
    return "", f" {label}" if label else ""


def unit_name(kpi: Kpi) -> str:
    """ "%", "EUR", "signups", or "" for a plain count."""
    return "%" if kpi.unit_kind == UnitKind.PERCENT else kpi.unit_label.strip()


def _signed(value: float, prefix: str) -> str:
    text = number_text(abs(value))
    minus = "-" if value < 0 and text != "0" else ""
    return f"{minus}{prefix}{text}"


def format_value(value: float, kpi: Kpi) -> str:
    """ "6.1 %", "€1,200", "42", "3 signups"."""
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
    if number_text(abs(change)) == "0":
        return "no change"
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {format_value(abs(change), kpi)}"


def kpi_line(view: KpiView) -> str:
    """One KPI in mrkdwn: emoji, fix marker, name, value vs target, sparkline, change, owner."""
    kpi = view.kpi
    target = escape(target_text(kpi))
    fixing = f" {FIX_MARKER}" if view.open_fix else ""
    parts = [f"{health_emoji(view.health)}{fixing} *{escape(kpi.name)}*"]
    if view.latest is None:
        parts.append(f"no value yet · target {target}")
    else:
        parts.append(f"{escape(format_value(view.latest.value, kpi))} vs {target}")
    if view.sparkline:
        parts.append(f"`{view.sparkline}`")
    if change := change_text(view.change, kpi):
        parts.append(escape(change))
    parts.append(f"<@{kpi.owner_id}>")
    return "  ".join(parts)


def kpi_text(view: KpiView) -> str:
    """The same as plain words, for notifications: "Website conversion rate: 6.1 % (red)"."""
    value = "no value yet" if view.latest is None else format_value(view.latest.value, view.kpi)
    fixing = ", fix in progress" if view.open_fix else ""
    health = health_words(view.health)
    return f"{view.kpi.name}: {value} vs {target_text(view.kpi)} ({health}{fixing})"
