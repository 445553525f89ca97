"""Every write of an experiment: create, edit while a draft, start, stop (by hand or when a
guardrail is breached), and a customer's assignment and exposure during the bot's turn.

Lifecycle: draft -> running -> stopped. Variants, weights and eligibility are locked once the
experiment starts: changing them mid-way would move customers between arms and mix what each
arm's figures mean. A stopped experiment stays stopped; copy it under a new key to rerun it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.events import record_account_event, record_event
from batondesk.errors import Conflict, InvalidInput, NotFound
from batondesk.experiments.assignment import arm_of_bucket, bucket_of
from batondesk.experiments.definition import (
    ExperimentDefinition,
    ExperimentWords,
    Variant,
    validation_problems,
)
from batondesk.experiments.results import ExperimentResults, exposures, metric_names, summarise
from batondesk.reports.definitions import ReportContext
from batondesk.reports.loading import load_histories_in
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Contact,
    Conversation,
    Event,
    Experiment,
    ExperimentStatus,
    Inbox,
    Message,
    SenderType,
)

# The background check reads a running experiment's results at most this often.
GUARDRAIL_CHECK_INTERVAL = timedelta(minutes=5)
# What may change once the experiment has started.
EDITABLE_WHILE_RUNNING = frozenset({"name", "hypothesis"})


def get_experiment(session: Session, account_id: int, key: str) -> Experiment:
    experiment = session.scalars(
        select(Experiment).where(Experiment.account_id == account_id, Experiment.key == key)
    ).first()
    if experiment is None:
        raise NotFound(f"experiment {key!r} not found")
    return experiment


def definition_of(experiment: Experiment) -> ExperimentDefinition:
    return ExperimentDefinition.model_validate(experiment.definition)


def check_definition(fields: dict[str, Any]) -> ExperimentDefinition:
    try:
        return ExperimentDefinition.model_validate(fields)
    except ValidationError as error:
        raise InvalidInput(
            f"invalid experiment: {validation_problems(error)}", code="invalid_experiment"
        ) from None


def _check_inboxes(session: Session, account_id: int, definition: ExperimentDefinition) -> None:
    wanted = set(definition.eligibility.inbox_ids)
    if not wanted:
        return
    known = set(
        session.scalars(
            select(Inbox.id).where(Inbox.account_id == account_id, Inbox.id.in_(wanted))
        )
    )
    unknown = sorted(wanted - known)
    if unknown:
        raise InvalidInput(
            f"invalid experiment: eligibility.inbox_ids: no inbox {', '.join(map(str, unknown))} "
            "in this account",
            code="invalid_experiment",
        )


def do_create_experiment(
    session: Session,
    account_id: int,
    *,
    key: str,
    name: str,
    hypothesis: str,
    definition: ExperimentDefinition,
) -> Experiment:
    """A new draft. Precondition: `key` matches definition.KEY_PATTERN."""
    exists = session.scalars(
        select(Experiment.id).where(Experiment.account_id == account_id, Experiment.key == key)
    ).first()
    if exists is not None:
        raise Conflict(f"an experiment with key {key!r} already exists", code="experiment_exists")
    _check_inboxes(session, account_id, definition)
    experiment = Experiment(
        account_id=account_id,
        key=key,
        name=name,
        hypothesis=hypothesis,
        status=ExperimentStatus.draft,
        definition=definition.model_dump(mode="json"),
    )
    session.add(experiment)
    session.flush()
    return experiment


def do_update_experiment(
    session: Session, experiment: Experiment, changes: dict[str, Any]
) -> Experiment:
    """Edit a draft (anything but the key), or a running or stopped experiment's name and
    hypothesis. `changes` holds only the fields given."""
    locked = sorted(set(changes) - EDITABLE_WHILE_RUNNING)
    if experiment.status != ExperimentStatus.draft and locked:
        raise Conflict(
            f"experiment {experiment.key!r} is {experiment.status}: {', '.join(locked)} cannot "
            "change after it starts (customers' arms and the figures depend on them); only "
            "name and hypothesis can. Create a new experiment to test other variants.",
            code="experiment_locked",
        )
    words = {k: changes.pop(k) for k in list(changes) if k in EDITABLE_WHILE_RUNNING}
    if words:
        current = {"name": experiment.name, "hypothesis": experiment.hypothesis}
        try:
            checked = ExperimentWords.model_validate({**current, **words})
        except ValidationError as error:
            raise InvalidInput(
                f"invalid experiment: {validation_problems(error)}", code="invalid_experiment"
            ) from None
        experiment.name, experiment.hypothesis = checked.name, checked.hypothesis
    if changes:
        merged = check_definition({**experiment.definition, **changes})
        _check_inboxes(session, experiment.account_id, merged)
        experiment.definition = merged.model_dump(mode="json")
    session.flush()
    return experiment


def do_start_experiment(session: Session, experiment: Experiment) -> Experiment:
    if experiment.status != ExperimentStatus.draft:
        raise Conflict(
            f"experiment {experiment.key!r} is {experiment.status}; only a draft can start",
            code="experiment_not_draft",
        )
    experiment.status = ExperimentStatus.running
    experiment.started_at = utcnow()
    record_account_event(
        session,
        experiment.account_id,
        "experiment.started",
        payload={"experiment_id": experiment.id, "experiment_key": experiment.key},
    )
    session.flush()
    return experiment


def do_stop_experiment(
    session: Session,
    experiment: Experiment,
    reason: str,
    *,
    actor_type: str = "agent",
    actor_id: int | None = None,
    code: str = "manual",
    details: dict[str, Any] | None = None,
) -> Experiment:
    """Stop assigning: customers in it get the account's own behaviour from their next
    turn on. `reason` is shown to admins (and must hold no personal data)."""
    if experiment.status != ExperimentStatus.running:
        raise Conflict(
            f"experiment {experiment.key!r} is {experiment.status}; only a running one can stop",
            code="experiment_not_running",
        )
    experiment.status = ExperimentStatus.stopped
    experiment.stopped_at = utcnow()
    experiment.stop_reason = reason
    record_account_event(
        session,
        experiment.account_id,
        "experiment.stopped",
        actor_type=actor_type,
        actor_id=actor_id,
        payload={
            "experiment_id": experiment.id,
            "experiment_key": experiment.key,
            "code": code,
            **(details or {}),
        },
    )
    session.flush()
    return experiment


# --- during a customer's turn ----------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """The experiment arm shaping a conversation's turns."""

    experiment: Experiment
    variant: Variant
    bucket: int
    exposed_already: bool


