"""The knowledge base's part in a live turn: retrieve, gate the decision, prepare the reply.

`TurnKnowledge.review` plugs into the engine's TurnContext: after the decision policy has
spoken, it searches the account's articles (re-ranked by the intent model's view of the
message) and lets the answer gate confirm, redirect or refuse the answer. `reply_context`
then hands the responder the passages, the intent's template and the customer's profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from batondesk.engine.decision import Decision, DecisionPolicy
from batondesk.engine.response import ReplyContext
from batondesk.engine.understanding import Understanding
from batondesk.knowledge.gate import AnswerGate
from batondesk.knowledge.index import KnowledgeIndexes, indexes
from batondesk.knowledge.intent_responses import profile_values, template_for
from batondesk.knowledge.retrieval import ArticleHit, HybridIndex, IntentReranker
from batondesk.store.models import Contact, Conversation

SEARCH_DEPTH = 10  # the gate compares the intent's article with this many others


@dataclass
class TurnKnowledge:
    index: HybridIndex
    text: str
    policy: DecisionPolicy
    failed_turns: int
    gate: AnswerGate = field(default_factory=AnswerGate)
    hits: list[ArticleHit] = field(default_factory=list)

    def search(self, understanding: Understanding | None) -> list[ArticleHit]:
        reranker = (
            IntentReranker(dict(understanding.top)) if understanding and understanding.top else None
        )
        language = understanding.language if understanding else None
        hits = self.index.search(self.text, k=SEARCH_DEPTH, locale=language, reranker=reranker)
        if not hits and language:
            # No article in the customer's language: one in another language beats none.
            hits = self.index.search(self.text, k=SEARCH_DEPTH, reranker=reranker)
        return hits

    def review(self, decision: Decision, understanding: Understanding) -> Decision:
        self.hits = self.search(understanding)
        return self.gate.review(
            decision,
            understanding,
            self.hits,
            when_unclear=lambda: _when_unclear(self.policy, understanding, self.failed_turns),
        )

    def passages_for(self, article_id: int) -> list[str]:
        for hit in self.hits:
            if hit.article.id == article_id:
                return [p.text if not p.heading else f"{p.heading}: {p.text}" for p in hit.passages]
        return []


def knowledge_for_turn(
    session: Session,
    account_id: int,
    text: str,
    *,
    policy: DecisionPolicy,
    failed_turns: int,
    cache: KnowledgeIndexes | None = None,
) -> TurnKnowledge:
    index = (cache or indexes).for_account(session, account_id)
    return TurnKnowledge(index, text, policy, failed_turns)


def reply_context(
    session: Session,
    conversation: Conversation,
    decision: Decision,
    turn: TurnKnowledge | None,
    *,
    language: str,
) -> ReplyContext:
    """Everything the responder may use for an answer (empty for other decisions)."""
    if decision.action != "answer" or decision.knowledge is None:
        return ReplyContext()
    contact = session.get(Contact, conversation.contact_id)
    locale = contact.locale if contact is not None and contact.locale else language
    template = template_for(session, conversation.account_id, decision.intent, locale)
    conversation_values: dict[str, Any] = {"id": conversation.id}
    return ReplyContext(
        question=turn.text if turn else "",
        passages=turn.passages_for(decision.knowledge.article_id) if turn else [],
        template=template.body if template is not None else None,
        profile=profile_values(contact),
        conversation=conversation_values,
    )


def _when_unclear(
    policy: DecisionPolicy, understanding: Understanding, failed_turns: int
) -> Decision | None:
    """The escalation policy's verdict when the bot would clarify (if it has one)."""
    escalation = getattr(policy, "escalation", None)
    if escalation is None:
        return None
    verdict = escalation.when_unclear(understanding, failed_turns)
    if verdict is None:
        return None
    return Decision(
        "escalate", verdict.reason, understanding.intent, evidence=dict(verdict.evidence)
    )
