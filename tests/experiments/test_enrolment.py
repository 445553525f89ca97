"""Enrolment through the real customer-turn action on a real database, and the guardrail
check: a customer keeps their arm in every conversation; an ineligible one is never enrolled;
a conversation already under way when an experiment starts stays out of it; and a variant
that hands over far more than control is stopped by the background check, on the record."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.contacts import do_create_contact
from batondesk.actions.conversations import do_open_conversation
from batondesk.actions.customer_turn import do_receive_customer_message
from batondesk.actions.events import record_event
from batondesk.actions.experiments import (
    check_definition,
    do_create_experiment,
    do_start_experiment,
    get_experiment,
    run_experiment_check,
)
from batondesk.experiments.assignment import assign
from batondesk.store.base import utcnow
from batondesk.store.models import Contact, Conversation, Event, Inbox
from tests.support.workspace import Workspace

QUESTION = "my card still hasn't arrived"


def _experiment(session: Session, account_id: int, key: str = "greeting", **definition):  # type: ignore[no-untyped-def]
    experiment = do_create_experiment(
        session,
        account_id,
        key=key,
        name="Greeting",
        hypothesis="",
        definition=check_definition(
            {
                "variants": [
                    {"key": "control", "name": "Control", "control": True, "weight": 1},
                    {
                        "key": "warm",
                        "name": "Warm",
                        "weight": 1,
                        "overrides": {"greeting": "Welcome!"},
                    },
                ],
                **definition,
            }
        ),
    )
    return do_start_experiment(session, experiment)


def _exposures(session: Session, conversation: Conversation) -> list[dict]:  # type: ignore[type-arg]
    return [
        e.payload
        for e in session.scalars(
            select(Event).where(
                Event.conversation_id == conversation.id, Event.type == "experiment.exposed"
            )
        )
    ]


def _chat(session: Session, services, contact: Contact, inbox: Inbox, *texts: str) -> Conversation:  # type: ignore[no-untyped-def]
    conversation = do_open_conversation(session, inbox, contact)
    for text in texts:
        do_receive_customer_message(session, conversation, text, services, max_chars=2000)
    return conversation


def test_a_customer_keeps_their_arm_and_only_eligible_ones_join(
    app, workspace: Workspace, services
) -> None:  # type: ignore[no-untyped-def]
    account_id = workspace.a.account_id
    with app.state.db.session() as session:
        inbox = session.scalars(select(Inbox).where(Inbox.account_id == account_id)).one()
        returning = do_create_contact(session, account_id, locale="en")
        spanish = do_create_contact(session, account_id, locale="es")
        already_chatting = do_create_contact(session, account_id)
        under_way = _chat(session, services, already_chatting, inbox, "hello")
        _experiment(session, account_id, eligibility={"languages": ["en"]})

        first = _chat(session, services, returning, inbox, "hello", QUESTION)
        second = _chat(session, services, returning, inbox, QUESTION)
        arm = assign(
            returning.id,
            "greeting",
            check_definition(get_experiment(session, account_id, "greeting").definition).variants,
        )
        assert [p["arm"] for p in _exposures(session, first)] == [arm]  # once, not per turn
        assert [p["arm"] for p in _exposures(session, second)] == [arm]
        assigned = session.scalars(
            select(Event).where(Event.type == "experiment.assigned", Event.actor_id == returning.id)
        ).all()
        assert len(assigned) == 1  # once per customer and experiment

        assert _exposures(session, _chat(session, services, spanish, inbox, "hola")) == []
        # Started before the experiment: every turn of it stays with one behaviour.
        do_receive_customer_message(session, under_way, "hello", services, max_chars=2000)
        assert _exposures(session, under_way) == []


def test_a_breached_guardrail_stops_the_experiment(app, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    """160 customers: the variant hands 60% over to a person, control 10%; the hand-over
    guardrail allows 5 points. The background check stops it and records why."""
    account_id = workspace.a.account_id
    with app.state.db.session() as session:
        inbox = session.scalars(select(Inbox).where(Inbox.account_id == account_id)).one()
        experiment = _experiment(
            session, account_id, guardrails=[{"metric": "hand_over_rate", "max_worsening": 0.05}]
        )
        definition = check_definition(experiment.definition)
        seen = {"control": 0, "warm": 0}
        for _ in range(160):
            contact = do_create_contact(session, account_id)
            conversation = do_open_conversation(session, inbox, contact)
            arm = assign(contact.id, experiment.key, definition.variants)
            payload = {"experiment_id": experiment.id, "experiment_key": "greeting", "arm": arm}
            record_event(
                session, conversation, "experiment.exposed", actor_type="bot", payload=payload
            )
            record_event(
                session,
                conversation,
                "message.understood",
                actor_type="bot",
                payload={"message_id": conversation.id, "intent": "card_arrival"},
            )
            # Six in ten of the variant's conversations go to a person, one in ten of control's.
            if seen[arm] % 10 < (6 if arm == "warm" else 1):
                record_event(
                    session,
                    conversation,
                    "conversation.escalated",
                    actor_type="bot",
                    payload={"reason": "explicit_request"},
                )
            seen[arm] += 1
        assert min(seen.values()) >= 60
        experiment_id = experiment.id

    with app.state.db.session() as session:
        assert run_experiment_check(session) == ["greeting"]
    with app.state.db.session() as session:
        experiment = get_experiment(session, account_id, "greeting")
        assert experiment.status == "stopped"
        assert experiment.stop_reason is not None
        assert "hand_over_rate" in experiment.stop_reason and "'warm'" in experiment.stop_reason
        stopped = session.scalars(select(Event).where(Event.type == "experiment.stopped")).one()
        assert stopped.payload["code"] == "guardrail"
        assert stopped.payload["experiment_id"] == experiment_id
        assert stopped.payload["always_valid_p_value"] < 0.05
        # Checked again within five minutes: nothing to do.
        assert run_experiment_check(session, utcnow() + timedelta(minutes=1)) == []
