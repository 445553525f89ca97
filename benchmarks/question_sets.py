"""Scoring the bot's first reply, as the widget shows it, to each question of a question set
(benchmarks/data/*.jsonl, read by `batondesk.evaluation.questions.load_questions`, the reader
`baton kb eval` uses; fields described in benchmarks/data/README.md).

Older sets (kb_dev.jsonl) carry only question and article: their kind is taken to be
"answerable" with an article and "no_article" without one, their style "unspecified".
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from resolution_customer import CORRECT, DECLINE, ERROR, WRONG, BotTurn

from batondesk.demo.content import load_articles
from batondesk.evaluation.questions import Question, QuestionSetError
from batondesk.evaluation.questions import load_questions as read_question_set
from batondesk.knowledge.retrieval import IndexedArticle

# The bank's "what we offer" article: naming what the bank does offer is an honest reply to a
# question about something it does not (a mortgage, insurance).
OFFER_ARTICLE = "products-and-services"


def load_questions(path: Path) -> list[Question]:
    """The questions of `path`, checked against the demo's articles; exits with the reader's
    message (file, line, problem) when a line is malformed or names an unknown article."""
    articles = [
        IndexedArticle(number, seed.slug, seed.title, seed.body, seed.intents)
        for number, seed in enumerate(load_articles(), start=1)
    ]
    try:
        return read_question_set(path, articles)
    except QuestionSetError as problem:
        raise SystemExit(f"{path}: {problem}") from None


def kind_of(question: Question) -> str:
    return question.kind or ("answerable" if question.article else "no_article")


def acceptable(question: Question) -> frozenset[str]:
    """Articles whose answer is right for this question."""
    slugs = set(question.accepted)
    if kind_of(question) == "not_offered":
        slugs.add(OFFER_ARTICLE)
    return frozenset(slugs)


def judge(question: Question, turn: BotTurn) -> dict[str, Any]:
    """One question's row in the results: what the bot did and whether that was right."""
    kind = kind_of(question)
    outcome = turn.outcome(acceptable(question))
    answered = outcome in (CORRECT, WRONG)
    not_offered = kind == "not_offered"
    # Not answering is right for a question no article answers; for a product the bank does
    # not offer, so is naming what it does offer (an answer from OFFER_ARTICLE).
    abstained = outcome != ERROR and (not answered or (not_offered and outcome == CORRECT))
    return {
        "question": question.text,
        "article": question.article,
        "kind": kind,
        "style": question.style or "unspecified",
        "outcome": outcome,
        "answered": answered,
        "correct_abstention": None if kind == "answerable" else abstained,
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
