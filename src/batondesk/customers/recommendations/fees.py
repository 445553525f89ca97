"""The fees a customer's transactions cost on a plan: what "Premium would have saved you" is
computed from, and what the demo's generated history charges (demo/product_history.py).

Records are orders and transactions as the CRM sends them (customers/records.py `Order`).
Amounts are in GBP, as the bank counts its allowances; allowances reset each calendar month.
The rules follow the plan table of the demo bank's knowledge base:

* a card payment or cash withdrawal in a currency other than the account's main currency is
  converted, unless the customer holds a currency account in it (they pay from that balance);
  on Monday to Friday conversions above the plan's monthly allowance cost its exchange rate,
  at the weekend every conversion costs its weekend markup;
* cash withdrawals above the plan's monthly allowance cost 2% of the part above (minimum £1);
* a transfer in a currency that is neither the main currency, GBP (Faster Payments) nor EUR
  (SEPA) goes by SWIFT, at the plan's SWIFT fee.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from batondesk.customers.recommendations.catalogue import PlanTerms, to_gbp

Record = Mapping[str, Any]
# Transactions that happened (a declined or reverted one cost nothing).
SETTLED = {"completed", "pending"}
# Fee records the rules count as what the customer paid, by the kind of transaction charged.
FEE_KINDS = {"exchange", "card_payment", "cash_withdrawal", "transfer"}
_FREE_TRANSFER_CURRENCIES = {"GBP", "EUR"}


@dataclass(frozen=True)
class Fee:
    """One fee a transaction costs on a plan."""

    record_id: str
    day: date
    charged_for: str  # exchange, cash_withdrawal, transfer
    what: str  # the fee as the statement names it
    gbp: float


def record_day(record: Record) -> date | None:
    value = record.get("date")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def in_window(records: Iterable[Record], start: date, end: date) -> list[Record]:
    """The records dated from `start` to `end` (both included), oldest first."""
    dated = [(record_day(r), r) for r in records if isinstance(r, Mapping)]
    inside = [(d, r) for d, r in dated if d is not None and start <= d <= end]
    return [r for _, r in sorted(inside, key=lambda pair: (pair[0], str(pair[1].get("id"))))]


def money_out(record: Record) -> float | None:
    """The record's amount leaving the account (positive), or None when money came in or
    the record has no amount."""
    total = record.get("total")
    if not isinstance(total, int | float) or isinstance(total, bool) or total >= 0:
        return None
    return float(-total)


def is_conversion(record: Record, main_currency: str, held_currencies: frozenset[str]) -> bool:
    """A settled card payment or cash withdrawal the bank converts from the main balance."""
    currency = record.get("currency")
    return (
        record.get("kind") in ("card_payment", "cash_withdrawal")
        and str(record.get("status") or "").lower() in SETTLED
        and money_out(record) is not None
        and isinstance(currency, str)
        and currency != main_currency
        and currency not in held_currencies
    )


def is_swift(record: Record, main_currency: str) -> bool:
    currency = record.get("currency")
    return (
        record.get("kind") == "transfer"
        and str(record.get("status") or "").lower() in SETTLED
        and money_out(record) is not None
        and isinstance(currency, str)
        and currency not in _FREE_TRANSFER_CURRENCIES | {main_currency}
    )


def fee_lines(
    plan: PlanTerms,
    records: Iterable[Record],
    main_currency: str,
    held_currencies: frozenset[str] = frozenset(),
) -> Iterator[Fee]:
    """Every fee the records cost on `plan`, oldest first. Precondition: `records` are
    oldest first (as `in_window` returns them)."""
    converted: dict[tuple[int, int], float] = {}
    withdrawn: dict[tuple[int, int], float] = {}
    for record in records:
        day = record_day(record)
        amount = money_out(record)
        if day is None or amount is None:
            continue
        month = (day.year, day.month)
        gbp = to_gbp(amount, record.get("currency"))
        record_id = str(record.get("id"))
        if is_conversion(record, main_currency, held_currencies):
            if day.weekday() >= 5:
                if plan.weekend_markup:
                    yield Fee(
                        record_id,
                        day,
                        "exchange",
                        "Weekend exchange markup",
                        gbp * plan.weekend_markup,
                    )
            else:
                before = converted.get(month, 0.0)
                converted[month] = before + gbp
                allowance = plan.free_exchange_per_month
                if allowance is not None and plan.exchange_fee_rate:
                    above = max(0.0, before + gbp - max(allowance, before))
                    if above > 0:
                        yield Fee(
                            record_id,
                            day,
                            "exchange",
                            "Exchange fee above the monthly allowance",
                            above * plan.exchange_fee_rate,
                        )
        settled = str(record.get("status") or "").lower() in SETTLED
        if record.get("kind") == "cash_withdrawal" and settled:
            before = withdrawn.get(month, 0.0)
            withdrawn[month] = before + gbp
            above = max(0.0, before + gbp - max(plan.free_atm_per_month, before))
            if above > 0:
                charge = max(plan.atm_fee_minimum, above * plan.atm_fee_rate)
                yield Fee(record_id, day, "cash_withdrawal", "ATM fee 2%", charge)
        if is_swift(record, main_currency) and plan.swift_fee:
            yield Fee(
                record_id, day, "transfer", "International (SWIFT) transfer fee", plan.swift_fee
            )


def fees_under(
    plan: PlanTerms,
    records: Iterable[Record],
    main_currency: str,
    held_currencies: frozenset[str] = frozenset(),
) -> float:
    """What the records' fees add up to on `plan`, in GBP."""
    return sum(f.gbp for f in fee_lines(plan, records, main_currency, held_currencies))


def fees_paid(records: Iterable[Record]) -> float:
    """The fees the customer's records show they were charged (settled fee records on
    exchange, card payments, cash withdrawals and transfers), in GBP."""
    total = 0.0
    for record in records:
        if (
            record.get("kind") == "fee"
            and record.get("charged_for") in FEE_KINDS
            and str(record.get("status") or "completed").lower() in SETTLED
        ):
            amount = money_out(record)
            if amount is not None:
                total += to_gbp(amount, record.get("currency"))
    return total
