"""The articles a message may be asking about, each with the evidence for it.

Two witnesses look at every message: the intent model (which intents, how sure, in scope or
not) and retrieval (which articles are closest by meaning and by shared words). An article is a
candidate when either witness names it. Its evidence is turned into the numbers the answer
policy (`engine.answer_policy`) was trained on; training (`training.answer_policy`) calls the
same `evidence_features`, so what is measured is what runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from batondesk.knowledge.chunking import Passage
from batondesk.knowledge.retrieval import ArticleHit, HybridIndex, IndexedArticle

# How many of the intent model's best intents and of retrieval's best articles become
# candidates. Beyond these the right article is almost never found (BANKING77 out-of-fold:
# the right intent is in the top 5 for 99.4% of messages).
INTENT_DEPTH = 5
RETRIEVAL_DEPTH = 5

# Feature names, in the order the policy's coefficients follow. "intent" features are absent
# for accounts without an intent model (retrieval-only policy).
INTENT_FEATURES = (
    "intent_mass",
    "intent_logit",
    "intent_margin",
    "intent_first",
    "in_scope",
    "agree",
)
RETRIEVAL_FEATURES = (
    "semantic",
    "semantic_margin",
    "semantic_first",
    "lexical_share",
    "lexical_first",
    "lexical_present",
    "fused_first",
    "short_message",
    "english",
)


@dataclass(frozen=True)
class IntentEvidence:
    """What the intent model said about the message (None of it when there is no model)."""

    top: Sequence[tuple[str, float]]  # best intents first, with calibrated probabilities
    in_scope_margin: float  # in-scope score minus the model's out-of-scope threshold


@dataclass(frozen=True)
class Candidate:
    """One article the message may be about, and the evidence for it."""

    article: IndexedArticle
    intent_mass: float = 0.0  # the model's probability that one of the article's intents is meant
    intent_rank: int = 0  # 1 = the article the intent model favours; 0 = not named by it
    semantic: float = -1.0  # best passage's cosine similarity (-1: no sentence encoder)
    semantic_rank: int = 0
    lexical: float = 0.0  # best passage's BM25 score (0: no word in common)
    lexical_rank: int = 0
    fused_rank: int = 0
    passages: list[Passage] = field(default_factory=list)
    score: float = 0.0  # the answer policy's estimate that this article answers the message

    @property
    def slug(self) -> str:
        return self.article.slug


def retrieve(
    index: HybridIndex, text: str, language: str, vector: np.ndarray | None = None
) -> list[ArticleHit]:
    """Every article, best first, in the customer's language (in any language when the
    account has none in it), so each candidate's similarity is known even when retrieval
    ranks it low. `vector` is the message's sentence embedding when the intent model made it."""
    everything = len(index.articles)
    hits = index.search(text, k=everything, locale=language, vector=vector, every=True)
    if not hits:
        hits = index.search(text, k=everything, vector=vector, every=True)
    return hits


def weigh_evidence(
    text: str,
    language: str,
    intents: IntentEvidence | None,
    hits: Sequence[ArticleHit],
    articles: Sequence[IndexedArticle],
) -> tuple[list[Candidate], list[dict[str, float]]]:
    """The candidates and, for each, the features the answer policy scores. The turn and the
    policy's training both come through here."""
    candidates = gather_candidates(intents, hits, articles)
    rows = [
        evidence_features(c, candidates, intents, words=len(text.split()), english=language == "en")
        for c in candidates
    ]
    return candidates, rows


