"""Stage 3: turn a decision into the words the customer sees, with the sources cited.

An answer is, in order of preference:
1. the account's template for the intent, filled from the customer's profile (the reply
   records which profile fields it used), when every variable it needs is known;
2. a generated phrasing of the retrieved passages (only with an LLM configured, and only if
   every claim in it is supported by those passages);
3. the extractive answer: the article's own opening, plus the passage that best matches the
   question when it is not in the opening.
Every answer cites its source article. Nothing here touches the database or the network
except through the writer it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from batondesk.engine.decision import Decision

_MAX_ANSWER_CHARS = 700
_MAX_PASSAGE_CHARS = 400


@dataclass(frozen=True)
class Reply:
    text: str
    sources: list[dict[str, object]] = field(default_factory=list)
    mode: str = "notice"  # template / generated / extractive / clarify / handover / notice
    profile_fields: list[str] = field(default_factory=list)  # e.g. ["contact.card_last4"]
    details: dict[str, Any] = field(default_factory=dict)  # scores and outcomes, never text


class GeneratedText(Protocol):
    text: str | None
    outcome: str


class AnswerWriter(Protocol):
    """What the responder needs of an LLM (knowledge.llm.GroundedWriter fits)."""

    def answer(self, question: str, passages: list[str]) -> GeneratedText: ...


class TemplateRenderer(Protocol):
    def __call__(self, body: str, values: dict[str, dict[str, Any]]) -> Any: ...


@dataclass(frozen=True)
class ReplyContext:
    """What the caller knows beyond the decision: the question, the passages retrieval found
    in the chosen article (best first), the intent's template and the customer's profile."""

    question: str = ""
    passages: list[str] = field(default_factory=list)
    template: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    conversation: dict[str, Any] = field(default_factory=dict)


class Responder:
    """Replies that never invent: templates the account wrote, grounded generated text, or the
    article's own words — always citing the article."""

    def __init__(self, writer: AnswerWriter | None = None) -> None:
        self.writer = writer

    def respond(
        self,
        decision: Decision,
        queue_position: int | None = None,
        context: ReplyContext | None = None,
    ) -> Reply:
        if decision.action == "answer" and decision.knowledge is not None:
            return self._answer(decision, context or ReplyContext())
        if decision.action == "escalate":
            return Reply(_handover_text(queue_position), mode="handover")
        if decision.alternatives:
            options = " or ".join(f"“{entry.title}”" for entry in decision.alternatives)
            return Reply(
                f"Just to be sure I help with the right thing: is your question about {options}?",
                mode="clarify",
            )
        return Reply(
            "Sorry, I'm not sure I understood. Could you tell me a little more about what you "
            "need? You can also ask to talk to a person at any time.",
            mode="clarify",
        )

    def _answer(self, decision: Decision, context: ReplyContext) -> Reply:
        from batondesk.knowledge.templates import render_template

        entry = decision.knowledge
        assert entry is not None
        source = {"article_id": entry.article_id, "slug": entry.slug, "title": entry.title}
        cite = f"\n\nSource: {entry.title}"
        details: dict[str, Any] = {}
        if context.template:
            rendered = render_template(
                context.template,
                {
                    "contact": context.profile,
                    "conversation": context.conversation,
                    "article": {"title": entry.title},
                },
            )
            if rendered is not None:
                return Reply(rendered.text + cite, [source], "template", rendered.profile_fields)
            details["template"] = "skipped_unknown_variable"
        passages = context.passages or [_excerpt(entry.body)]
        if self.writer is not None and context.question:
            generated = self.writer.answer(context.question, passages)
            details["llm"] = generated.outcome
            if generated.text:
                return Reply(generated.text + cite, [source], "generated", details=details)
        return Reply(
            _extractive(entry.body, context.passages) + cite,
            [source],
            "extractive",
            details=details,
        )


def _extractive(markdown: str, passages: list[str]) -> str:
    """The article's opening, plus the best-matching passage when the opening lacks it."""
    opening = _excerpt(markdown)
    if passages:
        best = passages[0].strip()
        if best and _plain(best)[:80] not in _plain(opening):
            if len(best) > _MAX_PASSAGE_CHARS:
                best = best[: best.rfind(" ", 0, _MAX_PASSAGE_CHARS)].rstrip(",;:") + " …"
            return f"{opening}\n\n{best}"
    return opening


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*#|_`]", "", text)).strip().lower()


def _excerpt(markdown: str) -> str:
    """The opening of an article as plain text, cut at a paragraph or sentence boundary."""
    text = re.sub(r"^#+\s*", "", markdown.strip(), flags=re.MULTILINE)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    if len(text) <= _MAX_ANSWER_CHARS:
        return text
    cut = text.rfind("\n\n", 0, _MAX_ANSWER_CHARS)
    if cut < _MAX_ANSWER_CHARS // 3:
        cut = text.rfind(". ", 0, _MAX_ANSWER_CHARS) + 1
    return text[: cut if cut > 0 else _MAX_ANSWER_CHARS].rstrip()


def _handover_text(queue_position: int | None) -> str:
    where = f" You are number {queue_position} in the queue." if queue_position else ""
    return (
        "I'm passing you to a member of our team, who will see everything we've discussed so "
        f"you won't need to repeat yourself.{where}"
    )
