"""The Baton Bank demo content is complete, consistent and deterministic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from batondesk.demo.content import (
    AGENTS,
    DEMO_PASSWORD,
    INTENTS,
    NOT_OFFERED_INTENT,
    TEAMS,
    customers,
    load_articles,
)

# A copy of the 77 BANKING77 labels, kept here on purpose: the test must not depend on the shared
# dataset folder, and it guards against the module's own list drifting from the dataset.
BANKING77 = frozenset(
    {
        "card_arrival",
        "card_linking",
        "exchange_rate",
        "card_payment_wrong_exchange_rate",
        "extra_charge_on_statement",
        "pending_cash_withdrawal",
        "fiat_currency_support",
        "card_delivery_estimate",
        "automatic_top_up",
        "card_not_working",
        "exchange_via_app",
        "lost_or_stolen_card",
        "age_limit",
        "pin_blocked",
        "contactless_not_working",
        "top_up_by_bank_transfer_charge",
        "pending_top_up",
        "cancel_transfer",
        "top_up_limits",
        "wrong_amount_of_cash_received",
        "card_payment_fee_charged",
        "transfer_not_received_by_recipient",
        "supported_cards_and_currencies",
        "getting_virtual_card",
        "card_acceptance",
        "top_up_reverted",
        "balance_not_updated_after_cheque_or_cash_deposit",
        "card_payment_not_recognised",
        "edit_personal_details",
        "why_verify_identity",
        "unable_to_verify_identity",
        "get_physical_card",
        "visa_or_mastercard",
        "topping_up_by_card",
        "disposable_card_limits",
        "compromised_card",
        "atm_support",
        "direct_debit_payment_not_recognised",
        "passcode_forgotten",
        "declined_cash_withdrawal",
        "pending_card_payment",
        "lost_or_stolen_phone",
        "request_refund",
        "declined_transfer",
        "Refund_not_showing_up",
        "declined_card_payment",
        "pending_transfer",
        "terminate_account",
        "card_swallowed",
        "transaction_charged_twice",
        "verify_source_of_funds",
        "transfer_timing",
        "reverted_card_payment?",
        "change_pin",
        "beneficiary_not_allowed",
        "transfer_fee_charged",
        "receiving_money",
        "failed_transfer",
        "transfer_into_account",
        "verify_top_up",
        "getting_spare_card",
        "top_up_by_cash_or_cheque",
        "order_physical_card",
        "virtual_card_not_working",
        "wrong_exchange_rate_for_cash_withdrawal",
        "get_disposable_virtual_card",
        "top_up_failed",
        "balance_not_updated_after_bank_transfer",
        "cash_withdrawal_not_recognised",
        "exchange_charge",
        "top_up_by_card_charge",
        "activate_my_card",
        "cash_withdrawal_charge",
        "card_about_to_expire",
        "apple_pay_or_google_pay",
        "verify_my_identity",
        "country_support",
    }
)

LOCALES = {"en", "es", "fr", "de", "pt", "it"}


@pytest.fixture(scope="module")
def articles():
    return load_articles()


@pytest.fixture(scope="module")
def demo_customers():
    return customers()


def test_intent_list_matches_banking77():
    assert len(BANKING77) == 77
    assert set(INTENTS) == BANKING77
    assert len(INTENTS) == 77


def test_every_intent_is_answered_by_an_article(articles):
    covered = {intent for article in articles for intent in article.intents}
    assert sorted(BANKING77 - covered) == []


def test_article_intents_are_known(articles):
    known = BANKING77 | {NOT_OFFERED_INTENT}
    unknown = {(a.slug, i) for a in articles for i in a.intents if i not in known}
    assert unknown == set()


def test_what_the_bank_does_not_offer_is_served_by_the_article_that_says_so(articles):
    serving = [a for a in articles if NOT_OFFERED_INTENT in a.intents]
    assert [a.slug for a in serving] == ["products-and-services"]
    assert "not-offered" in serving[0].tags


def test_articles_are_well_formed(articles):
    slugs = [a.slug for a in articles]
    assert len(slugs) == len(set(slugs))
    assert 45 <= len(articles) <= 65
    for article in articles:
        assert article.title and article.tags and article.locale == "en"
        # Count words, not Markdown table pipes and rules.
        words = sum(bool(re.search(r"[A-Za-z0-9]", token)) for token in article.body.split())
        assert 80 <= words <= 250, (article.slug, words)
        assert not article.body.startswith("---")


def test_article_links_point_to_existing_slugs(articles):
    # Articles cross-reference each other as [text](slug); a typo would be a dead link in answers.
    slugs = {a.slug for a in articles}
    targets = {t for a in articles for t in re.findall(r"\]\(([a-z0-9-]+)\)", a.body)}
    assert targets - slugs == set()


def test_loader_rejects_a_file_with_missing_keys(tmp_path: Path):
    (tmp_path / "good.md").write_text(
        "---\nslug: good\ntitle: Good\nintents: [card_arrival]\ntags: [cards]\nlocale: en\n---\n"
        "Body text.\n",
        encoding="utf-8",
    )
    (tmp_path / "broken.md").write_text(
        "---\nslug: broken\ntitle: Broken\ntags: [cards]\n---\nBody text.\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"broken\.md.*intents.*locale"):
        load_articles(tmp_path)


def test_loader_rejects_a_file_without_front_matter(tmp_path: Path):
    (tmp_path / "plain.md").write_text("# Just a heading\n\nNo metadata.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"plain\.md"):
        load_articles(tmp_path)


def test_loader_reads_a_directory(tmp_path: Path):
    (tmp_path / "a.md").write_text(
        '---\nslug: a\ntitle: "A: title"\nintents: [card_arrival, "reverted_card_payment?"]\n'
        "tags: [cards]\nlocale: en\n---\n\nBody.\n",
        encoding="utf-8",
    )
    [article] = load_articles(tmp_path)
    assert article.title == "A: title"
    assert article.intents == ("card_arrival", "reverted_card_payment?")
    assert article.body == "Body."


def test_teams_split_all_intents():
    assert [t.name for t in TEAMS] == ["Cards & Payments", "Accounts & Security"]
    first, second = (set(t.intents) for t in TEAMS)
    assert first.isdisjoint(second)
    assert first | second == BANKING77


def test_agents():
    admins = [a for a in AGENTS if a.role == "admin"]
    assert [(a.name, a.email) for a in admins] == [("Ada Admin", "admin@batonbank.example")]
    assert sum(a.role == "analyst" for a in AGENTS) == 1
    team_names = {t.name for t in TEAMS}
    agents = [a for a in AGENTS if a.role == "agent"]
    assert 4 <= len(agents) <= 6
    assert {a.team for a in agents} == team_names
    assert all(a.email.endswith("@batonbank.example") for a in AGENTS)
    assert len({a.email for a in AGENTS}) == len(AGENTS)
    assert DEMO_PASSWORD == "baton-demo"


def test_fifty_unique_customers(demo_customers):
    assert len(demo_customers) == 50
    assert len({c.email for c in demo_customers}) == 50
    assert len({c.external_id for c in demo_customers}) == 50
    assert len({c.name for c in demo_customers}) == 50


def test_customers_are_deterministic(demo_customers):
    assert customers() == demo_customers


def test_customer_fields_are_plausible(demo_customers):
    tiers = {c.tier for c in demo_customers}
    assert tiers == {"standard", "premium", "vip"}
    assert {c.locale for c in demo_customers} == LOCALES
    tx_ids = [t.id for c in demo_customers for t in c.transactions]
    assert len(tx_ids) == len(set(tx_ids))
    for c in demo_customers:
        assert re.fullmatch(r"\+[1-9]\d{9,13}", c.phone), c.phone
        assert c.email.rsplit("@", 1)[1] in {"example.com", "example.org", "mail.example"}
        assert re.fullmatch(r"\d{4}", c.attributes["card_last4"])
        assert 2 <= len(c.transactions) <= 8, c.name
        assert 0 <= len(c.past_conversations) <= 3
        for t in c.transactions:
            assert t.status in {"completed", "pending", "reverted", "declined"}
            assert re.fullmatch(r"-?\d+\.\d{2}", t.amount), t.amount
        for conv in c.past_conversations:
            assert conv.intent in BANKING77
            assert 2 <= len(conv.messages) <= 6
            assert {s for s, _ in conv.messages} <= {"customer", "bot", "agent"}
            assert conv.messages[0][0] == "customer"
            assert conv.resolved_by in {"bot", "agent"}
            assert (conv.resolved_by == "agent") == any(s == "agent" for s, _ in conv.messages)
            assert conv.csat is None or 1 <= conv.csat <= 5
            leftovers = [text for _, text in conv.messages if "{" in text]
            assert leftovers == [], leftovers
