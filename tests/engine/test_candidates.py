"""Which article the intent model's evidence speaks for."""

from __future__ import annotations

from batondesk.engine.candidates import IntentEvidence, gather_candidates
from batondesk.knowledge.retrieval import IndexedArticle


def test_an_intent_two_articles_list_is_answered_by_the_more_specific_one() -> None:
    # The plans table lists every fee; the transfer-fee article only its own. A customer
    # asking why a transfer cost £5 should get the transfer-fee article, whichever comes first.
    plans = IndexedArticle(
        1, "fees-and-plans", "Plans and fees", "...", ("card_fee", "transfer_fee", "atm_fee")
    )
    transfer = IndexedArticle(2, "transfer-fees", "Transfer fees", "...", ("transfer_fee",))
    intents = IntentEvidence([("transfer_fee", 0.9), ("card_fee", 0.05)], in_scope_margin=0.5)

    for articles in ([plans, transfer], [transfer, plans]):
        candidates = {c.slug: c for c in gather_candidates(intents, [], articles)}
        assert candidates["transfer-fees"].intent_mass == 0.9
        assert candidates["transfer-fees"].intent_rank == 1
        assert candidates["fees-and-plans"].intent_mass == 0.05
