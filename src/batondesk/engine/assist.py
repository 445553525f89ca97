"""Agent assist: the passages that fit a conversation, and a drafted reply the agent can edit.

The same machinery as the bot (hybrid retrieval, templates filled from the profile, grounded
LLM phrasing when configured), but without the answer policy's limit: an agent reviews the
draft before anything reaches the customer, so a weaker match is still worth showing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from batondesk.engine.response import AnswerWriter, compose_answer
from batondesk.knowledge.index import KnowledgeIndexes
from batondesk.knowledge.intent_responses import profile_values, template_for
from batondesk.store.access import list_messages
from batondesk.store.models import Contact, Conversation, SenderType

# Short follow-ups ("still nothing") mean little alone: the message before them is added.
_SHORT_MESSAGE_WORDS = 6


@dataclass(frozen=True)
class SuggestedPassage:
    article_id: int
    slug: str
    title: str
    heading: str
    text: str
    score: float
    similarity: float


@dataclass(frozen=True)
class Suggestion:
    passages: list[SuggestedPassage] = field(default_factory=list)
    draft: str | None = None
    draft_mode: str | None = None  # template / generated / extractive
    sources: list[dict[str, object]] = field(default_factory=list)
    profile_fields: list[str] = field(default_factory=list)
    summary: str | None = None  # handoff summary, only when an LLM is configured


def suggest_replies(
    session: Session,
    conversation: Conversation,
    indexes: KnowledgeIndexes,
    writer: AnswerWriter | None,
    *,
    limit: int = 3,
) -> Suggestion:
    messages = list_messages(session, conversation, include_private=False)
    customer = [m for m in messages if m.sender_type == SenderType.customer]
    if not customer:
        return Suggestion()
    query = customer[-1].body
    if len(query.split()) < _SHORT_MESSAGE_WORDS and len(customer) > 1:
        query = f"{customer[-2].body} {query}"
    index = indexes.for_account(session, conversation.account_id)
    hits = index.search(query, k=limit)
    passages = [
        SuggestedPassage(
            hit.article.id,
            hit.slug,
            hit.article.title,
            passage.heading,
            passage.text,
            round(hit.score, 4),
            round(hit.semantic, 4),
        )
        for hit in hits
        for passage in hit.passages[:1]
    ]
    if not hits:
        return Suggestion(summary=_summary(writer, messages))
    top = hits[0]
    intent = _last_intent(customer) or (top.article.intents[0] if top.article.intents else None)
    contact = session.get(Contact, conversation.contact_id)
    template = template_for(
        session, conversation.account_id, intent, contact.locale if contact else "en"
    )
    reply = compose_answer(
        top.article,
        question=query,
        passages=[p.text if not p.heading else f"{p.heading}: {p.text}" for p in top.passages],
        best_heading=top.passages[0].heading if top.passages else "",
        template=template.body if template is not None else None,
        profile=profile_values(contact),
        conversation={"id": conversation.id},
        writer=writer,
    )
    return Suggestion(
        passages,
        reply.text,
        reply.mode,
        reply.sources,
        reply.profile_fields,
        _summary(writer, messages),
    )


def _last_intent(customer_messages: list[Any]) -> str | None:
    for message in reversed(customer_messages):
        intent = (message.annotations or {}).get("intent")
        if intent:
            return str(intent)
    return None


def _summary(writer: AnswerWriter | None, messages: list[Any]) -> str | None:
    summarise = getattr(writer, "summarise", None)
    if summarise is None:
        return None
    transcript = [(str(m.sender_type), m.body) for m in messages[-20:]]
    result = summarise(transcript)
    return str(result) if result else None
