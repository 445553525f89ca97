"""The conversation lifecycle: every state change of a conversation happens here.

bot --escalate--> queued --assign--> assigned --resolve--> resolved --reopen--> bot/assigned
 ^                                      |                       |
 +------------- hand back --------------+                       +--escalate--> queued

Every way out of resolved goes through `reopen_conversation`, so it records one
`conversation.reopened` event (escalating a resolved conversation records it before
`conversation.escalated`).

Once a person owns a conversation (assigned), the bot never answers in it until handed back.
A customer's message and the bot's turn are in `customer_turn.py`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from batondesk.actions.events import record_event
from batondesk.actions.handoff import (
    do_route_and_assign,
    escalation_settings,
    what_happens_next,
)
from batondesk.actions.languages import conversation_language
from batondesk.actions.search_index import index_message
from batondesk.errors import Conflict, InvalidInput, TooLarge
from batondesk.handoff.next_steps import handed_back_text
from batondesk.handoff.queue import priority_for
from batondesk.observability.metrics import OperationalMetrics
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Event,
    Inbox,
    Membership,
    Message,
    SenderType,
)


def check_message_text(text: Any, max_chars: int, *, allow_empty: bool = False) -> str:
    """The text, trimmed. `allow_empty`: a message that carries a file needs no words."""
    if not isinstance(text, str):
        raise InvalidInput("message body must be a string", code="invalid_body")
    stripped = text.strip()
    if allow_empty and not stripped:
        return ""
    # Invisible characters alone (zero-width spaces and joiners, direction marks) are empty too.
    if not any(not c.isspace() and unicodedata.category(c) != "Cf" for c in stripped):
        raise InvalidInput("message body is empty", code="empty_message")
    if len(stripped) > max_chars:
        raise TooLarge(
            f"message body has {len(stripped)} characters; the limit is {max_chars}",
            code="message_too_long",
        )
    return stripped


def do_open_conversation(
    session: Session, inbox: Inbox, contact: Contact, *, identity_verified: bool = False
) -> Conversation:
    """`identity_verified`: the customer proved who they are (a signed identity token), so
    replies may use what the account's systems know about them."""
    conversation = Conversation(
        account_id=inbox.account_id,
        inbox_id=inbox.id,
        contact_id=contact.id,
        identity_verified=identity_verified,
    )
    session.add(conversation)
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.opened",
        actor_type="customer",
        actor_id=contact.id,
        payload={"inbox_id": inbox.id, "channel": inbox.channel},
    )
    return conversation


def do_escalate(
    session: Session,
    conversation: Conversation,
    *,
    reason: str,
    actor_type: str,
    evidence: dict[str, Any] | None = None,
    intent: str | None = None,
    metrics: OperationalMetrics | None = None,
) -> int:
    """Move the conversation to the human queue, route it to a team, start the SLA clock and
    assign it when an agent is free; returns its position in the queue (0 when assigned).
    A resolved conversation is reopened first. `metrics` (the app's) count the hand-over by
    its reason."""
    if conversation.status not in (ConversationStatus.bot, ConversationStatus.resolved):
        raise Conflict(
            f"conversation is {conversation.status}, not with the bot", code="already_with_human"
        )
    actor_id = conversation.contact_id if actor_type == "customer" else None
    if conversation.status == ConversationStatus.resolved:
        # Queued again, it is no longer resolved: the reports count the reopen and start a
        # new response cycle from it.
        reopen_conversation(
            session,
            conversation,
            actor_type=actor_type,
            actor_id=actor_id,
            to_status=ConversationStatus.queued,
        )
    now = utcnow()
    conversation.status = ConversationStatus.queued
    conversation.escalation_reason = reason
    conversation.escalated_at = now
    evidence = evidence or {}
    signal = evidence.get("signal") or {}
    conversation.priority = max(
        conversation.priority,
        priority_for(
            reason,
            tier=contact_tier(session, conversation),
            frustration=float(evidence.get("frustration", 0.0)),
            category=signal.get("cue") if reason == "sensitive" else None,
        ),
    )
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.escalated",
        actor_type=actor_type,
        actor_id=actor_id,
        payload={
            "reason": reason,
            "priority": conversation.priority,
            "intent": intent,
            "evidence": evidence,
        },
    )
    settings = escalation_settings(session, conversation.account_id)
    # Route on what the customer confidently asked about, which may be an earlier message
    # ("can I talk to someone about it?" names no topic).
    do_route_and_assign(session, conversation, settings, intent=last_intent(session, conversation))
    if metrics is not None:
        metrics.observe_handover(reason)
    return queue_position(session, conversation)


