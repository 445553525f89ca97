"""Answers from the customer's own account: the sentences a verified customer reads before the
article's general rule, which record fields they state, and nothing for anyone without records
or for intents their account does not decide."""

from __future__ import annotations

from datetime import date

from batondesk.engine.account_answers import account_fact
from batondesk.engine.response import compose_answer
from batondesk.i18n import wording
from batondesk.knowledge.retrieval import IndexedArticle

TODAY = date(2026, 11, 10)
RECORDS = [
    {"id": "C-1", "kind": "card", "status": "posted", "date": "2026-11-03",
     "expected_by": "2026-11-12", "card_last4": "4242"},
    {"id": "T-1", "kind": "transfer", "status": "completed", "date": "2026-10-20",
     "total": -80.0, "currency": "GBP", "description": "A. Novak"},
    {"id": "T-2", "kind": "transfer", "status": "pending", "date": "2026-11-09",
     "total": -650.0, "currency": "GBP", "description": "J. Davies",
     "reason": "held for a security check"},
    {"id": "P-1", "kind": "card_payment", "status": "declined", "date": "2026-11-08",
     "total": -42.5, "currency": "EUR", "description": "Zara", "reason": "insufficient balance"},
    {"id": "P-2", "kind": "card_payment", "status": "completed", "date": "2026-11-07",
     "total": -12.3, "currency": "GBP", "description": "Tesco"},
    {"id": "F-1", "kind": "fee", "status": "completed", "date": "2026-11-02", "total": -1.6,
     "currency": "GBP", "description": "ATM fee 2%", "charged_for": "cash_withdrawal"},
]  # fmt: skip
ENGLISH = wording("en")


def test_card_delivery_states_the_card_its_posting_and_its_due_date() -> None:
    fact = account_fact("card_arrival", RECORDS, ENGLISH, today=TODAY)
    assert fact is not None
    assert fact.text == (
        "Your card ending 4242 was posted on 3 November. It should arrive by 12 November."
    )
    assert fact.fields == [
        "orders.C-1.status",
        "orders.C-1.card_last4",
        "orders.C-1.date",
        "orders.C-1.expected_by",
    ]
    late = account_fact("card_arrival", RECORDS, ENGLISH, today=date(2026, 11, 20))
    assert late is not None and "was due by 12 November, so it's running late" in late.text


def test_transfers_payments_and_fees_state_amount_counterparty_and_reason() -> None:
    pending = account_fact("pending_transfer", RECORDS, ENGLISH, today=TODAY)
    assert pending is not None
    assert pending.text == (
        "Your transfer of £650.00 to J. Davies on 9 November is still pending. "
        "The reason: held for a security check."
    )
    declined = account_fact("declined_card_payment", RECORDS, ENGLISH, today=TODAY)
    assert declined is not None and "€42.50 at Zara on 8 November was declined" in declined.text
    assert "insufficient balance" in declined.text
    fee = account_fact("cash_withdrawal_charge", RECORDS, ENGLISH, today=TODAY)
    assert fee is not None and fee.text.startswith("On 2 November we charged you £1.60: ATM fee")
    # A fee on another kind of transaction is not this one's answer.
    assert account_fact("transfer_fee_charged", RECORDS, ENGLISH, today=TODAY) is None
    recent = account_fact("card_payment_not_recognised", RECORDS, ENGLISH, today=TODAY)
    assert recent is not None and "7 November: Tesco, £12.30" in recent.text
    assert "Zara" not in recent.text  # a declined payment took no money


def test_the_customers_language_writes_the_sentence_dates_and_amounts() -> None:
    fact = account_fact("pending_transfer", RECORDS, wording("es"), today=TODAY)
    assert fact is not None
    assert fact.text.startswith("Su transferencia de 650,00")
    assert "9 de noviembre" in fact.text


def test_nothing_to_state_without_records_or_for_other_intents() -> None:
    assert account_fact("card_arrival", [], ENGLISH, today=TODAY) is None
    assert account_fact("exchange_rate", RECORDS, ENGLISH, today=TODAY) is None
    assert account_fact("top_up_reverted", RECORDS, ENGLISH, today=TODAY) is None


def test_the_answer_states_the_facts_then_the_cited_general_rule() -> None:
    article = IndexedArticle(
        7, "card-delivery", "When will my new card arrive?",
        "Cards arrive within 3-5 working days.", ("card_arrival",),
    )  # fmt: skip
    fact = account_fact("card_arrival", RECORDS, ENGLISH, today=TODAY)
    reply = compose_answer(article, account=fact)
    assert reply.text.startswith("Your card ending 4242 was posted on 3 November.")
    assert "Cards arrive within 3-5 working days." in reply.text
    assert reply.text.endswith("Source: When will my new card arrive?")
    assert "orders.C-1.card_last4" in reply.profile_fields
    assert reply.details["account_fact"] == "card_delivery"