def enrolment_for_turn(
    session: Session, conversation: Conversation, earlier: list[Message]
) -> Enrolment | None:
    """The arm of a running experiment shaping this turn, found by reading only (the turn is
    decided before anything is written). A conversation joins at its first bot turn the
    oldest running experiment it is eligible for, and stays in it while it runs; at most one
    experiment shapes a conversation. `earlier`: the conversation's messages before this one."""
    running = list(
        session.scalars(
            select(Experiment)
            .where(
                Experiment.account_id == conversation.account_id,
                Experiment.status == ExperimentStatus.running,
            )
            .order_by(Experiment.started_at, Experiment.id)
        )
    )
    if not running:
        return None
    exposed = session.scalars(
        select(Event.payload).where(
            Event.account_id == conversation.account_id,
            Event.conversation_id == conversation.id,
            Event.type == "experiment.exposed",
        )
    ).first()
    if exposed is not None:
        joined = next((e for e in running if e.id == exposed.get("experiment_id")), None)
        return None if joined is None else _enrolment(joined, conversation, exposed_already=True)
    if any(m.sender_type == SenderType.bot for m in earlier):
        return None  # joins only before the bot's first word, so every turn is in one arm
    contact = session.get(Contact, conversation.contact_id)
    for experiment in running:
        if definition_of(experiment).eligibility.admits(
            inbox_id=conversation.inbox_id,
            locale=contact.locale if contact is not None else None,
            tier=contact.tier if contact is not None else None,
        ):
            return _enrolment(experiment, conversation, exposed_already=False)
    return None


def _enrolment(
    experiment: Experiment, conversation: Conversation, *, exposed_already: bool
) -> Enrolment:
    definition = definition_of(experiment)
    bucket = bucket_of(conversation.contact_id, experiment.key)
    variant = definition.variant(arm_of_bucket(bucket, definition.variants))
    assert variant is not None
    return Enrolment(experiment, variant, bucket, exposed_already)


