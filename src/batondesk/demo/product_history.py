"""Generated product holdings and transaction history: for the demo's customers (seeded with
their CRM records) and for populations of any size (the recommendations benchmark), from one
model with a fixed seed, so the offline evaluation is repeatable and means something.

Each customer has hidden traits: how much they travel (and where), shop online, keep money
aside, use cash, send money home, have a family, and how cautious they are online. The traits
decide which offers they take (a logistic propensity per offer, with noise) and, separately,
what their transactions look like, so a rule reading the transactions sees the need only
through noisy counts, and some needs (caution, family) barely show at all:

    trait            shows in the transactions as              raises the odds of
    travel, where    card payments and withdrawals abroad      currency accounts there,
                     (trips, weekends included)                Premium, VIP
    online           online payments, shops paid once,         virtual card, disposable card
                     subscriptions
    cautious         nothing                                   disposable card
    saver            money in above money out                  savings vault, Baton Junior
    cash             cash withdrawals                          Premium, VIP
    sends home       SWIFT transfers                           that currency's account, Premium
    family           nothing                                   Baton Junior, savings vault

Offers are taken in a random order over the customer's tenure, except that a disposable card
follows a virtual card and VIP follows Premium (and replaces it). Holding an offer changes the
transactions as it would: a currency account's payments are not converted, a savings vault
takes the month's surplus, a plan prices the fees (customers/recommendations/fees.py), which
are charged as `fee` records. docs/recommendations.md describes the model and its figures.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from batondesk.customers.recommendations.catalogue import (
    BY_ID,
    GBP_PER_UNIT,
    OFFER_IDS,
    plan_of,
)
from batondesk.customers.recommendations.fees import fee_lines

WINDOW_DAYS = 90
# (country, main currency, share of customers, destination weights by currency).
_COUNTRIES: dict[str, tuple[str, float, dict[str, float]]] = {
    "GB": ("GBP", 0.55, {"EUR": 0.55, "USD": 0.25, "CHF": 0.08, "PLN": 0.12}),
    "IE": ("EUR", 0.07, {"GBP": 0.50, "USD": 0.35, "CHF": 0.10, "PLN": 0.05}),
    "ES": ("EUR", 0.08, {"GBP": 0.35, "USD": 0.40, "CHF": 0.15, "PLN": 0.10}),
    "FR": ("EUR", 0.08, {"GBP": 0.35, "USD": 0.35, "CHF": 0.25, "PLN": 0.05}),
    "DE": ("EUR", 0.08, {"GBP": 0.30, "USD": 0.35, "CHF": 0.30, "PLN": 0.05}),
    "PT": ("EUR", 0.05, {"GBP": 0.45, "USD": 0.40, "CHF": 0.10, "PLN": 0.05}),
    "IT": ("EUR", 0.06, {"GBP": 0.30, "USD": 0.35, "CHF": 0.30, "PLN": 0.05}),
    "PL": ("PLN", 0.03, {"EUR": 0.55, "GBP": 0.35, "USD": 0.10}),
}
# Where money is sent home by SWIFT (not GBP or EUR, which go free by Faster Payments / SEPA).
_HOME_CURRENCIES = {"GB": {"PLN": 0.7, "USD": 0.3}, "PL": {"USD": 1.0}}
_LOCAL_SHOPS = ("Supermarket", "Pharmacy", "Coffee shop", "Petrol station", "Bakery", "Cinema")
_ONLINE_SHOPS = tuple(
    f"{name}.example"
    for name in [
        "shopfront",
        "bookhaven",
        "gearbox",
        "homeware",
        "kitchenly",
        "petsupply",
        "toyland",
        "sportsdirect",
        "techmart",
        "fashionhub",
        "shoebox",
        "gardenia",
        "artstore",
        "musicbox",
        "gamezone",
        "beautybar",
        "printshop",
        "travelgear",
        "outdoorco",
        "bikeshop",
        "craftcorner",
        "teashop",
        "winecellar",
        "furnish",
        "lightbulb",
        "cameraland",
        "phonecase",
        "vinylvault",
        "stationery",
        "babyworld",
    ]
)
_SUBSCRIPTIONS = (
    ("Netflix", 10.99),
    ("Spotify", 11.99),
    ("Disney+", 7.99),
    ("Audible", 7.99),
    ("iCloud", 2.99),
    ("Game Pass", 12.99),
    ("News+", 9.99),
    ("Duolingo", 6.99),
)
_PAYEES = ("A. Nowak", "K. Kowalska", "M. Wiśniewski", "J. Smith", "P. Zieliński")


@dataclass(frozen=True)
class Traits:
    country: str
    currency: str
    travel: float
    destinations: tuple[tuple[str, float], ...]  # (currency, share of travel spending)
    online: float
    saver: float
    cash: float
    family: bool
    cautious: float
    affluence: float
    sends_home: str | None  # the currency money is sent home in


@dataclass(frozen=True)
class GeneratedCustomer:
    """A generated customer: their offers in the order taken, and their transactions in the
    `WINDOW_DAYS` before they took the last one (with what they held then)."""

    id: str
    traits: Traits
    taken: tuple[str, ...]
    records: tuple[dict[str, Any], ...]

    @property
    def held_before_last(self) -> frozenset[str]:
        return holdings_after(self.taken[:-1])


def draw_traits(rng: random.Random, country: str | None = None) -> Traits:
    """A customer's hidden traits; `country` fixed for a demo customer, else drawn."""
    if country is None or country not in _COUNTRIES:
        codes = list(_COUNTRIES)
        country = rng.choices(codes, weights=[_COUNTRIES[c][1] for c in codes])[0]
    currency, _share, weights = _COUNTRIES[country]
    travel = rng.betavariate(1.2, 3.0)
    wanted = 1 + sum(rng.random() < travel for _ in range(2))
    pool = dict(weights)
    destinations: list[tuple[str, float]] = []
    while pool and len(destinations) < wanted:
        chosen = rng.choices(list(pool), weights=list(pool.values()))[0]
        destinations.append((chosen, pool.pop(chosen) * rng.gammavariate(2.0, 1.0)))
    total = sum(share for _, share in destinations)
    homes = _HOME_CURRENCIES.get(country, {"USD": 0.4, "PLN": 0.4, "CHF": 0.2})
    sends_home = None
    if rng.random() < (0.12 if country == "GB" else 0.04):
        sends_home = rng.choices(list(homes), weights=list(homes.values()))[0]
    return Traits(
        country=country,
        currency=currency,
        travel=travel,
        destinations=tuple((c, s / total) for c, s in destinations),
        online=rng.betavariate(2.0, 2.5),
        saver=rng.betavariate(1.5, 3.0),
        cash=rng.betavariate(1.5, 3.0),
        family=rng.random() < 0.22,
        cautious=rng.betavariate(1.2, 4.0),
        affluence=rng.lognormvariate(0.0, 0.45),
        sends_home=sends_home,
    )


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def propensities(t: Traits) -> dict[str, float]:
    """The odds-deciding score (logit, before noise) of each offer for a customer."""
    shares = dict(t.destinations)
    wealth = math.log(t.affluence)
    home = 1.0 if t.sends_home else 0.0
    z = {
        "premium": -2.6 + 3.5 * t.travel + 2.5 * t.cash + 1.5 * home + 0.8 * wealth,
        "vip": -4.8 + 3.0 * t.travel + 1.5 * t.cash + 1.5 * wealth,
        "savings_vault": -2.6 + 5.0 * t.saver + (1.0 if t.family else 0.0),
        "virtual_card": -1.8 + 4.5 * t.online,
        "disposable_card": -4.2 + 2.5 * t.online + 4.0 * t.cautious,
        "junior": (0.2 if t.family else -4.5) + 1.2 * t.saver,
    }
    for offer in OFFER_IDS:
        currency = BY_ID[offer].currency
        if currency is None:
            continue
        if currency == t.currency:
            z[offer] = -math.inf
        else:
            z[offer] = -5.0 + (3.0 + 6.0 * t.travel * shares[currency] if currency in shares else 0)
            z[offer] += 2.5 if currency == t.sends_home else 0.0
    return z


