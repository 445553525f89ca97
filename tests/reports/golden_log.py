"""A fixed, hand-built event log for the golden KPI test (golden_kpis.md computes every figure
of golden_kpis.json from it by hand).

The account answers Monday to Friday, 09:00-17:00 Europe/Berlin, which in January (UTC+1) is
08:00-16:00 UTC. Every time below is UTC, with the Berlin time where office hours matter.
The report covers Mon 12 - Sun 18 January 2026 (the previous period: Mon 5 - Sun 11) and is
computed as of Tue 27 January 12:00 UTC.

Each conversation is written as the actions would record it; only what the reports read is
kept in the payloads. Agents are "ana" and "ben"; message ids are the conversation's number
times 100 plus the message's position, and the bot's answers are numbered from 51 (C3's
answer is message 351).

The account's cost model: EUR, an agent costs 36 an hour (1 cent a second), a bot message 1
cent, 1,000 LLM tokens 0.50, and every conversation 0.10. Its random review sample draws 60%
of the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from batondesk.actions.accounts import (
    do_add_member,
    do_create_account,
    do_create_inbox,
    do_create_team,
    do_create_user,
)
from batondesk.actions.contacts import do_create_contact
from batondesk.store import Database
from batondesk.store.models import Channel, Conversation, ConversationStatus, Event, Role

AS_OF = datetime(2026, 1, 27, 12, 0, tzinfo=UTC)
OFFICE_HOURS = {
    "timezone": "Europe/Berlin",
    "days": [1, 2, 3, 4, 5],
    "opens": "09:00",
    "closes": "17:00",
}
AGENTS = {"ana": "Ana Alves", "ben": "Ben Brandt"}


def jan(day: int, clock: str) -> datetime:
    hours, minutes, *seconds = (int(part) for part in clock.split(":"))
    return datetime(2026, 1, day, hours, minutes, seconds[0] if seconds else 0, tzinfo=UTC)


# (when, type, who, payload): who is "customer", "bot", "system" or an agent's name.
Step = tuple[datetime, str, str, dict[str, Any]]


@dataclass
class Story:
    number: int
    contact: str
    inbox: str  # "web" or "api"
    steps: list[Step]
    status: ConversationStatus
    team: str | None = None
    assignee: str | None = None
    # The latest queue entry and its due times, as the row keeps them.
    escalated_at: datetime | None = None
    due: tuple[datetime, datetime] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def opened(when: datetime, inbox: str) -> Step:
    return (when, "conversation.opened", "customer", {"channel": CHANNELS[inbox]})


COSTS = {
    "currency": "EUR",
    "agent_cost_per_hour": 36,
    "ai_cost_per_bot_message": 0.01,
    "ai_cost_per_1k_tokens": 0.5,
    "fixed_cost_per_conversation": 0.1,
}
REVIEW_SAMPLE_SHARE = 0.6


def understood(
    when: datetime,
    message_id: int,
    intent: str | None,
    language: str = "en",
    sentiment: float | None = None,
) -> Step:
    payload: dict[str, Any] = {
        "message_id": message_id,
        "intent": intent,
        "out_of_scope": intent is None,
        "language": language,
    }
    if sentiment is not None:  # events recorded before sentiment was scored have none
        payload["sentiment"] = sentiment
    return (when, "message.understood", "bot", payload)


def received(when: datetime, message_id: int) -> Step:
    return (when, "message.received", "customer", {"message_id": message_id})


def answered(when: datetime, message_id: int, article_id: int, llm_tokens: int = 0) -> Step:
    payload = {
        "message_id": message_id,
        "article_ids": [article_id],
        "answer_mode": "article",
        "llm_tokens": llm_tokens,
    }
    return (when, "bot.replied", "bot", payload)


def reviewed(
    when: datetime, agent: str, message_id: int, verdict: str, reason: str | None = None
) -> Step:
    payload = {"message_id": message_id, "verdict": verdict, "reason": reason}
    return (when, "bot.answer_reviewed", agent, payload)


def feedback(when: datetime, message_id: int, helpful: bool) -> Step:
    """The customer's "Did this answer your question? Yes / No" under a bot answer."""
    payload = {"message_id": message_id, "helpful": helpful}
    return (when, "bot.answer_feedback", "customer", payload)


def clarified(when: datetime) -> Step:
    return (when, "bot.clarified", "bot", {"article_ids": [], "choice_article_ids": [1, 3]})


def escalated(when: datetime, reason: str, who: str = "bot") -> Step:
    return (when, "conversation.escalated", who, {"reason": reason})


