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
from batondesk.store.config_version import KeptPerVersion
from batondesk.store.models import Contact, ResponseTemplate


class AccountResponses:
    """Each account's enabled per-intent responses, {(intent, locale): body}, kept in this
    process while the account's configuration version stays the same (a change to any of its
    responses moves it: store/config_version.py), for the `max_accounts` most recent accounts."""

    def __init__(self, max_accounts: int = 256) -> None:
        self._kept: KeptPerVersion[dict[tuple[str, str], str]] = KeptPerVersion(max_accounts)

    def for_account(
        self, session: Session, account_id: int, config_version: int
    ) -> dict[tuple[str, str], str]:
        cached = self._kept.get(account_id, config_version)
        if cached is not None:
            return cached
        responses = {
            (row.intent, row.locale.lower()): row.body
            for row in session.scalars(
                select(ResponseTemplate).where(
                    ResponseTemplate.account_id == account_id, ResponseTemplate.enabled.is_(True)
                )
            )
        }
        self._kept.put(account_id, config_version, responses)
        return responses


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
