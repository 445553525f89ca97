"""A customer's message, end to end: store it and, while the bot owns the conversation, take
the bot's turn (`engine.turn.take_turn`) and store what it decided.

This module only gathers the turn's inputs from the database (`load_turn_setup`,
`customer_context`, the history) and persists its outcome; every rule of the turn itself is
in `engine.turn`, which the evaluators and benchmarks call too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.conversations import (
    add_message,
    check_message_text,
    confident_intent,
    do_escalate,
    new_message,
    reopen_conversation,
    store_messages,
)
from batondesk.actions.events import record_event
from batondesk.actions.experiments import do_record_enrolment, enrolment_for_turn
from batondesk.actions.handoff import evidence_with_message_ids, what_happens_next
from batondesk.actions.languages import conversation_language, do_follow_turn_language
from batondesk.actions.recommendations import chat_offer
from batondesk.actions.repeat_contacts import do_flag_repeat_contact
from batondesk.actions.webhooks import note_no_endpoints
from batondesk.actions.workflow import wake_snoozed
from batondesk.customers.profile_values import reply_profile, reply_records
from batondesk.engine.services import TurnServices
from batondesk.engine.settings import AnsweringSettings
from batondesk.engine.turn import (
    Action,
    ConversationState,
    CustomerContext,
    EarlierConversation,
    HistoryEntry,
    TurnResult,
    TurnSetup,
    take_turn,
)
from batondesk.engine.understanding import IntentPrediction, IntentPredictor
from batondesk.handoff.settings import EscalationSettings
from batondesk.knowledge.intent_responses import profile_values
from batondesk.observability.metrics import OperationalMetrics
from batondesk.store.access import list_messages
from batondesk.store.base import utcnow
from batondesk.store.customer_history import contact_conversations, outcome_of
from batondesk.store.models import (
    Account,
    Contact,
    Conversation,
    ConversationStatus,
    CustomerProfile,
    Message,
    SenderType,
)

# A customer's message while a person owns the conversation: the bot takes no turn.
NO_TURN = "none"
# What a customer's message can lead to, as the turn counter reports it.
TURN_OUTCOMES: tuple[str, ...] = (*get_args(Action), NO_TURN)

# The bot's decision -> the event that records it.
_REPLY_EVENTS = {
    "answer": "bot.replied",
    "smalltalk": "bot.replied",
    "clarify": "bot.clarified",
    "decline": "bot.declined",
}


@dataclass(frozen=True)
class TurnOutcome:
    """What happened to one customer message."""

    message: Message
    reply: Message | None
    result: TurnResult | None

    @property
    def action(self) -> str:
        """What the bot did: one of `TURN_OUTCOMES`."""
        return self.result.action if self.result is not None else NO_TURN


@dataclass(frozen=True)
class TimedIntentModel:
    """An intent model whose every prediction is timed into `metrics`."""

    model: IntentPredictor
    metrics: OperationalMetrics

    def predict(self, text: str) -> IntentPrediction:
        with self.metrics.intent_model_seconds.time():
            return self.model.predict(text)


def do_receive_customer_message(
    session: Session,
    conversation: Conversation,
    text: str,
    services: TurnServices,
    *,
    max_chars: int,
    choice: str | None = None,
    metrics: OperationalMetrics | None = None,
    files: int = 0,
) -> TurnOutcome:
    """Store the customer's message; while the bot owns the conversation, take its turn and
    store the reply (an answer, a clarifying question, a decline, or the hand-over notice).
    `choice` is the id of the quick reply the customer pressed, if any. `metrics` (the app's)
    count the turn by its action and time it; a refused message is not counted. `files`: how
    many files the caller attaches (actions/attachments.py); a file without words is stored
    for the person who handles the conversation, and the bot, which reads no files, takes no
    turn on it."""
    started = time.perf_counter()
    outcome = _receive(session, conversation, text, services, max_chars, choice, metrics, files)
    if metrics is not None:
        metrics.observe_turn(outcome.action, time.perf_counter() - started)
    return outcome


def _receive(
    session: Session,
    conversation: Conversation,
    text: str,
    services: TurnServices,
    max_chars: int,
    choice: str | None,
    metrics: OperationalMetrics | None,
    files: int = 0,
) -> TurnOutcome:
    text = check_message_text(text, max_chars, allow_empty=files > 0)
    # The session holds rows weakly: kept referenced for the whole turn, the contact is read
    # once, not again by the sealing of each message the turn writes (privacy/sealing.py).
    contact = session.get(Contact, conversation.contact_id)
    earlier = list_messages(session, conversation, include_private=False)
    # A file sent alone leaves no words for the bot's history.
    history = [
        HistoryEntry(str(m.sender_type), m.body, m.annotations or {}) for m in earlier if m.body
    ]
    # A resolved conversation reopens with whoever owned it: the bot, unless a person did.
    bot_owns = bool(text) and (
        conversation.status == ConversationStatus.bot
        or (conversation.status == ConversationStatus.resolved and conversation.assignee_id is None)
    )
    # The turn is decided before anything is written: on SQLite the first write takes the
    # database's only write lock until commit, and the turn's ~20 ms of model inference must
    # not hold it while other customers' messages wait.
    result = setup = enrolment = customer = None
    if bot_owns:
        # Kept referenced for the turn, the account row is read once (the session holds rows
        # weakly), here and by load_turn_setup.
        account = session.get(Account, conversation.account_id)
        assert account is not None
        setup = load_turn_setup(session, account.id, services)
        if metrics is not None and setup.classifier is not None:
            setup = replace(setup, classifier=TimedIntentModel(setup.classifier, metrics))
        switches = services.switches.for_account(session, account.id, account.config_version)
        if not switches.webhook_endpoint_enabled:
            note_no_endpoints(session, account.id)
        # The one place an experiment's variant changes the bot's behaviour.
        if switches.experiment_running:
            enrolment = enrolment_for_turn(session, conversation, earlier)
        if enrolment is not None:
            setup = enrolment.variant.overrides.apply(setup)
        customer = customer_context(session, conversation, contact, services)
        result = take_turn(
            text, ConversationState.from_history(history), customer, setup, button=choice
        )
    if conversation.status == ConversationStatus.resolved:
        reopen_conversation(
            session, conversation, actor_type="customer", actor_id=conversation.contact_id
        )
    # What the bot understood is stored with the message (one INSERT, no UPDATE after it).
    understood = result.understanding.to_annotations() if result is not None else None
    message = new_message(conversation, SenderType.customer, text, understood)
    reply = stored = None
    if result is not None:
        # Changed before the messages are stored: the conversation's row is written once,
        # in their flush, not once per message.
        do_follow_turn_language(conversation, result.language)
        conversation.intent = confident_intent(understood) or conversation.intent
        if result.action != "escalate":
            reply = result.reply
            assert reply is not None
            stored = new_message(conversation, SenderType.bot, reply.text, result.bot_annotations())
    # The bot's reply, decided already, is stored with the customer's message (one flush);
    # the turn's events are recorded after both have their ids, and are inserted together
    # at commit, in the order recorded.
    store_messages(session, conversation, [message] if stored is None else [message, stored])
    # The customer writing is a reason to look again, whatever the snooze said.
    wake_snoozed(session, conversation, cause="customer")
    record_event(
        session,
        conversation,
        "message.received",
        actor_type="customer",
        actor_id=conversation.contact_id,
        payload={
            "message_id": message.id,
            "chars": len(text),
            **({"attachments": files} if files else {}),
        },
    )
    if result is None or setup is None or customer is None:
        return TurnOutcome(message, None, None)
    if enrolment is not None:
        do_record_enrolment(session, conversation, enrolment)

    understanding = result.understanding
    if customer.earlier:  # with no other conversation, this one repeats none (no query)
        do_flag_repeat_contact(session, conversation, setup.escalation)
    record_event(
        session,
        conversation,
        "message.understood",
        actor_type="bot",
        payload={
            "message_id": message.id,
            "intent": understanding.intent,
            "confidence": round(understanding.confidence, 4),
            "out_of_scope": understanding.out_of_scope,
            "frustration": round(understanding.frustration, 4),
            "sentiment": round(understanding.sentiment, 4),
            "language": understanding.language,
        },
    )
    if result.action == "escalate":
        customer_ids = [m.id for m in earlier if m.sender_type == SenderType.customer]
        notice = _hand_over(
            session, conversation, [*customer_ids, message.id], result, setup.escalation, metrics
        )
        return TurnOutcome(message, notice, result)

    assert reply is not None and stored is not None
    record_event(
        session,
        conversation,
        _REPLY_EVENTS[result.action],
        actor_type="bot",
        payload={
            "message_id": stored.id,
            "intent": result.intent,
            "reason": result.reason,
            "article_ids": [s["article_id"] for s in reply.sources],
            "choice_article_ids": [
                c.article["article_id"] for c in result.choices if c.article is not None
            ],
            "answer_mode": reply.mode,
            "profile_fields": reply.profile_fields,
            "evidence": result.evidence,
            # Counted for the cost model; 0 when no LLM phrased the reply.
            "llm_tokens": int(reply.details.get("llm_tokens", 0)),
        },
    )
    return TurnOutcome(message, stored, result)


def load_turn_setup(session: Session, account_id: int, services: TurnServices) -> TurnSetup:
    """The account's side of a turn: its model, articles, policy, settings and templates."""
    account = session.get(Account, account_id)
    assert account is not None
    classifier = services.models.for_account(account_id)
    # Both are kept per process while the account's configuration version stays the same.
    version = account.config_version
    return TurnSetup(
        index=services.indexes.for_account(session, account_id, version),
        templates=services.responses.for_account(session, account_id, version),
        policy=services.policy.variant(classifier is not None),
        classifier=classifier,
        escalation=EscalationSettings.for_account(account.settings),
        answering=AnsweringSettings.for_account(account.settings),
        writer=services.writer,
        escalation_model=services.escalation_model,
    )


def customer_context(
    session: Session, conversation: Conversation, contact: Contact | None, services: TurnServices
) -> CustomerContext:
    crm_profile = session.scalars(
        select(CustomerProfile).where(CustomerProfile.contact_id == conversation.contact_id)
    ).first()
    return CustomerContext(
        tier=contact.tier if contact is not None else "standard",
        locale=contact.locale if contact is not None and contact.locale else None,
        language=conversation_language(session, conversation),
        # Only a verified customer's replies use what the account knows about them.
        profile=reply_profile(contact, conversation, crm_profile, profile_values(contact)),
        records=tuple(reply_records(contact, conversation, crm_profile)),
        earlier=tuple(_earlier_conversations(session, conversation)),
        conversation={"id": conversation.id},
        offer=chat_offer(session, conversation, services.recommenders),
    )


# The customer's earlier conversations the bot is shown.
EARLIER_SHOWN = 10


def _earlier_conversations(
    session: Session, conversation: Conversation
) -> list[EarlierConversation]:
    page = contact_conversations(
        session,
        conversation.account_id,
        conversation.contact_id,
        limit=EARLIER_SHOWN,
        exclude_id=conversation.id,
    )
    today = utcnow()
    return [
        EarlierConversation(
            c.id,
            c.created_at.date(),
            (today - c.created_at).days,
            c.intent,
            str(outcome_of(c)),
            c.csat_score,
        )
        for c in page.rows
    ]


def _hand_over(
    session: Session,
    conversation: Conversation,
    customer_ids: list[int],
    result: TurnResult,
    settings: EscalationSettings,
    metrics: OperationalMetrics | None,
) -> Message:
    """Queue the conversation and tell the customer what happens next. `customer_ids`: the
    customer's public messages, oldest first, this one last."""
    evidence: dict[str, Any] = {
        **evidence_with_message_ids(result.evidence, customer_ids),
        "message_id": customer_ids[-1],
    }
    position = do_escalate(
        session,
        conversation,
        reason=result.reason,
        actor_type="bot",
        evidence=evidence,
        intent=result.intent,
        metrics=metrics,
    )
    notice = what_happens_next(
        session,
        conversation,
        settings,
        position=position,
        language=result.language.language,
    )
    return add_message(session, conversation, SenderType.bot, notice, result.bot_annotations())
