"""Evaluating the bot's answers on a question set, each question the first message of a new
conversation, through `engine.turn.take_turn`.

A question set is JSON Lines: {"question": "...", "article": "<slug or id>" | null, "also":
[slugs] (optional: other articles that answer it equally well), "kind" and "style"
(optional labels for slicing)}. `article` null marks a question the knowledge base cannot
answer (the right behaviour is not to answer: clarify, decline or hand over). Figures:

- answer rate: answerable questions the bot answered (with any article); correct-answer rate:
  answered with an accepted article;
- wrong-answer rate: answers citing an article not accepted for the question (or any article
  for an unanswerable one), over all answers given: the share of answers not to trust;
- correct-abstention rate: unanswerable questions the bot did not answer;
- hit@1 / hit@3: the accepted article is the answer policy's first / among its first three
  candidates (answered or not).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from batondesk.engine.turn import ConversationState, CustomerContext, TurnSetup, take_turn
from batondesk.evaluation.files import json_lines
from batondesk.knowledge.retrieval import IndexedArticle


class QuestionSetError(ValueError):
    pass


@dataclass(frozen=True)
class Question:
    text: str
    article: str | None  # slug (ids are resolved to slugs when loading)
    also: tuple[str, ...] = ()
    kind: str = ""
    style: str = ""

    @property
    def accepted(self) -> set[str]:
        return {self.article, *self.also} if self.article else set()


@dataclass(frozen=True)
class QuestionOutcome:
    question: Question
    action: str
    reason: str
    answer: str | None  # slug of the cited article when the bot answered
    ranked: list[str]  # the answer policy's best candidates

    @property
    def answered(self) -> bool:
        return self.answer is not None

    @property
    def wrong(self) -> bool:
        return self.answered and self.answer not in self.question.accepted


@dataclass(frozen=True)
class EvaluationReport:
    questions: int
    answerable: int
    unanswerable: int
    answer_rate: float
    correct_answer_rate: float
    wrong_answer_rate: float
    correct_abstention_rate: float
    answered: int
    wrong_answers: int
    hit_at_1: float
    hit_at_3: float
    actions: dict[str, int]
    by_slice: dict[str, dict[str, float]]
    intent_model: bool
    semantic: bool
    max_wrong_rate: float
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_questions(path: Path, articles: Sequence[IndexedArticle]) -> list[Question]:
    """Read a question set; raises QuestionSetError naming the line when one is malformed or
    names an article that does not exist."""
    by_id = {str(a.id): a.slug for a in articles}
    slugs = {a.slug for a in articles}

    def resolve(target: Any, where: str) -> str:
        slug = by_id.get(str(target), str(target))
        if slug not in slugs:
            raise QuestionSetError(f"{where}: unknown article {target!r}")
        return slug

    questions: list[Question] = []
    for where, row in json_lines(path, QuestionSetError):
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise QuestionSetError(f'{where}: needs a "question" string')
        target = row.get("article")
        also = row.get("also") or []
        if not isinstance(also, list):
            raise QuestionSetError(f'{where}: "also" must be a list of slugs')
        questions.append(
            Question(
                row["question"],
                None if target is None else resolve(target, where),
                tuple(resolve(a, where) for a in also),
                str(row.get("kind", "")),
                str(row.get("style", "")),
            )
        )
    if not questions:
        raise QuestionSetError(f"{path.name}: no questions")
    return questions


def ask(setup: TurnSetup, question: Question) -> QuestionOutcome:
    """The bot's first reply to `question` in a new conversation."""
    result = take_turn(question.text, ConversationState(), CustomerContext(), setup)
    answer = result.article.slug if result.action == "answer" and result.article else None
    ranked = [c["slug"] for c in result.evidence.get("candidates", [])]
    return QuestionOutcome(question, result.action, result.reason, answer, ranked)


def evaluate(
    questions: Sequence[Question],
    setup: TurnSetup,
    *,
    progress: Callable[[int], None] | None = None,
) -> EvaluationReport:
    outcomes = []
    for number, question in enumerate(questions, start=1):
        outcomes.append(ask(setup, question))
        if progress is not None:
            progress(number)
    return report(outcomes, setup)


def report(outcomes: Sequence[QuestionOutcome], setup: TurnSetup) -> EvaluationReport:
    answerable = [o for o in outcomes if o.question.article is not None]
    unanswerable = [o for o in outcomes if o.question.article is None]
    answered = [o for o in outcomes if o.answered]
    slices: dict[str, list[QuestionOutcome]] = defaultdict(list)
    for outcome in outcomes:
        for label in (outcome.question.kind, outcome.question.style):
            if label:
                slices[label].append(outcome)
    failures = [
        {
            "question": o.question.text,
            "expected": o.question.article,
            "action": o.action,
            "reason": o.reason,
            "answer": o.answer,
            "candidates": o.ranked,
        }
        for o in outcomes
        if o.wrong or (o.question.article is not None and not o.answered)
    ]
    return EvaluationReport(
        questions=len(outcomes),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        answer_rate=_ratio(sum(o.answered for o in answerable), len(answerable)),
        correct_answer_rate=_ratio(
            sum(o.answered and not o.wrong for o in answerable), len(answerable)
        ),
        wrong_answer_rate=_ratio(sum(o.wrong for o in answered), len(answered)),
        correct_abstention_rate=_ratio(
            sum(not o.answered for o in unanswerable), len(unanswerable)
        ),
        answered=len(answered),
        wrong_answers=sum(o.wrong for o in answered),
        hit_at_1=_ratio(
            sum(bool(o.ranked) and o.ranked[0] in o.question.accepted for o in answerable),
            len(answerable),
        ),
        hit_at_3=_ratio(
            sum(bool(set(o.ranked[:3]) & o.question.accepted) for o in answerable), len(answerable)
        ),
        actions=dict(Counter(o.action for o in outcomes)),
        by_slice={name: _slice(group) for name, group in sorted(slices.items())},
        intent_model=setup.classifier is not None,
        semantic=setup.index.semantic,
        max_wrong_rate=setup.answering.max_wrong_rate,
        failures=failures,
    )


def _slice(outcomes: Sequence[QuestionOutcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if o.question.article is not None]
    unanswerable = [o for o in outcomes if o.question.article is None]
    answered = [o for o in outcomes if o.answered]
    return {
        "questions": len(outcomes),
        "answer_rate": _ratio(sum(o.answered for o in answerable), len(answerable)),
        "wrong_answer_rate": _ratio(sum(o.wrong for o in answered), len(answered)),
        "correct_abstention_rate": _ratio(
            sum(not o.answered for o in unanswerable), len(unanswerable)
        ),
    }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