def take_offers(rng: random.Random, t: Traits, plan: str | None = None) -> list[str]:
    """The offers the customer takes, oldest first. `plan` fixes the plan they are on (a demo
    customer's tier): no plan is then drawn, and the other offers keep their own odds."""
    scores = propensities(t)
    taken: dict[str, float] = {}  # offer -> when in the tenure (0 to 1)
    for offer in OFFER_IDS:
        if BY_ID[offer].kind == "plan" and plan is not None:
            continue
        bump = 1.5 if offer == "disposable_card" and "virtual_card" in taken else 0.0
        if rng.random() < _sigmoid(scores[offer] + bump + rng.gauss(0.0, 0.8)):
            taken[offer] = rng.random()
    if plan in ("premium", "vip"):
        taken[plan] = rng.random()
    # A disposable card after a virtual card, VIP after Premium.
    for later, earlier in (("disposable_card", "virtual_card"), ("vip", "premium")):
        if later in taken and earlier in taken and taken[later] < taken[earlier]:
            taken[later], taken[earlier] = taken[earlier], taken[later]
    return sorted(taken, key=lambda offer: taken[offer])


def holdings_after(taken: Iterable[str]) -> frozenset[str]:
    """What is held once these offers were taken, in order (VIP replaces Premium)."""
    held: set[str] = set()
    for offer in taken:
        if offer == "vip":
            held.discard("premium")
        held.add(offer)
    return frozenset(held)


