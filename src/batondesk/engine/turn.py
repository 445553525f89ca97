"""The customer's turn, top to bottom: the one place that decides what the bot does.

    understand -> hand over? -> the offered choice? -> small talk (and, after a resolved
    question, the customer's recommendation)? -> retrieve and weigh the candidate articles
    -> answer / decline / clarify / hand over -> compose the reply (with the verified
    customer's own facts where their account decides the answer)

Everything the turn needs arrives as plain data: the message, the conversation so far
(`ConversationState`, derived from the stored history by `ConversationState.from_history`),
the customer (`CustomerContext`) and the account's setup (`TurnSetup`: its intent model,
article index, answer policy and settings). Nothing here reads the database or the network
(except an LLM writer the setup may carry), so the HTTP action, the evaluators and the
benchmarks all run this same function and cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import numpy as np

from batondesk.customers.recommendations.ranking import Recommendation
from batondesk.customers.recommendations.wording import chat_offer
from batondesk.engine.account_answers import account_fact, day_in
from batondesk.engine.answer_policy import PolicyModel, language_group
from batondesk.engine.candidates import Candidate, IntentEvidence, retrieve, weigh_evidence
from batondesk.engine.clarification import (
    NONE_OF_THESE,
    ChoiceReading,
    OfferedChoice,
    read_choice,
)
from batondesk.engine.response import (
    AnswerWriter,
    Reply,
    ask_again_after_none,
    ask_for_detail,
    clarifying_question,
    compose_answer,
    decline_text,
    decline_with_article,
    mention_earlier_question,
    smalltalk_reply,
    something_else,
)
from batondesk.engine.settings import AnsweringSettings
from batondesk.engine.smalltalk import smalltalk_kind
from batondesk.engine.understanding import IntentPredictor, Understanding, understand
from batondesk.handoff.learned import EscalationModel
from batondesk.handoff.need import Exchange, unresolved_turns
from batondesk.handoff.policy import EscalationPolicy, Verdict
from batondesk.handoff.settings import EscalationSettings
from batondesk.i18n import ConversationLanguage, Wording, follow_detection, supported_language
from batondesk.i18n import wording as bot_wording
from batondesk.knowledge.retrieval import ArticleHit, HybridIndex, IndexedArticle

Action = Literal["answer", "clarify", "decline", "smalltalk", "escalate"]

# Articles with this tag say what the account does NOT offer ("We don't offer mortgages"):
# the bot quotes them to decline honestly instead of answering.
NOT_OFFERED_TAG = "not-offered"
# A not-offered article is quoted when it is the closest article by meaning and by words with
# its best passage at least NOT_OFFERED_SIMILARITY_BOTH close (MiniLM cosine), or the closest
# by one of them and at least NOT_OFFERED_SIMILARITY close. Chosen on the development question
# sets: a third of their "do you offer X?" questions, one answerable question ("can I stack
# some btc in my account", which the bank indeed does not offer).
NOT_OFFERED_SIMILARITY_BOTH = 0.28
NOT_OFFERED_SIMILARITY = 0.45
# With the intent model this sure of an intent the account has no article for, a person
# answers rather than the bot asking around it.
NO_ANSWER_CONFIDENCE = 0.8
# Where a bot message records the recommendation it offered ({"offer", "rule"}).
RECOMMENDATION_ANNOTATION = "recommendation"
# What the customer says that closes a question the bot answered (engine/smalltalk.py).
_CLOSINGS = ("thanks", "goodbye")


@dataclass(frozen=True)
class HistoryEntry:
    """One earlier message as the turn sees it: who sent it, its text and its annotations."""

    sender: str  # customer / bot / agent
    text: str
    annotations: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConversationState:
    """What the turn needs to know of the conversation before this message."""

    earlier_customer_messages: tuple[str, ...] = ()
    # Per earlier customer message, oldest first: whether the bot's reply did not place the
    # need (a clarifying question, or a decline of a message outside its scope).
    unclear_replies: tuple[bool, ...] = ()
    offered: tuple[OfferedChoice, ...] = ()  # the quick replies of the bot's last message
    # The bot's last message answered a question (from an article), and the customer did not
    # say it failed to help.
    answered_last: bool = False
    # The bot already offered the customer a recommendation in this conversation.
    recommended: bool = False

    @classmethod
    def from_history(cls, history: Sequence[HistoryEntry]) -> ConversationState:
        """`history`: the conversation's public messages, oldest first."""
        customer: list[str] = []
        unclear: list[bool] = []
        for message in history:
            if message.sender == "customer":
                customer.append(message.text)
                unclear.append(False)
            elif message.sender == "bot" and unclear:
                unclear[-1] = _unclear(message.annotations)
            elif unclear:  # a person replied: the bot's misses before do not carry on
                unclear[-1] = False
        offered: tuple[OfferedChoice, ...] = ()
        last = history[-1] if history else None
        if last is not None and last.sender == "bot":
            offered = tuple(
                OfferedChoice.from_annotation(c) for c in last.annotations.get("choices", [])
            )
        # An answer the customer said did not help ("No", actions/answer_feedback.py) did
        # not resolve their question.
        answered_last = (
            last is not None
            and last.sender == "bot"
            and last.annotations.get("decision") == "answer"
            and (last.annotations.get("customer_feedback") or {}).get("helpful") is not False
        )
        recommended = any(
            m.sender == "bot" and m.annotations.get(RECOMMENDATION_ANNOTATION) for m in history
        )
        return cls(tuple(customer), tuple(unclear), offered, answered_last, recommended)

    def unresolved_turns(self, text: str) -> int:
        """The bot's unclear replies in a row about the need `text` (the current message) is
        about; none when it thanks for an answer or moves on to a new question."""
        earlier = [
            Exchange(message, unclear)
            for message, unclear in zip(
                self.earlier_customer_messages, self.unclear_replies, strict=True
            )
        ]
        return unresolved_turns(earlier, text)


