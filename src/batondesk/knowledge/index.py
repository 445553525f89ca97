"""Per-account search indexes, rebuilt when (and only when) the account's articles change.

The cache key is the account's list of (article id, version, status, locale): creating,
editing, publishing or deleting an article changes it, so the next search rebuilds the
index. A caller that read the account row passes its configuration version, which moves with
every such change (store/config_version.py): while it stays the same the list is not read at
all. Rebuilding is cheap after the first time, because passage embeddings are cached by text
and only the changed article's passages are encoded again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.knowledge.embedding import TextEmbedder, default_embedder
from batondesk.knowledge.retrieval import HybridIndex, IndexedArticle
from batondesk.store.models import Article

Fingerprint = tuple[tuple[int, int, str, str], ...]


def indexed_article(article: Article) -> IndexedArticle:
    """A detached snapshot of an article row, as retrieval sees it."""
    return IndexedArticle(
        article.id,
        article.slug,
        article.title,
        article.body,
        tuple(article.intents),
        tuple(article.tags),
        article.locale,
        article.status,
        article.version,
    )


class KnowledgeIndexes:
    """An in-process cache of one HybridIndex per account (the most recent `max_accounts`)."""

    def __init__(
        self,
        embedder: Callable[[], TextEmbedder | None] = default_embedder,
        max_accounts: int = 32,
    ) -> None:
        self._embedder = embedder
        self._max_accounts = max_accounts
        # account -> (article fingerprint, configuration version it was seen at, index)
        self._cache: OrderedDict[int, tuple[Fingerprint, int | None, HybridIndex]]
        self._cache = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # how many indexes were built (tests check refreshes with it)

    def for_account(
        self, session: Session, account_id: int, config_version: int | None = None
    ) -> HybridIndex:
        """The account's index; `config_version`, when the caller has the account row."""
        with self._lock:
            cached = self._cache.get(account_id)
            if cached is not None and config_version is not None and cached[1] == config_version:
                self._cache.move_to_end(account_id)
                return cached[2]
        rows = session.execute(
            select(Article.id, Article.version, Article.status, Article.locale)
            .where(Article.account_id == account_id)
            .order_by(Article.id)
        ).all()
        fingerprint = tuple((int(i), int(v), str(s), str(loc)) for i, v, s, loc in rows)
        with self._lock:
            cached = self._cache.get(account_id)
            if cached is not None and cached[0] == fingerprint:
                self._cache[account_id] = (fingerprint, config_version, cached[2])
                self._cache.move_to_end(account_id)
                return cached[2]
        articles = [
            indexed_article(a)
            for a in session.scalars(
                select(Article).where(Article.account_id == account_id).order_by(Article.id)
            )
        ]
        index = HybridIndex(articles, self._embedder())
        with self._lock:
            self.builds += 1
            self._cache[account_id] = (fingerprint, config_version, index)
            self._cache.move_to_end(account_id)
            while len(self._cache) > self._max_accounts:
                self._cache.popitem(last=False)
        return index
