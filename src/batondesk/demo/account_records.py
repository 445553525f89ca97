"""Each demo customer's orders and transactions as the bank's systems would send them
(customers/records.py `Order`): their everyday transactions (content.py) and the cases the bot
answers from a customer's own account: a card in the post, a pending or declined transfer, a
reverted top-up, a declined card payment with its reason, a fee. Every customer has three of
these six, in turn, so each case is held by about half the customers and no two neighbours
hold the same three.

Dates are days before the seeding (`days_ago`), as for the rest of the demo's history, and
the values come from a random generator seeded with the customer's id, so the records are
the same on every run and adding them changed nothing else the demo draws.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from batondesk.demo.content import CustomerSeed, TransactionSeed

CASES = (
    "card_delivery",
    "pending_transfer",
    "declined_transfer",
    "reverted_top_up",
    "declined_card_payment",
    "fee",
)
# Customer i holds the cases i, i+1 and i+3 (mod 6).
_CASE_STEPS = (0, 1, 3)
_PAYEES = (
    "J. Davies",
    "M. Lopes",
    "A. Novak",
    "S. Rossi",
    "K. Weber",
    "L. Martin",
    "P. Kowalski",
    "R. Costa",
    "Greenway Lettings",
    "Northside Motors",
)
_MERCHANTS = ("Zara", "IKEA", "Ryanair", "Decathlon", "MediaMarkt", "Currys", "Uniqlo", "Lidl")
_TRANSFER_PENDING_REASONS = (
    "held for a security check because it is your first transfer to this recipient",
    "sent after 15:00 UK time, so it leaves on the next working day",
    None,
)
_TRANSFER_DECLINED_REASONS = (
    ("declined", "not enough money in your balance to cover the transfer and its fee"),
    ("declined", "the security check was not confirmed in the app within 24 hours"),
    ("declined", "the recipient is not allowed by our payment rules"),
    ("failed", "the recipient's bank rejected the account number"),
    ("failed", "the name did not match the recipient's account"),
)
_TOP_UP_REASONS = (
    "the name on the card does not match the name on your account",
    "your card issuer reversed the payment",
    "the card was not verified within 48 hours",
)
_PAYMENT_REASONS = (
    "insufficient balance",
    "your card was frozen",
    "online payments are turned off for this card",
    "wrong CVV entered",
    "daily spending limit reached",
)
# (charged on, what the fee is, why) per fee kind.
_FEES = (
    ("cash_withdrawal", "ATM fee 2%", "the withdrawal went over your monthly fee-free allowance"),
    ("transfer", "International (SWIFT) transfer fee", "SWIFT transfers cost £5 on Standard"),
    ("transfer", "International (SWIFT) transfer fee", "SWIFT transfers cost £2.50 on Premium"),
    ("exchange", "Weekend exchange markup", "a card payment in another currency at the weekend"),
)
_SWIFT_FEES = {tier: why for tier, why in (("standard", _FEES[1][2]), ("premium", _FEES[2][2]))}
# Standard delivery after posting (working days, counted here as calendar days + 2).
_DELIVERY_DAYS = {"GB": 5, "IE": 8}
_EEA_DELIVERY_DAYS = 8


@dataclass(frozen=True)
class AccountRecordSeed:
    """One order or transaction; `days_ago` (and `expected_in_days`, from seeding) become
    dates when the demo is seeded."""

    id: str
    kind: str
    days_ago: int
    status: str
    amount: str | None = None  # Decimal as a string; negative = money out
    currency: str | None = None
    description: str | None = None
    reason: str | None = None
    card_last4: str | None = None
    charged_for: str | None = None
    expected_in_days: int | None = None  # days after seeding (negative: already past)

    def as_order(self, today: date) -> dict[str, object]:
        """The record as the CRM sends it (customers/records.py `Order`)."""
        order: dict[str, object] = {
            "id": self.id,
            "kind": self.kind,
            "date": (today - timedelta(days=self.days_ago)).isoformat(),
            "status": self.status,
        }
        if self.amount is not None:
            order["total"] = float(self.amount)
            order["currency"] = self.currency
        for name in ("description", "reason", "card_last4", "charged_for"):
            value = getattr(self, name)
            if value is not None:
                order[name] = value
        if self.expected_in_days is not None:
            order["expected_by"] = (today + timedelta(days=self.expected_in_days)).isoformat()
        return order


def cases_of(index: int) -> tuple[str, ...]:
    """The cases customer number `index` (0-based, as content.customers() lists them) holds."""
    return tuple(CASES[(index + step) % len(CASES)] for step in _CASE_STEPS)


def account_records(index: int, customer: CustomerSeed) -> list[AccountRecordSeed]:
    """The customer's transactions and their three cases, oldest first."""
    # Reproducible demo data, not a secret.
    rng = random.Random(f"account-records-{customer.external_id}")  # nosec B311
    currency = customer.attributes["main_currency"]
    records = [_from_transaction(t) for t in customer.transactions]
    prefix = f"AC-{index + 1:03d}"
    for number, case in enumerate(cases_of(index), 1):
        records.append(_case(case, f"{prefix}-{number}", rng, customer, currency))
    return sorted(records, key=lambda r: (-r.days_ago, r.id))


