"""Who may be recommended what: the one place that decides whether a contact's
recommendations reach anyone (the agent's packet, the API, the bot).

Nothing is recommended unless the account has recommendations on (its `recommendations`
settings) and the contact said yes to `marketing` (privacy/consent.py). The bot offers one
only to a customer whose identity is verified in the conversation (it uses what the
account's systems hold about them, like every personal reply), only one backed by a rule
in their own figures, and only where the account lets the bot offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.customers.recommendations.catalogue import BY_ID
from batondesk.customers.recommendations.models import HoldingsModels
from batondesk.customers.recommendations.ranking import Recommendation, recommend
from batondesk.customers.recommendations.rules import CustomerFacts
from batondesk.customers.recommendations.settings import RecommendationSettings
from batondesk.customers.recommendations.wording import offer_name, where_to_get, why_text
from batondesk.i18n import wording
from batondesk.privacy.consent import has_consent
from batondesk.store.access import get_contact
from batondesk.store.models import Account, Contact, Conversation, CustomerProfile

MARKETING = "marketing"
# Why a contact has no recommendations, as agents read it.
Status = Literal["shown", "off", "no_consent", "nothing_to_offer"]


@dataclass(frozen=True)
class ContactRecommendations:
    """What an agent (or the API) sees: the offers, best first, or why there are none."""

    status: Status
    offers: list[dict[str, Any]] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {"status": self.status, "offers": self.offers}


def _settings(session: Session, account_id: int) -> RecommendationSettings:
    account = session.get(Account, account_id)
    assert account is not None
    return RecommendationSettings.for_account(account.settings)


def _recommendations(
    session: Session, contact: Contact, models: HoldingsModels, count: int
) -> list[Recommendation]:
    profile = session.scalars(
        select(CustomerProfile).where(
            CustomerProfile.account_id == contact.account_id,
            CustomerProfile.contact_id == contact.id,
        )
    ).first()
    if profile is None:
        return []
    facts = CustomerFacts.of(
        profile.products, profile.orders, contact.attributes, datetime.now(UTC).date()
    )
    return recommend(facts, models.for_account(session, contact.account_id), count)


def contact_recommendations(
    session: Session, account_id: int, contact_id: int, models: HoldingsModels
) -> ContactRecommendations:
    """The contact's recommendations for agents, in English. A contact of another account
    is a 404 (NotFound)."""
    contact = get_contact(session, account_id, contact_id)
    settings = _settings(session, account_id)
    if not settings.enabled:
        return ContactRecommendations("off")
    if not has_consent(session, account_id, contact.id, MARKETING):
        return ContactRecommendations("no_consent")
    found = _recommendations(session, contact, models, settings.shown)
    if not found:
        return ContactRecommendations("nothing_to_offer")
    english = wording("en")
    return ContactRecommendations(
        "shown",
        [
            {
                "offer": r.offer,
                "name": offer_name(r.offer, english),
                "kind": BY_ID[r.offer].kind,
                "source": r.source,
                "rule": r.reason.rule if r.reason is not None else None,
                "reason": why_text(r, english),
                "where": where_to_get(r.offer, english),
                # The customer's own figures behind a rule's reason (numbers and codes).
                "figures": dict(r.reason.figures) if r.reason is not None else {},
                "similar_to": list(r.similar_to),
                "score": round(r.score, 4),
            }
            for r in found
        ],
    )


def chat_offer(
    session: Session, conversation: Conversation, models: HoldingsModels
) -> Recommendation | None:
    """What the bot may offer in `conversation` after a question it resolved (the turn
    decides when): the best recommendation when a rule in the customer's own figures backs
    it, the account lets the bot offer, the contact agreed to marketing and proved who they
    are. Precondition: `conversation` was read through a tenant-checked accessor."""
    if not conversation.identity_verified:
        return None
    settings = _settings(session, conversation.account_id)
    if not (settings.enabled and settings.offer_in_chat):
        return None
    contact = session.get(Contact, conversation.contact_id)
    if contact is None or not has_consent(session, conversation.account_id, contact.id, MARKETING):
        return None
    best = next(iter(_recommendations(session, contact, models, 1)), None)
    return best if best is not None and best.source == "rule" else None
