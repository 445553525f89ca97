"""Hybrid retrieval: BM25 and sentence embeddings over passages, fused by reciprocal rank.

Why both: BM25 finds the rare exact words (a merchant, "PIN", "SEPA"), embeddings find the
paraphrases ("my card never came" ~ "when will my card arrive"). Reciprocal rank fusion needs
no score calibration between the two, which keeps it robust when a knowledge base changes.
How the intent model's view is weighed against these scores is the answer policy's business
(`engine.candidates`), not retrieval's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from batondesk.knowledge.chunking import Passage, chunk_article
from batondesk.knowledge.embedding import TextEmbedder
from batondesk.knowledge.lexical import LexicalIndex

RRF_K = 20  # small: with ~60 articles, the first ranks should dominate the fusion
CANDIDATES = 20  # articles kept from each retriever before fusion
# Paraphrase is the common case in customer messages, so the semantic ranking counts more.
SEMANTIC_WEIGHT = 2.0


@dataclass(frozen=True)
class IndexedArticle:
    """What retrieval needs to know of an article (a snapshot, detached from the database)."""

    id: int
    slug: str
    title: str
    body: str
    intents: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    locale: str = "en"
    status: str = "published"
    version: int = 1


@dataclass(frozen=True)
class ArticleHit:
    """One article found for a query, with the evidence for it.

    `semantic` is the best passage's cosine similarity to the query (-1..1, ~0.5+ is a close
    paraphrase); `lexical` the best passage's BM25 score (unbounded, 0 = no shared word);
    `score` the fused score that orders the results.
    """

    article: IndexedArticle
    score: float
    semantic: float
    lexical: float
    passages: list[Passage] = field(default_factory=list)  # best first

    @property
    def slug(self) -> str:
        return self.article.slug

    def source(self) -> dict[str, object]:
        return {
            "article_id": self.article.id,
            "slug": self.article.slug,
            "title": self.article.title,
        }


class HybridIndex:
    """Search over a fixed set of articles. Build a new index when articles change (see
    `knowledge.index` for the per-account cache that does that)."""

    def __init__(
        self,
        articles: Sequence[IndexedArticle],
        embedder: TextEmbedder | None,
        *,
        semantic_weight: float = SEMANTIC_WEIGHT,
    ) -> None:
        self.articles = list(articles)
        self.semantic_weight = semantic_weight
        self.embedder = embedder
        self.passages: list[Passage] = []
        texts: list[str] = []
        owners: list[int] = []
        for row, article in enumerate(self.articles):
            for passage in chunk_article(article.id, article.body):
                self.passages.append(passage)
                texts.append(passage.indexed_text(article.title))
                owners.append(row)
            # The title alone is a passage too: questions often paraphrase it.
            self.passages.append(Passage(article.id, -1, "", article.title))
            texts.append(article.title)
            owners.append(row)
        self._owner = np.asarray(owners, dtype=np.int64)
        self._lexical = LexicalIndex(texts)
        self._vectors = _embed_passages(embedder, texts) if embedder is not None and texts else None

    @property
    def semantic(self) -> bool:
        return self._vectors is not None

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        locale: str | None = None,
        statuses: Sequence[str] = ("published",),
        vector: np.ndarray | None = None,
        every: bool = False,
    ) -> list[ArticleHit]:
        """The `k` best articles for `query`, best first, among articles in `statuses` and (when
        given) `locale` (matched on the language part: "en" matches "en-GB"). `vector` is the
        query's sentence embedding when the caller already has it (from the intent model).
        `every` also lists articles neither retriever ranked, after the others, so a caller
        can read how close they are."""
        if not self.passages or not query.strip():
            return []
        allowed = np.asarray(
            [
                a.status in statuses and (locale is None or _same_language(a.locale, locale))
                for a in self.articles
            ],
            dtype=bool,
        )
        if not allowed.any():
            return []
        passage_lexical = self._lexical.scores(query)
        lexical = _best_per_article(passage_lexical, self._owner, len(self.articles))
        semantic = np.full(len(self.articles), -1.0, dtype=np.float32)
        passage_semantic: np.ndarray | None = None
        if self._vectors is not None and self.embedder is not None:
            query_vector = vector if vector is not None else self.embedder.embed([query])[0]
            passage_semantic = self._vectors @ query_vector
            semantic = _best_per_article(passage_semantic, self._owner, len(self.articles))
        fused = np.zeros(len(self.articles), dtype=np.float64)
        rankings = [(lexical, 1.0, 0.0)]
        if passage_semantic is not None:
            rankings.append((semantic, self.semantic_weight, -1.0))
        for scores, weight, floor in rankings:
            order = [i for i in np.argsort(-scores, kind="stable") if allowed[i]][:CANDIDATES]
            for rank, row in enumerate(order):
                if scores[row] > floor:
                    fused[row] += weight / (RRF_K + rank + 1)
        candidates = [
            i for i in np.argsort(-fused, kind="stable") if allowed[i] and (every or fused[i] > 0)
        ]
        passage_scores = passage_semantic if passage_semantic is not None else passage_lexical
        hits = [
            ArticleHit(
                self.articles[row],
                float(fused[row]),
                float(semantic[row]),
                float(lexical[row]),
                self._best_passages(row, passage_scores),
            )
            for row in candidates[:k]
        ]
        return hits

    def _best_passages(self, row: int, scores: np.ndarray, count: int = 2) -> list[Passage]:
        rows = np.flatnonzero(self._owner == row)
        ranked = rows[np.argsort(-scores[rows], kind="stable")]
        return [self.passages[i] for i in ranked if self.passages[i].position >= 0][:count]


def _embed_passages(embedder: TextEmbedder, texts: list[str]) -> np.ndarray:
    """Passage vectors, through the embedder's persistent cache when it has one."""
    persistent = getattr(embedder, "embed_passages", None)
    return np.asarray(persistent(texts) if persistent is not None else embedder.embed(texts))


def _best_per_article(scores: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
    best = np.full(count, -np.inf, dtype=np.float32)
    np.maximum.at(best, owner, scores.astype(np.float32))
    return np.where(np.isfinite(best), best, 0.0).astype(np.float32)


def _same_language(article_locale: str, wanted: str) -> bool:
    return article_locale.split("-")[0].lower() == wanted.split("-")[0].lower()
