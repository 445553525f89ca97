"""The next-best offers for a customer: the explainable rules and collaborative filtering,
combined.

The rules give the reason: an offer backed by the customer's own figures comes before any
other. Collaborative filtering ranks: among the offers the rules back, the one customers
like them hold more often comes first (a fired rule's own strength breaks a tie), and when
fewer rules fire than offers are wanted it fills the rest, each with the products the
customer holds that point at it (how many customers hold an offer breaks ties, and is all a
customer who holds nothing of the catalogue is ranked by). Without a fitted model the rules'
strength orders them and nothing fills. docs/recommendations.md gives the measured effect of
each part (bench-recommendations).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from batondesk.customers.recommendations.catalogue import candidates
from batondesk.customers.recommendations.collaborative import HoldingsModel
from batondesk.customers.recommendations.rules import CustomerFacts, Reason, reasons_for

DEFAULT_COUNT = 3


@dataclass(frozen=True)
class Recommendation:
    """An offer for the customer and why: a rule's reason in their own figures, or the
    products they hold that customers who take it tend to hold too."""

    offer: str
    source: Literal["rule", "similar_customers"]
    score: float  # collaborative filtering's (0 without a model)
    reason: Reason | None = None
    similar_to: tuple[str, ...] = ()


def combine(
    reasons: Sequence[Reason],
    scores: Mapping[str, float],
    open_offers: Sequence[str],
    count: int = DEFAULT_COUNT,
    popularity: Mapping[str, float] | None = None,
) -> list[tuple[str, Reason | None]]:
    """The offers to recommend, best first, each with its rule's reason if one fired.
    `scores`: collaborative filtering's score per offer (empty: no model, no filling);
    `popularity`: how many customers hold each offer (ties)."""
    held_by = popularity or {}
    backed = {r.offer: r for r in reasons if r.offer in open_offers}
    ranked = sorted(
        backed.values(), key=lambda r: (-scores.get(r.offer, 0.0), -r.strength, r.offer)
    )
    chosen: list[tuple[str, Reason | None]] = [(r.offer, r) for r in ranked]
    if scores:
        rest = sorted(
            (o for o in open_offers if o not in backed),
            key=lambda o: (-scores.get(o, 0.0), -held_by.get(o, 0.0), o),
        )
        chosen += [(offer, None) for offer in rest]
    return chosen[:count]


def recommend(
    facts: CustomerFacts, model: HoldingsModel | None, count: int = DEFAULT_COUNT
) -> list[Recommendation]:
    """Up to `count` offers for the customer, best first."""
    open_offers = candidates(facts.holdings, facts.main_currency)
    scores = model.scores(facts.holdings) if model is not None else {}
    result = []
    popularity = model.popularity_ if model is not None else None
    for offer, reason in combine(reasons_for(facts), scores, open_offers, count, popularity):
        if reason is not None:
            result.append(Recommendation(offer, "rule", scores.get(offer, 0.0), reason))
            continue
        assert model is not None  # only a model fills
        similar = tuple(model.because(facts.holdings, offer))
        result.append(Recommendation(offer, "similar_customers", scores[offer], None, similar))
    return result
