"""A customer's message, end to end: store it and, while the bot owns the conversation, run
the pipeline (understand -> decide, gated by the knowledge base) and store the bot's reply."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.conversations import (
    add_message,
    check_message_text,
    contact_tier,
    do_escalate,
    reopen_conversation,
)
from batondesk.actions.events import record_event
from batondesk.actions.handoff import (
    escalation_settings,
    evidence_with_message_ids,
    what_happens_next,
)
from batondesk.engine import DecisionPolicy, Pipeline, TurnContext
from batondesk.engine.decision import Decision, KnowledgeEntry
from batondesk.handoff.policy import EscalationPolicy
from batondesk.knowledge.answering import knowledge_for_turn, reply_context
from batondesk.store.access import list_messages
from batondesk.store.models import (
    Account,
    Article,
    Conversation,
    ConversationStatus,
    Message,
    SenderType,
)


@dataclass(frozen=True)
class TurnOutcome:
    """What happened to one customer message."""

    message: Message
    reply: Message | None
    decision: Decision | None


def do_receive_customer_message(
    session: Session,
    conversation: Conversation,
    text: str,
    pipeline: Pipeline,
    *,
    max_chars: int,
) -> TurnOutcome:
    """Store the customer's message; while the bot owns the conversation, run the pipeline and
    store its reply (an answer, a clarifying question, or the hand-over notice)."""
    text = check_message_text(text, max_chars)
    earlier = [
        m.body
        for m in list_messages(session, conversation, include_private=False)
        if m.sender_type == SenderType.customer
    ]
    if conversation.status == ConversationStatus.resolved:
        reopen_conversation(
            session, conversation, actor_type="customer", actor_id=conversation.contact_id
        )
    message = add_message(session, conversation, SenderType.customer, text)
    record_event(
        session,
        conversation,
        "message.received",
        actor_type="customer",
        actor_id=conversation.contact_id,
        payload={"message_id": message.id, "chars": len(text)},
    )
    if conversation.status != ConversationStatus.bot:
        return TurnOutcome(message, None, None)

    account = session.get(Account, conversation.account_id)
    assert account is not None
    context = TurnContext(
        earlier_customer_messages=earlier,
        knowledge=_knowledge_by_intent(session, conversation.account_id),
        failed_turns=_consecutive_clarifications(session, conversation),
        policy=DecisionPolicy.from_settings(account.settings.get("decision", {})).with_escalation(
            EscalationPolicy(
                escalation_settings(session, account.id), contact_tier(session, conversation)
            )
        ),
    )
    # The knowledge base gates the decision: answer only what retrieval can back up.
    turn = knowledge_for_turn(
        session,
        conversation.account_id,
        text,
        policy=context.policy,
        failed_turns=context.failed_turns,
    )
    result = pipeline.run(text, replace(context, review=turn.review))
    message.annotations = result.understanding.to_annotations()
    record_event(
        session,
        conversation,
        "message.understood",
        actor_type="bot",
        payload={
            "message_id": message.id,
            "intent": result.understanding.intent,
            "confidence": round(result.understanding.confidence, 4),
            "out_of_scope": result.understanding.out_of_scope,
            "frustration": round(result.understanding.frustration, 4),
            "language": result.understanding.language,
        },
    )
    decision = result.decision
    if decision.action == "escalate":
        customer_ids = _customer_message_ids(session, conversation)
        position = do_escalate(
            session,
            conversation,
            reason=decision.reason,
            actor_type="bot",
            evidence={
                **evidence_with_message_ids(decision.evidence, customer_ids),
                "message_id": message.id,
            },
            intent=decision.intent,
        )
        reply_text = what_happens_next(
            session,
            conversation,
            escalation_settings(session, conversation.account_id),
            position=position,
            language=result.understanding.language,
        )
        reply = add_message(
            session, conversation, SenderType.bot, reply_text, {"decision": "escalate"}
        )
        return TurnOutcome(message, reply, decision)

    reply_content = pipeline.reply(
        decision,
        context=reply_context(
            session, conversation, decision, turn, language=result.understanding.language
        ),
    )
    reply = add_message(
        session,
        conversation,
        SenderType.bot,
        reply_content.text,
        {
            "decision": decision.action,
            "reason": decision.reason,
            "sources": reply_content.sources,
            "answer_mode": reply_content.mode,
            # Which profile fields the reply was filled from (shown to agents).
            "profile_fields": reply_content.profile_fields,
            **({"answer_details": reply_content.details} if reply_content.details else {}),
        },
    )
    record_event(
        session,
        conversation,
        "bot.replied" if decision.action == "answer" else "bot.clarified",
        actor_type="bot",
        payload={
            "message_id": reply.id,
            "intent": decision.intent,
            "reason": decision.reason,
            "article_ids": [s["article_id"] for s in reply_content.sources],
            "answer_mode": reply_content.mode,
            "profile_fields": reply_content.profile_fields,
        },
    )
    return TurnOutcome(message, reply, decision)


def _knowledge_by_intent(session: Session, account_id: int) -> dict[str, KnowledgeEntry]:
    knowledge: dict[str, KnowledgeEntry] = {}
    articles = session.scalars(
        select(Article)
        .where(Article.account_id == account_id, Article.status == "published")
        .order_by(Article.id)
    )
    for article in articles:
        entry = KnowledgeEntry(article.id, article.slug, article.title, article.body)
        for intent in article.intents:
            knowledge.setdefault(intent, entry)
    return knowledge


def _consecutive_clarifications(session: Session, conversation: Conversation) -> int:
    """How many bot turns in a row, most recent first, were clarifying questions."""
    count = 0
    bot_messages = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.sender_type == SenderType.bot,
        )
        .order_by(Message.id.desc())
        .limit(5)
    )
    for message in bot_messages:
        if message.annotations.get("decision") != "clarify":
            break
        count += 1
    return count


def _customer_message_ids(session: Session, conversation: Conversation) -> list[int]:
    return list(
        session.scalars(
            select(Message.id)
            .where(
                Message.conversation_id == conversation.id,
                Message.sender_type == SenderType.customer,
                Message.private.is_(False),
            )
            .order_by(Message.id)
        )
    )
