"""The generated product holdings and transactions the demo's customers and the
recommendations benchmark are built from: repeatable, coherent, and with the needs showing."""

from __future__ import annotations

from collections import Counter
from datetime import date

from batondesk.customers.recommendations.catalogue import BY_ID, plan_of
from batondesk.customers.recommendations.fees import fees_paid, fees_under
from batondesk.customers.recommendations.rules import CustomerFacts, reasons_for
from batondesk.customers.records import Order
from batondesk.demo.product_history import (
    demo_customer_history,
    holdings_after,
    population,
)

TODAY = date(2026, 11, 30)


def test_a_population_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    first, again, other = (
        population(60, 5, TODAY),
        population(60, 5, TODAY),
        population(60, 6, TODAY),
    )
    assert [c.taken for c in first] == [c.taken for c in again]
    assert [c.records for c in first] == [c.records for c in again]
    assert [c.taken for c in first] != [c.taken for c in other]


def test_generated_customers_are_coherent() -> None:
    customers = population(300, 11, TODAY)
    taken = Counter(len(c.taken) for c in customers)
    assert sum(n for size, n in taken.items() if size >= 2) > 150  # enough to hold one out
    for customer in customers:
        assert len(set(customer.taken)) == len(customer.taken)
        held = customer.held_before_last
        # VIP comes after Premium and replaces it; a disposable card after a virtual one.
        assert not {"premium", "vip"} <= held
        if "disposable_card" in customer.taken and "virtual_card" in customer.taken:
            assert customer.taken.index("virtual_card") < customer.taken.index("disposable_card")
        # No account in the customer's own currency.
        assert all(BY_ID[o].currency != customer.traits.currency for o in customer.taken)
        # Every record is one a CRM may send; the fees charged are the plan's.
        for record in customer.records:
            Order.model_validate(record)
        held_currencies = frozenset(
            BY_ID[o].currency for o in held if BY_ID[o].currency is not None
        )
        charged = fees_under(
            plan_of(held), customer.records, customer.traits.currency, held_currencies
        )
        assert abs(fees_paid(customer.records) - charged) < 0.05 * max(1, len(customer.records))


def test_the_needs_show_in_the_transactions() -> None:
    """A rule fires for the offer taken next far more often than chance."""
    customers = [c for c in population(400, 12, TODAY) if len(c.taken) >= 2]
    backed = sum(
        c.taken[-1]
        in {
            r.offer
            for r in reasons_for(
                CustomerFacts(c.held_before_last, c.traits.currency, c.records, TODAY)
            )
        }
        for c in customers
    )
    assert backed / len(customers) > 0.4


def test_a_demo_customers_history_keeps_their_plan_and_leaves_the_last_fortnight_alone() -> None:
    taken, records = demo_customer_history("CRM-100200", "ES", "premium", TODAY)
    assert taken == demo_customer_history("CRM-100200", "ES", "premium", TODAY)[0]
    assert "premium" in holdings_after(taken) and "vip" not in taken
    assert all(r["currency"] in ("EUR", "GBP", "USD", "CHF", "PLN") for r in records)
    assert max(r["date"] for r in records) <= "2026-11-17"
    assert {r["id"][:14] for r in records} == {"PH-CRM-100200-"}
