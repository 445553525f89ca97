"""The answer policy: how likely a candidate article answers the message, and when that is
likely enough to answer.

A logistic regression over the candidate's evidence (`engine.candidates`) estimates the
probability that the article answers the message. It is fitted by `baton answers fit`
(`training.answer_policy`) on out-of-fold predictions of the training data and on written
question sets, never on a test split. The operating point is not a hand-set threshold: the
account says how many wrong answers it accepts ("at most 1% of answers wrong"), and the
threshold is the loosest one that Learn-then-Test risk control (Angelopoulos et al., 2021; as
implemented by MAPIE) certifies on the held-out calibration split at 90% confidence. A
stricter limit therefore always answers less, and a limit the data cannot certify answers
nothing rather than guess.

The limit holds for each group of customers, not only on average: the threshold is certified
separately on the calibration messages of each language group (`language_group`), so that
customers writing in a language the witnesses read less well are not the ones who pay for the
answers given to the others. A group whose calibration messages cannot certify the limit gets
no answers at that limit (clarifying questions instead). Each group also has its own
coefficients when it had enough messages to fit them: the witnesses are not equally reliable
in every language (the sentence encoder reads English only, the intent model's character
n-grams read any script), so one set of weights would lean on a witness that is blind in some
languages.

The policy file holds two variants: one for accounts with an intent model, one for accounts
that search their articles only. Both are plain JSON (no pickles).
"""

from __future__ import annotations

import json
import math
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_POLICY_FILE = Path(__file__).parent / "data" / "answer_policy.json"
POLICY_FORMAT = 1
# The account's default: at most 1% of the bot's answers wrong.
DEFAULT_MAX_WRONG_RATE = 0.01
# With what confidence the calibration split must show the limit holds.
CONFIDENCE = 0.9
# Candidate thresholds tried by risk control, as answered shares of the calibration split in
# steps of this size, strictest first: fixed-sequence testing walks from the safest threshold
# outwards and stops at the first it cannot certify.
_COVERAGE_STEP = 0.005
# Language groups certified apart: the knowledge base, the sentence encoder and most training
# data are English, and on other languages the same score is wrong more often (demo policy,
# calibration split at the pooled 1% threshold: 0.8% wrong in English, 4% in other languages).
ENGLISH, OTHER_LANGUAGES = "english", "other_languages"
LANGUAGE_GROUPS = (ENGLISH, OTHER_LANGUAGES)


def language_group(language: str) -> str:
    """The group whose calibration messages certify the threshold for a message in `language`
    (an ISO 639-1 code as `nlu.language.detect_language` gives it)."""
    return ENGLISH if language == "en" else OTHER_LANGUAGES


class PolicyFileError(ValueError):
    """The answer policy file is missing, malformed or of another format version."""


@dataclass(frozen=True)
class OperatingPoint:
    """The threshold for a wrong-answer limit and what it gave on the calibration split."""

    max_wrong_rate: float
    threshold: float  # answer when the best candidate's score reaches it (> 1: never)
    coverage: float  # share of calibration messages it answers
    wrong_rate: float  # share of those answers that were wrong


