"""The explainable rules and the fee model behind them: each rule fires on the customer's own
figures (and only above its threshold), states them, and stays quiet for an offer held."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from batondesk.customers.recommendations.catalogue import PLANS
from batondesk.customers.recommendations.fees import fee_lines, fees_paid, fees_under
from batondesk.customers.recommendations.rules import CustomerFacts, reasons_for
from batondesk.customers.recommendations.wording import reason_text
from batondesk.i18n import wording

TODAY = date(2026, 11, 30)  # a Monday
_counter = iter(range(1, 10_000))


def tx(days_ago: int, kind: str, total: float, currency: str = "GBP", **fields: Any) -> dict:  # type: ignore[type-arg]
    return {
        "id": f"T-{next(_counter)}",
        "kind": kind,
        "date": (TODAY - timedelta(days=days_ago)).isoformat(),
        "status": "completed",
        "total": total,
        "currency": currency,
        **fields,
    }


def facts(
    records: list[dict], holdings: set[str] | None = None, main: str = "GBP"
) -> CustomerFacts:  # type: ignore[type-arg]
    return CustomerFacts(frozenset(holdings or ()), main, tuple(records), TODAY)


def offers(records: list[dict], **kwargs: Any) -> dict[str, Any]:  # type: ignore[type-arg]
    return {r.offer: r for r in reasons_for(facts(records, **kwargs))}


def test_exchange_above_the_standard_allowance_costs_what_the_knowledge_base_says() -> None:
    # "you exchange £500 to euros on Standard, having already converted £800 this month.
    # The first £200 is free and the remaining £300 costs 0.5% = £1.50." (on a Tuesday)
    tuesday = TODAY - timedelta(days=6)
    assert tuesday.weekday() == 1
    days = (TODAY - tuesday).days
    records = [
        tx(days, "card_payment", -800 / 0.85, "EUR"),
        tx(days, "card_payment", -500 / 0.85, "EUR"),
    ]
    fees = list(fee_lines(PLANS["standard"], records, "GBP"))
    assert [round(f.gbp, 2) for f in fees] == [1.50]
    assert fees_under(PLANS["premium"], records, "GBP") == 0
    # Paying from a euro balance converts nothing.
    assert fees_under(PLANS["standard"], records, "GBP", frozenset({"EUR"})) == 0


def test_cash_above_the_allowance_costs_two_percent_with_a_one_pound_minimum() -> None:
    # "you've taken out £180 this month and withdraw £100, so the £80 above your allowance
    # is charged 2% = £1.60. Had only £30 been above it, you'd pay the £1 minimum."
    records = [tx(3, "cash_withdrawal", -180), tx(2, "cash_withdrawal", -100)]
    assert [round(f.gbp, 2) for f in fee_lines(PLANS["standard"], records, "GBP")] == [1.60]
    smaller = [tx(3, "cash_withdrawal", -180), tx(2, "cash_withdrawal", -50)]
    assert [f.gbp for f in fee_lines(PLANS["standard"], smaller, "GBP")] == [1.0]
    assert fees_under(PLANS["premium"], records, "GBP") == 0


def test_weekend_conversions_pay_the_markup_and_swift_transfers_their_fee() -> None:
    saturday = (TODAY - timedelta(days=2)).isoformat()
    payment = {**tx(0, "card_payment", -100, "USD"), "date": saturday}
    swift = tx(4, "transfer", -300, "PLN")
    sepa = tx(4, "transfer", -300, "EUR")
    lines = list(fee_lines(PLANS["standard"], [payment, swift, sepa], "GBP"))
    assert {(f.charged_for, round(f.gbp, 2)) for f in lines} == {
        ("exchange", 0.79),  # 1% of $100 at 0.79
        ("transfer", 5.0),  # SEPA in euros is free
    }
    assert fees_under(PLANS["vip"], [payment, swift], "GBP") == 0


def _remitter() -> list[dict]:  # type: ignore[type-arg]
    """A SWIFT transfer a week for three months (13), charged £5 each on Standard."""
    records = []
    for days_ago in range(2, 90, 7):
        records.append(tx(days_ago, "transfer", -250, "PLN", description="Transfer to A. Nowak"))
        records.append(
            tx(days_ago, "fee", -5, charged_for="transfer", description="SWIFT transfer fee")
        )
    return records


def test_premium_is_recommended_when_its_fees_and_price_cost_less_than_the_fees_paid() -> None:
    records = _remitter()
    assert fees_paid(records) == 65
    premium = offers(records)["premium"]
    assert premium.rule == "plan_fees"
    # Thirteen transfers at £2.50 on Premium, plus three months at £6.99.
    assert premium.figures == {
        "paid": 65.0,
        "would_pay": 32.5,
        "saving": pytest.approx(65 - 32.5 - 3 * 6.99),
        "plan": "Premium",
        "monthly_price_gbp": 6.99,
    }
    text = reason_text(premium, wording("en"))
    assert text.startswith("You paid £65.00 in fees over the last three months. On Premium")
    assert "(£6.99 a month) you would have paid £32.50: £11.53 less" in text
    # VIP sends SWIFT transfers free: it saves more still, and is the stronger reason.
    vip = offers(records)["vip"]
    assert vip.figures["would_pay"] == 0 and vip.figures["saving"] == pytest.approx(65 - 3 * 14.99)
    assert vip.strength > premium.strength
    # A Premium customer is offered no Premium; VIP costs them only the difference.
    on_premium = offers(records, holdings={"premium"})
    assert "premium" not in on_premium
    assert on_premium["vip"].figures["saving"] == pytest.approx(65 - 3 * (14.99 - 6.99))


def test_a_plan_that_would_not_pay_for_itself_is_not_recommended() -> None:
    assert "premium" not in offers(_remitter()[:8])  # four transfers: £20 paid, £10 + £20.97


def test_spending_in_another_currency_points_at_an_account_in_it() -> None:
    payments = [tx(days, "card_payment", -60, "EUR", channel="in_store") for days in (5, 6, 7)]
    euro = offers(payments)["currency_eur"]
    assert euro.figures == {"spent": 180.0, "payments": 3}
    assert "you paid €180.00 in EUR by card (3 payments)" in reason_text(euro, wording("en"))
    # Below the thresholds, or held already, or the main currency: nothing.
    assert "currency_eur" not in offers(payments[:2])
    assert "currency_eur" not in offers(payments, holdings={"currency_eur"})
    assert "currency_eur" not in offers(payments, main="EUR")
    # Older than three months: not counted.
    old = [tx(days, "card_payment", -60, "EUR") for days in (95, 96, 97)]
    assert "currency_eur" not in offers(old)


def test_online_payments_point_at_a_virtual_card_and_one_off_shops_at_a_disposable_one() -> None:
    shops = [
        tx(i, "card_payment", -20 - i, channel="online", description=f"shop{i}.example")
        for i in range(1, 9)
    ]
    found = offers(shops)
    assert found["virtual_card"].figures == {"payments": 8, "subscriptions": 0}
    assert found["disposable_card"].figures == {"shops": 8}
    assert reason_text(found["virtual_card"], wording("en")).startswith(
        "You made 8 online card payments over the last three months. A virtual card"
    )
    # Payments in a shop are not online; the same shop twice is not a one-off.
    in_store = [{**r, "channel": "in_store"} for r in shops]
    assert not offers(in_store)
    repeat = [{**r, "description": "favourite.example"} for r in shops]
    assert "disposable_card" not in offers(repeat)


def test_subscriptions_paid_by_card_count_for_a_virtual_card() -> None:
    monthly = [
        tx(days, "card_payment", -price, channel="online", description=name)
        for name, price in (("Netflix", 10.99), ("Spotify", 11.99))
        for days in (3, 33)
    ]
    found = offers(monthly)["virtual_card"]
    assert found.figures == {"payments": 4, "subscriptions": 2}
    assert "and pay 2 subscriptions by card" in reason_text(found, wording("en"))


def test_money_left_over_each_month_points_at_a_savings_vault() -> None:
    records = [tx(d, "top_up", 2000, description="Salary") for d in (5, 35, 65)]
    records += [tx(d, "direct_debit", -1700, description="Rent and bills") for d in (6, 36, 66)]
    vault = offers(records)["savings_vault"]
    assert vault.figures == {"surplus": 900.0}
    spent = [*records, tx(10, "card_payment", -700)]
    assert "savings_vault" not in offers(spent)
    # A shop's order totals are purchases, not money coming in.
    orders = [{**tx(5, "order", 5000), "kind": "order"}]
    assert not offers(orders)


def test_the_reason_reads_in_the_customers_language() -> None:
    payments = [tx(days, "card_payment", -60, "EUR") for days in (5, 6, 7)]
    euro = offers(payments)["currency_eur"]
    spanish = reason_text(euro, wording("es"))
    assert spanish.startswith("En los últimos tres meses pagó 180,00\u00a0€ en EUR con tarjeta")


def test_facts_take_the_main_currency_from_the_profile() -> None:
    euro_records = [tx(1, "card_payment", -10, "EUR"), tx(2, "card_payment", -10, "EUR")]
    assert CustomerFacts.of([], euro_records, {}, TODAY).main_currency == "EUR"
    assert CustomerFacts.of([], euro_records, {"main_currency": "PLN"}, TODAY).main_currency == (
        "PLN"
    )
    assert CustomerFacts.of(None, None, None, TODAY).main_currency == "GBP"
    held = CustomerFacts.of([{"name": "Premium plan"}, {"id": "virtual_card"}], [], {}, TODAY)
    assert held.holdings == {"premium", "virtual_card"}
