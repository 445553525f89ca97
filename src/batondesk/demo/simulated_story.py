"""One simulated conversation, step by step, as the actions would record it.

Each step is an event of the real type with the payload shape its action records
(actions/customer_turn.py, handoff.py, conversations.py, corrections.py), at the simulated
time, so reports/ reads simulated history exactly as live history. `demo/simulation.py`
decides who writes when and about what; `demo/history.py` writes the plans.
"""

from __future__ import annotations

import contextlib
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from batondesk.demo import simulated_texts as texts
from batondesk.handoff.queue import priority_for
from batondesk.handoff.settings import EscalationSettings
from batondesk.handoff.sla import due_times

# Hand-over reasons of a conversation that is not about security, by probability.
HAND_OVER_REASONS = {
    "explicit_request": 0.11,
    "frustration": 0.045,
    "repeated_failure": 0.045,
    "low_confidence": 0.025,
    "no_answer": 0.02,
    "taken_over": 0.02,
}
SENSITIVE_SHARE_OF_SECURITY_INTENTS = 0.35
VIP_HAND_OVER_SHARE = 0.25
CLARIFY_SHARE = 0.14
OUT_OF_SCOPE_SHARE = 0.05
REOPEN_SHARE = 0.06
CSAT_SHARE = {"bot": 0.3, "human": 0.45}
# How often the bot's answer was in fact wrong, by what the conversation turns into: the
# customers who ask again, get angry or want a person were more often answered wrongly.
WRONG_ANSWER_SHARE = {"repeated_failure": 0.5, "frustration": 0.35, "explicit_request": 0.15}
WRONG_ANSWER_BASE = 0.06
WRONG_REASONS = ("wrong_article", "misunderstood_question", "incomplete", "outdated")
# An agent handling the conversation flags a wrong answer this often (and rarely marks a right
# one right); reviewers judge this share of the random sample's answers.
FLAGGED_WHEN_WRONG, MARKED_WHEN_RIGHT, SAMPLE_REVIEWED = 0.5, 0.05, 0.85
# Customers answer "Did this answer your question?" under this share of the bot's answers,
# mostly "Yes" to a right answer and "No" to a wrong one; a few click the other button after.
FEEDBACK_SHARE = 0.15
HELPFUL_SHARE = {"right": 0.9, "wrong": 0.2}
CHANGED_MIND_SHARE = 0.05


class OutOfTime(Exception):
    """The story reached the end of the simulated period: it stops where it is."""


@dataclass(frozen=True)
class Cast:
    """The account's side: who and what conversations can involve (ids from the database)."""

    inboxes: tuple[tuple[int, str], ...]  # (inbox id, channel)
    inbox_weights: tuple[float, ...]
    agents: dict[int, tuple[tuple[int, str], ...]]  # team id -> (user id, name) of its agents
    team_for_intent: dict[str, int]
    articles_for_intent: dict[str, tuple[int, ...]]
    intents: tuple[str, ...]
    security_intents: frozenset[str]
    escalation: EscalationSettings
    review_sample_share: float = 0.05


@dataclass(frozen=True)
class SimulatedCustomer:
    index: int
    locale: str
    tier: str


@dataclass
class PlannedMessage:
    sender: str  # customer / bot / agent
    at: datetime
    text: str
    user_id: int | None = None
    private: bool = False
    annotations: dict[str, Any] = field(default_factory=dict)
    # A bot answer's planned review should it be drawn into the random sample (which depends
    # on its id, known once written): reviewer's user id, time, verdict and reason.
    sample_review: tuple[int, datetime, str, str | None] | None = None


@dataclass
class PlannedEvent:
    type: str
    at: datetime
    actor_type: str
    actor_id: int | None
    payload: dict[str, Any]
    message: int | None = None  # index in the plan's messages: its id goes in the payload


@dataclass
class PlannedConversation:
    customer: int  # index in the customer pool
    inbox_id: int
    opened_at: datetime
    messages: list[PlannedMessage] = field(default_factory=list)
    events: list[PlannedEvent] = field(default_factory=list)
    row: dict[str, Any] = field(default_factory=dict)  # the conversation row's current values


