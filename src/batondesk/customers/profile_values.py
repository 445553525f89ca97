"""The profile values a reply template may use (`{{contact.<field>}}`, knowledge/templates.py),
the account records a reply may state (engine/account_answers.py), and who may see them: what
the account's own systems say about a customer (attributes, products, orders and transactions,
preferences) fills a reply only in a conversation whose customer proved who they are with a
signed identity token. Anyone else could be anybody, so they get the general answer."""

from __future__ import annotations

from typing import Any

from batondesk.store.models import Contact, Conversation, CustomerProfile


def crm_values(profile: CustomerProfile | None) -> dict[str, Any]:
    """Template values from the profile's products, latest order and preferences."""
    if profile is None:
        return {}
    values: dict[str, Any] = {}
    products = profile.products or []
    names = [p["name"] for p in products if isinstance(p, dict) and p.get("name")]
    if names:
        values["products"] = ", ".join(names)
    orders = [o for o in profile.orders or [] if isinstance(o, dict)]
    if orders:
        latest = max(orders, key=lambda o: (o.get("date") or "", str(o.get("id"))))
        values["last_order_id"] = latest.get("id")
        values["last_order_status"] = latest.get("status")
        values["last_order_date"] = latest.get("date")
        total, currency = latest.get("total"), latest.get("currency")
        if total is not None:
            values["last_order_total"] = f"{total:.2f} {currency or ''}".strip()
    preferences = profile.preferences or {}
    for name, field in (
        ("language", "preferred_language"),
        ("formality", "formality"),
        ("verbosity", "verbosity"),
        ("channel", "preferred_channel"),
    ):
        if preferences.get(name):
            values[field] = preferences[name]
    return {k: v for k, v in values.items() if v is not None}


def reply_profile(
    contact: Contact | None,
    conversation: Conversation,
    profile: CustomerProfile | None,
    contact_values: dict[str, Any],
) -> dict[str, Any]:
    """What a reply in `conversation` may be filled from. `contact_values` is the contact's
    own profile as templates read it (knowledge.intent_responses.profile_values)."""
    if not _verified(contact, conversation):
        # The language the customer chose is theirs to see; nothing the business holds is.
        return {"locale": contact_values["locale"]} if "locale" in contact_values else {}
    return {**crm_values(profile), **contact_values}


def reply_records(
    contact: Contact | None, conversation: Conversation, profile: CustomerProfile | None
) -> list[dict[str, Any]]:
    """The orders and transactions a reply in `conversation` may state: the verified
    customer's own, as the CRM sent them; nobody else's, and none for an anonymous visitor."""
    if (
        profile is None
        or profile.contact_id != conversation.contact_id
        or not _verified(contact, conversation)
    ):
        return []
    return [dict(o) for o in profile.orders or [] if isinstance(o, dict) and o.get("id")]


def _verified(contact: Contact | None, conversation: Conversation) -> bool:
    # The profile must be the conversation's own contact's (never another's by mistake).
    return (
        contact is not None
        and conversation.identity_verified
        and contact.id == conversation.contact_id
    )
