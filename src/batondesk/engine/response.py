"""Stage 3: turn a decision into the words the customer sees, with the sources cited."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from batondesk.engine.decision import Decision

_MAX_ANSWER_CHARS = 700


@dataclass(frozen=True)
class Reply:
    text: str
    sources: list[dict[str, object]] = field(default_factory=list)


class Responder:
    """Extractive replies from knowledge-base articles. Never invents: the answer is the
    article's own text, and the article is cited."""

    def respond(self, decision: Decision, queue_position: int | None = None) -> Reply:
        if decision.action == "answer" and decision.knowledge is not None:
            entry = decision.knowledge
            excerpt = _excerpt(entry.body)
            source = {"article_id": entry.article_id, "slug": entry.slug, "title": entry.title}
            return Reply(f"{excerpt}\n\nSource: {entry.title}", [source])
        if decision.action == "escalate":
            return Reply(_handover_text(queue_position))
        if decision.alternatives:
            options = " or ".join(f"“{entry.title}”" for entry in decision.alternatives)
            return Reply(f"Just to be sure I help with the right thing: is your question about {options}?")
        return Reply(
            "Sorry, I'm not sure I understood. Could you tell me a little more about what you "
            "need? You can also ask to talk to a person at any time."
        )


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
