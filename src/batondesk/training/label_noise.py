"""Likely mislabels and intents too close to tell apart, from out-of-fold predictions.

Every example is predicted by the project's own intent classifier trained on the other folds,
so a wrong label cannot be memorised. cleanlab's confident learning (`find_label_issues`)
then estimates how many labels are wrong (the off-diagonal of the confident joint: examples
held-out-predicted above another intent's own average confidence) and flags that many
examples, those whose given label the held-out model believes least. The same predictions give
a held-out confusion matrix: intents the model mixes up in both directions are too close to
tell apart.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import StratifiedKFold

Progress = Callable[[str, float], None]
"""Called with a step name and the fraction done (0..1)."""

# "tfidf": the classifier's TF-IDF logistic regression alone (BANKING77, 5 folds: ~40 s per fold
# on 2 cores); "fast": the blended TF-IDF + MiniLM profile the demo serves (docs/benchmarks.md).
OUT_OF_FOLD_MODELS = ("tfidf", "fast")
DEFAULT_FOLDS = 5
# A pair of intents is reported when at least this share of their held-out examples is
# predicted as the other one (both directions together).
MIN_PAIR_CONFUSION = 0.05
MAX_CONFUSABLE_PAIRS = 30
# cleanlab's `filter_by`: keep the `num_label_issues` examples of lowest self-confidence.
MISLABEL_FILTER = "low_self_confidence"


@dataclass(frozen=True)
class OutOfFoldPredictions:
    """`probabilities[i, j]`: probability of `classes[j]` for example i from a model that was
    trained without example i. Columns for an intent missing from a fold's training part are 0."""

    classes: list[str]
    probabilities: np.ndarray
    folds: int
    model: str

    def predicted(self) -> list[str]:
        return [self.classes[j] for j in self.probabilities.argmax(axis=1)]


@dataclass(frozen=True)
class LabelIssue:
    """Example `index` whose given label cleanlab flags; `quality` is cleanlab's self-confidence
    label quality score (the held-out probability of the given label), lower = more suspect."""

    index: int
    given: str
    suggested: str
    suggested_probability: float
    quality: float


@dataclass(frozen=True)
class ConfusablePair:
    """Two intents the held-out model mixes up: `a_as_b` of a's examples were predicted b."""

    a: str
    b: str
    a_as_b: int
    b_as_a: int
    confusion_rate: float  # (a_as_b + b_as_a) / (examples of a + examples of b)


def out_of_fold_probabilities(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = DEFAULT_FOLDS,
    model: str = "tfidf",
    seed: int = 0,
    progress: Progress | None = None,
) -> OutOfFoldPredictions:
    """Each example's intent probabilities from a classifier trained on the other `folds - 1`
    folds (stratified by intent). Needs at least two intents and `folds` >= 2."""
    from batondesk.nlu import IntentClassifier

    if model not in OUT_OF_FOLD_MODELS:
        raise ValueError(f"unknown model '{model}'; choose one of {', '.join(OUT_OF_FOLD_MODELS)}")
    if folds < 2:
        raise ValueError("need at least 2 folds")
    label_array = np.asarray(labels)
    classes = sorted(set(label_array.tolist()))
    if len(classes) < 2:
        raise ValueError("need examples of at least two intents")
    column = {name: j for j, name in enumerate(classes)}
    probabilities = np.zeros((len(texts), len(classes)))
    # An intent with fewer examples than folds cannot be in every part; StratifiedKFold still
    # splits, and those examples are judged by models that saw fewer (or none) of their kind.
    folds = min(folds, len(texts))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    report = progress or (lambda step, fraction: None)
    for fold, (fit, held) in enumerate(splitter.split(np.zeros(len(texts)), label_array)):
        report(f"fold {fold + 1} of {folds}", fold / folds)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The least populated class")
            classifier = IntentClassifier(
                profile="fast", use_encoder="auto" if model == "fast" else False, random_state=seed
            ).fit([texts[i] for i in fit], label_array[fit].tolist())
        held_proba = classifier.predict_proba([texts[i] for i in held])
        columns = [column[name] for name in classifier.classes_]
        probabilities[np.ix_(held, columns)] = held_proba
    report("done", 1.0)
    return OutOfFoldPredictions(classes, probabilities, folds, model)


def find_likely_mislabels(
    labels: Sequence[str], predictions: OutOfFoldPredictions
) -> list[LabelIssue]:
    """cleanlab's label issues, most suspect first: as many as confident learning estimates
    are wrong, chosen by lowest self-confidence (held-out probability of the given label).

    With 5% of BANKING77 train flipped (docs/benchmarks.md), this choice was both more precise
    and more complete than pruning by noise rate, cleanlab's default, which also flags many
    of the dataset's naturally ambiguous examples."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    column = {name: j for j, name in enumerate(predictions.classes)}
    given = np.array([column[label] for label in labels])
    # cleanlab expects rows summing to 1; a row can lose mass only to a column no fold knew.
    proba = predictions.probabilities.clip(1e-9)
    proba = proba / proba.sum(axis=1, keepdims=True)
    ranked = find_label_issues(
        given, proba, return_indices_ranked_by="self_confidence", filter_by=MISLABEL_FILTER
    )
    quality = get_label_quality_scores(given, proba, method="self_confidence")
    issues = []
    for index in ranked:
        best = int(proba[index].argmax())
        issues.append(
            LabelIssue(
                index=int(index),
                given=predictions.classes[given[index]],
                suggested=predictions.classes[best],
                suggested_probability=round(float(proba[index, best]), 4),
                quality=round(float(quality[index]), 4),
            )
        )
    return issues


def confusable_intents(
    labels: Sequence[str],
    predictions: OutOfFoldPredictions,
    min_confusion: float = MIN_PAIR_CONFUSION,
) -> list[ConfusablePair]:
    """Pairs of intents whose held-out examples are predicted as each other at a rate of at
    least `min_confusion`, most confused first (at most MAX_CONFUSABLE_PAIRS)."""
    classes = predictions.classes
    matrix = confusion_matrix(list(labels), predictions.predicted(), labels=classes)
    support = matrix.sum(axis=1)
    pairs = []
    for a in range(len(classes)):
        for b in range(a + 1, len(classes)):
            mixed = int(matrix[a, b] + matrix[b, a])
            total = int(support[a] + support[b])
            if mixed and total and mixed / total >= min_confusion:
                pairs.append(
                    ConfusablePair(
                        classes[a],
                        classes[b],
                        int(matrix[a, b]),
                        int(matrix[b, a]),
                        round(mixed / total, 4),
                    )
                )
    pairs.sort(key=lambda pair: -pair.confusion_rate)
    return pairs[:MAX_CONFUSABLE_PAIRS]