class Story:
    """One conversation, step by step; each step moves the clock on and records what the
    action would record. A step past `end` raises OutOfTime and the story stops there."""

    def __init__(
        self,
        rng: random.Random,
        cast: Cast,
        customer: SimulatedCustomer,
        intent: str,
        opened_at: datetime,
        end: datetime,
    ) -> None:
        self.rng, self.cast, self.customer, self.intent, self.end = rng, cast, customer, intent, end
        self.language = customer.locale
        self.now = opened_at
        inbox_id, channel = rng.choices(cast.inboxes, cast.inbox_weights)[0]
        self.plan = PlannedConversation(customer.index, inbox_id, opened_at)
        self.plan.row = {"status": "bot", "priority": 1, "created_at": opened_at}
        self.team_id = cast.team_for_intent.get(intent)
        self.agent: tuple[int, str] | None = None
        self.human = False
        # Details added after the story's first draft (sentiment, answer reviews) draw from
        # their own generator, so they leave every earlier draw, and figure, as it was.
        seed = f"detail:{opened_at.isoformat()}:{customer.index}:{intent}"
        self.detail = random.Random(seed)  # nosec B311: simulated history, not a secret
        # And the customers' answer feedback from another, for the same reason.
        self.feedback = random.Random(f"feedback:{seed}")  # nosec B311: simulated history
        self.reason: str | None = None
        self.answers: list[tuple[int, str, str | None]] = []  # (message index, truth, reason)
        self.event(
            "conversation.opened", "customer", None, {"inbox_id": inbox_id, "channel": channel}
        )

    # --- the story -------------------------------------------------------------------------

    def play(self) -> None:
        with contextlib.suppress(OutOfTime):
            self._play()
        self.plan.row["updated_at"] = self.plan.events[-1].at

    def _play(self) -> None:
        rng = self.rng
        reason = self.reason = self._hand_over_reason()
        if rng.random() < OUT_OF_SCOPE_SHARE:
            self.customer_says(texts.customer_line("off_topic", self.language), out_of_scope=True)
            self.bot("bot.declined", texts.bot_decline(), "out_of_scope", [])
            if rng.random() < 0.5:
                return
        if reason in ("sensitive", "low_confidence", "no_answer"):
            line = (
                texts.customer_line("sensitive", self.language) if reason == "sensitive" else None
            )
            self.customer_says(
                line or texts.customer_question(rng, self.language, self.intent),
                mood=-0.4 if line else 0.0,
            )
            return self.human_part(reason)
        if reason == "vip" or rng.random() < CLARIFY_SHARE:
            self.customer_says(texts.customer_line("vague", self.language), confidence=0.4)
            self.bot("bot.clarified", texts.bot_clarification(), "unclear", [])
            if reason == "vip":
                return self.human_part("vip")
            self.customer_says(texts.customer_line("pick", self.language))
        else:
            self.customer_says(texts.customer_question(rng, self.language, self.intent))
        self.bot("bot.replied", texts.bot_answer(self.intent), "answered", self._articles())
        if reason == "explicit_request":
            self.customer_says(texts.customer_line("person", self.language), intent=None)
            return self.human_part(reason)
        if reason == "frustration":
            self.customer_says(
                texts.customer_line("angry", self.language), frustration=0.9, mood=-0.2
            )
            return self.human_part(reason)
        if reason == "repeated_failure":
            self.customer_says(texts.customer_line("missed", self.language), mood=-0.3)
            self.bot("bot.clarified", texts.bot_clarification(), "unclear", [])
            self.customer_says(texts.customer_line("missed", self.language), mood=-0.4)
            return self.human_part(reason)
        if reason == "taken_over":
            return self.human_part(None)
        self.bot_only_ending()

    def bot_only_ending(self) -> None:
        rng = self.rng
        if rng.random() < 0.35:
            self.customer_says(texts.customer_line("thanks", self.language), intent=None, mood=0.6)
        if rng.random() < 0.55:
            # An agent closes the answered conversation from the list (nothing closes idle
            # ones automatically yet): an automated resolution when no person replied.
            self.wait(minutes=rng.uniform(10, 600))
            self.agent = self._pick_agent()
            self.resolve()
            self.rate_and_maybe_reopen()

    def human_part(self, reason: str | None) -> None:
        rng = self.rng
        if reason is not None:
            self.escalate(reason)
            if rng.random() < 0.03:
                return  # the customer leaves before anyone takes it
            self.wait(minutes=self._queue_minutes())
            self.assign(automatic=rng.random() < 0.7, from_status="queued")
        else:
            self.wait(minutes=rng.uniform(1, 20))
            self.assign(automatic=False, from_status="bot")
        self.flag_answers()
        if rng.random() < 0.12:
            self.wait(minutes=rng.uniform(0.5, 5))
            self.message("agent", texts.agent_note(), private=True, event="agent.noted")
        if rng.random() < 0.15:
            self.correct_intent()
        if reason is not None and rng.random() < 0.05:
            self.wait(minutes=rng.uniform(1, 10))
            assert self.agent is not None
            self.plan.row.update(status="bot", assignee_id=None)
            self.event("conversation.handed_back", "agent", self.agent[0], {})
            self.wait(minutes=rng.uniform(5, 120))
            self.resolve()  # assisted: a person acted, without replying
            return self.rate_and_maybe_reopen()
        self.agent_replies(rng.randint(1, 3))
        if rng.random() < 0.94:
            self.wait(minutes=rng.uniform(2, 90))
            self.resolve()
            self.rate_and_maybe_reopen()

    def agent_replies(self, count: int) -> None:
        for turn in range(count):
            self.wait(minutes=self.rng.uniform(0.5, 6))
            assert self.agent is not None
            text = texts.agent_reply(self.rng, self.agent[1], self.intent, turn)
            self.message("agent", text, event="agent.replied")
            self.human = True
            if turn < count - 1:
                self.wait(minutes=self.rng.uniform(1, 8))
                self.customer_says(texts.customer_line("again", self.language), understood=False)

    def rate_and_maybe_reopen(self) -> None:
        rng = self.rng
        if rng.random() < CSAT_SHARE["human" if self.human else "bot"]:
            self.wait(minutes=rng.uniform(0.5, 30))
            scores = (1, 2, 3, 4, 5)
            weights = (0.06, 0.06, 0.1, 0.28, 0.5) if self.human else (0.08, 0.08, 0.14, 0.3, 0.4)
            if self.plan.row.get("escalation_reason") == "frustration":
                weights = (0.15, 0.15, 0.2, 0.25, 0.25)
            score = rng.choices(scores, weights)[0]
            self.plan.row["csat_score"] = score
            self.event("csat.submitted", "customer", None, {"score": score, "has_comment": False})
        if rng.random() < REOPEN_SHARE:
            self.wait(hours=rng.uniform(1, 120))
            to_status = "assigned" if self.plan.row.get("assignee_id") else "bot"
            self.plan.row.update(status=to_status, resolved_at=None)
            self.event("conversation.reopened", "customer", None, {"to_status": to_status})
            if to_status == "bot":
                self.customer_says(texts.customer_line("again", self.language))
                self.bot("bot.replied", texts.bot_answer(self.intent), "answered", self._articles())
            else:
                self.customer_says(texts.customer_line("again", self.language), understood=False)
                self.agent_replies(1)
            self.wait(minutes=rng.uniform(10, 240))
            self.agent = self.agent or self._pick_agent()
            self.resolve()

    # --- steps -----------------------------------------------------------------------------

    def wait(self, *, minutes: float = 0, hours: float = 0) -> None:
        self.now += timedelta(minutes=minutes, hours=hours)
        if self.now >= self.end:
            raise OutOfTime

    def event(
        self,
        kind: str,
        actor_type: str,
        actor_id: int | None,
        payload: dict[str, Any],
        message: int | None = None,
    ) -> None:
        if actor_type == "customer":
            actor_id = None  # the contact's id, filled in when written
        self.plan.events.append(
            PlannedEvent(kind, self.now, actor_type, actor_id, payload, message)
        )

    def message(
        self,
        sender: str,
        text: str,
        *,
        event: str,
        private: bool = False,
        payload: dict[str, Any] | None = None,
        annotations: dict[str, Any] | None = None,
    ) -> int:
        user_id = self.agent[0] if sender == "agent" and self.agent else None
        self.plan.messages.append(
            PlannedMessage(sender, self.now, text, user_id, private, annotations or {})
        )
        index = len(self.plan.messages) - 1
        extra = {} if sender == "bot" or private else {"chars": len(text)}
        actor = "bot" if sender == "bot" else sender
        self.event(event, actor, user_id, {**extra, **(payload or {})}, message=index)
        if not private:
            self.plan.row["last_message_at"] = self.now
        if (
            sender == "agent"
            and not private
            and self.plan.row.get("first_human_response_at") is None
        ):
            self.plan.row["first_human_response_at"] = self.now
        return index

    def customer_says(
        self,
        text: str,
        *,
        intent: str | None = "",
        confidence: float | None = None,
        out_of_scope: bool = False,
        frustration: float | None = None,
        understood: bool = True,
        mood: float = 0.0,
    ) -> None:
        """`mood` moves the message's sentiment (-1..1) from neutral; anger lowers it too."""
        self.wait(minutes=self.rng.uniform(0.3, 3))
        label = None if out_of_scope else (self.intent if intent == "" else intent)
        score = confidence if confidence is not None else round(self.rng.uniform(0.55, 0.99), 4)
        angry = frustration if frustration is not None else round(self.rng.uniform(0, 0.3), 4)
        # Half of plain questions hold no word the sentiment lexicon scores: exactly neutral.
        plain = mood == 0 and self.detail.random() < 0.5
        polarity = 0.0 if plain else self.detail.gauss(mood - 0.6 * angry, 0.2)
        understanding = {
            "intent": label,
            "confidence": score,
            "out_of_scope": out_of_scope,
            "frustration": angry,
            "sentiment": round(min(1.0, max(-1.0, polarity)), 4),
            "language": self.language,
        }
        index = self.message(
            "customer",
            text,
            event="message.received",
            annotations=understanding if understood else {},
        )
        if understood:
            self.event("message.understood", "bot", None, dict(understanding), message=index)

    def bot(self, kind: str, text: str, reason: str, article_ids: list[int]) -> None:
        self.wait(minutes=self.rng.uniform(0.02, 0.1))
        choices = list(self._articles()) if kind == "bot.clarified" else []
        payload = {
            "intent": self.intent if kind == "bot.replied" else None,
            "reason": reason,
            "article_ids": article_ids,
            "choice_article_ids": choices,
            "answer_mode": "article" if article_ids else None,
            "profile_fields": [],
            "evidence": {"simulated": True},
            "llm_tokens": 0,  # the demo runs without an LLM
        }
        annotations = {"sources": [{"article_id": a} for a in article_ids], "simulated": True}
        index = self.message("bot", text, event=kind, payload=payload, annotations=annotations)
        if kind == "bot.replied" and article_ids:
            self.plan_answer_review(index)
            self.plan_answer_feedback(index)

    def plan_answer_review(self, index: int) -> None:
        """Whether the answer was right, and when a reviewer would judge it should it be drawn
        into the random sample (a day to three after it, if still within the simulation)."""
        detail = self.detail
        wrong = detail.random() < WRONG_ANSWER_SHARE.get(self.reason or "", WRONG_ANSWER_BASE)
        truth = "wrong" if wrong else "right"
        reason = detail.choice(WRONG_REASONS) if wrong else None
        self.answers.append((index, truth, reason))
        reviewed_at = self.now + timedelta(hours=detail.uniform(20, 72))
        if detail.random() < SAMPLE_REVIEWED and reviewed_at < self.end:
            reviewer = detail.choice([a for agents in self.cast.agents.values() for a in agents])
            self.plan.messages[index].sample_review = (reviewer[0], reviewed_at, truth, reason)

    def plan_answer_feedback(self, index: int) -> None:
        """Whether the customer clicks "Yes" or "No" under the answer, a few seconds after it:
        before the story's next step, which comes at least 18 seconds after an answer. The
        clock does not move, so the rest of the story keeps its times."""
        draw = self.feedback
        if draw.random() >= FEEDBACK_SHARE:
            return
        truth = self.answers[-1][1]
        helpful = draw.random() < HELPFUL_SHARE[truth]
        clicks = [helpful, not helpful] if draw.random() < CHANGED_MIND_SHARE else [helpful]
        at = self.now + timedelta(seconds=draw.uniform(3, 10))
        for verdict in clicks:
            if at >= self.end:
                return
            payload = {"helpful": verdict}
            self.plan.events.append(
                PlannedEvent("bot.answer_feedback", at, "customer", None, payload, index)
            )
            self.plan.messages[index].annotations["customer_feedback"] = {"helpful": verdict}
            at += timedelta(seconds=4)

    def flag_answers(self) -> None:
        """The agent who took the conversation over judges the bot's answers they read: most
        wrong ones, few right ones (so all reviews are biased towards wrong answers)."""
        assert self.agent is not None
        for index, truth, reason in self.answers:
            chance = FLAGGED_WHEN_WRONG if truth == "wrong" else MARKED_WHEN_RIGHT
            if self.detail.random() >= chance:
                continue
            payload = {"verdict": truth, "reason": reason, "previous_verdict": None}
            self.event("bot.answer_reviewed", "agent", self.agent[0], payload, message=index)
            self.plan.messages[index].annotations["review"] = {
                "verdict": truth,
                "reason": reason,
                "by_user_id": self.agent[0],
                "at": self.now.isoformat(timespec="seconds"),
            }
            self.plan.messages[index].sample_review = None  # judged already

    def escalate(self, reason: str) -> None:
        self.wait(minutes=self.rng.uniform(0.02, 0.1))
        frustration = 0.9 if reason == "frustration" else 0.1
        category = "fraud" if reason == "sensitive" else None
        priority = priority_for(
            reason, tier=self.customer.tier, frustration=frustration, category=category
        )
        first_due, resolution_due = due_times(self.cast.escalation, priority, self.now)
        self.plan.row.update(
            status="queued",
            escalation_reason=reason,
            escalated_at=self.now,
            priority=priority,
            sla_first_response_due_at=first_due,
            sla_resolution_due_at=resolution_due,
        )
        evidence = {"signal": {"cue": category}, "frustration": frustration, "simulated": True}
        payload = {
            "reason": reason,
            "priority": priority,
            "intent": self.intent,
            "evidence": evidence,
        }
        self.event("conversation.escalated", "bot", None, payload)
        if self.team_id is not None:
            self.plan.row["team_id"] = self.team_id
            self.event(
                "conversation.routed",
                "system",
                None,
                {"team_id": self.team_id, "intent": self.intent},
            )

    def assign(self, *, automatic: bool, from_status: str) -> None:
        self.agent = self._pick_agent()
        self.plan.row.update(status="assigned", assignee_id=self.agent[0])
        if self.team_id is not None:
            self.plan.row["team_id"] = self.team_id
        if automatic:
            payload = {"assignee_id": self.agent[0], "from_status": from_status, "automatic": True}
            self.event("conversation.assigned", "system", None, payload)
        else:
            payload = {"assignee_id": self.agent[0], "from_status": from_status}
            self.event("conversation.assigned", "agent", self.agent[0], payload)

    def correct_intent(self) -> None:
        first = next(
            (i for i, m in enumerate(self.plan.messages) if m.annotations.get("intent")), None
        )
        if first is None or self.agent is None:
            return
        self.wait(minutes=self.rng.uniform(0.5, 3))
        predicted = self.plan.messages[first].annotations["intent"]
        corrected = self.rng.choice(self.cast.intents) if self.rng.random() < 0.8 else predicted
        payload = {
            "predicted_intent": predicted,
            "predicted_confidence": self.plan.messages[first].annotations.get("confidence"),
            "corrected_intent": corrected,
        }
        self.event("message.intent_corrected", "agent", self.agent[0], payload, message=first)
        self.plan.messages[first].annotations["corrected_intent"] = {
            "intent": corrected,
            "by_user_id": self.agent[0],
            "at": self.now.isoformat(timespec="seconds"),
        }

    def resolve(self) -> None:
        self.wait(minutes=0.1)
        if self.agent is None:
            self.agent = self._pick_agent()
        previous = self.plan.row["status"]
        self.plan.row.update(status="resolved", resolved_at=self.now)
        payload = {"from_status": previous, "resolved_by": "agent"}
        self.event("conversation.resolved", "agent", self.agent[0], payload)

    # --- choices ---------------------------------------------------------------------------

    def _hand_over_reason(self) -> str | None:
        rng = self.rng
        if (
            self.intent in self.cast.security_intents
            and rng.random() < SENSITIVE_SHARE_OF_SECURITY_INTENTS
        ):
            return "sensitive"
        if self.customer.tier == "vip" and rng.random() < VIP_HAND_OVER_SHARE:
            return "vip"
        draw = rng.random()
        for reason, share in HAND_OVER_REASONS.items():
            if draw < share:
                return reason
            draw -= share
        return None

    def _articles(self) -> list[int]:
        found = self.cast.articles_for_intent.get(self.intent, ())
        return list(found[:1]) if found else []

    def _pick_agent(self) -> tuple[int, str]:
        team_agents = self.cast.agents.get(self.team_id or -1) or next(
            agents for agents in self.cast.agents.values() if agents
        )
        return self.rng.choice(team_agents)

    def _queue_minutes(self) -> float:
        """Short waits while the office is busy and staffed, long ones at night and weekends."""
        staffed = self.now.weekday() < 5 and 8 <= self.now.hour < 20
        median = 3.0 if staffed else 25.0
        return min(median * math.exp(self.rng.gauss(0, 0.9)), 24 * 60)
