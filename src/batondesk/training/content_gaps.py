"""Content gaps: the questions the bot could not answer, grouped by meaning.

The unanswered and handed-over customer messages of the last weeks (review items with a gap
reason, training/review_ranking.py GAP_REASONS) are embedded with the project's sentence
encoder (knowledge/embedding.py) and clustered with HDBSCAN (scikit-learn), which finds
groups of any number and shape and leaves one-off questions out as noise, so nobody has to
guess how many topics there are. Each group is named by its most distinctive words (class-
based TF-IDF: a word's frequency in the group against its frequency in all the questions,
including the noise) and ranked by volume and growth, this week against the week before.

Texts are redacted before they are embedded or shown.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sklearn.cluster import HDBSCAN
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.knowledge.embedding import TextEmbedder
from batondesk.store.models import ReviewItem
from batondesk.training.review_queue import redacted_texts
from batondesk.training.review_ranking import GAP_REASONS

MIN_CLUSTER_SIZE = 3
MAX_QUESTIONS = 3_000  # the most recent unanswered questions clustered per request
EXAMPLES = 5
NAME_WORDS = 3
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
# Words every support question uses: they name no topic.
_SUPPORT_WORDS = frozenset(
    {"hi", "hello", "thanks", "please", "want", "need", "know", "tell", "help", "ok", "just"}
)


@dataclass(frozen=True)
class Question:
    message_id: int
    text: str  # redacted
    asked_at: datetime


@dataclass(frozen=True)
class Gap:
    name: str  # the most distinctive words, " / " between them
    keywords: list[str]
    volume: int
    this_week: int
    last_week: int
    score: float
    examples: list[str]  # redacted, the most typical first
    message_ids: list[int]  # every question of the group


def topic_words(text: str) -> list[str]:
    """Lower-case words of a redacted text, without placeholders, stop words or plural -s."""
    words = []
    for word in _WORD.findall(_PLACEHOLDER.sub(" ", text).lower()):
        if word in ENGLISH_STOP_WORDS or word in _SUPPORT_WORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        words.append(word)
    return words


def distinctive_words(groups: Sequence[Sequence[str]], count: int = NAME_WORDS) -> list[list[str]]:
    """Class-based TF-IDF (c-TF-IDF): each group's texts as one document; a word weighs its
    frequency in the group times log(1 + average words per group / its frequency overall).
    Returns each group's `count` best words, best first."""
    counts = [Counter(w for text in group for w in topic_words(text)) for group in groups]
    overall: Counter[str] = Counter()
    for counter in counts:
        overall.update(counter)
    average = sum(overall.values()) / max(1, len(groups))
    named = []
    for counter in counts:
        total = sum(counter.values()) or 1
        weights = {
            word: (n / total) * math.log(1 + average / overall[word]) for word, n in counter.items()
        }
        named.append(sorted(weights, key=lambda w: (-weights[w], w))[:count])
    return named


def cluster_questions(
    questions: Sequence[Question], vectors: np.ndarray, now: datetime
) -> list[Gap]:
    """Groups of questions that mean the same, largest and fastest-growing first.

    `vectors`: L2-normalised sentence embeddings of the questions' texts, in order."""
    if len(questions) < MIN_CLUSTER_SIZE:
        return []
    labels = HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE, min_samples=2, copy=True).fit_predict(
        vectors
    )
    groups = sorted({int(label) for label in labels if label >= 0})
    members = [[i for i, label in enumerate(labels) if label == group] for group in groups]
    noise = [q.text for q, label in zip(questions, labels, strict=True) if label < 0]
    names = distinctive_words([[questions[i].text for i in m] for m in members] + [noise])
    week_ago, two_weeks_ago = now - timedelta(days=7), now - timedelta(days=14)
    gaps = []
    for indices, keywords in zip(members, names, strict=False):
        this_week = sum(1 for i in indices if questions[i].asked_at > week_ago)
        last_week = sum(1 for i in indices if two_weeks_ago < questions[i].asked_at <= week_ago)
        centroid = vectors[indices].mean(axis=0)
        typical = sorted(indices, key=lambda i: -float(vectors[i] @ centroid))
        examples = list(dict.fromkeys(questions[i].text for i in typical))[:EXAMPLES]
        gaps.append(
            Gap(
                name=" / ".join(keywords) or examples[0][:60],
                keywords=keywords,
                volume=len(indices),
                this_week=this_week,
                last_week=last_week,
                # Volume first; a group growing this week moves up by what it gained.
                score=float(len(indices) + max(0, this_week - last_week)),
                examples=examples,
                message_ids=sorted(questions[i].message_id for i in indices),
            )
        )
    return sorted(gaps, key=lambda g: (-g.score, -g.volume, g.name))


def unanswered_questions(
    session: Session, account_id: int, since: datetime, limit: int = MAX_QUESTIONS
) -> list[Question]:
    """Customer messages asked since `since` that the bot declined, could not place or
    handed over, most recent first, with their redacted text."""
    items = [
        item
        for item in session.scalars(
            select(ReviewItem)
            .where(ReviewItem.account_id == account_id, ReviewItem.asked_at >= since)
            .order_by(ReviewItem.asked_at.desc(), ReviewItem.id.desc())
        )
        if GAP_REASONS & set(item.reasons or [])
    ][:limit]
    texts = redacted_texts(session, account_id, [i.message_id for i in items])
    return [
        Question(item.message_id, texts[item.message_id], item.asked_at)
        for item in items
        if texts.get(item.message_id, "").strip()
    ]


def content_gaps(
    session: Session,
    account_id: int,
    embedder: TextEmbedder | None,
    now: datetime,
    *,
    days: int = 28,
) -> tuple[int, list[Gap]]:
    """(how many unanswered questions were read, their groups). Without a sentence encoder
    there is nothing to group by meaning: no groups."""
    questions = unanswered_questions(session, account_id, now - timedelta(days=days))
    if embedder is None or len(questions) < MIN_CLUSTER_SIZE:
        return len(questions), []
    vectors = embedder.embed([q.text for q in questions])
    return len(questions), cluster_questions(questions, vectors, now)
