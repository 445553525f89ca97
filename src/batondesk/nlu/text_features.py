"""TF-IDF features over word and character n-grams, storable as plain arrays.

Character n-grams make the model tolerant of typos and texting-style spelling; word bigrams
keep short phrases such as "top up" together. The fitted state (vocabularies and idf weights)
is exported as arrays + JSON so an artifact never needs pickle.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer


def _word_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        lowercase=True,
        token_pattern=r"(?u)\b\w+\b",
        vocabulary=vocabulary,
        dtype=np.float32,
    )


def _char_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        sublinear_tf=True,
        lowercase=True,
        min_df=2,
        vocabulary=vocabulary,
        dtype=np.float32,
    )


class TextFeatures:
    """Word 1-2-gram and char_wb 2-5-gram TF-IDF, each block L2-normalised, hstacked."""

    def __init__(self) -> None:
        self.word_: TfidfVectorizer | None = None
        self.char_: TfidfVectorizer | None = None

    def fit(self, texts: list[str]) -> TextFeatures:
        # Tiny datasets (tests, demo intents) may have no char n-gram seen twice.
        char = _char_vectorizer()
        if len(texts) < 50:
            char.set_params(min_df=1)
        self.word_ = _word_vectorizer().fit(texts)
        self.char_ = char.fit(texts)
        return self

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        if self.word_ is None or self.char_ is None:
            raise RuntimeError("TextFeatures used before fit()")
        return sp.hstack([self.word_.transform(texts), self.char_.transform(texts)], format="csr")

    @property
    def dimension(self) -> int:
        assert self.word_ is not None and self.char_ is not None
        return len(self.word_.vocabulary_) + len(self.char_.vocabulary_)

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-safe vocabularies and the idf arrays."""
        assert self.word_ is not None and self.char_ is not None
        meta = {
            "word_vocabulary": _ordered_terms(self.word_.vocabulary_),
            "char_vocabulary": _ordered_terms(self.char_.vocabulary_),
        }
        arrays = {"word_idf": self.word_.idf_, "char_idf": self.char_.idf_}
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> TextFeatures:
        features = cls()
        features.word_ = _restore(_word_vectorizer, meta["word_vocabulary"], arrays["word_idf"])
        features.char_ = _restore(_char_vectorizer, meta["char_vocabulary"], arrays["char_idf"])
        return features


def _ordered_terms(vocabulary: dict[str, int]) -> list[str]:
    terms = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms[index] = term
    return terms


def _restore(factory: Any, terms: list[str], idf: np.ndarray) -> TfidfVectorizer:
    vectorizer: TfidfVectorizer = factory({term: i for i, term in enumerate(terms)})
    # Fitting on one dummy document builds sklearn's internal state; idf_ is then overwritten
    # with the trained weights, which is the documented way to set a fixed idf.
    vectorizer.fit(["x"])
    vectorizer.idf_ = np.asarray(idf, dtype=np.float64)
    return vectorizer