class _History:
    """One customer's transactions over a window, as the bank's systems send them."""

    def __init__(self, rng: random.Random, t: Traits, end: date, prefix: str) -> None:
        self.rng, self.t, self.end, self.prefix = rng, t, end, prefix
        self.records: list[dict[str, Any]] = []

    def add(self, days_ago: int, kind: str, gbp: float, currency: str, **fields: Any) -> None:
        amount = round(gbp / GBP_PER_UNIT[currency], 2)
        self.records.append(
            {
                "id": "",
                "kind": kind,
                "date": (self.end - timedelta(days=days_ago)).isoformat(),
                "status": "completed",
                "total": amount,
                "currency": currency,
                **fields,
            }
        )

    def spend(self, days_ago: int, kind: str, gbp: float, currency: str, **fields: Any) -> None:
        self.add(days_ago, kind, -abs(gbp), currency, **fields)

    def money(self, mean: float) -> float:
        return max(1.0, self.rng.lognormvariate(math.log(mean * self.t.affluence), 0.6))


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means used here."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def transactions(
    rng: random.Random,
    t: Traits,
    held: frozenset[str],
    end: date,
    prefix: str,
    *,
    days: int = WINDOW_DAYS,
) -> list[dict[str, Any]]:
    """The customer's transactions in the `days` before `end` with what they hold, and the
    fees these cost on their plan, oldest first; ids are `prefix`-NNNN."""
    h = _History(rng, t, end, prefix)
    main = t.currency
    income = 1400.0 * t.affluence * rng.uniform(0.8, 1.2)
    months = max(1, round(days / 30))
    for month in range(months):
        h.add(
            min(days - 1, month * 30 + rng.randint(0, 3)),
            "top_up",
            income,
            main,
            description="Salary",
        )
    for _ in range(_poisson(rng, 6 * months)):
        h.spend(
            rng.randrange(days),
            "card_payment",
            h.money(25),
            main,
            description=rng.choice(_LOCAL_SHOPS),
            channel="in_store",
        )
    for _ in range(_poisson(rng, (1 + 9 * t.cash) * months / 3)):
        h.spend(
            rng.randrange(days),
            "cash_withdrawal",
            10 * round(h.money(90) / 10 + 1),
            main,
            description="ATM withdrawal",
            channel="atm",
        )
    _trips(h, days)
    _online(h, days, months)
    if t.sends_home:
        for _ in range(_poisson(rng, 3 * months)):
            h.spend(
                rng.randrange(days),
                "transfer",
                h.money(180),
                t.sends_home,
                description=f"Transfer to {rng.choice(_PAYEES)}",
            )
    # What is left each month: most of it goes on rent and bills, a saver keeps more; a
    # savings vault takes what is left.
    keep = income * (0.5 * t.saver - 0.10 + rng.gauss(0.0, 0.06))
    spent = -sum(r["total"] * GBP_PER_UNIT[r["currency"]] for r in h.records if r["total"] < 0)
    bills = max(0.0, (income * months - spent) / months - keep)
    for month in range(months):
        h.spend(
            min(days - 1, month * 30 + 1), "direct_debit", bills, main, description="Rent and bills"
        )
        if "savings_vault" in held and keep > 0:
            h.spend(
                min(days - 1, month * 30 + 2), "transfer", keep, main, description="Savings vault"
            )
    return _with_fees(h.records, t, held, prefix)