@dataclass(frozen=True)
class Coefficients:
    """A logistic regression over standardised features."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def of(
        cls, mean: Sequence[float], scale: Sequence[float], coef: Sequence[float], intercept: float
    ) -> Coefficients:
        arrays = [np.asarray(a, dtype=np.float64) for a in (mean, scale, coef)]
        if len({len(a) for a in arrays}) != 1:
            raise PolicyFileError("answer policy arrays differ in length")
        return cls(*arrays, float(intercept))

    def probability(self, matrix: np.ndarray) -> np.ndarray:
        logits = ((matrix - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def to_dict(self) -> dict[str, Any]:
        return {
            "mean": _rounded(self.mean),
            "scale": _rounded(self.scale),
            "coef": _rounded(self.coef),
            "intercept": round(self.intercept, 6),
        }


class PolicyModel:
    """One variant of the policy: feature names, the pooled coefficients and those of each
    language group that had its own, and the calibration split's scores, outcomes and
    language groups (for risk control). Without groups (older policy files) every message is
    scored by the pooled coefficients and certified against the whole split."""

    def __init__(
        self,
        features: Sequence[str],
        mean: Sequence[float],
        scale: Sequence[float],
        coef: Sequence[float],
        intercept: float,
        calibration_scores: Sequence[float],
        calibration_correct: Sequence[bool],
        calibration_groups: Sequence[str] = (),
        by_group: Mapping[str, Coefficients] | None = None,
    ) -> None:
        self.features = tuple(features)
        self.pooled = Coefficients.of(mean, scale, coef, intercept)
        self.by_group = dict(by_group or {})
        self.calibration_scores = np.asarray(calibration_scores, dtype=np.float64)
        self.calibration_correct = np.asarray(calibration_correct, dtype=bool)
        self.calibration_groups = np.asarray(list(calibration_groups), dtype=str)
        sizes = {len(self.features)} | {len(c.coef) for c in (self.pooled, *self.by_group.values())}
        calibration = {len(self.calibration_scores), len(self.calibration_correct)}
        if len(self.calibration_groups):
            calibration.add(len(self.calibration_groups))
        if len(sizes) != 1 or len(calibration) != 1:
            raise PolicyFileError("answer policy arrays differ in length")
        self._points: dict[tuple[float, str | None], OperatingPoint] = {}
        self._lock = threading.Lock()

    def score(self, rows: Sequence[Mapping[str, float]], group: str | None = None) -> np.ndarray:
        """P(the candidate answers the message) for each row of evidence features of a
        message in language group `group` (None, or a group without its own coefficients:
        the pooled ones)."""
        if not rows:
            return np.zeros(0)
        matrix = np.asarray([[row[name] for name in self.features] for row in rows], float)
        return self.by_group.get(group or "", self.pooled).probability(matrix)

    def operating_point(self, max_wrong_rate: float, group: str | None = None) -> OperatingPoint:
        """The loosest threshold whose wrong-answer rate risk control certifies, on the
        calibration messages of language group `group` (None: all of them)."""
        if not len(self.calibration_groups):
            group = None
        key = (round(float(max_wrong_rate), 6), group)
        with self._lock:
            cached = self._points.get(key)
        if cached is None:
            cached = self._certify(*key)
            with self._lock:
                self._points[key] = cached
        return cached

    def _certify(self, max_wrong_rate: float, group: str | None) -> OperatingPoint:
        from mapie.risk_control import BinaryClassificationController

        scores, correct = self.calibration(group)
        if not len(scores):
            return OperatingPoint(max_wrong_rate, 1.01, 0.0, 0.0)
        # The walk starts where enough messages are answered to certify the limit with a few
        # wrong answers among them (three times the count at which even none would do):
        # stricter thresholds answer too few to prove anything, and failing there would end
        # the walk before it began.
        needed = 3 * math.log(1 / (1 - CONFIDENCE)) / max_wrong_rate
        start = max(_COVERAGE_STEP, needed / len(scores))
        coverages = np.arange(min(start, 1.0), 1.0 + 1e-9, _COVERAGE_STEP)
        grid = np.unique(np.quantile(scores, 1.0 - np.clip(coverages, 0.0, 1.0)))[::-1]
        controller = BinaryClassificationController(
            _as_probabilities,
            risk="precision",
            target_level=1.0 - max_wrong_rate,
            confidence_level=CONFIDENCE,
            fwer_method="fixed_sequence",
            list_predict_params=grid,
        )
        with warnings.catch_warnings():
            # MAPIE warns when the empirical risk is not monotone in the threshold; the
            # fixed-sequence guarantee holds regardless, it is only less tight then.
            warnings.simplefilter("ignore", UserWarning)
            controller.calibrate(scores[:, None], correct.astype(int))
        threshold = controller.best_predict_param
        if threshold is None:
            return OperatingPoint(max_wrong_rate, 1.01, 0.0, 0.0)
        answered = scores >= float(threshold)
        wrong = float(1.0 - correct[answered].mean()) if answered.any() else 0.0
        return OperatingPoint(
            max_wrong_rate, float(threshold), float(answered.mean()), round(wrong, 4)
        )

    def curve(self, limits: Sequence[float], group: str | None = None) -> list[OperatingPoint]:
        """Coverage against the wrong-answer limit (the coverage/risk curve)."""
        return [self.operating_point(limit, group) for limit in limits]

    def groups(self) -> list[str]:
        """The language groups the calibration split certifies apart (none: pooled)."""
        present = set(self.calibration_groups.tolist())
        return [group for group in LANGUAGE_GROUPS if group in present]

    def calibration(self, group: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, whether right) of the calibration messages of `group` (None: all)."""
        if group is None:
            return self.calibration_scores, self.calibration_correct
        members = self.calibration_groups == group
        return self.calibration_scores[members], self.calibration_correct[members]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PolicyModel:
        try:
            by_group = {
                str(group): Coefficients.of(
                    part["mean"], part["scale"], part["coef"], part["intercept"]
                )
                for group, part in data.get("by_group", {}).items()
            }
            return cls(
                data["features"],
                data["mean"],
                data["scale"],
                data["coef"],
                data["intercept"],
                data["calibration"]["scores"],
                data["calibration"]["correct"],
                data["calibration"].get("groups", ()),
                by_group,
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise PolicyFileError(f"answer policy variant lacks {error}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            **self.pooled.to_dict(),
            "by_group": {group: c.to_dict() for group, c in self.by_group.items()},
            "calibration": {
                "scores": _rounded(self.calibration_scores),
                "correct": [bool(x) for x in self.calibration_correct],
                "groups": self.calibration_groups.tolist(),
            },
        }


class AnswerPolicy:
    """Both variants and what they were fitted on."""

    def __init__(
        self,
        with_intents: PolicyModel,
        retrieval_only: PolicyModel,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.with_intents = with_intents
        self.retrieval_only = retrieval_only
        self.metadata = dict(metadata or {})

    def variant(self, has_intent_model: bool) -> PolicyModel:
        return self.with_intents if has_intent_model else self.retrieval_only

    @classmethod
    def load(cls, path: Path = DEFAULT_POLICY_FILE) -> AnswerPolicy:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PolicyFileError(f"{path}: no answer policy; run `baton answers fit`") from None
        except json.JSONDecodeError as error:
            raise PolicyFileError(f"{path}: not JSON ({error.msg})") from None
        if not isinstance(data, dict) or data.get("format") != POLICY_FORMAT:
            raise PolicyFileError(f"{path}: not an answer policy of format {POLICY_FORMAT}")
        return cls(
            PolicyModel.from_dict(data.get("with_intents", {})),
            PolicyModel.from_dict(data.get("retrieval_only", {})),
            data.get("metadata", {}),
        )

    def save(self, path: Path) -> None:
        data = {
            "format": POLICY_FORMAT,
            "metadata": self.metadata,
            "with_intents": self.with_intents.to_dict(),
            "retrieval_only": self.retrieval_only.to_dict(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".partial")
        temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        temporary.replace(path)


def _as_probabilities(scores: np.ndarray) -> np.ndarray:
    """MAPIE thresholds column 1 of a (n, 2) probability matrix."""
    column = np.asarray(scores, dtype=np.float64)[:, 0]
    return np.column_stack([1.0 - column, column])


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]