def _from_transaction(t: TransactionSeed) -> AccountRecordSeed:
    return AccountRecordSeed(
        t.id,
        _kind(t.merchant, Decimal(t.amount)),
        t.when_days_ago,
        t.status,
        t.amount,
        t.currency,
        t.merchant,
    )


def _kind(merchant: str, amount: Decimal) -> str:
    if merchant.startswith("Transfer to"):
        return "transfer"
    if merchant.startswith("Top-up"):
        return "top_up"
    if merchant.startswith("ATM"):
        return "cash_withdrawal"
    if merchant.startswith("Refund"):
        return "refund"
    if merchant.startswith(("PMT ", "GYMFLEX", "DD*")):
        return "direct_debit"
    return "card_payment" if amount < 0 else "refund"


def _money(rng: random.Random, low: float, high: float, currency: str) -> str:
    scale = 4 if currency == "PLN" else 1
    value = Decimal(str(round(rng.uniform(low, high) * scale, 2))).quantize(Decimal("0.01"))
    return str(value)


def _case(
    case: str, record_id: str, rng: random.Random, customer: CustomerSeed, currency: str
) -> AccountRecordSeed:
    if case == "card_delivery":
        country = customer.attributes["country"]
        takes = _DELIVERY_DAYS.get(country, _EEA_DELIVERY_DAYS)
        posted = rng.choice((1, 2, 3, 4, 12))  # one in five is running late
        last4 = "".join(str(rng.randrange(10)) for _ in range(4))
        status = "ordered" if posted == 1 and rng.random() < 0.5 else "posted"
        return AccountRecordSeed(
            record_id,
            "card",
            posted,
            status,
            description="Replacement card",
            card_last4=last4,
            expected_in_days=takes - posted,
        )
    if case == "pending_transfer":
        return AccountRecordSeed(
            record_id,
            "transfer",
            rng.choice((0, 1)),
            "pending",
            "-" + _money(rng, 40, 900, currency),
            currency,
            rng.choice(_PAYEES),
            rng.choice(_TRANSFER_PENDING_REASONS),
        )
    if case == "declined_transfer":
        status, reason = rng.choice(_TRANSFER_DECLINED_REASONS)
        return AccountRecordSeed(
            record_id,
            "transfer",
            rng.randint(1, 5),
            status,
            "-" + _money(rng, 60, 1500, currency),
            currency,
            rng.choice(_PAYEES),
            reason,
        )
    if case == "reverted_top_up":
        card = "".join(str(rng.randrange(10)) for _ in range(4))
        return AccountRecordSeed(
            record_id,
            "top_up",
            rng.randint(2, 8),
            "reverted",
            _money(rng, 20, 500, currency),
            currency,
            f"Top-up by card ending {card}",
            rng.choice(_TOP_UP_REASONS),
        )
    if case == "declined_card_payment":
        return AccountRecordSeed(
            record_id,
            "card_payment",
            rng.randint(0, 3),
            "declined",
            "-" + _money(rng, 8, 260, currency),
            currency,
            rng.choice(_MERCHANTS),
            rng.choice(_PAYMENT_REASONS),
        )
    fees = [f for f in _FEES if f[0] != "transfer" or _SWIFT_FEES.get(customer.tier) == f[2]]
    charged_for, what, why = rng.choice(fees)
    amount = "-" + _money(rng, 1, 6, currency)
    if charged_for == "transfer":
        amount = "-5.00" if customer.tier == "standard" else "-2.50"
    return AccountRecordSeed(
        record_id,
        "fee",
        rng.randint(1, 12),
        "completed",
        amount,
        "GBP" if charged_for == "transfer" else currency,
        what,
        why,
        charged_for=charged_for,
    )
