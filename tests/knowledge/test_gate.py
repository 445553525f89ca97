"""The answer gate: answers need a confident intent AND retrieval evidence."""

from __future__ import annotations

from batondesk.engine.decision import Decision, DecisionPolicy, KnowledgeEntry
from batondesk.engine.understanding import Understanding
from batondesk.knowledge.embedding import default_embedder
from batondesk.knowledge.gate import AnswerGate
from batondesk.knowledge.retrieval import HybridIndex, IndexedArticle, IntentReranker

ARTICLES = [
    IndexedArticle(
        1,
        "card-delivery",
        "When will my card arrive?",
        "Cards arrive within 3-5 working days of ordering. If yours has not arrived "
        "after 7 working days, order a replacement.",
        ("card_arrival",),
    ),
    IndexedArticle(
        2,
        "lost-card",
        "Lost or stolen card",
        "Freeze your card straight away in the app under Cards > Freeze card.",
        ("lost_or_stolen_card",),
    ),
    IndexedArticle(
        3,
        "exchange-rates",
        "Our exchange rates",
        "We use the interbank rate with a 0.5% markup on weekdays.",
        ("exchange_rate",),
    ),
]
KNOWLEDGE = {i: KnowledgeEntry(a.id, a.slug, a.title, a.body) for a in ARTICLES for i in a.intents}


def _turn(text: str, intent: str, confidence: float) -> Decision:
    index = HybridIndex(ARTICLES, default_embedder())
    top = [(intent, confidence), *[(i, (1 - confidence) / 2) for i in KNOWLEDGE if i != intent]]
    understanding = Understanding(intent, confidence, top[:3])
    hits = index.search(text, k=10, reranker=IntentReranker(dict(understanding.top)))
    decision = DecisionPolicy().decide(understanding, KNOWLEDGE, 0)
    return AnswerGate().review(decision, understanding, hits)


def test_confident_intent_backed_by_retrieval_is_answered_with_evidence() -> None:
    decision = _turn("my card still hasn't arrived", "card_arrival", 0.93)
    assert decision.action == "answer"
    assert decision.knowledge is not None and decision.knowledge.slug == "card-delivery"
    assert decision.evidence["retrieval"][0]["slug"] == "card-delivery"


def test_confident_intent_that_retrieval_does_not_back_is_not_answered() -> None:
    # The model is sure it is about exchange rates; the passages say it is about a lost card.
    decision = _turn("I left my card on the bus and it's gone", "exchange_rate", 0.9)
    assert decision.action == "clarify"
    if decision.alternatives:
        assert len(decision.alternatives) == 2
        assert "lost-card" in [a.slug for a in decision.alternatives]


def test_nothing_close_in_the_knowledge_base_asks_for_more_detail_not_an_answer() -> None:
    decision = _turn("do you offer mortgages for first-time buyers", "exchange_rate", 0.7)
    assert decision.action == "clarify"
    assert decision.reason == "unknown" and decision.alternatives == []
    assert decision.knowledge is None


def test_escalation_policy_wins_when_the_bot_has_been_unclear_too_often() -> None:
    index = HybridIndex(ARTICLES, default_embedder())
    understanding = Understanding("exchange_rate", 0.9, [("exchange_rate", 0.9)])
    hits = index.search("I left my card on the bus", k=10)
    answer = Decision("answer", "answered", "exchange_rate", knowledge=KNOWLEDGE["exchange_rate"])
    overruled = AnswerGate().review(
        answer,
        understanding,
        hits,
        when_unclear=lambda: Decision("escalate", "repeated_failure", "exchange_rate"),
    )
    assert (overruled.action, overruled.reason) == ("escalate", "repeated_failure")


def test_clarifying_question_only_offers_articles_the_knowledge_base_backs() -> None:
    index = HybridIndex(ARTICLES, default_embedder())
    understanding = Understanding(
        "exchange_rate", 0.3, [("exchange_rate", 0.3), ("lost_or_stolen_card", 0.3)]
    )
    unrelated = [KNOWLEDGE["exchange_rate"], KNOWLEDGE["lost_or_stolen_card"]]
    policy_says = Decision("clarify", "ambiguous", "exchange_rate", alternatives=unrelated)
    decision = AnswerGate().review(policy_says, understanding, index.search("tell me a joke", k=10))
    assert (decision.action, decision.reason, decision.alternatives) == ("clarify", "unknown", [])


def test_without_the_encoder_only_a_clear_lexical_lead_is_answered() -> None:
    index = HybridIndex(ARTICLES, None)
    understanding = Understanding("lost_or_stolen_card", 0.9, [("lost_or_stolen_card", 0.9)])
    answer = Decision(
        "answer", "answered", "lost_or_stolen_card", knowledge=KNOWLEDGE["lost_or_stolen_card"]
    )
    clear = AnswerGate().review(answer, understanding, index.search("freeze my stolen card", k=10))
    assert clear.action == "answer"
    vague = AnswerGate().review(answer, understanding, index.search("card", k=10))
    assert vague.action != "answer"
