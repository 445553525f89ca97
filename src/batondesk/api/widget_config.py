"""The account's widget settings as the chat shows them: defaults filled in and the office
hours read for "is anyone in now?". The defaults are in the customer's language (the
`widget` message catalogue); what an admin wrote is shown as written."""

from __future__ import annotations

from datetime import datetime

from batondesk.api.schemas import LanguagePublic, WidgetConfigPublic
from batondesk.api.widget_settings import WidgetSettings
from batondesk.handoff.next_steps import describe_hours
from batondesk.handoff.office_hours import is_open
from batondesk.handoff.settings import EscalationSettings
from batondesk.i18n import DEFAULT_LANGUAGE, Wording, language_names, wording
from batondesk.store.base import utcnow
from batondesk.store.models import Account


def default_greeting(brand: str, texts: Wording | None = None) -> str:
    return (texts or wording(DEFAULT_LANGUAGE, "widget")).gettext(
        "Hi! I'm the {brand} AI assistant. Ask me anything, or ask for a person at any time.",
        brand=brand,
    )


def widget_config(
    account: Account, now: datetime | None = None, language: str = DEFAULT_LANGUAGE
) -> WidgetConfigPublic:
    """`language`: the customer's (any other than ours is English)."""
    settings = account.settings or {}
    widget = WidgetSettings.for_account(settings)
    texts = wording(language, "widget")
    hours = EscalationSettings.for_account(settings).office_hours
    open_now = is_open(hours, now or utcnow())
    closed_message = None
    if not open_now:
        closed_message = widget.closed_message or (
            texts.gettext(
                "Our team is away right now (we are in {hours}). The assistant can still "
                "help, and a person will reply here when we are back.",
                hours=describe_hours(hours, texts.language),
            )
            if hours is not None
            else texts.gettext(
                "Our team is away right now. The assistant can still help, and a person will "
                "reply here when we are back."
            )
        )
    return WidgetConfigPublic(
        brand=account.name,
        language=texts.language,
        languages=[LanguagePublic(code=c, name=n) for c, n in language_names().items()],
        brand_color=widget.brand_color,
        greeting=widget.greeting or default_greeting(account.name, texts),
        position=widget.position,
        suggested_topics=widget.suggested_topics,
        privacy_policy_url=widget.privacy_policy_url,
        consent_required=widget.consent_required,
        prechat_form=widget.prechat_form,
        office_open=open_now,
        closed_message=closed_message,
    )
