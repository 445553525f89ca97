"""Evaluating retrieval and the answer gate on a question set.

A question set is JSON Lines: {"question": "...", "article": "<slug or id>" | null}, where null
marks a question the knowledge base cannot answer (the right behaviour is to abstain: clarify
or hand over). Figures:

- hit@1, hit@5, MRR (over 5 results): is the right article retrieved, and how high?
- answer rate: answerable questions the bot answered (with any article);
- wrong-answer rate: answers citing the wrong article, or any article for an unanswerable
  question, over all answers given (so it is the share of answers a customer should not trust);
- correct-abstention rate: unanswerable questions the bot did not answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from batondesk.engine.decision import DecisionPolicy, KnowledgeEntry
from batondesk.engine.understanding import IntentPredictor, Understanding
from batondesk.knowledge.gate import AnswerGate
from batondesk.knowledge.retrieval import HybridIndex, IndexedArticle, IntentReranker


class QuestionSetError(ValueError):
    pass


@dataclass(frozen=True)
class Question:
    text: str
    article: str | None  # slug (ids are resolved to slugs when loading)


@dataclass(frozen=True)
class EvaluationReport:
    questions: int
    answerable: int
    unanswerable: int
    hit_at_1: float
    hit_at_5: float
    mrr: float
    answer_rate: float
    wrong_answer_rate: float
    correct_abstention_rate: float
    answered: int
    wrong_answers: int
    retrieval_only_hit_at_1: float
    retrieval_only_hit_at_5: float
    intent_model: bool
    semantic: bool
    failures: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_questions(path: Path, articles: Sequence[IndexedArticle]) -> list[Question]:
    """Read a question set; raises QuestionSetError naming the line when one is malformed or
    names an article that does not exist."""
    by_id = {str(a.id): a.slug for a in articles}
    slugs = {a.slug for a in articles}
    questions: list[Question] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionSetError(f"{path.name}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise QuestionSetError(f'{path.name}:{number}: needs a "question" string')
        target = row.get("article")
        if target is not None:
            target = by_id.get(str(target), str(target))
            if target not in slugs:
                raise QuestionSetError(f"{path.name}:{number}: unknown article {row['article']!r}")
        questions.append(Question(row["question"], target))
    if not questions:
        raise QuestionSetError(f"{path.name}: no questions")
    return questions


def evaluate(
    questions: Sequence[Question],
    index: HybridIndex,
    classifier: IntentPredictor | None,
    *,
    policy: DecisionPolicy | None = None,
    gate: AnswerGate | None = None,
    progress: Callable[[int], None] | None = None,
) -> EvaluationReport:
    """Run every question through retrieval and the same decide -> gate path the bot uses."""
    policy = policy or DecisionPolicy()
    gate = gate or AnswerGate()
    knowledge: dict[str, KnowledgeEntry] = {}
    for article in index.articles:
        for intent in article.intents:
            knowledge.setdefault(
                intent, KnowledgeEntry(article.id, article.slug, article.title, article.body)
            )
    predictions = _predict(classifier, [q.text for q in questions])
    hits1 = hits5 = plain1 = plain5 = 0
    reciprocal = 0.0
    answered = wrong = abstained = answered_answerable = 0
    failures: list[dict[str, Any]] = []
    for number, (question, understanding) in enumerate(zip(questions, predictions, strict=True)):
        reranker = IntentReranker(dict(understanding.top)) if understanding.top else None
        hits = index.search(question.text, k=10, reranker=reranker)
        plain = index.search(question.text, k=5)
        ranked = [h.slug for h in hits[:5]]
        decision = gate.review(policy.decide(understanding, knowledge, 0), understanding, hits)
        answered_with = decision.knowledge if decision.action == "answer" else None
        answer = answered_with.slug if answered_with is not None else None
        if question.article is not None:
            hits1 += ranked[:1] == [question.article]
            hits5 += question.article in ranked
            plain1 += [h.slug for h in plain[:1]] == [question.article]
            plain5 += question.article in [h.slug for h in plain]
            if question.article in ranked:
                reciprocal += 1.0 / (ranked.index(question.article) + 1)
            answered_answerable += answer is not None
        else:
            abstained += answer is None
        if answer is not None:
            answered += 1
            wrong += answer != question.article
        if answer != question.article or ranked[:1] != [question.article]:
            failures.append(
                {
                    "question": question.text,
                    "expected": question.article,
                    "retrieved": ranked[:3],
                    "decision": decision.action,
                    "reason": decision.reason,
                    "answer": answer,
                    "intent": understanding.intent,
                    "confidence": round(understanding.confidence, 3),
                }
            )
        if progress is not None:
            progress(number + 1)
    answerable = sum(q.article is not None for q in questions)
    unanswerable = len(questions) - answerable
    return EvaluationReport(
        questions=len(questions),
        answerable=answerable,
        unanswerable=unanswerable,
        hit_at_1=_ratio(hits1, answerable),
        hit_at_5=_ratio(hits5, answerable),
        mrr=round(reciprocal / answerable, 4) if answerable else 0.0,
        answer_rate=_ratio(answered_answerable, answerable),
        wrong_answer_rate=_ratio(wrong, answered),
        correct_abstention_rate=_ratio(abstained, unanswerable),
        answered=answered,
        wrong_answers=wrong,
        retrieval_only_hit_at_1=_ratio(plain1, answerable),
        retrieval_only_hit_at_5=_ratio(plain5, answerable),
        intent_model=classifier is not None,
        semantic=index.semantic,
        failures=failures,
    )


def _predict(classifier: IntentPredictor | None, texts: list[str]) -> list[Understanding]:
    if classifier is None:
        return [Understanding(None, 0.0, out_of_scope=True) for _ in texts]
    batch = getattr(classifier, "predict_batch", None)
    predictions = batch(texts) if batch is not None else [classifier.predict(t) for t in texts]
    return [
        Understanding(
            None if p.intent is None else str(p.intent),
            float(p.confidence),
            [(str(label), float(score)) for label, score in p.top[:3]],
            bool(p.out_of_scope),
        )
        for p in predictions
    ]


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