def do_record_enrolment(session: Session, conversation: Conversation, enrolment: Enrolment) -> None:
    """Record the customer's assignment (once per customer and experiment) and the
    conversation's exposure (once per conversation). Ids and keys only."""
    if enrolment.exposed_already:
        return
    experiment = enrolment.experiment
    payload = {
        "experiment_id": experiment.id,
        "experiment_key": experiment.key,
        "arm": enrolment.variant.key,
    }
    assigned_before = any(
        p.get("experiment_id") == experiment.id
        for p in session.scalars(
            select(Event.payload).where(
                Event.account_id == conversation.account_id,
                Event.type == "experiment.assigned",
                Event.actor_type == "customer",
                Event.actor_id == conversation.contact_id,
            )
        )
    )
    if not assigned_before:
        record_event(
            session,
            conversation,
            "experiment.assigned",
            actor_type="customer",
            actor_id=conversation.contact_id,
            payload={**payload, "bucket": enrolment.bucket},
        )
    record_event(session, conversation, "experiment.exposed", actor_type="bot", payload=payload)


# --- results and guardrails ------------------------------------------------------------------


def read_results(
    session: Session, experiment: Experiment, as_of: datetime | None = None
) -> ExperimentResults:
    """Results from the event log: the exposed conversations, and (so that a return counts
    against the conversation it follows) the same customers' later conversations."""
    as_of = as_of or utcnow()
    definition = definition_of(experiment)
    since = experiment.started_at or experiment.created_at
    exposed = select(Event.conversation_id).where(
        Event.account_id == experiment.account_id,
        Event.type == "experiment.exposed",
        Event.created_at >= since,
        Event.conversation_id.is_not(None),
    )
    customers = select(Conversation.contact_id).where(Conversation.id.in_(exposed))
    in_scope = select(Conversation.id).where(
        Conversation.account_id == experiment.account_id,
        (Conversation.id.in_(exposed))
        | (Conversation.contact_id.in_(customers) & (Conversation.created_at >= since)),
    )
    histories = load_histories_in(session, experiment.account_id, in_scope, as_of)
    context = ReportContext.of(histories, as_of)
    found = exposures(histories, experiment.id, metric_names(definition), context)
    return summarise(definition, found, as_of)


def do_stop_if_guardrail_breached(
    session: Session, experiment: Experiment, results: ExperimentResults
) -> bool:
    """Stop a running experiment whose results show a guardrail breached; True if stopped."""
    breached = next((g for g in results.guardrails if g.breached), None)
    if breached is None or experiment.status != ExperimentStatus.running:
        return False
    do_stop_experiment(
        session,
        experiment,
        f"guardrail breached: {breached.metric} of arm {breached.arm!r} worse than control "
        f"by more than {breached.max_worsening:g} (always-valid p = "
        f"{breached.always_valid_p_value:.4f})",
        actor_type="system",
        code="guardrail",
        details={
            "metric": breached.metric,
            "arm": breached.arm,
            "worsening": breached.worsening,
            "always_valid_p_value": breached.always_valid_p_value,
        },
    )
    return True


def run_experiment_check(session: Session, now: datetime | None = None) -> list[str]:
    """Read the results of running experiments not checked in GUARDRAIL_CHECK_INTERVAL and
    stop those with a guardrail breached; returns the keys stopped. Run beside the queue
    check; rows are locked and skipped when another worker holds them (PostgreSQL)."""
    now = now or utcnow()
    due = session.scalars(
        select(Experiment)
        .where(
            Experiment.status == ExperimentStatus.running,
            (Experiment.guardrails_checked_at.is_(None))
            | (Experiment.guardrails_checked_at <= now - GUARDRAIL_CHECK_INTERVAL),
        )
        .order_by(Experiment.id)
        .with_for_update(skip_locked=True)
    ).all()
    stopped = []
    for experiment in due:
        experiment.guardrails_checked_at = now
        if do_stop_if_guardrail_breached(session, experiment, read_results(session, experiment)):
            stopped.append(experiment.key)
    session.flush()
    return stopped