@dataclass(frozen=True)
class EarlierConversation:
    """One of the customer's earlier conversations, as the turn sees it."""

    conversation_id: int
    opened_on: date
    days_ago: int
    intent: str | None
    outcome: str  # resolved_by_ai, resolved_by_agent, with_agent, waiting_for_agent, with_ai
    rating: int | None = None


@dataclass(frozen=True)
class CustomerContext:
    tier: str = "standard"
    locale: str | None = None
    # The language the conversation is held in so far (None: nothing known yet); this
    # message may settle or change it when nobody declared one (i18n.follow_detection).
    language: ConversationLanguage | None = None
    profile: Mapping[str, Any] = field(default_factory=dict)  # template values
    # The customer's orders and transactions (customers/records.py `Order`), which answers
    # state (engine/account_answers.py); empty unless their identity is verified.
    records: tuple[Mapping[str, Any], ...] = ()
    # The customer's earlier conversations, newest first.
    earlier: tuple[EarlierConversation, ...] = ()
    conversation: Mapping[str, Any] = field(default_factory=dict)
    # What the bot may offer after a question it resolved: set only when the account, the
    # customer's marketing consent and their verified identity allow it, and backed by a
    # rule in their own figures (actions/recommendations.py `chat_offer`).
    offer: Recommendation | None = None


@dataclass(frozen=True)
class TurnSetup:
    """The account's side of the turn, assembled by the caller."""

    index: HybridIndex
    policy: PolicyModel  # the variant matching whether `classifier` is set
    classifier: IntentPredictor | None = None
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    answering: AnsweringSettings = field(default_factory=AnsweringSettings)
    # (intent, locale) -> the account's response template
    templates: Mapping[tuple[str, str], str] = field(default_factory=dict)
    writer: AnswerWriter | None = None
    escalation_model: EscalationModel | None = None
    # The reply to a customer's hello; None: the default (an experiment's variant may set it).
    greeting: str | None = None


@dataclass(frozen=True)
class TurnResult:
    understanding: Understanding
    action: Action
    reason: str  # answered, chosen, ambiguous, unknown, out_of_scope, not_offered, ...
    intent: str | None = None
    article: IndexedArticle | None = None
    choices: tuple[OfferedChoice, ...] = ()
    reply: Reply | None = None  # None when handing over: the queue says what happens next
    evidence: dict[str, Any] = field(default_factory=dict)  # scores and codes, never text
    recommendation: Recommendation | None = None  # offered with this reply
    # The conversation's language after this message: the reply's fixed texts are in it.
    language: ConversationLanguage = field(default_factory=ConversationLanguage)

    def bot_annotations(self) -> dict[str, Any]:
        """What is stored with the bot's reply, and what `ConversationState.from_history`
        reads back on the next turn."""
        if self.reply is None:
            return {"decision": self.action, "reason": self.reason}
        reply = self.reply
        return {
            "decision": self.action,
            "reason": self.reason,
            "sources": reply.sources,
            "answer_mode": reply.mode,
            # Which profile fields the reply was filled from (shown to agents).
            "profile_fields": reply.profile_fields,
            "choices": [c.to_annotation() for c in self.choices],
            **({"answer_details": reply.details} if reply.details else {}),
            **(
                {RECOMMENDATION_ANNOTATION: _offered(self.recommendation)}
                if self.recommendation is not None
                else {}
            ),
        }