def do_request_human(
    session: Session, conversation: Conversation, *, metrics: OperationalMetrics | None = None
) -> int:
    """The customer pressed "talk to a person": always honoured, whatever the bot thinks."""
    if conversation.status in (ConversationStatus.queued, ConversationStatus.assigned):
        return queue_position(session, conversation)
    position = do_escalate(
        session,
        conversation,
        reason="explicit_request",
        actor_type="customer",
        evidence={"via": "button", "signal": {"cue": "talk_to_a_person_button"}},
        metrics=metrics,
    )
    add_message(
        session,
        conversation,
        SenderType.system,
        what_happens_next(
            session,
            conversation,
            escalation_settings(session, conversation.account_id),
            position=position,
            language=conversation_language(session, conversation).language,
            asked=True,
        ),
    )
    return position


def queue_position(session: Session, conversation: Conversation) -> int:
    if conversation.status != ConversationStatus.queued or conversation.escalated_at is None:
        return 0
    ahead = session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.account_id == conversation.account_id,
            Conversation.status == ConversationStatus.queued,
            Conversation.escalated_at < conversation.escalated_at,
        )
    )
    return int(ahead or 0) + 1


def do_assign(
    session: Session,
    conversation: Conversation,
    assignee: Membership,
    *,
    actor: Membership | None,
) -> None:
    """Give the conversation to a person (themselves: take over; another: assign or
    reassign). The bot goes silent. `actor` is None for an API key."""
    if conversation.status == ConversationStatus.resolved:
        raise Conflict("conversation is resolved; reopen it first", code="conversation_resolved")
    if assignee.account_id != conversation.account_id:
        raise InvalidInput("assignee is not a member of this account", code="invalid_assignee")
    previous = conversation.status
    previous_assignee = conversation.assignee_id
    conversation.status = ConversationStatus.assigned
    conversation.assignee_id = assignee.user_id
    session.flush()
    payload: dict[str, Any] = {"assignee_id": assignee.user_id, "from_status": previous}
    if previous_assignee is not None and previous_assignee != assignee.user_id:
        payload["from_assignee_id"] = previous_assignee
    record_event(
        session,
        conversation,
        "conversation.assigned",
        actor_type="agent",
        actor_id=actor.user_id if actor is not None else None,
        payload=payload,
    )


def do_agent_reply(
    session: Session,
    conversation: Conversation,
    agent: Membership,
    text: str,
    *,
    max_chars: int,
    files: int = 0,
) -> Message:
    """An agent's reply. Replying in a conversation the bot or the queue holds takes it over,
    so the bot can never talk over a person. `files`: how many files the caller attaches
    (actions/attachments.py); with files the text may be empty."""
    text = check_message_text(text, max_chars, allow_empty=files > 0)
    if conversation.status == ConversationStatus.resolved:
        raise Conflict("conversation is resolved; reopen it first", code="conversation_resolved")
    if conversation.status != ConversationStatus.assigned:
        do_assign(session, conversation, agent, actor=agent)
    message = add_message(session, conversation, SenderType.agent, text, user_id=agent.user_id)
    if conversation.first_human_response_at is None:
        conversation.first_human_response_at = message.created_at
    record_event(
        session,
        conversation,
        "agent.replied",
        actor_type="agent",
        actor_id=agent.user_id,
        payload={"message_id": message.id, "chars": len(text), **_files(files)},
    )
    return message


def do_add_note(
    session: Session,
    conversation: Conversation,
    agent: Membership,
    text: str,
    *,
    max_chars: int,
    files: int = 0,
) -> Message:
    text = check_message_text(text, max_chars, allow_empty=files > 0)
    message = add_message(
        session, conversation, SenderType.agent, text, user_id=agent.user_id, private=True
    )
    record_event(
        session,
        conversation,
        "agent.noted",
        actor_type="agent",
        actor_id=agent.user_id,
        payload={"message_id": message.id, **_files(files)},
    )
    return message


def _files(count: int) -> dict[str, int]:
    """The event payload's count of attached files (absent when none, as before files)."""
    return {"attachments": count} if count else {}


def do_hand_back(session: Session, conversation: Conversation, agent: Membership) -> None:
    if conversation.status not in (ConversationStatus.queued, ConversationStatus.assigned):
        raise Conflict(
            f"conversation is {conversation.status}; nothing to hand back", code="not_with_human"
        )
    conversation.status = ConversationStatus.bot
    conversation.assignee_id = None
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.handed_back",
        actor_type="agent",
        actor_id=agent.user_id,
    )
    # The customer was talking to a person: say who answers now, or the next bot reply
    # would seem to come from nowhere.
    language = conversation_language(session, conversation).language
    add_message(session, conversation, SenderType.system, handed_back_text(language))