def assigned(when: datetime, agent: str, by: str, from_status: str) -> Step:
    return (when, "conversation.assigned", by, {"assignee_id": agent, "from_status": from_status})


def replied(when: datetime, agent: str, message_id: int) -> Step:
    return (when, "agent.replied", agent, {"message_id": message_id})


def resolved(when: datetime, agent: str, from_status: str) -> Step:
    payload = {"from_status": from_status, "resolved_by": "agent"}
    return (when, "conversation.resolved", agent, payload)


def reopened(when: datetime, to_status: str) -> Step:
    return (when, "conversation.reopened", "customer", {"to_status": to_status})


def rated(when: datetime, score: int) -> Step:
    return (when, "csat.submitted", "customer", {"score": score, "has_comment": False})


def corrected(when: datetime, agent: str, message_id: int, predicted: str, label: str) -> Step:
    payload = {"message_id": message_id, "predicted_intent": predicted, "corrected_intent": label}
    return (when, "message.intent_corrected", agent, payload)


CHANNELS = {"web": "web_widget", "api": "api"}
# Contacts and their tiers.
CONTACTS = {f"c{n}": "vip" if n in (3, 7, 11) else "standard" for n in range(1, 15)}
R = ConversationStatus.resolved

# fmt: off
STORIES = [
    # --- opened in the previous period (Mon 5 - Sun 11 January) ---------------------------
    # P1: the bot answers, the customer says it did not answer the question, an agent
    # closes it from the bot; the customer never comes back.
    Story(91, "c10", "web", [
        opened(jan(7, "10:00"), "web"),
        received(jan(7, "10:00:01"), 9101),
        understood(jan(7, "10:00:02"), 9101, "card_arrival", sentiment=0.4),
        answered(jan(7, "10:00:03"), 9151, 1, llm_tokens=800),
        feedback(jan(7, "10:00:30"), 9151, False),
        resolved(jan(7, "10:15"), "ana", "bot"),
    ], R),
    # P2: Friday 17:30 Berlin (closed), VIP asks for a person; Ben takes it at once but
    # replies on Monday 09:30 Berlin, in the current period; rated 5.
    Story(92, "c11", "web", [
        opened(jan(9, "16:30"), "web"),
        received(jan(9, "16:30:01"), 9201),
        understood(jan(9, "16:30:02"), 9201, "lost_or_stolen_card", sentiment=-0.5),
        escalated(jan(9, "16:30:05"), "explicit_request"),
        assigned(jan(9, "16:40"), "ben", "ben", "queued"),
        replied(jan(12, "08:30"), "ben", 9202),
        resolved(jan(12, "09:00"), "ben", "assigned"),
        rated(jan(12, "09:10"), 5),
    ], R, team="Cards", assignee="ben", escalated_at=jan(9, "16:30:05"),
        due=(jan(9, "16:45:05"), jan(10, "00:30:05"))),  # high: 15 min, 8 h
    # P3: Saturday; the customer presses "talk to a person", Ana is assigned automatically and
    # replies. Reopened on Thursday 15 at 17:50 Berlin (current period, after closing), Ana
    # replies on Friday at 08:55 Berlin (before opening).
    Story(93, "c12", "api", [
        opened(jan(10, "12:00"), "api"),
        received(jan(10, "12:00:01"), 9301),
        understood(jan(10, "12:00:02"), 9301, "exchange_rate", sentiment=0.0),
        answered(jan(10, "12:00:03"), 9351, 3),
        escalated(jan(10, "12:05"), "explicit_request", who="customer"),
        assigned(jan(10, "12:05:01"), "ana", "system", "queued"),
        replied(jan(10, "12:20"), "ana", 9302),
        resolved(jan(10, "12:30"), "ana", "assigned"),
        reopened(jan(15, "16:50"), "assigned"),
        received(jan(15, "16:50:01"), 9303),
        replied(jan(16, "07:55"), "ana", 9304),
        resolved(jan(16, "08:10"), "ana", "assigned"),
        reviewed(jan(16, "09:00"), "ana", 9351, "right"),
    ], R, team="Payments", assignee="ana", escalated_at=jan(10, "12:05"),
        due=(jan(10, "13:05"), jan(11, "12:05"))),  # normal: 1 h, 24 h
    # --- opened in the current period (Mon 12 - Sun 18 January) ---------------------------
    # C1: the bot answers, an agent closes it from the bot, the customer rates it 5.
    Story(1, "c1", "web", [
        opened(jan(12, "09:00"), "web"),
        received(jan(12, "09:00:05"), 101),
        understood(jan(12, "09:00:06"), 101, "card_arrival", sentiment=0.0),
        answered(jan(12, "09:00:07"), 151, 1),
        resolved(jan(12, "09:30"), "ana", "bot"),
        rated(jan(12, "09:35"), 5),
        reviewed(jan(12, "10:00"), "ben", 151, "wrong", "incomplete"),
    ], R),
    # C2: the bot answers and the conversation is closed from the bot; rated 3; the same
    # customer opens C3 23 h 40 min after the resolution.
    Story(2, "c2", "web", [
        opened(jan(13, "10:00"), "web"),
        received(jan(13, "10:00:05"), 201),
        understood(jan(13, "10:00:06"), 201, "card_arrival", sentiment=-0.3),
        answered(jan(13, "10:00:10"), 251, 1),
        resolved(jan(13, "10:20"), "ana", "bot"),
        rated(jan(13, "10:25"), 3),
    ], R),
    # C3: C2's customer, about another intent; a clarifying question, then an answer; the
    # customer leaves and nobody resolves it.
    Story(3, "c2", "api", [
        opened(jan(14, "09:00"), "api"),
        received(jan(14, "09:00:01"), 301),
        understood(jan(14, "09:00:02"), 301, "exchange_rate", sentiment=0.1),
        clarified(jan(14, "09:00:03")),
        received(jan(14, "09:01"), 302),
        understood(jan(14, "09:01:01"), 302, "exchange_rate", sentiment=0.2),
        answered(jan(14, "09:01:02"), 351, 3),
        reviewed(jan(14, "12:00"), "ana", 351, "right"),
    ], ConversationStatus.bot),
    # C4: Friday 16:45 Berlin, a VIP's sensitive case is queued 15 minutes before closing;
    # Ben takes it on Monday at 09:05 Berlin and replies at 09:10; rated 2.
    Story(4, "c3", "web", [
        opened(jan(16, "15:45"), "web"),
        received(jan(16, "15:45:05"), 401),
        understood(jan(16, "15:45:06"), 401, "lost_or_stolen_card", "de", -0.6),
        escalated(jan(16, "15:45:10"), "sensitive"),
        assigned(jan(19, "08:05"), "ben", "ben", "queued"),
        replied(jan(19, "08:10"), "ben", 402),
        resolved(jan(19, "09:00"), "ben", "assigned"),
        rated(jan(19, "09:05"), 2),
    ], R, team="Cards", assignee="ben", escalated_at=jan(16, "15:45:10"),
        due=(jan(16, "16:00:10"), jan(16, "23:45:10"))),  # high: 15 min, 8 h
    # C5: Monday 16:55 Berlin; asks for a person, Ana is assigned automatically and replies at
    # 16:59:30 Berlin, just before closing; she corrects the first message's intent and
    # resolves. The customer writes again on Tuesday at 17:30 Berlin (closed); Ana replies on
    # Wednesday at 09:20 Berlin and resolves again.
    Story(5, "c4", "web", [
        opened(jan(12, "15:55"), "web"),
        received(jan(12, "15:55:01"), 501),
        understood(jan(12, "15:55:02"), 501, "card_arrival", sentiment=0.0),
        answered(jan(12, "15:55:05"), 551, 1),
        received(jan(12, "15:58"), 502),
        understood(jan(12, "15:58:01"), 502, "card_arrival", sentiment=-0.05),
        escalated(jan(12, "15:58:05"), "explicit_request"),
        assigned(jan(12, "15:58:06"), "ana", "system", "queued"),
        replied(jan(12, "15:59:30"), "ana", 503),
        corrected(jan(12, "16:02"), "ana", 501, "card_arrival", "card_delivery_estimate"),
        resolved(jan(12, "16:05"), "ana", "assigned"),
        reopened(jan(13, "16:30"), "assigned"),
        received(jan(13, "16:30:01"), 504),
        replied(jan(14, "08:20"), "ana", 505),
        resolved(jan(14, "08:30"), "ana", "assigned"),
    ], R, team="Cards", assignee="ana", escalated_at=jan(12, "15:58:05"),
        due=(jan(12, "16:58:05"), jan(13, "15:58:05"))),  # normal: 1 h, 24 h
    # C6: low confidence hands it over; Ben takes it, leaves a private note and hands it back;
    # the bot answers, the customer says "No", it did not help, and Ben closes it from the
    # bot. The customer's next conversation (C7) comes 8 days later.
    Story(6, "c5", "web", [
        opened(jan(14, "11:00"), "web"),
        received(jan(14, "11:00:00"), 601),
        understood(jan(14, "11:00:01"), 601, "card_arrival", sentiment=-0.2),
        escalated(jan(14, "11:00:02"), "low_confidence"),
        assigned(jan(14, "11:10"), "ben", "ben", "queued"),
        (jan(14, "11:12"), "agent.noted", "ben", {"message_id": 602}),
        (jan(14, "11:13"), "conversation.handed_back", "ben", {}),
        received(jan(14, "11:14"), 603),
        understood(jan(14, "11:14:01"), 603, "card_arrival", sentiment=0.3),
        answered(jan(14, "11:14:02"), 651, 1),
        feedback(jan(14, "11:15"), 651, False),
        resolved(jan(14, "11:40"), "ben", "bot"),
        reviewed(jan(14, "12:00"), "ben", 651, "wrong", "wrong_article"),
        reviewed(jan(15, "09:30"), "ana", 651, "right"),
    ], R, team="Cards", escalated_at=jan(14, "11:00:02"),
        due=(jan(14, "12:00:02"), jan(15, "11:00:02"))),  # normal
    # C7: C6's customer again, Thursday 22 (after the period), same intent; left with the bot.
    Story(7, "c5", "web", [
        opened(jan(22, "12:00"), "web"),
        received(jan(22, "12:00:01"), 701),
        understood(jan(22, "12:00:02"), 701, "card_arrival"),
        answered(jan(22, "12:00:03"), 751, 1),
    ], ConversationStatus.bot),
    # C8: the bot answers, the customer says it helped, and Ana closes it from the bot; the
    # customer is back 44 h 30 min later about the same intent (C9).
    Story(8, "c6", "api", [
        opened(jan(15, "13:00"), "api"),
        received(jan(15, "13:00:01"), 801),
        understood(jan(15, "13:00:02"), 801, "exchange_rate", sentiment=0.0),
        answered(jan(15, "13:00:05"), 851, 3),
        feedback(jan(15, "13:01"), 851, True),
        resolved(jan(15, "13:30"), "ana", "bot"),
        reviewed(jan(16, "12:00"), "ana", 851, "wrong", "outdated"),
    ], R),
    # C9: Saturday, in French, frustration hands it over; Ana (working the weekend) takes it
    # and replies; resolved; rated 4.
    Story(9, "c6", "web", [
        opened(jan(17, "10:00"), "web"),
        received(jan(17, "10:00:01"), 901),
        understood(jan(17, "10:00:02"), 901, "exchange_rate", "fr", -0.8),
        escalated(jan(17, "10:00:03"), "frustration"),
        assigned(jan(17, "10:29"), "ana", "ana", "queued"),
        replied(jan(17, "10:30"), "ana", 902),
        resolved(jan(17, "10:45"), "ana", "assigned"),
        rated(jan(17, "10:50"), 4),
    ], R, team="Payments", assignee="ana", escalated_at=jan(17, "10:00:03"),
        due=(jan(17, "10:15:03"), jan(17, "18:00:03"))),  # high
    # C10: Sunday night, out of scope; a VIP is queued and nobody takes it.
    Story(10, "c7", "web", [
        opened(jan(18, "21:00"), "web"),
        received(jan(18, "21:00:01"), 1001),
        understood(jan(18, "21:00:01"), 1001, None),
        escalated(jan(18, "21:00:02"), "vip"),
    ], ConversationStatus.queued, escalated_at=jan(18, "21:00:02"),
        due=(jan(18, "21:15:02"), jan(19, "05:00:02"))),  # high
    # C11: Sunday evening: a clarifying question, then an answer; closed from the bot 8 days
    # later, 16 hours before the report; five minutes after that, the customer says the
    # answer helped.
    Story(11, "c8", "web", [
        opened(jan(18, "20:00"), "web"),
        received(jan(18, "20:00:01"), 1101),
        understood(jan(18, "20:00:02"), 1101, "card_arrival", sentiment=0.1),
        clarified(jan(18, "20:00:05")),
        received(jan(18, "20:01"), 1102),
        understood(jan(18, "20:01:01"), 1102, "card_arrival", sentiment=0.5),
        answered(jan(18, "20:01:05"), 1151, 1, llm_tokens=1200),
        resolved(jan(26, "20:00"), "ana", "bot"),
        feedback(jan(26, "20:05"), 1151, True),
        # Reviewed after the report was computed: not counted.
        reviewed(jan(28, "09:00"), "ana", 1151, "wrong"),
    ], R),
    # C12: Saturday, in Spanish; the bot answers; the customer clicks "No", then changes it
    # to "Yes"; closed from the bot on Wednesday 21, six days and three hours before the
    # report.
    Story(12, "c9", "api", [
        opened(jan(17, "18:00"), "api"),
        received(jan(17, "18:00:01"), 1201),
        understood(jan(17, "18:00:02"), 1201, "exchange_rate", "es", -0.04),
        answered(jan(17, "18:00:03"), 1251, 3),
        feedback(jan(17, "18:00:30"), 1251, False),
        feedback(jan(17, "18:01"), 1251, True),
        resolved(jan(21, "09:00"), "ben", "bot"),
        reviewed(jan(22, "10:00"), "ben", 1251, "right"),
    ], R),
    # C13: Thursday 10:00 Berlin; the bot asks to clarify, Ben takes over without an
    # escalation and replies; he confirms the bot's intent and resolves.
    Story(13, "c13", "web", [
        opened(jan(15, "09:00"), "web"),
        received(jan(15, "09:00:01"), 1301),
        understood(jan(15, "09:00:02"), 1301, "card_arrival", sentiment=0.0),
        clarified(jan(15, "09:00:05")),
        assigned(jan(15, "09:02"), "ben", "ben", "bot"),
        replied(jan(15, "09:03"), "ben", 1302),
        corrected(jan(15, "09:04"), "ben", 1301, "card_arrival", "card_arrival"),
        resolved(jan(15, "09:10"), "ben", "assigned"),
    ], R, assignee="ben"),
    # C14: Friday 11:00 Berlin; "talk to a person" pressed before writing anything, so the
    # bot never reads a message; Ana is assigned automatically and replies; rated 5.
    Story(14, "c14", "web", [
        opened(jan(16, "10:00"), "web"),
        escalated(jan(16, "10:00:01"), "explicit_request", who="customer"),
        assigned(jan(16, "10:00:02"), "ana", "system", "queued"),
        replied(jan(16, "10:02"), "ana", 1401),
        resolved(jan(16, "10:10"), "ana", "assigned"),
        rated(jan(16, "10:12"), 5),
    ], R, assignee="ana", escalated_at=jan(16, "10:00:01"),
        due=(jan(16, "11:00:01"), jan(17, "10:00:01"))),  # normal
]
# fmt: on


