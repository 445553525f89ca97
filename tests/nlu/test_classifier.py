from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from batondesk.nlu import IntentClassifier, IntentPrediction, NotFittedError
from batondesk.nlu.artifact import ArtifactError
from batondesk.nlu.encoder import encoder_available

QUERIES = [
    "my card didnt arrive",
    "refund my money please",
    "i forgot the password",
    "rate for euros",
    "tell me a joke about cats",
    "when does my card get here",
]


def test_predicts_trained_intents(tfidf_model: IntentClassifier) -> None:
    assert tfidf_model.predict("my card has still not arrived").intent == "card_arrival"
    assert tfidf_model.predict("I want a refund for my order").intent == "refund"
    prediction = tfidf_model.predict("forgot my password")
    assert isinstance(prediction, IntentPrediction)
    assert prediction.intent == "password" and not prediction.out_of_scope
    assert prediction.top[0] == ("password", prediction.confidence)
    assert 0.0 <= prediction.confidence <= 1.0


def test_out_of_scope_examples_are_rejected(tfidf_model: IntentClassifier) -> None:
    prediction = tfidf_model.predict("tell me a joke")
    assert prediction.out_of_scope and prediction.intent is None
    # The best in-scope guess stays available to the agent.
    assert prediction.best_intent in {"card_arrival", "refund", "password", "exchange_rate"}


