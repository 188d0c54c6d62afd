"""How a KPI reads in Slack: status emoji and the one-line summary (mrkdwn, user text escaped).

Values, units and targets as plain text come from `okrbot.handlers.units`.
"""

from okrbot.bot.slack.blocks.text import escape
from okrbot.handlers.health import Health, Status
from okrbot.handlers.kpis import KpiView
from okrbot.handlers.units import change_text, format_value, target_text

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


def health_emoji(health: Health) -> str:
    """🟢 healthy, 🟡 watch, 🔴 unhealthy, ⚪ no data; a stale KPI adds "⏳ stale"."""
    emoji = STATUS_EMOJI[Status(health.status)]
    return f"{emoji} {STALE_MARKER}" if health.stale else emoji


def health_words(health: Health) -> str:
    """ "red, stale": the health in words, for text fallbacks and screen readers."""
    words = STATUS_WORDS[Status(health.status)]
    return f"{words}, stale" if health.stale else words


def kpi_line(view: KpiView, *, mention_owner: bool = True) -> str:
    """One KPI in mrkdwn: emoji, fix marker, name, value vs target, sparkline, change, owner.

    In a channel message a mention notifies: pass `mention_owner=False` where the owner has
    nothing to do (a healthy KPI in the weekly digest).
    """
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
    if mention_owner:
        parts.append(f"<@{kpi.owner_id}>")
    return "  ".join(parts)


def kpi_text(view: KpiView) -> str:
    """The same as plain words, for notifications: "Website conversion rate: 6.1 % (red)"."""
    value = "no value yet" if view.latest is None else format_value(view.latest.value, view.kpi)
    fixing = ", fix in progress" if view.open_fix else ""
    health = health_words(view.health)
    return f"{view.kpi.name}: {value} vs {target_text(view.kpi)} ({health}{fixing})"