@dataclass
class GoldenAccount:
    account_id: int
    agent_ids: dict[str, int]
    conversation_ids: dict[int, int]  # story number -> conversation id


def build_golden_account(db: Database) -> GoldenAccount:
    """Write the stories into a new account: real rows, events with the times above."""
    with db.session() as session:
        account = do_create_account(session, "Golden Bank", "golden")
        account.settings = {
            "escalation": {"office_hours": OFFICE_HOURS},
            "costs": COSTS,
            "answer_reviews": {"sample_share": REVIEW_SAMPLE_SHARE},
        }
        inboxes = {
            "web": do_create_inbox(session, account, "Web", Channel.web_widget),
            "api": do_create_inbox(session, account, "API", Channel.api),
        }
        teams = {name: do_create_team(session, account, name) for name in ("Cards", "Payments")}
        agent_ids = {}
        for handle, name in AGENTS.items():
            user = do_create_user(session, f"{handle}@golden.example", name, "golden password")
            do_add_member(session, account, user, Role.agent)
            agent_ids[handle] = user.id
        contacts = {
            key: do_create_contact(session, account.id, tier=tier).id
            for key, tier in CONTACTS.items()
        }
        conversation_ids = {}
        for story in STORIES:
            conversation = Conversation(
                account_id=account.id,
                inbox_id=inboxes[story.inbox].id,
                contact_id=contacts[story.contact],
                status=story.status,
                team_id=teams[story.team].id if story.team else None,
                assignee_id=agent_ids[story.assignee] if story.assignee else None,
                created_at=story.steps[0][0],
                escalated_at=story.escalated_at,
                sla_first_response_due_at=story.due[0] if story.due else None,
                sla_resolution_due_at=story.due[1] if story.due else None,
            )
            session.add(conversation)
            session.flush()
            conversation_ids[story.number] = conversation.id
            for when, event_type, who, payload in story.steps:
                if "assignee_id" in payload:
                    payload = {**payload, "assignee_id": agent_ids[payload["assignee_id"]]}
                session.add(
                    Event(
                        account_id=account.id,
                        conversation_id=conversation.id,
                        type=event_type,
                        actor_type="agent" if who in AGENTS else who,
                        actor_id=agent_ids.get(who),
                        payload=payload,
                        created_at=when,
                    )
                )
        session.flush()
        return GoldenAccount(account.id, agent_ids, conversation_ids)
