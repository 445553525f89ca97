"""The account's per-intent responses in the database, and the profile values they use.

Rendering itself (`knowledge.templates`) knows nothing of the database, so the engine's
responder can fill a template without loading the store.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.errors import InvalidInput
from batondesk.knowledge.templates import check_template
from batondesk.store.models import Contact, ResponseTemplate


def profile_values(contact: Contact | None) -> dict[str, Any]:
    """The contact's profile as template values: name, first_name and scalar attributes."""
    if contact is None:
        return {}
    values: dict[str, Any] = {}
    attributes = contact.attributes or {}
    if isinstance(attributes, dict):
        values.update(
            {
                k: v
                for k, v in attributes.items()
                if isinstance(v, str | int | float) and not isinstance(v, bool)
            }
        )
    name = contact.name
    if name:
        values["name"] = name
        values["first_name"] = name.split()[0]
    values["locale"] = contact.locale
    values["tier"] = contact.tier
    return values


def template_for(
    session: Session, account_id: int, intent: str | None, locale: str
) -> ResponseTemplate | None:
    """The enabled template for the intent in the customer's language, else in English."""
    if intent is None:
        return None
    rows = list(
        session.scalars(
            select(ResponseTemplate).where(
                ResponseTemplate.account_id == account_id,
                ResponseTemplate.intent == intent,
                ResponseTemplate.enabled.is_(True),
            )
        )
    )
    language = locale.split("-")[0].lower()
    for wanted in (locale, language, "en"):
        for row in rows:
            if row.locale.lower() == wanted.lower():
                return row
    return None


def do_save_template(
    session: Session,
    account_id: int,
    intent: str,
    body: str,
    *,
    locale: str = "en",
    article_id: int | None = None,
    enabled: bool = True,
) -> ResponseTemplate:
    """Create or replace the template of an intent (one per intent and locale)."""
    if not intent.strip() or len(intent) > 120:
        raise InvalidInput("intent must be 1-120 characters", code="invalid_intent")
    body = check_template(body)
    row = session.scalars(
        select(ResponseTemplate).where(
            ResponseTemplate.account_id == account_id,
            ResponseTemplate.intent == intent,
            ResponseTemplate.locale == locale,
        )
    ).first()
    if row is None:
        row = ResponseTemplate(account_id=account_id, intent=intent, locale=locale, body=body)
        session.add(row)
    row.body = body
    row.article_id = article_id
    row.enabled = enabled
    session.flush()
    return row
