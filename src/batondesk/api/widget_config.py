"""The account's widget settings as the chat shows them: defaults filled in and the office
hours read for "is anyone in now?"."""

from __future__ import annotations

from datetime import datetime

from batondesk.api.schemas import WidgetConfigPublic
from batondesk.api.widget_settings import WidgetSettings
from batondesk.handoff.next_steps import describe_hours
from batondesk.handoff.office_hours import is_open
from batondesk.handoff.settings import EscalationSettings
from batondesk.store.base import utcnow
from batondesk.store.models import Account


def default_greeting(brand: str) -> str:
    return f"Hi! I'm the {brand} AI assistant. Ask me anything, or ask for a person at any time."


def widget_config(account: Account, now: datetime | None = None) -> WidgetConfigPublic:
    settings = account.settings or {}
    widget = WidgetSettings.for_account(settings)
    hours = EscalationSettings.for_account(settings).office_hours
    open_now = is_open(hours, now or utcnow())
    closed_message = None
    if not open_now:
        closed_message = widget.closed_message or (
            "Our team is away right now"
            + (f" (we are in {describe_hours(hours)})" if hours is not None else "")
            + ". The assistant can still help, and a person will reply here when we are back."
        )
    return WidgetConfigPublic(
        brand=account.name,
        brand_color=widget.brand_color,
        greeting=widget.greeting or default_greeting(account.name),
        position=widget.position,
        suggested_topics=widget.suggested_topics,
        privacy_policy_url=widget.privacy_policy_url,
        consent_required=widget.consent_required,
        prechat_form=widget.prechat_form,
        office_open=open_now,
        closed_message=closed_message,
    )
