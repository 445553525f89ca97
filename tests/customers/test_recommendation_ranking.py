"""Ranking the next-best offers: the catalogue, collaborative filtering on a small matrix of
holdings, and how the rules and collaborative filtering combine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from batondesk.customers.recommendations.catalogue import candidates, holdings_of
from batondesk.customers.recommendations.collaborative import HoldingsModel
from batondesk.customers.recommendations.ranking import combine, recommend
from batondesk.customers.recommendations.rules import CustomerFacts, Reason
from batondesk.customers.recommendations.wording import chat_offer, why_text
from batondesk.i18n import wording

TODAY = date(2026, 11, 30)
# Travellers hold currency accounts and Premium; online shoppers hold cards; families a
# vault and a junior account.
HOLDINGS = [
    *[{"currency_eur", "currency_usd", "premium"}] * 6,
    *[{"currency_eur", "premium"}] * 4,
    *[{"virtual_card", "disposable_card"}] * 6,
    *[{"virtual_card"}] * 3,
    *[{"savings_vault", "junior"}] * 5,
    *[{"savings_vault"}] * 2,
]


@pytest.fixture(scope="module")
def model() -> HoldingsModel:
    return HoldingsModel().fit(HOLDINGS)


def test_holdings_are_read_from_product_ids_or_names_and_ended_products_are_not_held() -> None:
    products = [
        {"name": "Everyday account"},
        {"id": "premium", "name": "Premium plan"},
        {"name": "EUR balance"},
        {"name": "Virtual card", "status": "closed"},
        {"name": "Something else"},
        "not a product",
    ]
    assert holdings_of(products) == {"premium", "currency_eur"}  # type: ignore[arg-type]


def test_candidates_leave_out_what_is_held_lower_plans_and_the_main_currency() -> None:
    open_offers = candidates({"premium", "virtual_card"}, "EUR")
    assert "premium" not in open_offers and "virtual_card" not in open_offers
    assert "vip" in open_offers
    assert "currency_eur" not in open_offers and "currency_gbp" in open_offers
    assert "premium" not in candidates({"vip"}, "GBP")


@pytest.mark.parametrize("method", ["item_item", "als", "bpr"])
def test_each_model_learns_which_offers_go_together(method: str) -> None:
    model = HoldingsModel(method=method).fit(HOLDINGS)  # type: ignore[arg-type]
    scores = model.scores({"currency_eur"}, customer=6)  # a traveller with EUR and Premium
    ranked = sorted((o for o in scores if o != "currency_eur"), key=lambda o: -scores[o])
    assert set(ranked[:2]) == {"premium", "currency_usd"}, (method, scores)


def test_a_customer_outside_the_fitted_rows_is_scored_from_their_holdings(
    model: HoldingsModel,
) -> None:
    scores = model.scores({"virtual_card"})
    assert max((o for o in scores if o != "virtual_card"), key=lambda o: scores[o]) == (
        "disposable_card"
    )
    assert model.because({"virtual_card", "currency_eur"}, "disposable_card") == ["virtual_card"]
    assert all(value == 0 for value in model.scores(set()).values())
    assert model.popularity_["virtual_card"] == 9
    with pytest.raises(ValueError, match="scores only the customers it was fitted on"):
        HoldingsModel(method="bpr").fit(HOLDINGS).scores({"premium"})


def test_fitting_needs_customers() -> None:
    with pytest.raises(ValueError, match="at least one customer"):
        HoldingsModel().fit([])


def _reason(offer: str, strength: float) -> Reason:
    return Reason(offer, "test_rule", strength, "GBP", {})


def test_rule_backed_offers_come_first_in_collaborative_order_and_it_fills_the_rest() -> None:
    scores = {"premium": 0.2, "currency_usd": 0.9, "savings_vault": 0.5, "junior": 0.1}
    open_offers = list(scores)
    reasons = [_reason("premium", 0.9), _reason("junior", 0.3)]
    chosen = combine(reasons, scores, open_offers)
    assert [(offer, reason is not None) for offer, reason in chosen] == [
        ("premium", True),
        ("junior", True),
        ("currency_usd", False),
    ]
    # Without a model the rules' strength orders them and nothing fills.
    assert [o for o, _ in combine(reasons[::-1], {}, open_offers)] == ["premium", "junior"]
    # Without rules, collaborative filtering ranks; popularity breaks its ties.
    flat = dict.fromkeys(open_offers, 0.0)
    popular = {"junior": 3.0, "savings_vault": 9.0}
    assert [o for o, _ in combine([], flat, open_offers, 2, popular)] == [
        "savings_vault",
        "junior",
    ]
    # An offer the customer cannot take is never recommended, rule or not.
    assert combine([_reason("vip", 1.0)], scores, ["premium"]) == [("premium", None)]


def test_a_recommendation_says_why_in_the_customers_figures_or_what_they_hold(
    model: HoldingsModel,
) -> None:
    payments = [
        {
            "id": f"T{i}",
            "kind": "card_payment",
            "date": str(TODAY - timedelta(days=i)),
            "status": "completed",
            "total": -70.0,
            "currency": "USD",
        }
        for i in (1, 2, 3)
    ]
    facts = CustomerFacts(frozenset({"currency_eur"}), "GBP", tuple(payments), TODAY)
    first, second, third = recommend(facts, model)
    assert first.offer == "currency_usd" and first.source == "rule"
    assert second.offer == "premium" and second.source == "similar_customers"
    assert second.similar_to == ("currency_eur",)
    english = wording("en")
    assert (
        why_text(second, english) == "Customers who hold EUR currency account often have this too."
    )
    assert chat_offer(first, english).startswith(
        "By the way: Over the last three months you paid US$210.00 in USD by card (3 payments)"
    )
    assert chat_offer(first, english).endswith(
        "You can open one for free in Home > + > Add currency."
    )
    assert third.source == "similar_customers"
    # With no model, only what the rules back.
    assert [r.offer for r in recommend(facts, None)] == ["currency_usd"]
