"""What can be recommended: the offers, the plans' prices and fees, and how a customer's
product list (customers/records.py `Product`, as the CRM sends it) maps onto the offers.

The catalogue is the demo bank's (Baton Bank, docs/recommendations.md): its plans and fees
are those of its knowledge base ("Baton Bank plans, fees and limits at a glance"). It has no
travel cover: that bank sells no insurance, and its bot says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CURRENCIES = ("GBP", "EUR", "USD", "CHF", "PLN")
# Demo conversion rates into GBP: fees and thresholds are set in GBP, as the bank counts its
# allowances. Fixed, so the same records always give the same reason.
GBP_PER_UNIT = {"GBP": 1.0, "EUR": 0.85, "USD": 0.79, "CHF": 0.89, "PLN": 0.195}


@dataclass(frozen=True)
class Offer:
    """Something the bank can offer a customer who does not hold it yet."""

    id: str
    name: str  # as agents read it
    kind: str  # plan, currency_account, card, vault, account
    currency: str | None = None  # a currency account's currency


@dataclass(frozen=True)
class PlanTerms:
    """A plan's price and the fees the records are re-priced with (amounts in GBP)."""

    id: str
    name: str
    monthly_price: float
    free_exchange_per_month: float | None  # None: unlimited
    exchange_fee_rate: float  # above the allowance, Monday to Friday
    weekend_markup: float
    free_atm_per_month: float
    atm_fee_rate: float
    atm_fee_minimum: float
    swift_fee: float
    rank: int  # higher is the bigger plan


PLANS: dict[str, PlanTerms] = {
    plan.id: plan
    for plan in (
        PlanTerms("standard", "Standard", 0.0, 1000.0, 0.005, 0.01, 200.0, 0.02, 1.0, 5.0, 0),
        PlanTerms("premium", "Premium", 6.99, None, 0.0, 0.005, 400.0, 0.02, 1.0, 2.5, 1),
        PlanTerms("vip", "VIP", 14.99, None, 0.0, 0.0, 800.0, 0.02, 1.0, 0.0, 2),
    )
}

OFFERS: tuple[Offer, ...] = (
    Offer("premium", "Premium plan", "plan"),
    Offer("vip", "VIP plan", "plan"),
    Offer("savings_vault", "Savings vault", "vault"),
    *(
        Offer(f"currency_{code.lower()}", f"{code} currency account", "currency_account", code)
        for code in CURRENCIES
    ),
    Offer("virtual_card", "Virtual card", "card"),
    Offer("disposable_card", "Disposable virtual card", "card"),
    Offer("junior", "Baton Junior account", "account"),
)
OFFER_IDS = tuple(offer.id for offer in OFFERS)
BY_ID = {offer.id: offer for offer in OFFERS}
# Product names a CRM may send for each offer (lower case), beside the offer's own id.
_NAMES = {
    **{offer.name.lower(): offer.id for offer in OFFERS},
    "premium": "premium",
    "vip": "vip",
    **{f"{code.lower()} balance": f"currency_{code.lower()}" for code in CURRENCIES},
    **{f"{code.lower()} account": f"currency_{code.lower()}" for code in CURRENCIES},
    "vault": "savings_vault",
    "disposable card": "disposable_card",
    "baton junior": "junior",
}
_ENDED = {"closed", "cancelled", "canceled", "ended", "inactive"}


def holdings_of(products: Iterable[Mapping[str, Any]] | None) -> frozenset[str]:
    """The catalogue's offers among the customer's products (by id, else by name); products
    marked closed or cancelled are not held. Unknown products are ignored."""
    held: set[str] = set()
    for product in products or ():
        if not isinstance(product, Mapping):
            continue
        if str(product.get("status") or "").lower() in _ENDED:
            continue
        for key in (product.get("id"), product.get("name")):
            found = _offer_named(key)
            if found is not None:
                held.add(found)
                break
    return frozenset(held)


def _offer_named(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in BY_ID:
        return text
    return _NAMES.get(text)


def plan_of(holdings: Iterable[str]) -> PlanTerms:
    """The biggest plan held; Standard when none is."""
    held = [PLANS[h] for h in holdings if h in PLANS]
    return max(held, key=lambda p: p.rank) if held else PLANS["standard"]


def candidates(holdings: Iterable[str], main_currency: str) -> list[str]:
    """The offers the customer could take next: not held, not a plan below theirs, not a
    currency account in their own main currency."""
    held = frozenset(holdings)
    rank = plan_of(held).rank
    return [
        offer.id
        for offer in OFFERS
        if offer.id not in held
        and not (offer.kind == "plan" and PLANS[offer.id].rank <= rank)
        and not (offer.kind == "currency_account" and offer.currency == main_currency)
    ]


def to_gbp(amount: float, currency: str | None) -> float:
    return amount * GBP_PER_UNIT.get(currency or "GBP", 1.0)


def from_gbp(amount: float, currency: str) -> float:
    return amount / GBP_PER_UNIT.get(currency, 1.0)
