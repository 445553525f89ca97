"""The handoff packet: everything an agent needs to take over without making the customer
repeat themselves. Built on demand from the conversation, its annotations and events.

Keys (the console renders exactly these): summary, intents, ai_answers, sentiment_timeline,
escalation, contact, history, repeat_contact, recommendations, suggested_reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.handoff.frustration import message_frustration
from batondesk.store.access import list_messages
from batondesk.store.customer_history import outcome_of, summaries
from batondesk.store.models import (
    Contact,
    Conversation,
    CustomerProfile,
    Event,
    Message,
    SenderType,
)

_REASON_WORDS = {
    "explicit_request": "the customer asked for a person",
    "frustration": "the customer is frustrated",
    "sensitive": "a sensitive matter",
    "repeated_failure": "the bot was not getting it",
    "low_confidence": "a high-stakes question the bot was unsure about",
    "vip": "a VIP customer the bot could not help straight away",
    "no_answer": "no article answers this question",
}
_SENSITIVE_WORDS = {
    "fraud": "possible fraud or an unrecognised transaction",
    "legal": "a legal threat",
    "bereavement": "a bereavement",
    "privacy": "a data or privacy complaint",
    "safety": "the customer's safety",
    "vulnerable": "signs of a vulnerable customer",
}
_MAX_QUOTE = 160
_OUTCOME_WORDS = {
    "resolved_by_ai": "resolved by the AI",
    "resolved_by_agent": "resolved by an agent",
    "with_agent": "still with an agent",
    "waiting_for_agent": "still waiting for an agent",
    "with_ai": "still open with the AI",
}
_RECENT_ORDERS = 6


def build_packet(
    session: Session,
    conversation: Conversation,
    *,
    agent_name: str | None = None,
    recommendations: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Precondition: `conversation` was read through a tenant-checked accessor.
    `recommendations`: the customer's, as the caller may show them (status and offers;
    actions/recommendations.py decides, from the account's settings and the customer's
    marketing consent); none given is shown as off."""
    messages = list_messages(session, conversation, include_private=False)
    customer = [m for m in messages if m.sender_type == SenderType.customer]
    contact = session.get(Contact, conversation.contact_id)
    escalation = _escalation(session, conversation, {m.id: m for m in customer})
    intents = _intents(customer)
    answers = _ai_answers(messages)
    timeline = _timeline(customer)
    history = _history(session, conversation)
    repeat = next((h for h in history if h["conversation_id"] == conversation.repeat_of_id), None)
    summary = _summary(contact, customer, intents, answers, escalation, timeline)
    if repeat is not None:
        summary += (
            f" Repeat contact: the customer wrote about {_words(repeat['intent'])} on "
            f"{repeat['created_at'][:10]} too (#{repeat['conversation_id']}, "
            f"{_OUTCOME_WORDS.get(repeat['outcome'], repeat['outcome'])})."
        )
    return {
        "summary": summary,
        "intents": intents,
        "ai_answers": answers,
        "sentiment_timeline": timeline,
        "escalation": escalation,
        "contact": _contact(session, contact),
        "history": history,
        # The earlier conversation on the same intent this one repeats (actions/repeat_contacts).
        "repeat_contact": repeat,
        "recommendations": dict(recommendations or {"status": "off", "offers": []}),
        "suggested_reply": suggested_reply(
            reason=escalation["reason"] if escalation else None,
            category=(escalation or {}).get("evidence", {}).get("signal", {}).get("cue"),
            topic=_topic(intents),
            customer_name=contact.name if contact else None,
            agent_name=agent_name,
        ),
    }


def _intents(customer: list[Message]) -> list[dict[str, Any]]:
    best: dict[str, float] = {}
    for message in customer:
        annotations = message.annotations or {}
        intent = annotations.get("intent")
        if not intent or annotations.get("out_of_scope"):
            continue
        confidence = float(annotations.get("confidence", 0.0))
        best[intent] = max(best.get(intent, 0.0), confidence)
    ranked = sorted(best.items(), key=lambda item: -item[1])
    return [{"intent": intent, "confidence": round(score, 4)} for intent, score in ranked]


