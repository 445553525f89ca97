""" "What happens next": the words the customer sees when the conversation goes to a person.

Always one of: a named person has joined; a place in the queue with the expected wait; or,
outside office hours or with nobody available, when the team is back and an invitation to
leave a message here. In the conversation's language (the `bot` message catalogue,
batondesk.i18n), with the days named the way that language names them.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import get_day_names

from batondesk.handoff.settings import OfficeHours
from batondesk.i18n import Wording, wording


@dataclass(frozen=True)
class QueueSituation:
    position: int  # 0 when already assigned
    expected_wait_minutes: int | None
    agent_name: str | None
    open_now: bool
    agents_available: int
    office_hours: OfficeHours | None


def describe_hours(hours: OfficeHours, language: str = "en") -> str:
    """ "Mon–Fri 09:00–17:00 (Europe/London)", the days abbreviated in `language` (CLDR)."""
    # CLDR counts weekdays from Monday = 0; office hours from Monday = 1 (ISO 8601).
    names = get_day_names("abbreviated", locale=wording(language).language)
    days = sorted(hours.days)
    if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        span = f"{names[days[0] - 1]}–{names[days[-1] - 1]}"
    else:
        span = ", ".join(names[d - 1] for d in days)
    return f"{span} {hours.opens}–{hours.closes} ({hours.timezone})"


def expected_wait(position: int, agents_available: int, average_handle_minutes: float) -> int:
    """Minutes, rounded up to a whole minute: the people ahead shared among free agents."""
    agents = max(1, agents_available)
    return max(1, int(-(-position * average_handle_minutes // agents)))


def next_steps_text(situation: QueueSituation, language: str, *, asked: bool = False) -> str:
    texts = wording(language)
    parts = [texts.gettext("You asked for a person.")] if asked else []
    parts.append(
        texts.gettext(
            "I'm passing you to a member of our team, who will see everything we've "
            "discussed, so you won't need to repeat yourself."
        )
    )
    if situation.agent_name:
        parts.append(
            texts.gettext(
                "{agent} has joined and will reply here shortly.", agent=situation.agent_name
            )
        )
        return " ".join(parts)
    if situation.position:
        parts.append(
            texts.gettext("You are number {position} in the queue.", position=situation.position)
        )
    if not situation.open_now and situation.office_hours is not None:
        parts.append(_closed(texts, situation.office_hours))
    elif situation.agents_available == 0:
        parts.append(
            texts.gettext(
                "Nobody is free right now. Leave a message here with anything we should know "
                "and we'll reply in this conversation as soon as someone is available."
            )
        )
    else:
        minutes = situation.expected_wait_minutes or 1
        parts.append(
            texts.ngettext(
                "The expected wait is about {minutes} minute.",
                "The expected wait is about {minutes} minutes.",
                minutes,
                minutes=minutes,
            )
        )
    return " ".join(parts)


def _closed(texts: Wording, hours: OfficeHours) -> str:
    return texts.gettext(
        "Our team is available {hours}. Leave a message here with anything we should know "
        "and we'll reply in this conversation as soon as we're back.",
        hours=describe_hours(hours, texts.language),
    )


def handed_back_text(language: str) -> str:
    """What the customer is told when a person hands the conversation back to the bot."""
    return wording(language).gettext(
        "Our team has handed this conversation back to the assistant, which will answer "
        "here. You can ask for a person again at any time."
    )