def test_probabilities_sum_to_one_and_follow_classes(tfidf_model: IntentClassifier) -> None:
    proba = tfidf_model.predict_proba(QUERIES)
    assert proba.shape == (len(QUERIES), len(tfidf_model.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert list(tfidf_model.classes_) == sorted(tfidf_model.classes_)
    assert "oos" in tfidf_model.classes_
    best = tfidf_model.classes_[proba[0].argmax()]
    assert best == "card_arrival"


def test_top_k_lists_in_scope_intents_best_first(tfidf_model: IntentClassifier) -> None:
    top = tfidf_model.predict("refund please").top
    assert [name for name, _ in top][0] == "refund"
    assert all(a[1] >= b[1] for a, b in zip(top, top[1:], strict=False))
    assert "oos" not in [name for name, _ in top]


def test_save_then_load_gives_identical_predictions(
    tfidf_model: IntentClassifier, tmp_path: Path
) -> None:
    tfidf_model.save(tmp_path / "model", {"dataset_hash": "abc"})
    loaded = IntentClassifier.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.predict_proba(QUERIES), tfidf_model.predict_proba(QUERIES))
    assert loaded.predict_batch(QUERIES) == tfidf_model.predict_batch(QUERIES)
    assert loaded.metadata_["dataset_hash"] == "abc"
    assert loaded.metadata_["encoder"]["status"] == "disabled"
    # No pickle: every file is JSON, npz of plain arrays, or ONNX/tokenizer files.
    assert {p.name for p in (tmp_path / "model").iterdir()} == {
        "metadata.json",
        "arrays.npz",
        "vocabulary.json",
    }
    with np.load(tmp_path / "model" / "arrays.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)


def test_untrained_use_raises_a_clear_error() -> None:
    with pytest.raises(NotFittedError, match="not trained"):
        IntentClassifier().predict("hello")
    with pytest.raises(NotFittedError):
        IntentClassifier().predict_proba(["hello"])


def test_loading_a_non_model_directory_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no metadata.json"):
        IntentClassifier.load(tmp_path)


def test_hyperparameters_stay_in_init_and_bad_profile_is_refused() -> None:
    model = IntentClassifier(profile="fast", tfidf_c=3.0)
    assert not hasattr(model, "classes_")
    assert model.get_params()["tfidf_c"] == 3.0
    with pytest.raises(ValueError, match="unknown profile"):
        IntentClassifier(profile="turbo")


def test_fit_refuses_a_single_intent() -> None:
    with pytest.raises(ValueError, match="at least two intents"):
        IntentClassifier(use_encoder=False).fit(["a", "b"], ["x", "x"])


def test_threshold_tuned_on_validation_with_oos_examples(
    training_data: tuple[list[str], list[str]],
) -> None:
    texts, labels = training_data
    val_texts = [
        "card hasn't come",
        "money back please",
        "new password",
        "dollar rate",
        "what's on tv tonight",
        "book a flight to paris",
    ]
    val_labels = ["card_arrival", "refund", "password", "exchange_rate", "oos", "oos"]
    model = IntentClassifier(use_encoder=False).fit(texts, labels, val=(val_texts, val_labels))
    assert model.threshold_ > 0.0
    decisions = [p.out_of_scope for p in model.predict_batch(val_texts)]
    assert decisions[-2:] == [True, True]


@pytest.mark.slow
@pytest.mark.skipif(not encoder_available(), reason="MiniLM encoder packages not installed")
def test_encoder_model_round_trip(
    tmp_path: Path, training_data: tuple[list[str], list[str]], oos_examples: list[str]
) -> None:
    texts, labels = training_data
    model = IntentClassifier().fit(texts, labels, oos_texts=oos_examples)
    assert model.encoder_status_ == "onnx"
    assert model.predict("my parcel with the card never showed up").intent == "card_arrival"
    model.save(tmp_path / "m")
    loaded = IntentClassifier.load(tmp_path / "m")
    np.testing.assert_allclose(
        loaded.predict_proba(QUERIES), model.predict_proba(QUERIES), atol=1e-5
    )
    assert [p.intent for p in loaded.predict_batch(QUERIES)] == [
        p.intent for p in model.predict_batch(QUERIES)
    ]


@pytest.mark.slow
@pytest.mark.skipif(not encoder_available(), reason="MiniLM encoder packages not installed")
def test_accurate_profile_fine_tunes_and_round_trips(
    tmp_path: Path, training_data: tuple[list[str], list[str]]
) -> None:
    texts, labels = training_data
    steps: list[tuple[str, float]] = []
    model = IntentClassifier(profile="accurate", finetune_epochs=1).fit(
        texts, labels, progress=lambda step, fraction: steps.append((step, fraction))
    )
    assert model.finetuned_
    # The progress bar only moves forward, spends its first part fine-tuning, and ends full.
    fractions = [fraction for _, fraction in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(step == "fine-tuning encoder" and 0.3 < f <= 0.6 for step, f in steps)
    model.save(tmp_path / "m")
    loaded = IntentClassifier.load(tmp_path / "m")
    assert loaded.metadata_["encoder"]["finetuned"] is True
    np.testing.assert_allclose(
        loaded.predict_proba(QUERIES), model.predict_proba(QUERIES), atol=1e-5
    )


@pytest.mark.skipif(not encoder_available(), reason="MiniLM encoder packages not installed")
def test_accurate_profile_keeps_the_encoder_frozen_with_few_examples_per_intent(
    training_data: tuple[list[str], list[str]],
) -> None:
    # Fine-tuning on a handful of examples per intent overfits; "auto" skips it.
    texts, labels = training_data
    model = IntentClassifier(profile="accurate").fit(texts, labels)
    assert not model.finetuned_
    assert model.params_["finetune_epochs"] == 0


@pytest.mark.slow
@pytest.mark.skipif(not encoder_available(), reason="MiniLM encoder packages not installed")
def test_out_of_fold_predictions_encode_each_text_once(
    monkeypatch: pytest.MonkeyPatch, training_data: tuple[list[str], list[str]]
) -> None:
    from sklearn.model_selection import StratifiedKFold

    from batondesk.nlu import encoder
    from batondesk.training.answer_policy import out_of_fold_predictions

    texts, labels = training_data
    # What each fold's model predicts when it encodes for itself.
    expected: dict[str, list[tuple[str, float]]] = {}
    splitter = StratifiedKFold(2, shuffle=True, random_state=0)
    for fit, held in splitter.split(np.zeros(len(texts)), labels):
        model = IntentClassifier().fit([texts[i] for i in fit], [labels[i] for i in fit])
        for row, prediction in zip(
            held, model.predict_batch([texts[i] for i in held]), strict=True
        ):
            expected[texts[row]] = prediction.top

    encoded: list[str] = []
    original = encoder.OnnxEncoder.pooled_layers

    def counting(self: encoder.OnnxEncoder, batch: list[str], batch_size: int = 64) -> np.ndarray:
        encoded.extend(batch)
        return original(self, batch, batch_size)

    monkeypatch.setattr(encoder.OnnxEncoder, "pooled_layers", counting)
    predictions = out_of_fold_predictions(texts, labels, folds=2)
    assert sorted(encoded) == sorted(texts)  # each text once, not once per fold
    for text, prediction in zip(texts, predictions, strict=True):
        assert [intent for intent, _ in prediction.top] == [i for i, _ in expected[text]], text
        np.testing.assert_allclose(
            [p for _, p in prediction.top], [p for _, p in expected[text]], atol=1e-5
        )
