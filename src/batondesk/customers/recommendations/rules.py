"""Explainable rules: which offer the customer's own figures point at, and the figures a
person can read as the reason ("you paid £18.40 in fees over the last three months; on
Premium you would have paid £2.10").

Each rule reads the customer's orders and transactions of the last `WINDOW_DAYS` days and
fires only when the figures cross a threshold set from the bank's plan table and what an
offer is for (docs/recommendations.md); its `strength` (0 to 1) grows with the figures.

    plan_fees        Premium / VIP    the fees paid, re-priced on the bigger plan, less its
                                      price, save at least MIN_PLAN_SAVING
    currency_spend   X currency acct  at least MIN_CURRENCY_PAYMENTS payments, MIN_CURRENCY_SPEND
                                      in all, converted from the main balance into currency X
    online_payments  virtual card     MIN_ONLINE_PAYMENTS online card payments, or
                                      MIN_SUBSCRIPTIONS subscriptions paid by card
    new_shops        disposable card  MIN_NEW_SHOPS online shops paid only once
    money_left_over  savings vault    MIN_SURPLUS more came in than went out
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from batondesk.customers.recommendations.catalogue import (
    BY_ID,
    CURRENCIES,
    PLANS,
    candidates,
    from_gbp,
    holdings_of,
    plan_of,
    to_gbp,
)
from batondesk.customers.recommendations.fees import (
    SETTLED,
    Record,
    fees_paid,
    fees_under,
    in_window,
    is_conversion,
    money_out,
    record_day,
)

WINDOW_DAYS = 90
# Thresholds, in GBP where an amount (three months' worth).
MIN_PLAN_SAVING = 3.0
MIN_CURRENCY_PAYMENTS = 3
MIN_CURRENCY_SPEND = 150.0
MIN_ONLINE_PAYMENTS = 8
MIN_SUBSCRIPTIONS = 2
MIN_NEW_SHOPS = 5
MIN_SURPLUS = 300.0
# Money in and out of the account (a shop's `order` totals are purchases, not cash flow).
_CASH_FLOW = frozenset(
    {"card_payment", "transfer", "top_up", "cash_withdrawal", "direct_debit", "refund", "fee"}
)


@dataclass(frozen=True)
class CustomerFacts:
    """What the rules read: the offers the customer holds, their main currency, and their
    orders and transactions (customers/records.py `Order`)."""

    holdings: frozenset[str]
    main_currency: str
    records: tuple[Record, ...]
    today: date

    @classmethod
    def of(
        cls,
        products: Iterable[Mapping[str, Any]] | None,
        orders: Iterable[Record] | None,
        attributes: Mapping[str, Any] | None,
        today: date,
    ) -> CustomerFacts:
        """The facts of a profile as stored (customers/records.py): the main currency is the
        `main_currency` attribute when it names one of the catalogue's currencies, else the
        currency most of the records are in, else GBP."""
        records = tuple(r for r in orders or () if isinstance(r, Mapping))
        stated = (attributes or {}).get("main_currency")
        if stated not in CURRENCIES:
            seen = Counter(r.get("currency") for r in records if r.get("currency") in CURRENCIES)
            stated = seen.most_common(1)[0][0] if seen else "GBP"
        return cls(holdings_of(products), str(stated), records, today)

    @property
    def window(self) -> list[Record]:
        return in_window(self.records, self.today - timedelta(days=WINDOW_DAYS - 1), self.today)

    @property
    def held_currencies(self) -> frozenset[str]:
        return frozenset(
            offer.currency for h in self.holdings if (offer := BY_ID.get(h)) and offer.currency
        )


@dataclass(frozen=True)
class Reason:
    """Why an offer suits the customer, in their own figures. Amounts are in `currency`
    unless the name says GBP; `figures` hold numbers and codes only, never text of theirs."""

    offer: str
    rule: str
    strength: float
    currency: str
    figures: Mapping[str, Any] = field(default_factory=dict)


Rule = Callable[[CustomerFacts, list[Record], set[str]], Iterable[Reason]]


def reasons_for(facts: CustomerFacts) -> list[Reason]:
    """Every reason the rules find for an offer the customer could take, strongest first
    (at most one per offer: its strongest)."""
    window = facts.window
    open_offers = set(candidates(facts.holdings, facts.main_currency))
    best: dict[str, Reason] = {}
    for rule in RULES:
        for reason in rule(facts, window, open_offers):
            if reason.offer in open_offers and (
                reason.offer not in best or reason.strength > best[reason.offer].strength
            ):
                best[reason.offer] = reason
    return sorted(best.values(), key=lambda r: (-r.strength, r.offer))


def _saturating(value: float, half: float) -> float:
    """0 at 0, 0.5 at `half`, towards 1 beyond: a strength from a figure."""
    return round(value / (value + half), 4) if value > 0 else 0.0


def plan_fees(facts: CustomerFacts, window: list[Record], open_offers: set[str]) -> list[Reason]:
    paid = fees_paid(window)
    if paid <= 0:
        return []
    current = plan_of(facts.holdings)
    months = WINDOW_DAYS / 30
    found = []
    for target in (PLANS["premium"], PLANS["vip"]):
        if target.id not in open_offers:
            continue
        would = fees_under(target, window, facts.main_currency, facts.held_currencies)
        extra = (target.monthly_price - current.monthly_price) * months
        saving = paid - would - extra
        if saving < MIN_PLAN_SAVING:
            continue
        money = facts.main_currency
        found.append(
            Reason(
                target.id,
                "plan_fees",
                _saturating(saving, 10.0),
                money,
                {
                    "paid": round(from_gbp(paid, money), 2),
                    "would_pay": round(from_gbp(would, money), 2),
                    "saving": round(from_gbp(saving, money), 2),
                    "plan": target.name,
                    "monthly_price_gbp": target.monthly_price,
                },
            )
        )
    return found


def currency_spend(
    facts: CustomerFacts, window: list[Record], open_offers: set[str]
) -> list[Reason]:
    spent: dict[str, float] = defaultdict(float)
    spent_gbp: dict[str, float] = defaultdict(float)
    payments: dict[str, int] = defaultdict(int)
    for record in window:
        if not is_conversion(record, facts.main_currency, facts.held_currencies):
            continue
        currency = str(record["currency"])
        amount = money_out(record) or 0.0
        spent[currency] += amount
        spent_gbp[currency] += to_gbp(amount, currency)
        payments[currency] += 1
    found = []
    for currency, total in spent_gbp.items():
        offer = f"currency_{currency.lower()}"
        if (
            offer in open_offers
            and payments[currency] >= MIN_CURRENCY_PAYMENTS
            and total >= MIN_CURRENCY_SPEND
        ):
            found.append(
                Reason(
                    offer,
                    "currency_spend",
                    _saturating(total, 500.0),
                    currency,
                    {"spent": round(spent[currency], 2), "payments": payments[currency]},
                )
            )
    return found


def _online(window: list[Record]) -> list[Record]:
    return [
        r
        for r in window
        if r.get("kind") == "card_payment"
        and r.get("channel") == "online"
        and str(r.get("status") or "").lower() in SETTLED
        and money_out(r) is not None
    ]


def subscriptions(online: list[Record]) -> int:
    """Merchants paid the same amount online in at least two different months."""
    months: dict[tuple[str, float], set[tuple[int, int]]] = defaultdict(set)
    for record in online:
        day = record_day(record)
        if day is not None:
            key = (str(record.get("description") or ""), round(money_out(record) or 0.0, 2))
            months[key].add((day.year, day.month))
    return sum(1 for seen in months.values() if len(seen) >= 2)


def online_payments(
    facts: CustomerFacts, window: list[Record], open_offers: set[str]
) -> list[Reason]:
    if "virtual_card" not in open_offers:
        return []
    online = _online(window)
    subscribed = subscriptions(online)
    if len(online) < MIN_ONLINE_PAYMENTS and subscribed < MIN_SUBSCRIPTIONS:
        return []
    strength = _saturating(len(online) + 4 * subscribed, 15.0)
    figures = {"payments": len(online), "subscriptions": subscribed}
    return [Reason("virtual_card", "online_payments", strength, facts.main_currency, figures)]


def new_shops(facts: CustomerFacts, window: list[Record], open_offers: set[str]) -> list[Reason]:
    if "disposable_card" not in open_offers:
        return []
    paid: dict[str, int] = defaultdict(int)
    for record in _online(window):
        paid[str(record.get("description") or "")] += 1
    once = sum(1 for name, times in paid.items() if name and times == 1)
    if once < MIN_NEW_SHOPS:
        return []
    return [
        Reason(
            "disposable_card",
            "new_shops",
            _saturating(once, 6.0),
            facts.main_currency,
            {"shops": once},
        )
    ]


def money_left_over(
    facts: CustomerFacts, window: list[Record], open_offers: set[str]
) -> list[Reason]:
    if "savings_vault" not in open_offers:
        return []
    surplus_gbp = 0.0
    for record in window:
        if (
            record.get("kind") not in _CASH_FLOW
            or str(record.get("status") or "completed").lower() not in SETTLED
        ):
            continue
        total = record.get("total")
        if isinstance(total, int | float) and not isinstance(total, bool):
            surplus_gbp += to_gbp(float(total), record.get("currency"))
    if surplus_gbp < MIN_SURPLUS:
        return []
    money = facts.main_currency
    return [
        Reason(
            "savings_vault",
            "money_left_over",
            _saturating(surplus_gbp, 1000.0),
            money,
            {"surplus": round(from_gbp(surplus_gbp, money), 2)},
        )
    ]


RULES: tuple[Rule, ...] = (plan_fees, currency_spend, online_payments, new_shops, money_left_over)
