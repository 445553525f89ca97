"""The intent model a fresh installation starts with: the demo's, trained on shipped data.

The demo bank's intents are BANKING77's, and BANKING77's training split ships with the package
(batondesk/demo/data/banking77/), so every copy of Baton trains the same model, the one
docs/benchmarks.md describes for the `fast` profile. There is no fallback: without the shipped
file, `DemoDataMissing` says what is missing instead of training a weaker model.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from batondesk.config import Settings
from batondesk.demo.training_data import DEMO_TRAINING_NAME, demo_intent_training
from batondesk.nlu import IntentClassifier, ModelRegistry
from batondesk.nlu.artifact import read_metadata
from batondesk.nlu.classifier import Progress

log = logging.getLogger("batondesk.training")

TRAINED_BY = "baton demo"
DEFAULT_PROFILE = "fast"
# What earlier versions trained when the datasets folder was missing: far weaker than the
# model the documentation describes, so `baton demo` replaces it.
KNOWLEDGE_BASE_SOURCE = "knowledge base"


@dataclass(frozen=True)
class DefaultModel:
    """The active intent model and how it was trained, as `baton demo` reports it."""

    version: str
    profile: str
    dataset: str
    examples: int
    training_seconds: float | None
    trained_now: bool
    replaced: str | None = None

    def describe(self) -> str:
        how = f"profile {self.profile}, trained on {self.dataset} ({self.examples:,} examples)"
        if self.training_seconds is not None:
            how += f" in {self.training_seconds:.0f} s"
        if not self.trained_now:
            return f"{self.version} (already active), {how}"
        replaced = f"; replaces {self.replaced}" if self.replaced else ""
        return f"{self.version} (trained now), {how}{replaced}"


def active_default_model(settings: Settings) -> DefaultModel | None:
    """The active model, described from its metadata; None when there is none yet, or when
    it is an earlier version's fallback trained on knowledge-base titles."""
    active = ModelRegistry(settings.models_dir).active()
    if active is None:
        return None
    meta = read_metadata(active.path)
    if meta.get("trained_by") == TRAINED_BY and meta.get("dataset_source") == KNOWLEDGE_BASE_SOURCE:
        log.warning("model %s was trained on knowledge-base titles: retraining", active.version)
        return None
    return _describe(active.version, meta, trained_now=False)


def train_default_model(
    settings: Settings, profile: str = DEFAULT_PROFILE, progress: Progress | None = None
) -> DefaultModel:
    """Train the demo's model on the shipped BANKING77 training split and customer phrasings
    (`demo.training_data`), register and promote
    it (any model active before stays in the registry for rollback). ~4 minutes on 2 cores
    for the `fast` profile. Raises DemoDataMissing when the shipped data is not there."""
    registry = ModelRegistry(settings.models_dir)
    previous = registry.active()
    dataset = demo_intent_training()
    log.debug(
        "training the default intent model on %d examples of %s", len(dataset), DEMO_TRAINING_NAME
    )
    started = time.perf_counter()
    classifier = IntentClassifier(profile=profile).fit(
        dataset.texts, dataset.labels, progress=progress
    )
    seconds = round(time.perf_counter() - started, 1)
    with tempfile.TemporaryDirectory() as scratch:
        artifact = Path(scratch) / "model"
        classifier.save(
            artifact,
            {
                "trained_by": TRAINED_BY,
                "dataset_source": DEMO_TRAINING_NAME,
                "dataset_hash": dataset.fingerprint(),
                "training_seconds": seconds,
                "label_counts": dict(dataset.label_counts),
            },
        )
        version = registry.register(artifact)
    registry.promote(version.version)
    model = _describe(version.version, read_metadata(version.path), trained_now=True)
    return model if previous is None else replace(model, replaced=previous.version)


def _describe(version: str, meta: dict[str, Any], trained_now: bool) -> DefaultModel:
    seconds = meta.get("training_seconds")
    return DefaultModel(
        version=version,
        profile=str(meta.get("params", {}).get("profile", "unknown")),
        dataset=str(meta.get("dataset_source") or "an unrecorded dataset"),
        examples=int(meta.get("training_size", 0)),
        training_seconds=float(seconds) if seconds is not None else None,
        trained_now=trained_now,
    )
