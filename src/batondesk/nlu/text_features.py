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
        # A regex, not a password.
        token_pattern=r"(?u)\b\w+\b",  # nosec B106
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
    """Word 1-2-gram and char_wb 2-5-gram TF-IDF, each block L2-normalised, hstacked.

    sklearn fits the vocabularies and idf weights; `transform` is our own because
    sklearn's per-call overhead (~5 ms for one message) dominated single-message latency.
    It uses sklearn's own analyzers, so the features are the same (up to float32 rounding).
    """

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
        self._compile()
        return self

    def _compile(self) -> None:
        assert self.word_ is not None and self.char_ is not None
        self._blocks = []
        offset = 0
        for vectorizer in (self.word_, self.char_):
            idf = np.asarray(vectorizer.idf_, dtype=np.float64)
            self._blocks.append((vectorizer.build_analyzer(), vectorizer.vocabulary_, idf, offset))
            offset += len(idf)
        self._width = offset

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        if self.word_ is None or self.char_ is None:
            raise RuntimeError("TextFeatures used before fit()")
        indices: list[int] = []
        values: list[float] = []
        indptr = [0]
        for text in texts:
            for analyzer, vocabulary, idf, offset in self._blocks:
                counts: dict[int, int] = {}
                for term in analyzer(text):
                    column = vocabulary.get(term)
                    if column is not None:
                        counts[column] = counts.get(column, 0) + 1
                if not counts:
                    continue
                columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                weights = (1.0 + np.log(tf)) * idf[columns]  # sublinear tf, as trained
                weights /= np.sqrt(weights @ weights)
                indices.extend((columns + offset).tolist())
                values.extend(weights.tolist())
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.array(values, dtype=np.float32), np.array(indices, dtype=np.int64), indptr),
            shape=(len(texts), self._width),
        )

    def common_words(self, share: float) -> frozenset[str]:
        """Single words found in more than `share` (0..1) of the texts fitted on. Read back
        from the smooth idf, ln((1 + n) / (1 + df)) + 1, so df / n is about exp(1 - idf)."""
        assert self.word_ is not None
        cached = getattr(self, "_common", None)
        if cached is not None and cached[0] == share:
            return cached[1]
        idf = np.asarray(self.word_.idf_)
        words = frozenset(
            term
            for term, column in self.word_.vocabulary_.items()
            if " " not in term and np.exp(1.0 - idf[column]) > share
        )
        self._common = (share, words)
        return words

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
        features._compile()
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
