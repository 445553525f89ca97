"""`baton demo simulate`: write simulated conversations straight into the database.

Plans come from `demo/simulation.py` and `simulated_story.py`; this module writes them in bulk
(SQLAlchemy core executemany, batches of conversations) in one transaction: a failure leaves no
contact, conversation, message or event (only unused data keys in the key store, as any failed
contact creation does). Privacy holds as for live data: simulated customers are contacts like
any, their personal fields sealed with their own data key by the session's hooks, and message
bodies are sealed with the customer's key, bound to the message row, by the same two steps as
those hooks (insert an empty placeholder, then store the ciphertext once the row id is known).

Runs add to what is there, but a seed can be simulated only once per account (its simulated
customers carry external ids `simulated-<seed>-<n>`): simulating the same seed again is refused.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.orm import Session

from batondesk.actions.contacts import (
    email_index,
    external_id_index,
    find_contact_by_external_id,
)
from batondesk.demo import content
from batondesk.demo import simulated_texts as texts
from batondesk.demo.simulated_story import (
    Cast,
    PlannedConversation,
    PlannedEvent,
    SimulatedCustomer,
)
from batondesk.demo.simulation import plan_conversations, plan_customers
from batondesk.errors import Conflict, InvalidInput, NotFound
from batondesk.handoff.settings import EscalationSettings
from batondesk.handoff.sla import breaches
from batondesk.privacy.keys import keys_of
from batondesk.privacy.sealing import seal
from batondesk.reports.definitions import in_review_sample
from batondesk.reports.settings import ReviewSettings
from batondesk.store import Database
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Account,
    Article,
    Contact,
    Conversation,
    Event,
    Inbox,
    Membership,
    Message,
    Role,
    Team,
    User,
)

BATCH = 500
MAX_CONVERSATIONS = 2_000_000
MAX_DAYS = 366


@dataclass(frozen=True)
class SimulationSummary:
    account_id: int
    conversations: int
    messages: int
    events: int
    customers: int
    seconds: float

    @property
    def rate(self) -> float:
        """Conversations written per second."""
        return self.conversations / self.seconds if self.seconds else 0.0


def simulate_history(
    db: Database,
    *,
    conversations: int,
    days: int = 90,
    seed: int = 0,
    account_slug: str = "baton-bank",
    end: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationSummary:
    """Write `conversations` simulated conversations of the account `account_slug`, opened over
    the `days` days before `end` (default now). Raises Conflict when this seed was already
    simulated in the account, NotFound for an unknown account, InvalidInput for bad sizes."""
    if not 1 <= conversations <= MAX_CONVERSATIONS:
        raise InvalidInput(f"conversations must be 1 to {MAX_CONVERSATIONS}", code="invalid_count")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be 1 to {MAX_DAYS}", code="invalid_days")
    started = time.perf_counter()
    end = end or utcnow()
    rng = random.Random(seed)  # nosec B311: a reproducible simulation, not a secret
    with db.session() as session:
        account = session.scalars(select(Account).where(Account.slug == account_slug)).first()
        if account is None:
            raise NotFound(f"no account {account_slug!r}", code="account_not_found")
        if find_contact_by_external_id(session, account.id, _external_id(seed, 0)) is not None:
            raise Conflict(
                f"seed {seed} was already simulated in {account_slug!r}; use another --seed "
                "to add more conversations",
                code="already_simulated",
            )
        cast = load_cast(session, account)
        customers = plan_customers(rng, max(10, conversations // 5))
        contacts = _create_customers(session, account.id, seed, customers)
        plans = plan_conversations(rng, cast, customers, conversations, end, days)
        written = messages = events = 0
        while batch := list(itertools.islice(plans, BATCH)):
            batch_messages, batch_events = _write_batch(
                session, account.id, batch, contacts, cast.review_sample_share, end
            )
            written += len(batch)
            messages += batch_messages
            events += batch_events
            if progress is not None:
                progress(written, conversations)
        account_id = account.id
    if db.engine.dialect.name == "postgresql":
        # Fresh statistics after a bulk load: with none, the planner takes the events of a
        # whole account for a few rows, and a 90-day report over 50,000 simulated
        # conversations took 389 s instead of 15 s.
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE contacts, conversations, messages, events"))
    return SimulationSummary(
        account_id, written, messages, events, len(customers), time.perf_counter() - started
    )


def has_simulated_history(db: Database, *, seed: int, account_slug: str = "baton-bank") -> bool:
    """Whether `seed` was already simulated in the account."""
    with db.session() as session:
        account_id = session.scalar(select(Account.id).where(Account.slug == account_slug))
        if account_id is None:
            return False
        return find_contact_by_external_id(session, account_id, _external_id(seed, 0)) is not None


def load_cast(session: Session, account: Account) -> Cast:
    inboxes = list(
        session.execute(
            select(Inbox.id, Inbox.channel).where(Inbox.account_id == account.id).order_by(Inbox.id)
        )
    )
    if not inboxes:
        raise InvalidInput("the account has no inbox to simulate conversations in", code="no_inbox")
    teams = list(
        session.scalars(select(Team).where(Team.account_id == account.id).order_by(Team.id))
    )
    agents: dict[int, list[tuple[int, str]]] = {}
    rows = session.execute(
        select(Membership.team_id, User.id, User.name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.account_id == account.id, Membership.role == Role.agent)
        .order_by(User.id)
    )
    for team_id, user_id, name in rows:
        agents.setdefault(team_id if team_id is not None else -1, []).append((user_id, name))
    if not agents:
        raise InvalidInput("the account has no agents to hand conversations to", code="no_agents")
    team_for_intent: dict[str, int] = {}
    for team in teams:
        for intent in team.intents or []:
            team_for_intent.setdefault(str(intent), team.id)
    articles: dict[str, list[int]] = {}
    for article_id, intents in session.execute(
        select(Article.id, Article.intents)
        .where(Article.account_id == account.id, Article.status == "published")
        .order_by(Article.id)
    ):
        for intent in intents or []:
            articles.setdefault(str(intent), []).append(article_id)
    intents = tuple(sorted(set(team_for_intent) | set(articles))) or content.INTENTS
    # The web chat carries most conversations; any other channel shares the rest.
    weights = tuple(3.0 if channel == "web_widget" else 1.0 for _, channel in inboxes)
    return Cast(
        inboxes=tuple((inbox_id, str(channel)) for inbox_id, channel in inboxes),
        inbox_weights=weights,
        agents={team: tuple(members) for team, members in agents.items()},
        team_for_intent=team_for_intent,
        articles_for_intent={intent: tuple(ids) for intent, ids in articles.items()},
        intents=intents,
        security_intents=frozenset(content.SECURITY_INTENTS),
        escalation=EscalationSettings.for_account(account.settings),
        review_sample_share=ReviewSettings.for_account(account.settings).sample_share,
    )


def _missed_by(row: dict[str, Any], end: datetime) -> list[str]:
    """The service-level targets a conversation still open at `end` had already missed: what
    the queue check would have reported by then (else a server started on the simulated
    history reports every one of them at once)."""
    conversation = Conversation(
        status=row["status"],
        sla_breaches=[],
        sla_first_response_due_at=row["sla_first_response_due_at"],
        sla_resolution_due_at=row["sla_resolution_due_at"],
        first_human_response_at=row["first_human_response_at"],
    )
    return [breach.kind for breach in breaches(conversation, end)]


def _external_id(seed: int, index: int) -> str:
    return f"simulated-{seed}-{index}"


def _create_customers(
    session: Session, account_id: int, seed: int, customers: Sequence[SimulatedCustomer]
) -> list[tuple[int, str]]:
    """(contact id, data key reference) of each simulated customer. The contacts are built as
    `do_create_contact` builds them and sealed by the session's hooks like any contact; only
    their data keys are created in bulk, a transaction per thousand rather than per contact."""
    keystore = keys_of(session).keystore
    created = []
    for first in range(0, len(customers), 1000):
        chunk = customers[first : first + 1000]
        key_refs = keystore.create_data_keys(account_id, len(chunk))
        contacts = []
        for customer, key_ref in zip(chunk, key_refs, strict=True):
            email = f"simulated.{seed}.{customer.index}@customers.example"
            external_id = _external_id(seed, customer.index)
            contact = Contact(
                account_id=account_id,
                key_ref=key_ref,
                external_id=external_id,
                external_id_index=external_id_index(session, external_id),
                name=texts.customer_name(customer.index),
                email=email,
                email_index=email_index(session, email),
                locale=customer.locale,
                tier=customer.tier,
                attributes={"simulated": True},
            )
            contacts.append(contact)
        session.add_all(contacts)
        session.flush()
        created.extend((contact.id, str(contact.key_ref)) for contact in contacts)
    return created


def _write_batch(
    session: Session,
    account_id: int,
    plans: Sequence[PlannedConversation],
    contacts: Sequence[tuple[int, str]],
    sample_share: float,
    end: datetime,
) -> tuple[int, int]:
    """Insert the conversations, their messages (sealed) and events; (messages, events).
    `sample_share`: the account's random review sample, whose answers reviewers judge."""
    session.flush()
    conversation_rows = []
    for plan in plans:
        row = {
            "account_id": account_id,
            "inbox_id": plan.inbox_id,
            "contact_id": contacts[plan.customer][0],
            "priority_aging_steps": 0,
        }
        for column in (
            "status",
            "priority",
            "assignee_id",
            "team_id",
            "escalation_reason",
            "created_at",
            "updated_at",
            "last_message_at",
            "escalated_at",
            "first_human_response_at",
            "resolved_at",
            "sla_first_response_due_at",
            "sla_resolution_due_at",
            "csat_score",
        ):
            row[column] = plan.row.get(column)
        row["sla_breaches"] = _missed_by(row, end)
        conversation_rows.append(row)
    table = Conversation.__table__
    conversation_ids = (
        session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), conversation_rows
        )
        .scalars()
        .all()
    )

    message_rows = []
    plaintexts = []
    for plan, conversation_id in zip(plans, conversation_ids, strict=True):
        contact_id, key_ref = contacts[plan.customer]
        for message in plan.messages:
            message_rows.append(
                {
                    "account_id": account_id,
                    "conversation_id": conversation_id,
                    "contact_id": contact_id,
                    "sender_type": message.sender,
                    "sender_user_id": message.user_id,
                    "body": b"",
                    "private": message.private,
                    "annotations": message.annotations,
                    "created_at": message.at,
                }
            )
            plaintexts.append((key_ref, message.text.encode()))
    message_table = Message.__table__
    message_ids = (
        session.execute(
            insert(message_table).returning(message_table.c.id, sort_by_parameter_order=True),
            message_rows,
        )
        .scalars()
        .all()
    )
    keystore = keys_of(session).keystore
    session.execute(
        message_table.update()
        .where(message_table.c.id == bindparam("_row_id"))
        .values(body=bindparam("_sealed")),
        [
            {"_row_id": row_id, "_sealed": seal(keystore, key_ref, "messages.body", row_id, text)}
            for row_id, (key_ref, text) in zip(message_ids, plaintexts, strict=True)
        ],
    )

    event_rows = []
    judged = []
    next_message = 0
    for plan, conversation_id in zip(plans, conversation_ids, strict=True):
        contact_id = contacts[plan.customer][0]
        ids = message_ids[next_message : next_message + len(plan.messages)]
        next_message += len(plan.messages)
        for message, message_id in zip(plan.messages, ids, strict=True):
            # Reviewers judge the answers drawn into the random sample, which depends on the
            # answer's id: only now is it known.
            if message.sample_review is None or not in_review_sample(message_id, sample_share):
                continue
            reviewer, at, verdict, reason = message.sample_review
            review = {"verdict": verdict, "reason": reason}
            plan.events.append(
                PlannedEvent(
                    "bot.answer_reviewed",
                    at,
                    "agent",
                    reviewer,
                    {**review, "previous_verdict": None},
                    plan.messages.index(message),
                )
            )
            stamped = {**review, "by_user_id": reviewer, "at": at.isoformat(timespec="seconds")}
            judged.append(
                {"_row_id": message_id, "_annotations": {**message.annotations, "review": stamped}}
            )
        for event in plan.events:
            payload = dict(event.payload)
            if event.message is not None:
                payload = {"message_id": ids[event.message], **payload}
            event_rows.append(
                {
                    "account_id": account_id,
                    "conversation_id": conversation_id,
                    "type": event.type,
                    "actor_type": event.actor_type,
                    "actor_id": contact_id if event.actor_type == "customer" else event.actor_id,
                    "payload": payload,
                    "created_at": event.at,
                }
            )
    session.execute(insert(Event.__table__), event_rows)
    if judged:
        session.execute(
            message_table.update()
            .where(message_table.c.id == bindparam("_row_id"))
            .values(annotations=bindparam("_annotations")),
            judged,
        )
    return len(message_rows), len(event_rows)