def _trips(h: _History, days: int) -> None:
    t, rng = h.t, h.rng
    for currency, share in t.destinations:
        payments = _poisson(rng, 22 * t.travel * share)
        if not payments:
            continue
        trips = [(rng.randrange(4, days), rng.randint(3, 10)) for _ in range(rng.randint(1, 2))]
        for _ in range(payments):
            start, length = rng.choice(trips)
            when = max(0, start - rng.randrange(length))
            h.spend(
                when,
                "card_payment",
                h.money(45),
                currency,
                description=f"Shop abroad ({currency})",
                channel="in_store",
            )
        for _ in range(_poisson(rng, 2 * t.travel * share * (0.5 + t.cash))):
            start, length = rng.choice(trips)
            h.spend(
                max(0, start - rng.randrange(length)),
                "cash_withdrawal",
                h.money(80),
                currency,
                description=f"ATM abroad ({currency})",
                channel="atm",
            )


def _online(h: _History, days: int, months: int) -> None:
    t, rng = h.t, h.rng
    # A few favourite shops and many occasional ones (Zipf-like weights).
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(_ONLINE_SHOPS))]
    for _ in range(_poisson(rng, 8 * t.online * months)):
        shop = rng.choices(_ONLINE_SHOPS, weights=weights)[0]
        h.spend(
            rng.randrange(days),
            "card_payment",
            h.money(35),
            t.currency,
            description=shop,
            channel="online",
        )
    subscribed = sum(rng.random() < 0.1 + 0.45 * t.online for _ in range(4))
    for name, price in rng.sample(_SUBSCRIPTIONS, subscribed):
        day = rng.randrange(28)
        for month in range(months):
            if day + 30 * month < days:
                h.spend(
                    day + 30 * month,
                    "card_payment",
                    price * GBP_PER_UNIT[t.currency],
                    t.currency,
                    description=name,
                    channel="online",
                )


def _with_fees(
    records: list[dict[str, Any]], t: Traits, held: frozenset[str], prefix: str
) -> list[dict[str, Any]]:
    ordered = sorted(records, key=lambda r: (r["date"], r["kind"], r["total"]))
    for number, record in enumerate(ordered, 1):
        record["id"] = f"{prefix}-{number:04d}"
    held_currencies = frozenset(
        offer.currency for h in held if (offer := BY_ID.get(h)) and offer.currency
    )
    fees = [
        {
            "id": f"{fee.record_id}-F",
            "kind": "fee",
            "date": fee.day.isoformat(),
            "status": "completed",
            "total": -round(fee.gbp / GBP_PER_UNIT[t.currency], 2),
            "currency": t.currency,
            "description": fee.what,
            "charged_for": fee.charged_for,
        }
        for fee in fee_lines(plan_of(held), ordered, t.currency, held_currencies)
        if fee.gbp >= 0.005
    ]
    return sorted(ordered + fees, key=lambda r: (r["date"], r["id"]))


def population(count: int, seed: int, today: date) -> list[GeneratedCustomer]:
    """`count` generated customers (the same for the same seed): their traits, the offers
    they took in order, and their transactions in the window before the last one."""
    # Reproducible generated data, not a secret.
    rng = random.Random(seed)  # nosec B311
    customers = []
    for number in range(count):
        traits = draw_traits(rng)
        taken = tuple(take_offers(rng, traits))
        held = holdings_after(taken[:-1])
        prefix = f"G{number + 1:05d}"
        records = transactions(rng, traits, held, today, prefix)
        customers.append(GeneratedCustomer(prefix, traits, taken, tuple(records)))
    return customers


def demo_customer_history(
    external_id: str, country: str, tier: str, today: date, *, gap_days: int = 13
) -> tuple[list[str], list[dict[str, Any]]]:
    """A demo customer's offers (in the order taken; their tier fixes the plan) and their
    transactions over `WINDOW_DAYS` ending `gap_days` before `today`: the account cases of
    the last fortnight (demo/account_records.py) stay each customer's newest records, which
    the bot's account answers read."""
    # Reproducible demo data, not a secret; seeded by the customer alone, so adding it
    # changes nothing else the demo draws.
    rng = random.Random(f"product-history-{external_id}")  # nosec B311
    traits = draw_traits(rng, country)
    taken = take_offers(rng, traits, plan=tier if tier in ("premium", "vip") else None)
    end = today - timedelta(days=gap_days)
    records = transactions(rng, traits, holdings_after(taken), end, f"PH-{external_id}")
    return taken, records


def holding_rows(customers: Sequence[GeneratedCustomer]) -> list[frozenset[str]]:
    """Each customer's holdings before their last offer (what a model may learn from)."""
    return [c.held_before_last for c in customers]