def take_turn(
    text: str,
    state: ConversationState,
    customer: CustomerContext,
    setup: TurnSetup,
    *,
    button: str | None = None,
) -> TurnResult:
    """Decide and compose the bot's reply to `text`. `button` is the id of the quick reply
    the customer pressed, if any."""
    understanding = understand(
        text, state.earlier_customer_messages, setup.classifier, setup.escalation_model
    )
    escalation = EscalationPolicy(setup.escalation, customer.tier)
    cues = understanding.cues
    evidence: dict[str, Any] = {
        "confidence": round(understanding.confidence, 4),
        "frustration": round(understanding.frustration, 4),
        "escalation_thresholds": setup.escalation.thresholds(),
    }
    # Only the wording follows the customer's language; what the bot decides does not.
    spoken = follow_detection(
        customer.language or ConversationLanguage(),
        understanding.language,
        understanding.language_settled,
    )
    turn = _Turn(text, understanding, customer, setup, evidence, spoken)

    # 1. The customer asked for a person, or something is at stake: hand over, whatever else.
    # A pressed button's text is the bot's own (an article's title), not the customer's words,
    # so it is not read for cues: choosing "I don't recognise a payment" by button or by
    # typing "the first one" must lead to the same place.
    reading = _read_reply(text, state, setup, understanding, button)
    if reading.how != "button":
        verdict = escalation.before_answer(cues, answering_choice=reading.outcome == "picked")
        if verdict is not None:
            return turn.escalate(verdict)

    # 2. The reply to our clarifying question.
    if reading.outcome == "picked" and reading.choice is not None:
        article = _article(setup, reading.choice)
        if article is not None:
            evidence["choice"] = {"how": reading.how, "slug": article.slug}
            return turn.answer(article, "chosen")
    chat = smalltalk_kind(text)
    # "thanks, found it" after a clarifying question closes it; it is not "none of these".
    if reading.outcome == "none" and chat is None:
        evidence["choice"] = {"how": reading.how}
        verdict = escalation.when_unclear(understanding.top, state.unresolved_turns(text))
        if verdict is not None:
            return turn.escalate(verdict)
        return turn.clarify((), "none_of_these", ask_again_after_none(turn.wording))

    # 3. "Hello", "thanks!": a friendly word, not a search. Thanks for an answer closes a
    # resolved question: the moment to offer the customer's recommendation, once.
    if chat is not None:
        words = (
            setup.greeting
            if chat == "greeting" and setup.greeting
            else smalltalk_reply(chat, turn.wording)
        )
        offer = customer.offer
        if (
            offer is not None
            and chat in _CLOSINGS
            and state.answered_last
            and not state.recommended
        ):
            evidence[RECOMMENDATION_ANNOTATION] = _offered(offer)
            words = f"{words}\n\n{chat_offer(offer, turn.wording)}"
            return turn.reply("smalltalk", chat, Reply(words, mode="smalltalk"), offer)
        return turn.reply("smalltalk", chat, Reply(words, mode="smalltalk"))

    # 4. Which articles may answer it, and how likely each is right.
    candidates = turn.weigh(
        retrieve(setup.index, text, understanding.language, understanding.sentence_vector)
    )
    verdict = escalation.high_stakes(understanding.top)
    if verdict is not None:
        return turn.escalate(verdict)
    group = language_group(understanding.language)
    point = setup.policy.operating_point(setup.answering.max_wrong_rate, group)
    evidence["answer_threshold"] = round(point.threshold, 4)
    evidence["answer_group"] = group
    evidence["max_wrong_rate"] = setup.answering.max_wrong_rate
    best = candidates[0] if candidates else None
    if best is not None and best.score >= point.threshold:
        if NOT_OFFERED_TAG in best.article.tags:
            return turn.decline_with(best)
        return turn.answer(best.article, "answered", best)

    # 5. Something the account does not offer, said in its own words.
    declined = _not_offered(candidates)
    if declined is not None:
        return turn.decline_with(declined)

    # 6. A clear intent the account has no article for: a person must answer.
    if (
        understanding.intent is not None
        and understanding.confidence >= NO_ANSWER_CONFIDENCE
        and not any(understanding.intent in a.intents for a in setup.index.articles)
    ):
        return turn.escalate(Verdict("no_answer", {"intent": understanding.intent}))

    # 7. Unclear: the escalation settings may hand over now (too many unclear turns, VIP).
    verdict = escalation.when_unclear(understanding.top, state.unresolved_turns(text))
    if verdict is not None:
        return turn.escalate(verdict)
    choices = _choices(candidates, setup.answering)
    if choices:
        return turn.clarify(choices, "ambiguous")
    if understanding.has_intent_model and understanding.out_of_scope:
        declined = decline_text(setup.answering.scope, turn.wording)
        return turn.reply("decline", "out_of_scope", Reply(declined, mode="decline"))
    return turn.clarify((), "unknown", ask_for_detail(turn.wording))


