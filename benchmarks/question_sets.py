"""Question sets written in customers' words (benchmarks/data/*.jsonl) and how to score the
bot's first reply to each.

One JSON object per line:
    {"question": "...", "article": "card-delivery" | null, "also": ["other-slug"],
     "kind": "answerable" | "not_offered" | "no_article" | "chitchat", "style": "typos"}
`also` (other articles that answer it equally well), `kind` and `style` are optional: older
sets (kb_dev.jsonl) carry only question and article, so kind defaults to "answerable" with an
article and "no_article" without one.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resolution_customer import CORRECT, DECLINE, ERROR, WRONG, BotTurn

KINDS = ("answerable", "not_offered", "no_article", "chitchat")
# The bank's "what we offer" article: naming what the bank does offer is an honest reply to a
# question about something it does not (a mortgage, insurance).
OFFER_ARTICLE = "products-and-services"


@dataclass(frozen=True)
class Question:
    text: str
    article: str | None
    also: tuple[str, ...] = ()
    kind: str = "answerable"
    style: str = "unspecified"

    @property
    def answerable(self) -> bool:
        return self.kind == "answerable"

    @property
    def acceptable(self) -> frozenset[str]:
        """Articles whose answer is right for this question."""
        slugs = {slug for slug in (self.article, *self.also) if slug}
        if self.kind == "not_offered":
            slugs.add(OFFER_ARTICLE)
        return frozenset(slugs)


def load_questions(path: Path, known_slugs: set[str]) -> list[Question]:
    """Read and check a question set; a bad line raises ValueError naming file and line."""
    if not path.is_file():
        raise ValueError(f"{path}: question set not found")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise ValueError(f"{where}: expected a JSON object")
        questions.append(_question(row, where, known_slugs))
    if not questions:
        raise ValueError(f"{path}: no questions")
    return questions


def _question(row: dict[str, Any], where: str, known_slugs: set[str]) -> Question:
    text, article, also = row.get("question"), row.get("article"), row.get("also", [])
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: 'question' must be a non-empty string")
    if article is not None and not isinstance(article, str):
        raise ValueError(f"{where}: 'article' must be a slug or null")
    if not isinstance(also, list) or not all(isinstance(slug, str) for slug in also):
        raise ValueError(f"{where}: 'also' must be a list of slugs")
    kind = row.get("kind", "answerable" if article else "no_article")
    if kind not in KINDS:
        raise ValueError(f"{where}: 'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "answerable" and not article:
        raise ValueError(f"{where}: an answerable question needs an 'article'")
    unknown = [slug for slug in (article, *also) if slug and slug not in known_slugs]
    if unknown:
        raise ValueError(f"{where}: no article with slug {', '.join(map(repr, unknown))}")
    style = row.get("style", "unspecified")
    return Question(text, article, tuple(also), kind, str(style))


def judge(question: Question, turn: BotTurn) -> dict[str, Any]:
    """One question's row in the results: what the bot did and whether that was right."""
    outcome = turn.outcome(question.acceptable)
    answered = outcome in (CORRECT, WRONG)
    not_offered = question.kind == "not_offered"
    # Not answering is right for a question no article answers; for a product the bank does
    # not offer, so is naming what it does offer (an answer from OFFER_ARTICLE).
    abstained = outcome != ERROR and (not answered or (not_offered and outcome == CORRECT))
    return {
        "question": question.text,
        "article": question.article,
        "kind": question.kind,
        "style": question.style,
        "outcome": outcome,
        "answered": answered,
        "correct_abstention": None if question.answerable else abstained,
        # The honest reply to a product the bank does not offer: it says so, or says what the
        # bank does offer, rather than asking what the customer meant.
        "honest_reply": outcome in (DECLINE, CORRECT) if not_offered else None,
        "bot": turn.summary(),
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "all": _group(rows),
        "by_kind": {k: _group([r for r in rows if r["kind"] == k]) for k in _values(rows, "kind")},
        "by_style": {
            s: _group([r for r in rows if r["style"] == s]) for s in _values(rows, "style")
        },
    }


def _values(rows: list[dict[str, Any]], key: str) -> list[str]:
    return sorted({r[key] for r in rows})


def _group(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["kind"] == "answerable"]
    unanswerable = [r for r in rows if r["kind"] != "answerable"]
    answers = [r for r in rows if r["answered"]]
    answered = [r for r in answerable if r["answered"]]
    right = [r for r in answered if r["outcome"] == CORRECT]
    wrong = [r for r in answers if r["outcome"] == WRONG]
    abstained = [r for r in unanswerable if r["correct_abstention"]]
    not_offered = [r for r in rows if r["kind"] == "not_offered"]
    honest = [r for r in not_offered if r["honest_reply"]]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "answered": len(answered),
        "answer_rate": _ratio(len(answered), len(answerable)),
        "correct_answer_rate": _ratio(len(right), len(answerable)),
        "answers": len(answers),
        "wrong_answers": len(wrong),
        "wrong_answer_rate": _ratio(len(wrong), len(answers)),
        "unanswerable": len(unanswerable),
        "correct_abstentions": len(abstained),
        "correct_abstention_rate": _ratio(len(abstained), len(unanswerable)),
        "not_offered": len(not_offered),
        "honest_replies": len(honest),
        "honest_reply_rate": _ratio(len(honest), len(not_offered)),
        "errors": sum(1 for r in rows if r["outcome"] == ERROR),
        "outcomes": dict(Counter(r["outcome"] for r in rows).most_common()),
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