def gather_candidates(
    intents: IntentEvidence | None,
    hits: Sequence[ArticleHit],
    articles: Sequence[IndexedArticle],
) -> list[Candidate]:
    """Candidates from the intent model's best intents and retrieval's best hits.

    `hits` are the retrieval results (best first); `articles` every article the turn may
    cite (published, in the customer's language), which maps intents to articles.
    """
    by_intent = intent_articles(articles)
    mass: dict[int, float] = {}
    chosen: dict[int, IndexedArticle] = {}
    if intents is not None:
        for label, probability in list(intents.top)[:INTENT_DEPTH]:
            article = by_intent.get(label)
            if article is not None:
                mass[article.id] = mass.get(article.id, 0.0) + float(probability)
                chosen.setdefault(article.id, article)
    for hit in hits[:RETRIEVAL_DEPTH]:
        chosen.setdefault(hit.article.id, hit.article)

    hit_of = {hit.article.id: hit for hit in hits}
    by_mass = sorted(mass, key=lambda a: -mass[a])
    by_semantic = sorted(hit_of, key=lambda a: -hit_of[a].semantic)
    by_lexical = sorted(
        (a for a in hit_of if hit_of[a].lexical > 0), key=lambda a: -hit_of[a].lexical
    )
    fused = [hit.article.id for hit in hits]
    candidates = []
    for article_id, article in chosen.items():
        hit = hit_of.get(article_id)
        candidates.append(
            Candidate(
                article,
                intent_mass=mass.get(article_id, 0.0),
                intent_rank=_rank(by_mass, article_id),
                semantic=hit.semantic if hit else -1.0,
                semantic_rank=_rank(by_semantic, article_id),
                lexical=hit.lexical if hit else 0.0,
                lexical_rank=_rank(by_lexical, article_id),
                fused_rank=_rank(fused, article_id),
                passages=list(hit.passages) if hit else [],
            )
        )
    return candidates


def intent_articles(articles: Sequence[IndexedArticle]) -> dict[str, IndexedArticle]:
    """The article that speaks for each intent. When several list the same intent (a fee in
    its own article and in the plans table), the most specific one, listing the fewest
    intents, is the answer; ties go to the first."""
    by_intent: dict[str, IndexedArticle] = {}
    for article in articles:
        for intent in article.intents:
            held = by_intent.get(intent)
            if held is None or len(article.intents) < len(held.intents):
                by_intent[intent] = article
    return by_intent


def evidence_features(
    candidate: Candidate,
    candidates: Sequence[Candidate],
    intents: IntentEvidence | None,
    *,
    words: int,
    english: bool,
) -> dict[str, float]:
    """The numbers the answer policy weighs for `candidate` among `candidates`.

    `words` is the message's length in words; `english` whether it is written in English
    (the knowledge base and the sentence encoder are English first).
    """
    others = [c for c in candidates if c is not candidate]
    semantic_known = candidate.semantic > -1
    best_other_semantic = max((c.semantic for c in others), default=-1.0)
    best_lexical = max((c.lexical for c in candidates), default=0.0)
    features = {
        "semantic": candidate.semantic if semantic_known else 0.0,
        "semantic_margin": (candidate.semantic - best_other_semantic) if semantic_known else 0.0,
        "semantic_first": float(candidate.semantic_rank == 1),
        "lexical_share": candidate.lexical / best_lexical if best_lexical > 0 else 0.0,
        "lexical_first": float(candidate.lexical_rank == 1),
        "lexical_present": float(candidate.lexical > 0),
        "fused_first": float(candidate.fused_rank == 1),
        "short_message": float(words <= 3),
        "english": float(english),
    }
    if intents is not None:
        best_other_mass = max((c.intent_mass for c in others), default=0.0)
        features.update(
            intent_mass=candidate.intent_mass,
            intent_logit=_logit(candidate.intent_mass),
            intent_margin=candidate.intent_mass - best_other_mass,
            intent_first=float(candidate.intent_rank == 1),
            in_scope=max(-1.0, min(1.0, intents.in_scope_margin)),
            agree=float(candidate.intent_rank == 1 and candidate.semantic_rank == 1),
        )
    return features


def _rank(order: Sequence[int], article_id: int) -> int:
    return order.index(article_id) + 1 if article_id in order else 0


def _logit(probability: float) -> float:
    p = min(max(probability, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))