@dataclass
class _Turn:
    """The turn's working state and the ways it can end."""

    text: str
    understanding: Understanding
    customer: CustomerContext
    setup: TurnSetup
    evidence: dict[str, Any]
    language: ConversationLanguage
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def wording(self) -> Wording:
        return bot_wording(self.language.language)

    def _result(self, action: Action, reason: str, **outcome: Any) -> TurnResult:
        return TurnResult(
            self.understanding,
            action,
            reason,
            evidence=self.evidence,
            language=self.language,
            **outcome,
        )

    def weigh(self, hits: list[ArticleHit]) -> list[Candidate]:
        """Candidates scored by the answer policy, best first."""
        u = self.understanding
        intents = (
            IntentEvidence(u.top, u.in_scope_margin) if self.setup.classifier is not None else None
        )
        found, rows = weigh_evidence(
            self.text, u.language, intents, hits, _answerable(self.setup.index, u.language)
        )
        scores = self.setup.policy.score(rows, language_group(u.language))
        ranked = sorted(
            (replace(c, score=float(s)) for c, s in zip(found, scores, strict=True)),
            key=lambda c: -c.score,
        )
        self.candidates = ranked
        self.evidence["candidates"] = [
            {
                "slug": c.slug,
                "score": round(c.score, 4),
                "intent_mass": round(c.intent_mass, 4),
                "semantic": round(c.semantic, 4),
                "lexical": round(c.lexical, 3),
            }
            for c in ranked[:3]
        ]
        return ranked

    def answer(
        self, article: IndexedArticle, reason: str, candidate: Candidate | None = None
    ) -> TurnResult:
        passages = candidate.passages if candidate is not None else []
        intent = _answered_intent(article, self.understanding)
        # The customer's own locale ("es-MX") when it is in the conversation's language, so
        # a regional template wins; else the conversation's language.
        locale = self.customer.locale or ""
        if supported_language(locale) != self.language.language:
            locale = self.language.language
        reply = compose_answer(
            article,
            question=self.text,
            passages=[p.text if not p.heading else f"{p.heading}: {p.text}" for p in passages],
            best_heading=passages[0].heading if passages else "",
            template=_template(self.setup.templates, intent, locale),
            profile=dict(self.customer.profile),
            conversation=dict(self.customer.conversation),
            writer=self.setup.writer,
            wording=self.wording,
            # Only a verified customer's profile holds it (customers/profile_values.py).
            verbosity=self.customer.profile.get("verbosity"),
            account=account_fact(intent, self.customer.records, self.wording),
        )
        repeat = self.repeat_of(intent)
        if repeat is not None:
            day = day_in(self.language.language, repeat.opened_on)
            reply = mention_earlier_question(reply, day, self.wording)
        return self._result("answer", reason, intent=intent, article=article, reply=reply)

    def repeat_of(self, intent: str | None) -> EarlierConversation | None:
        """The customer's earlier conversation on `intent` within the account's
        repeat-contact window (recorded in the evidence), if any."""
        window = self.setup.escalation.repeat_contact_days
        earlier = next(
            (
                e
                for e in self.customer.earlier
                if intent is not None and e.intent == intent and e.days_ago <= window
            ),
            None,
        )
        if earlier is not None:
            self.evidence["repeat_contact"] = {
                "conversation_id": earlier.conversation_id,
                "days_ago": earlier.days_ago,
                "outcome": earlier.outcome,
            }
        return earlier

    def decline_with(self, candidate: Candidate) -> TurnResult:
        passage = candidate.passages[0].text if candidate.passages else candidate.article.title
        reply = decline_with_article(candidate.article, passage, self.wording)
        return self._result("decline", "not_offered", article=candidate.article, reply=reply)

    def clarify(
        self, choices: Sequence[Candidate], reason: str, text: str | None = None
    ) -> TurnResult:
        offered = tuple(
            OfferedChoice(
                str(number),
                c.article.title,
                {"article_id": c.article.id, "slug": c.slug, "title": c.article.title},
            )
            for number, c in enumerate(choices, 1)
        )
        if offered:
            offered += (OfferedChoice(NONE_OF_THESE, something_else(self.wording)),)
        question = text or clarifying_question([c.article.title for c in choices], self.wording)
        return self._result(
            "clarify",
            reason,
            intent=self.understanding.intent,
            choices=offered,
            reply=Reply(question, mode="clarify"),
        )

    def reply(
        self,
        action: Action,
        reason: str,
        reply: Reply,
        recommendation: Recommendation | None = None,
    ) -> TurnResult:
        return self._result(
            action,
            reason,
            intent=self.understanding.intent,
            reply=reply,
            recommendation=recommendation,
        )

    def escalate(self, verdict: Verdict) -> TurnResult:
        self.evidence = {**self.evidence, **verdict.evidence}
        return self._result("escalate", verdict.reason, intent=self.understanding.intent)


