"""Lexical search (BM25 over passages) with a light English normaliser.

A stemmer matters for short customer messages ("arrived" must meet "arrive", "charges" must
meet "charged"); a full Snowball stemmer is one more native dependency for a few points, so a
conservative suffix stripper is used instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"[a-z0-9£€$]+(?:'[a-z]+)?")
_STOPWORDS_TEXT = """a an and are as at be been but by can could did do does doing for from had has
    have
    having how i i'm if in into is it it's its me my myself of on or our please so than that
    the their them then there these they this to too was we were what when where which while
    who why will with would you your yours just am hi hello thanks thank any some get got
    i've i'd i'll you're"""
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
_IRREGULAR = {
    "paid": "pay",
    "sent": "send",
    "stolen": "steal",
    "stole": "steal",
    "lost": "lose",
    "took": "take",
    "taken": "take",
    "bought": "buy",
    "withdrew": "withdraw",
    "withdrawn": "withdraw",
    "arrival": "arrive",
    "arrived": "arrive",
    "charges": "charge",
    "charged": "charge",
    "refunded": "refund",
    "cancelled": "cancel",
    "canceled": "cancel",
    "cancelling": "cancel",
    "n't": "not",
    "can't": "not",
    "won't": "not",
    "doesn't": "not",
    "didn't": "not",
    "isn't": "not",
    "hasn't": "not",
    "haven't": "not",
    "wasn't": "not",
}


def normalise_token(token: str) -> str:
    token = token.removesuffix("'s")
    if token in _IRREGULAR:
        return _IRREGULAR[token]
    if "'" in token:
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            stem = token[: -len(suffix)]
            if suffix in ("ing", "ed") and len(stem) > 3 and stem[-1] == stem[-2]:
                stem = stem[:-1]  # "topping" -> "top", "blocked" stays "block"
            if suffix == "es" and not stem.endswith(("ch", "sh", "x", "s", "z")):
                stem = token[:-1]  # "fees" -> "fee", "charges" handled above
            return stem
    return token


def tokenize(text: str) -> list[str]:
    words = _WORD.findall(text.lower().replace("’", "'"))
    return [normalise_token(w) for w in words if w not in _STOPWORDS]


class LexicalIndex:
    """BM25 (Lucene variant, via bm25s) over a fixed list of texts."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        import bm25s

        self._size = len(texts)
        self._model = bm25s.BM25(k1=k1, b=b)
        if texts:
            self._model.index([tokenize(text) or ["\u2205"] for text in texts], show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """One BM25 score per indexed text (0 when no query word occurs in it)."""
        if not self._size:
            return np.zeros(0, dtype=np.float32)
        tokens = [t for t in tokenize(query) if t in self._model.vocab_dict]
        if not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens), dtype=np.float32)
