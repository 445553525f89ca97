"""Checks of a labelled intent dataset that need no trained model: duplicates, conflicting
labels, near duplicates, per-intent counts, length outliers, personal data and language mix.

Each check returns plain findings that point at examples by index (0-based, in file order);
`training.dataset_audit` adds line numbers and redacted text for the reports.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from batondesk.nlu.language import detect_language
from batondesk.nlu.text_features import TextFeatures
from batondesk.privacy.redaction import find_sensitive_spans

# Cosine similarity of word and character n-gram TF-IDF at or above which two different texts
# count as near duplicates ("my card hasnt arrived" / "My card hasn't arrived yet.").
NEAR_DUPLICATE_SIMILARITY = 0.9
# Rows compared at once when looking for near duplicates (memory grows with it).
SIMILARITY_CHUNK = 512
# An intent with fewer examples than this share of the median is under-represented.
UNDER_REPRESENTED_SHARE = 0.5
# Tukey's "far out" fences on log character length (skewed lengths are symmetric on a log
# scale); the usual 1.5 flagged 5% of BANKING77, too many to be worth reading.
LENGTH_FENCE_IQR = 3.0


def normalised(text: str) -> str:
    """What makes two texts "the same": Unicode NFKC, case folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class DuplicateGroup:
    """Examples with the same normalised text. `labels` are theirs, in the same order."""

    indices: list[int]
    labels: list[str]

    @property
    def conflicting(self) -> bool:
        return len(set(self.labels)) > 1


@dataclass(frozen=True)
class NearDuplicate:
    a: int
    b: int
    similarity: float


@dataclass(frozen=True)
class IntentBalance:
    counts: dict[str, int]  # most examples first
    median: float
    imbalance_ratio: float  # largest count / smallest count
    under_represented: list[str]  # fewer than UNDER_REPRESENTED_SHARE x median


@dataclass(frozen=True)
class LengthOutlier:
    index: int
    characters: int
    kind: str  # "short" or "long"


@dataclass(frozen=True)
class LengthSummary:
    median_characters: float
    short_below: int  # texts shorter than this many characters are outliers
    long_above: int
    outliers: list[LengthOutlier]


@dataclass(frozen=True)
class PersonalDataHit:
    index: int
    types: list[str]


@dataclass(frozen=True)
class LanguageMix:
    counts: dict[str, int]  # language (ISO 639-1) or "undetermined" -> examples
    main_language: str
    other_language_rows: list[tuple[int, str]]  # (index, language) outside the main language


def duplicate_groups(texts: Sequence[str], labels: Sequence[str]) -> list[DuplicateGroup]:
    """Groups of two or more examples with the same normalised text, in file order."""
    by_text: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        by_text.setdefault(normalised(text), []).append(index)
    return [
        DuplicateGroup(indices, [labels[i] for i in indices])
        for indices in by_text.values()
        if len(indices) > 1
    ]


def near_duplicates(
    texts: Sequence[str], similarity: float = NEAR_DUPLICATE_SIMILARITY
) -> list[NearDuplicate]:
    """Pairs of examples whose texts differ after normalisation but whose n-gram TF-IDF cosine
    similarity is at least `similarity`, most similar first."""
    keys = [normalised(text) for text in texts]
    features = TextFeatures().fit(list(texts)).transform(list(texts))
    # Word and character blocks are each L2-normalised: the product of two rows is at most 2.
    transposed = features.T.tocsc()
    pairs: list[NearDuplicate] = []
    for start in range(0, len(texts), SIMILARITY_CHUNK):
        block = (features[start : start + SIMILARITY_CHUNK] @ transposed).tocoo()
        scores = block.data / 2.0
        rows = block.row + start
        keep = (scores >= similarity) & (rows < block.col)
        for a, b, score in zip(rows[keep], block.col[keep], scores[keep], strict=True):
            if keys[a] != keys[b]:
                pairs.append(NearDuplicate(int(a), int(b), round(float(min(score, 1.0)), 4)))
    pairs.sort(key=lambda pair: (-pair.similarity, pair.a, pair.b))
    return pairs


def intent_balance(labels: Sequence[str]) -> IntentBalance:
    counts = Counter(labels)
    values = list(counts.values())
    median = float(np.median(values))
    return IntentBalance(
        counts=dict(counts.most_common()),
        median=median,
        imbalance_ratio=round(max(values) / min(values), 2),
        under_represented=sorted(
            label for label, count in counts.items() if count < UNDER_REPRESENTED_SHARE * median
        ),
    )


def length_outliers(texts: Sequence[str]) -> LengthSummary:
    """Texts unusually short or long for this dataset (Tukey fences on log length)."""
    lengths = np.array([len(text) for text in texts])
    logs = np.log(np.maximum(lengths, 1))
    q1, q3 = np.percentile(logs, [25, 75])
    spread = LENGTH_FENCE_IQR * (q3 - q1)
    short_below = math.ceil(math.exp(q1 - spread))
    long_above = math.floor(math.exp(q3 + spread))
    outliers = [
        LengthOutlier(index, int(length), "short" if length < short_below else "long")
        for index, length in enumerate(lengths)
        if length < short_below or length > long_above
    ]
    return LengthSummary(float(np.median(lengths)), short_below, long_above, outliers)


def personal_data(texts: Sequence[str]) -> list[PersonalDataHit]:
    """Examples containing personal data, by the redactor's detector (types only, no values)."""
    hits = []
    for index, text in enumerate(texts):
        spans = find_sensitive_spans(text)
        if spans:
            hits.append(PersonalDataHit(index, sorted({span.type for span in spans})))
    return hits


def language_mix(texts: Sequence[str]) -> LanguageMix:
    """Languages by the project's detector; guesses it is not sure of count as undetermined."""
    guesses = []
    for text in texts:
        guess = detect_language(text)
        guesses.append(guess.language if guess.reliable else "undetermined")
    counts = Counter(guesses)
    determined = Counter({k: v for k, v in counts.items() if k != "undetermined"})
    main = determined.most_common(1)[0][0] if determined else "undetermined"
    others = [
        (index, language)
        for index, language in enumerate(guesses)
        if language not in (main, "undetermined")
    ]
    return LanguageMix(dict(counts.most_common()), main, others)
