"""Model artifacts: a directory with metadata.json, arrays.npz, JSON vocabularies and,
when the encoder is used, encoder.onnx + tokenizer.json.

No pickle anywhere: arrays load with `allow_pickle=False`, everything else is JSON or
ONNX protobuf, so opening an artifact from an untrusted source cannot run code.
"""

from __future__ import annotations

import json
import platform
import shutil
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from batondesk.nlu import encoder as enc
from batondesk.nlu.text_features import TextFeatures

if TYPE_CHECKING:
    from batondesk.nlu.classifier import IntentClassifier

FORMAT = "baton-intent-classifier"
FORMAT_VERSION = 1
LIBRARIES = ("batondesk", "numpy", "scipy", "scikit-learn", "onnxruntime", "tokenizers", "torch")


class ArtifactError(ValueError):
    """A model directory that is missing, incomplete or of an unknown format."""


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            continue
    return versions


def save_classifier(model: IntentClassifier, directory: Path, extra: dict[str, Any]) -> Path:
    """Write the artifact; `extra` (dataset hash, metrics, ...) is merged into metadata."""
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {
        "tfidf_coef": model.tfidf_coef_,
        "tfidf_intercept": model.tfidf_intercept_,
    }
    if model.encoder_coef_ is not None:
        arrays.update(
            encoder_coef=model.encoder_coef_,
            encoder_intercept=model.encoder_intercept_,
            memory=model.memory_.astype(np.float16),
        )
        for name in ("encoder.onnx", "tokenizer.json"):
            source = model.encoder_dir_ / name
            if source.resolve() != (directory / name).resolve():
                shutil.copyfile(source, directory / name)
    vocab_meta, vocab_arrays = model.text_features_.to_state()
    arrays.update(vocab_arrays)
    np.savez(directory / "arrays.npz", **arrays)
    (directory / "vocabulary.json").write_text(json.dumps(vocab_meta), encoding="utf-8")
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "classes": model.classes_.tolist(),
        "params": model.params_,
        "temperature": model.temperature_,
        "threshold": model.threshold_,
        "training_size": model.training_size_,
        "encoder": {
            "status": model.encoder_status_,
            "name": enc.ENCODER_NAME if model.encoder_coef_ is not None else None,
            "finetuned": bool(model.finetuned_),
        },
        "libraries": library_versions(),
    }
    metadata.update(extra)
    (directory / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    return directory


def read_metadata(directory: Path) -> dict[str, Any]:
    path = directory / "metadata.json"
    if not path.is_file():
        raise ArtifactError(f"{directory}: not a model directory (no metadata.json)")
    try:
        meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{path}: invalid JSON ({exc.msg}, line {exc.lineno})") from None
    if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(
            f"{directory}: unsupported artifact format {meta.get('format')!r} "
            f"version {meta.get('format_version')!r}"
        )
    return meta


def load_classifier(directory: Path, threads: int = 1) -> IntentClassifier:
    from batondesk.nlu.classifier import IntentClassifier

    meta = read_metadata(directory)
    try:
        with np.load(directory / "arrays.npz", allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        vocab = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ArtifactError(
            f"{directory}: incomplete artifact ({Path(exc.filename).name} missing)"
        ) from None
    params = dict(meta["params"])
    model = IntentClassifier(
        profile=params["profile"],
        use_encoder=params["use_encoder"],
        encoder_layers=params["encoder_layers"],
        tfidf_c=params["tfidf_c"],
        encoder_c=params["encoder_c"],
        tfidf_weight=params["tfidf_weight"],
        finetune_epochs=params["finetune_epochs"],
        oos_probability_weight=params["oos_probability_weight"],
        oos_threshold=params["oos_threshold"],
        oos_false_rejection=params.get("oos_false_rejection", 0.01),
        top_k=params["top_k"],
        threads=threads,
        random_state=params["random_state"],
    )
    model.params_ = params
    model.classes_ = np.array(meta["classes"])
    model.temperature_ = float(meta["temperature"])
    model.threshold_ = float(meta["threshold"])
    model.training_size_ = int(meta["training_size"])
    model.encoder_status_ = meta["encoder"]["status"]
    model.finetuned_ = bool(meta["encoder"]["finetuned"])
    model.text_features_ = TextFeatures.from_state(vocab, arrays)
    model.tfidf_coef_ = arrays["tfidf_coef"]
    model.tfidf_intercept_ = arrays["tfidf_intercept"]
    if "encoder_coef" in arrays:
        if not (directory / "encoder.onnx").is_file():
            raise ArtifactError(f"{directory}: incomplete artifact (encoder.onnx missing)")
        model.encoder_coef_ = arrays["encoder_coef"]
        model.encoder_intercept_ = arrays["encoder_intercept"]
        model.memory_ = arrays["memory"].astype(np.float32)
        model.encoder_ = enc.OnnxEncoder(directory, threads=threads)
        model.encoder_dir_ = directory
    else:
        model.encoder_coef_ = model.encoder_intercept_ = model.memory_ = None
    model.metadata_ = meta
    return model