def _ai_answers(messages: list[Message]) -> list[dict[str, Any]]:
    answers = []
    for message in messages:
        annotations = message.annotations or {}
        if message.sender_type != SenderType.bot or annotations.get("decision") != "answer":
            continue
        sources = [
            {"article_id": s.get("article_id"), "slug": s.get("slug"), "title": s.get("title")}
            for s in annotations.get("sources", [])
        ]
        answers.append(
            {
                "message_id": message.id,
                "text": message.body,
                "sources": sources,
                # What of the customer's own data the answer stated (shown to the agent).
                "profile_fields": list(annotations.get("profile_fields") or []),
            }
        )
    return answers


def _timeline(customer: list[Message]) -> list[dict[str, Any]]:
    from batondesk.nlu import analyze_sentiment

    return [
        {
            "message_id": message.id,
            "at": message.created_at.isoformat(),
            "polarity": analyze_sentiment(message.body).polarity,
            "frustration": message_frustration(message.body).score,
        }
        for message in customer
    ]


def _escalation(
    session: Session, conversation: Conversation, customer: dict[int, Message]
) -> dict[str, Any] | None:
    event = session.scalars(
        select(Event)
        .where(
            Event.account_id == conversation.account_id,
            Event.conversation_id == conversation.id,
            Event.type == "conversation.escalated",
        )
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    evidence = dict(event.payload.get("evidence") or {})
    thresholds = {
        **(evidence.pop("thresholds", None) or {}),
        **(evidence.pop("escalation_thresholds", None) or {}),
    }
    signal = dict(evidence.get("signal") or {})
    # The words behind the decision, read from the (decrypted) message for the agent only;
    # the event itself stores the span, never the text.
    message = customer.get(signal.get("message_id", -1))
    span = signal.get("span")
    if message is not None and isinstance(span, list) and len(span) == 2:
        signal["words"] = message.body[span[0] : span[1]]
    if signal:
        evidence["signal"] = signal
    return {
        "reason": event.payload.get("reason"),
        "evidence": evidence,
        "thresholds": thresholds,
        "at": event.created_at.isoformat(),
    }


def _contact(session: Session, contact: Contact | None) -> dict[str, Any]:
    if contact is None:
        return {
            "id": None,
            "name": None,
            "email": None,
            "phone": None,
            "tier": "standard",
            "locale": "en",
            "attributes": {},
            "orders": [],
        }
    profile = session.scalars(
        select(CustomerProfile).where(CustomerProfile.contact_id == contact.id)
    ).first()
    orders = [o for o in (profile.orders if profile else None) or [] if isinstance(o, dict)]
    return {
        "id": contact.id,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "tier": contact.tier,
        "locale": contact.locale,
        "attributes": contact.attributes or {},
        # The latest orders and transactions the account's systems sent, newest first.
        "orders": sorted(orders, key=lambda o: str(o.get("date") or ""), reverse=True)[
            :_RECENT_ORDERS
        ],
    }


def _history(session: Session, conversation: Conversation, limit: int = 10) -> list[dict[str, Any]]:
    """The customer's conversations opened before this one, newest first: when, what about,
    how each ended, the rating, and a line of what was said."""
    earlier = list(
        session.scalars(
            select(Conversation)
            .where(
                Conversation.account_id == conversation.account_id,
                Conversation.contact_id == conversation.contact_id,
                Conversation.id != conversation.id,
                Conversation.created_at <= conversation.created_at,
            )
            .order_by(Conversation.created_at.desc(), Conversation.id.desc())
            .limit(limit)
        )
    )
    lines = summaries(session, earlier)
    return [
        {
            "conversation_id": c.id,
            "created_at": c.created_at.isoformat(),
            "status": str(c.status),
            "intent": c.intent,
            "outcome": str(outcome_of(c)),
            "csat": c.csat_score,
            "summary": lines.get(c.id, ""),
            "repeat": c.id == conversation.repeat_of_id,
        }
        for c in earlier
    ]


def _words(intent: str | None) -> str:
    return intent.replace("_", " ") if intent else "the same thing"


def _topic(intents: list[dict[str, Any]]) -> str | None:
    return intents[0]["intent"].replace("_", " ") if intents else None


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_QUOTE else flat[: _MAX_QUOTE - 1].rstrip() + "…"


def _said(message: Message) -> str:
    """A customer's message as the summary quotes it; a file sent alone has no words."""
    return f"“{_quote(message.body)}”" if message.body else "a file, without text."


def _summary(
    contact: Contact | None,
    customer: list[Message],
    intents: list[dict[str, Any]],
    answers: list[dict[str, Any]],
    escalation: dict[str, Any] | None,
    timeline: list[dict[str, Any]],
) -> str:
    who = contact.name if contact and contact.name else "The customer"
    tier = contact.tier if contact else "standard"
    parts = [
        f"{who} ({tier} customer) wrote {len(customer)} message{'s' if len(customer) != 1 else ''}"
    ]
    topic = _topic(intents)
    parts[0] += f" about {topic}." if topic else "."
    if customer:
        parts.append(f"First message: {_said(customer[0])}")
        if len(customer) > 1:
            parts.append(f"Latest: {_said(customer[-1])}")
    if answers:
        titles = sorted({s["title"] for a in answers for s in a["sources"] if s.get("title")})
        parts.append(
            "The bot answered from: " + ", ".join(titles) + "." if titles else "The bot answered."
        )
    else:
        parts.append("The bot did not give an answer.")
    if escalation:
        reason = escalation["reason"] or "unknown"
        signal = escalation["evidence"].get("signal", {})
        why = (
            _SENSITIVE_WORDS.get(signal.get("cue", ""), _REASON_WORDS.get(reason, reason))
            if reason == "sensitive"
            else _REASON_WORDS.get(reason, reason)
        )
        sentence = f"Handed over because {why}"
        if signal.get("words"):
            sentence += f" (“{_quote(signal['words'])}”)"
        parts.append(sentence + ".")
    if timeline:
        peak = max(point["frustration"] for point in timeline)
        level = "high" if peak >= 0.5 else "moderate" if peak >= 0.25 else "low"
        trend = (
            " and rising"
            if len(timeline) > 1 and timeline[-1]["frustration"] > timeline[0]["frustration"] + 0.1
            else ""
        )
        parts.append(f"Frustration: {level}{trend}.")
    return " ".join(parts)


def suggested_reply(
    *,
    reason: str | None,
    category: str | None,
    topic: str | None,
    customer_name: str | None,
    agent_name: str | None,
) -> str:
    """A first reply the agent can send as is or edit: greets by name, shows the story is
    known, and says what happens now. Never promises what only a person can check."""
    hello = f"Hi {customer_name.split()[0]}" if customer_name else "Hi"
    me = f"I'm {agent_name.split()[0]} from the team" if agent_name else "I'm from the team"
    # " about your card delivery", or nothing when the topic is unknown ("your question about
    # your question" reads as a template showing through).
    about = f" about your {topic}" if topic else ""
    if reason == "sensitive":
        body = {
            "fraud": "I'm sorry you're dealing with this. I've read what you told us, so you "
            "don't need to repeat it. To keep your money safe I can freeze your card right "
            "now while we look at the transactions together. Which payment don't you recognise?",
            "bereavement": "I'm so sorry for your loss. I'll take care of this personally and "
            "we can go at whatever pace suits you. To start, could you tell me whose account "
            "this is about?",
            "legal": "I understand this matters a lot to you, and I want to put it right. I've "
            "read everything above; let me look into it properly and set out what we can do.",
            "privacy": "Thank you for telling us; we take this very seriously. I've read your "
            "messages and I'm looking into what happened with your data right now.",
            "safety": "Thank you for reaching out. Your safety comes first: if you are in "
            "immediate danger, please call the emergency services. I'm here and I'll help you "
            "with your account now.",
            "vulnerable": "Thank you for telling us; we have support for situations like this "
            "and there's no rush. I've read your messages, so let's go through your options "
            "together.",
        }.get(category or "", f"I've read your messages{about} and I'll take it from here.")
    elif reason == "frustration":
        body = (
            f"I'm sorry this has been so frustrating and that you've had to chase us. I've "
            f"read everything{about}, so you won't need to repeat anything; I'm on "
            "it now."
        )
    elif reason == "repeated_failure":
        body = (
            f"Sorry the automated answers missed the point. I've read your question{about}; "
            "let me answer it properly."
        )
    elif reason == "explicit_request":
        body = (
            f"Thanks for waiting. I've read our conversation{about}, so let me take it from here."
        )
    else:
        body = f"I've read your messages{about} and I'll take it from here."
    return f"{hello}, {me}. {body}"
