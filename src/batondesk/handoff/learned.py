"""A learned reading of whether a conversation needs a person, and why, beside the rules.

The hand-written detectors (explicit request, sensitive, repeated failure, frustration) are
precise and explain themselves, but they only know the wording someone thought of. This model
reads the customer's messages as word and character n-grams (character n-grams carry across
languages, spellings and typos) and the current message's MiniLM sentence embedding (what it
means when its words are new: "you said Friday, it's Thursday week"), and gives calibrated
probabilities for each reason. The policy
(`handoff.policy`) hands over on a rule as before, and on the model when it is sure enough by
the account's threshold; the evidence names the message that weighs most and the probability.

Trained by `baton escalation fit` (`training.escalation`) on labelled conversations; stored as
plain JSON and arrays (no pickles).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from batondesk.nlu.text_features import TextFeatures

REASONS = ("none", "explicit_request", "sensitive", "repeated_failure", "frustration")
MODEL_FORMAT = 2
DEFAULT_MODEL_DIR = Path(__file__).parent / "data" / "escalation_model"
# Earlier messages count, but less than the one being answered: a cue said three messages ago
# and already handled should not decide this turn alone.
EARLIER_WEIGHT = 0.5
# all-MiniLM-L6-v2's dimension. Only the current message is embedded: embedding the earlier
# ones as well scored lower on the validation split (F1 0.831 against 0.842 at 0.85, model
# alone) and the n-grams already carry them.
SENTENCE_DIMENSION = 384
# The words that weigh most: runs of one to three words, each tried by leaving it out.
_WORD = re.compile(r"\w+")
_LONGEST_RUN = 3
# Words in more than this share of the training messages never start or end the evidence.
_COMMON_WORD_SHARE = 0.01


class SentenceEmbedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def conversation_features(
    features: TextFeatures, conversations: Sequence[Sequence[str]], last_vectors: np.ndarray
) -> sp.csr_matrix:
    """One row per conversation so far: the last message, the earlier ones, the length, and
    the last message's sentence embedding (`last_vectors`, one row per conversation, L2-
    normalised; zeros when no encoder can run). The model reads and is fitted on exactly
    these."""
    current = features.transform([c[-1] for c in conversations])
    earlier = features.transform([" \n ".join(c[:-1]) for c in conversations])
    length = np.asarray([[min(len(c), 5) / 5] for c in conversations])
    meaning = sp.csr_matrix(np.asarray(last_vectors, dtype=np.float64))
    return sp.hstack([current, EARLIER_WEIGHT * earlier, sp.csr_matrix(length), meaning]).tocsr()


def sentence_vectors(embedder: SentenceEmbedder | None, texts: Sequence[str]) -> np.ndarray:
    if embedder is None or not texts:
        return np.zeros((len(texts), SENTENCE_DIMENSION))
    return np.asarray(embedder.embed(list(texts)), dtype=np.float64)


class EscalationModelError(ValueError):
    """The model files are missing, malformed or of another format version."""


@dataclass(frozen=True)
class LearnedReading:
    needs_person: float  # 1 - P(none)
    reason: str  # the likeliest reason other than "none"
    message_index: int  # 0-based: the customer message that weighs most
    probabilities: dict[str, float]
    # (start, end) in that message: the words whose n-grams weigh most towards `reason`;
    # None when no word does (the sentence's meaning alone decided).
    span: tuple[int, int] | None = None


class EscalationModel:
    """`embedder`: the sentence encoder the model was fitted with (the knowledge search's
    shared MiniLM). Without one (the encoder cannot run here) the model still reads the
    n-grams, with the meaning part left at zero: less sure, never broken."""

    def __init__(
        self,
        features: TextFeatures,
        coef: np.ndarray,
        intercept: np.ndarray,
        threshold: float,
        embedder: SentenceEmbedder | None = None,
    ) -> None:
        self.features = features
        self.coef = np.asarray(coef, dtype=np.float64)  # (features, reasons)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.threshold = float(threshold)
        self.embedder = embedder
        if self.coef.shape != (2 * features.dimension + 1 + SENTENCE_DIMENSION, len(REASONS)):
            raise EscalationModelError("escalation model weights do not match its vocabulary")

    # --------------------------------------------------------------------- reading
    def probabilities(
        self,
        conversations: Sequence[Sequence[str]],
        last_vectors: np.ndarray | None = None,
        last_ngrams: sp.csr_matrix | None = None,
    ) -> np.ndarray:
        """`last_vectors`: the last messages' sentence embeddings when the caller has them
        (the intent model computes the current message's); else they are embedded here.
        `last_ngrams`: likewise the last messages' `features.transform` rows."""
        if last_vectors is None:
            last_vectors = sentence_vectors(self.embedder, [c[-1] for c in conversations])
        logits = self._logits(
            conversations, np.asarray(last_vectors, dtype=np.float64), last_ngrams
        )
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def _logits(
        self,
        conversations: Sequence[Sequence[str]],
        last_vectors: np.ndarray,
        last_ngrams: sp.csr_matrix | None = None,
    ) -> np.ndarray:
        """`conversation_features(...) @ coef + intercept`, block by block: the same sums
        without building the stacked sparse matrix (most of a reading's time), and without
        reading the earlier messages when there are none (their block is then zero)."""
        width = self.features.dimension
        if last_ngrams is None:
            last_ngrams = self.features.transform([c[-1] for c in conversations])
        logits = last_ngrams @ self.coef[:width]
        if any(len(c) > 1 for c in conversations):
            earlier = self.features.transform([" \n ".join(c[:-1]) for c in conversations])
            logits += EARLIER_WEIGHT * (earlier @ self.coef[width : 2 * width])
        length = np.asarray([min(len(c), 5) / 5 for c in conversations])
        logits += np.outer(length, self.coef[2 * width])
        logits += last_vectors @ self.coef[2 * width + 1 :]
        return np.asarray(logits) + self.intercept

    def read(
        self, messages: Sequence[str], last_vector: np.ndarray | None = None
    ) -> LearnedReading:
        """`messages`: the customer's messages so far, oldest first; `last_vector`: the current
        message's sentence embedding, if already computed."""
        if last_vector is None:
            last = sentence_vectors(self.embedder, messages[-1:])
        else:
            last = np.asarray(last_vector, dtype=np.float64).reshape(1, -1)
            remember = getattr(self.embedder, "remember", None)
            if remember is not None and messages:
                # Read again with the next message, as an earlier one: no second encoding.
                remember(messages[-1], last_vector)
        # Each message's n-grams, computed once: the current message's row serves both the
        # whole conversation's reading and its own reading alone below (n-gram rows are
        # computed row by row, so the sums are the same as with a row computed apart).
        ngrams = self.features.transform(list(messages))
        whole = self.probabilities([list(messages)], last, ngrams[-1:])[0]
        reason_column = 1 + int(np.argmax(whole[1:]))
        message_index = 0
        if len(messages) > 1:
            # Which message says it: each message read alone, for the likeliest reason. The
            # earlier messages' embeddings come from the embedder's cache (it saw them before).
            each = np.vstack([sentence_vectors(self.embedder, messages[:-1]), last])
            alone = self.probabilities([[m] for m in messages], each, ngrams)[:, reason_column]
            message_index = int(np.argmax(alone))
        return LearnedReading(
            needs_person=float(1.0 - whole[0]),
            reason=REASONS[reason_column],
            message_index=message_index,
            probabilities={r: round(float(p), 4) for r, p in zip(REASONS, whole, strict=True)},
            # Only when the policy could act on it (no account threshold is below 0.5).
            span=self.weightiest_words(
                messages[message_index],
                reason_column,
                current=message_index == len(messages) - 1,
            )
            if whole[0] <= 0.5
            else None,
        )

    def weightiest_words(
        self, message: str, reason_column: int, *, current: bool = True
    ) -> tuple[int, int] | None:
        """The run of one to three words of `message` whose n-grams push hardest towards the
        reason in `reason_column` rather than "none": each run is left out in turn, and read
        alone, and the n-grams' logit compared (per square root of its length, so one
        decisive word beats the phrase around it). This is what the agent is shown as the
        model's evidence; None when no run weighs towards the reason. `current`: the message
        is the one being answered (else an earlier one, read through the earlier block)."""
        words = [match.span() for match in _WORD.finditer(message)]
        if not words:
            return None
        dimension = self.features.dimension
        rows = slice(0, dimension) if current else slice(dimension, 2 * dimension)
        direction = self.coef[rows, reason_column] - self.coef[rows, 0]
        # A run starts and ends on a word that says something: not one of the words found
        # in many messages ("and", "my", "the"), whose n-grams shift every reading a little;
        # failing that (a model fitted on a handful of texts), on any word.
        common = self.features.common_words(_COMMON_WORD_SHARE)
        telling = [i for i, (a, b) in enumerate(words) if message[a:b].lower() not in common]
        return self._best_run(message, words, telling, direction) or self._best_run(
            message, words, list(range(len(words))), direction
        )

    def _best_run(
        self,
        message: str,
        words: list[tuple[int, int]],
        ends: list[int],
        direction: np.ndarray,
    ) -> tuple[int, int] | None:
        """The run of words starting and ending at indices in `ends` that weighs most along
        `direction`, or None when none weighs anything."""
        candidates = [
            (words[i][0], words[j][1]) for i in ends for j in ends if i <= j < i + _LONGEST_RUN
        ]
        if not candidates:
            return None
        texts = [message]
        texts += [message[:start] + " " + message[end:] for start, end in candidates]
        texts += [message[start:end] for start, end in candidates]
        logits = np.asarray(self.features.transform(texts) @ direction).ravel()
        count = len(candidates)
        # What the run adds to the message, and what it says on its own: a function word
        # may shift the first (it changes the n-grams around it) but says nothing alone.
        drops = [
            (logits[0] - logits[1 + n] + logits[1 + count + n])
            / np.sqrt(len(_WORD.findall(message[start:end])))
            for n, (start, end) in enumerate(candidates)
        ]
        best = int(np.argmax(drops))
        return candidates[best] if drops[best] > 0 else None

    # --------------------------------------------------------------------- storage
    def save(self, directory: Path, metadata: dict[str, Any] | None = None) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        vocabulary, arrays = self.features.to_state()
        np.savez_compressed(
            directory / "arrays.npz", coef=self.coef, intercept=self.intercept, **arrays
        )
        (directory / "vocabulary.json").write_text(json.dumps(vocabulary), encoding="utf-8")
        meta = {
            "format": MODEL_FORMAT,
            "reasons": list(REASONS),
            "threshold": self.threshold,
            **(metadata or {}),
        }
        (directory / "metadata.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return directory

    @classmethod
    def load(
        cls, directory: Path = DEFAULT_MODEL_DIR, embedder: SentenceEmbedder | None = None
    ) -> EscalationModel:
        try:
            meta = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
            vocabulary = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
            with np.load(directory / "arrays.npz", allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
        except (OSError, ValueError) as error:
            raise EscalationModelError(
                f"{directory}: no readable escalation model ({error})"
            ) from None
        if meta.get("format") != MODEL_FORMAT or meta.get("reasons") != list(REASONS):
            raise EscalationModelError(
                f"{directory}: not an escalation model of format {MODEL_FORMAT}"
            )
        features = TextFeatures.from_state(
            vocabulary, {"word_idf": arrays["word_idf"], "char_idf": arrays["char_idf"]}
        )
        return cls(features, arrays["coef"], arrays["intercept"], meta["threshold"], embedder)