def do_resolve(
    session: Session, conversation: Conversation, *, actor_type: str, actor_id: int | None
) -> None:
    if conversation.status == ConversationStatus.resolved:
        raise Conflict("conversation is already resolved", code="already_resolved")
    previous = conversation.status
    conversation.status = ConversationStatus.resolved
    conversation.resolved_at = utcnow()
    # Nothing is left to wake up for.
    conversation.snoozed_until = None
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.resolved",
        actor_type=actor_type,
        actor_id=actor_id,
        payload={"from_status": previous, "resolved_by": actor_type},
    )


def do_reopen(session: Session, conversation: Conversation, agent: Membership) -> None:
    if conversation.status != ConversationStatus.resolved:
        raise Conflict(f"conversation is {conversation.status}, not resolved", code="not_resolved")
    reopen_conversation(session, conversation, actor_type="agent", actor_id=agent.user_id)


def do_submit_csat(
    session: Session, conversation: Conversation, score: int, comment: str | None
) -> None:
    """Rate the conversation once it has been resolved. A customer who wrote again after it was
    resolved (reopening it) can still rate it: the rating prompt stays up in the widget."""
    if conversation.status != ConversationStatus.resolved and not _was_resolved(
        session, conversation
    ):
        raise Conflict("only a resolved conversation can be rated", code="not_resolved")
    if conversation.csat_score is not None:
        raise Conflict("this conversation has already been rated", code="already_rated")
    conversation.csat_score = score
    conversation.csat_comment = comment or None
    session.flush()
    record_event(
        session,
        conversation,
        "csat.submitted",
        actor_type="customer",
        actor_id=conversation.contact_id,
        payload={"score": score, "has_comment": bool(comment)},
    )


def _was_resolved(session: Session, conversation: Conversation) -> bool:
    return (
        session.scalar(
            select(Event.id)
            .where(
                Event.account_id == conversation.account_id,
                Event.conversation_id == conversation.id,
                Event.type == "conversation.resolved",
            )
            .limit(1)
        )
        is not None
    )


def reopen_conversation(
    session: Session,
    conversation: Conversation,
    *,
    actor_type: str,
    actor_id: int | None,
    to_status: ConversationStatus | None = None,
) -> None:
    """Take a resolved conversation back and record `conversation.reopened`. By default a
    person who owned it keeps it and otherwise the bot picks it up again; `do_escalate` reopens
    it straight into the queue (`to_status`)."""
    if to_status is None:
        to_status = (
            ConversationStatus.assigned if conversation.assignee_id else ConversationStatus.bot
        )
    conversation.status = to_status
    conversation.resolved_at = None
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.reopened",
        actor_type=actor_type,
        actor_id=actor_id,
        payload={"to_status": conversation.status},
    )


def add_message(
    session: Session,
    conversation: Conversation,
    sender: SenderType,
    text: str,
    annotations: dict[str, Any] | None = None,
    *,
    user_id: int | None = None,
    private: bool = False,
) -> Message:
    message = new_message(conversation, sender, text, annotations, user_id=user_id, private=private)
    store_messages(session, conversation, [message])
    return message


def new_message(
    conversation: Conversation,
    sender: SenderType,
    text: str,
    annotations: dict[str, Any] | None = None,
    *,
    user_id: int | None = None,
    private: bool = False,
) -> Message:
    """A message of `conversation`, not stored yet (`store_messages`)."""
    return Message(
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        contact_id=conversation.contact_id,
        sender_type=sender,
        sender_user_id=user_id,
        body=text,
        private=private,
        annotations=annotations or {},
    )


def store_messages(
    session: Session, conversation: Conversation, messages: Sequence[Message]
) -> None:
    """Store `messages`, in this order, in one flush: their ids are set when it returns. A
    customer's message and the bot's reply stored together write the conversation's row
    once, and each table's rows in one statement."""
    session.add_all(messages)
    conversation.last_message_at = utcnow()
    session.flush()
    for message in messages:
        index_message(session, message)


def contact_tier(session: Session, conversation: Conversation) -> str:
    contact = session.get(Contact, conversation.contact_id)
    return contact.tier if contact is not None else "standard"


_ROUTING_CONFIDENCE = 0.5


def confident_intent(annotations: dict[str, Any] | None) -> str | None:
    """The intent a customer message's annotations name with enough confidence to route on
    (and to file the conversation under), else None."""
    annotations = annotations or {}
    intent = annotations.get("intent")
    if (
        intent
        and not annotations.get("out_of_scope")
        and float(annotations.get("confidence", 0.0)) >= _ROUTING_CONFIDENCE
    ):
        return str(intent)
    return None


def last_intent(session: Session, conversation: Conversation) -> str | None:
    """The most recent intent the bot understood in this conversation (for routing)."""
    for message in session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.sender_type == SenderType.customer,
        )
        .order_by(Message.id.desc())
        .limit(5)
    ):
        intent = confident_intent(message.annotations)
        if intent is not None:
            return intent
    return None
