"""Refusals that name who can: "Only @maya, the Marketing leads (@sam, @lee) or a workspace
admin can edit “Website conversion rate”."""

from collections.abc import Callable

from okrbot.bot.slack.blocks.text import escape
from okrbot.handlers.permissions import WhoCan


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def refusal_mrkdwn(who: WhoCan) -> str:
    """The refusal for a message, with real mentions and escaped names."""
    return _refusal(who, name=mention, text=escape)


def refusal_plain(who: WhoCan, name_of: Callable[[str], str]) -> str:
    """The refusal for plain text (modal field errors), with people's names."""
    return _refusal(who, name=name_of, text=lambda s: s)


def _refusal(who: WhoCan, *, name: Callable[[str], str], text: Callable[[str], str]) -> str:
    people = [name(who.owner_id)] if who.owner_id else []
    leads = [lead for lead in who.lead_ids if lead != who.owner_id]
    if leads:
        noun = "lead" if len(leads) == 1 else "leads"
        names = ", ".join(name(lead) for lead in leads)
        people.append(f"the {text(who.area_name)} {noun} ({names})")
    people.append("a workspace admin")
    joined = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " or " + people[-1]
    return f"Only {joined} can {text(who.doing)}. Ask one of them if it needs changing."
