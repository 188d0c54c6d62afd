"""The Home tab."""

from typing import Any

from okrbot.bot.slack.blocks.text import context, header, section


def welcome_view() -> dict[str, Any]:
    """The first thing a person sees: what okrbot is and the two commands that drive it."""
    return {
        "type": "home",
        "blocks": [
            header("Welcome to okrbot"),
            section(
                "okrbot keeps your team's *OKRs* (what you are changing) and *KPIs* "
                "(what must stay healthy) together, here in Slack."
            ),
            section(
                "• `/okr checkin` to check in on a key result\n"
                "• `/okr new` to set an objective\n"
                "• `/kpi update` to record a KPI's value\n"
                "• `/kpi list` to see your area's health"
            ),
            context("`/okr help` and `/kpi help` list everything."),
        ],
    }