def _offered(recommendation: Recommendation) -> dict[str, Any]:
    """What is recorded of an offer: its ids, never the customer's figures."""
    return {
        "offer": recommendation.offer,
        "rule": recommendation.reason.rule if recommendation.reason is not None else None,
    }


def _read_reply(
    text: str,
    state: ConversationState,
    setup: TurnSetup,
    understanding: Understanding,
    button: str | None,
) -> ChoiceReading:
    if not state.offered:
        return ChoiceReading("unrelated")
    similarities = None
    embedder = setup.index.embedder
    if embedder is not None:
        labels = embedder.embed([c.label for c in state.offered])
        vector = understanding.sentence_vector
        if vector is None:
            vector = embedder.embed([text])[0]
        similarities = [float(s) for s in np.asarray(labels) @ vector]
    return read_choice(text, state.offered, button=button, similarities=similarities)


def _article(setup: TurnSetup, choice: OfferedChoice) -> IndexedArticle | None:
    """The offered article, if it is still published."""
    wanted = (choice.article or {}).get("article_id")
    return next(
        (a for a in setup.index.articles if a.id == wanted and a.status == "published"), None
    )


def _unclear(annotations: Mapping[str, Any]) -> bool:
    decision = annotations.get("decision")
    return decision == "clarify" or (
        decision == "decline" and annotations.get("reason") == "out_of_scope"
    )


def _answerable(index: HybridIndex, language: str) -> list[IndexedArticle]:
    """Published articles, those in the customer's language first (so an intent maps to its
    article in that language when the account has one)."""
    published = [a for a in index.articles if a.status == "published"]
    return sorted(published, key=lambda a: a.locale.split("-")[0].lower() != language)


def _not_offered(candidates: Sequence[Candidate]) -> Candidate | None:
    """An article on what the account does not offer, when it is about the message: the
    closest article both by meaning and by words, or clearly close by either."""
    if not candidates:
        return None
    by_meaning = max(candidates, key=lambda c: c.semantic)
    by_words = max(candidates, key=lambda c: c.lexical)
    for closest in (by_meaning, by_words):
        if NOT_OFFERED_TAG not in closest.article.tags:
            continue
        both = closest is by_meaning and closest is by_words and closest.lexical > 0
        needed = NOT_OFFERED_SIMILARITY_BOTH if both else NOT_OFFERED_SIMILARITY
        if closest.semantic >= needed:
            return closest
    return None


def _choices(candidates: Sequence[Candidate], settings: AnsweringSettings) -> list[Candidate]:
    """The plausible articles worth offering as quick replies, best first."""
    return [
        c
        for c in candidates
        if c.score >= settings.choice_floor and NOT_OFFERED_TAG not in c.article.tags
    ][: settings.max_choices]


def _answered_intent(article: IndexedArticle, understanding: Understanding) -> str | None:
    """The intent the answer serves: the model's most likely intent among the article's."""
    for label, _probability in understanding.top:
        if label in article.intents:
            return label
    return article.intents[0] if article.intents else None


def _template(
    templates: Mapping[tuple[str, str], str], intent: str | None, locale: str
) -> str | None:
    """The intent's template in the customer's locale, its language, else English."""
    if intent is None:
        return None
    for wanted in (locale, locale.split("-")[0], "en"):
        body = templates.get((intent, wanted.lower()))
        if body is not None:
            return body
    return None
