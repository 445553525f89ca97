"""Training a candidate intent model: the account's base data plus the reviewed production
examples, with the hyperparameters of the model it would replace, registered (not active).

The base data and the frozen evaluation set the regression gate reads are kept beside the
account's registry (`<registry>/learning/`), so the scheduled retrain finds them:
`baton nlu retrain --base FILE --eval FILE` stores them. The evaluation set is frozen: once
stored, a different one is refused unless it is replaced on purpose, since a gate that
moves its own yardstick proves nothing. The reviewed examples are never stored here: they
are read again at every retrain (training/review_queue.py: consenting contacts only,
redacted), so revoked consent and erasure reach every later candidate.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batondesk.nlu import Dataset, DatasetError, IntentClassifier, ModelRegistry, load_dataset
from batondesk.nlu.artifact import ArtifactError, read_metadata
from batondesk.nlu.classifier import Progress

TRAINED_BY = "baton nlu retrain"
_FORMATS = (".csv", ".tsv", ".jsonl", ".json", ".ndjson", ".yml", ".yaml")


class RetrainError(ValueError):
    """What a retrain lacks (no base data, no evaluation set) or cannot read, in words."""


@dataclass(frozen=True)
class LearningFiles:
    """The account's stored base training data and frozen evaluation set."""

    registry: ModelRegistry

    @property
    def folder(self) -> Path:
        return self.registry.root / "learning"

    def _stored(self, stem: str) -> Path | None:
        found = [self.folder / f"{stem}{suffix}" for suffix in _FORMATS]
        return next((path for path in found if path.is_file()), None)

    def base_path(self) -> Path | None:
        return self._stored("base")

    def evaluation_path(self) -> Path | None:
        return self._stored("evaluation")

    def store_base(self, source: Path) -> Path:
        """Keep `source` as the base data of every later retrain (replacing the stored one)."""
        return self._store("base", _readable(source))

    def store_evaluation(self, source: Path, *, replace: bool = False) -> Path:
        """Freeze `source` as the evaluation set. An identical file changes nothing; a
        different one is refused unless `replace`."""
        dataset = _readable(source)
        stored = self.evaluation_path()
        if stored is not None and not replace:
            if load_dataset(stored).fingerprint() == dataset.fingerprint():
                return stored
            raise RetrainError(
                f"a different evaluation set is already frozen ({stored}); the gate compares "
                "every candidate on the same set. Replace it on purpose (--replace-eval) if "
                "the old one no longer stands for your customers"
            )
        return self._store("evaluation", dataset)

    def _store(self, stem: str, dataset: Dataset) -> Path:
        source = Path(dataset.source)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in [self.folder / f"{stem}{suffix}" for suffix in _FORMATS]:
            old.unlink(missing_ok=True)
        target = self.folder / f"{stem}{source.suffix.lower()}"
        shutil.copyfile(source, target)
        return target

    def evaluation(self) -> Dataset:
        path = self.evaluation_path()
        if path is None:
            raise RetrainError(
                "no frozen evaluation set for the regression gate: give one once with "
                "`baton nlu retrain --eval FILE` (a labelled file; slice tags such as style, "
                "language, channel and tier are judged one by one)"
            )
        return _readable(path)


def _readable(path: Path) -> Dataset:
    try:
        return load_dataset(path)
    except DatasetError as error:
        raise RetrainError(str(error)) from None


def base_data(files: LearningFiles, answering_model: Path | None) -> Dataset:
    """The stored base data; else, when the model answering the account was trained on the
    demo's shipped data, that data; else a RetrainError saying how to give one."""
    stored = files.base_path()
    if stored is not None:
        return _readable(stored)
    if answering_model is not None:
        from batondesk.demo.training_data import DEMO_TRAINING_NAME, demo_intent_training

        if _metadata(answering_model).get("dataset_source") == DEMO_TRAINING_NAME:
            return demo_intent_training()
    raise RetrainError(
        "no base training data: give the file the account's model was trained on once with "
        "`baton nlu retrain --base FILE`; reviewed examples are added to it at every retrain"
    )


def _metadata(path: Path) -> dict[str, Any]:
    try:
        return read_metadata(path)
    except ArtifactError:
        return {}


def merge(base: Dataset, reviewed: Sequence[tuple[str, str]]) -> Dataset:
    """The base examples followed by the reviewed ones (text, intent)."""
    return Dataset(
        [*base.texts, *(text for text, _ in reviewed)],
        [*base.labels, *(label for _, label in reviewed)],
        source=f"{Path(base.source).name or 'base data'} + {len(reviewed)} reviewed examples",
    )


def hyperparameters(answering_model: Path | None) -> dict[str, Any]:
    """The profile and encoder choice of the model the candidate would replace (its other
    settings depend on the data and are chosen again); the demo's defaults without one."""
    params = _metadata(answering_model).get("params", {}) if answering_model else {}
    chosen: dict[str, Any] = {
        "profile": params.get("profile", "fast"),
        "use_encoder": params.get("use_encoder", "auto"),
    }
    if params.get("oos_threshold") is not None:
        chosen["oos_threshold"] = params["oos_threshold"]
    return chosen


@dataclass(frozen=True)
class TrainedCandidate:
    version: str
    path: Path
    base_examples: int
    reviewed_examples: int
    training_seconds: float


def train_candidate(
    registry: ModelRegistry,
    base: Dataset,
    reviewed: Sequence[tuple[str, str]],
    params: dict[str, Any],
    progress: Progress | None = None,
) -> TrainedCandidate:
    """Train on base + reviewed and register the result as a new version, not active."""
    training = merge(base, reviewed)
    in_scope, out_of_scope = training.split_out_of_scope()
    started = time.perf_counter()
    try:
        model = IntentClassifier(**params).fit(
            in_scope.texts, in_scope.labels, oos_texts=out_of_scope or None, progress=progress
        )
    except ValueError as error:
        raise RetrainError(f"training failed: {error}") from None
    seconds = round(time.perf_counter() - started, 1)
    with tempfile.TemporaryDirectory() as scratch:
        artifact = model.save(
            Path(scratch) / "model",
            {
                "trained_by": TRAINED_BY,
                "dataset_source": training.source,
                "dataset_hash": training.fingerprint(),
                "training_seconds": seconds,
                "label_counts": dict(in_scope.label_counts),
                "base_examples": len(base),
                "reviewed_examples": len(reviewed),
            },
        )
        version = registry.register(artifact, _new_version_name(registry))
    return TrainedCandidate(version.version, version.path, len(base), len(reviewed), seconds)


def _new_version_name(registry: ModelRegistry) -> str:
    """A timestamped name that no version of the registry has (two retrains in one second)."""
    stamp = time.strftime("c%Y%m%d-%H%M%S", time.gmtime())
    taken = {v.version for v in registry.list()}
    name, n = stamp, 1
    while name in taken or (registry.versions_dir / name).exists():
        n += 1
        name = f"{stamp}-{n}"
    return name
