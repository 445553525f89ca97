"""The intent model a fresh installation starts with."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from batondesk.config import Settings
from batondesk.demo.content import load_articles
from batondesk.nlu import Dataset, IntentClassifier, ModelRegistry, load_dataset

log = logging.getLogger("batondesk.training")


def default_training_file() -> Path:
    """The labelled dataset the default intent model learns from."""
    from batondesk.config import get_settings

    return get_settings().datasets_dir / "banking77" / "train.csv"


def default_training_data(settings: Settings) -> Dataset:
    """BANKING77's training split when the public datasets are present (the demo bank uses its
    intents); otherwise the knowledge base's own titles, so the demo still runs."""
    banking77 = settings.datasets_dir / "banking77" / "train.csv"
    if banking77.is_file():
        return load_dataset(banking77)
    log.warning("%s not found: training on knowledge-base titles only", banking77)
    texts, labels = [], []
    for article in load_articles():
        for intent in article.intents:
            texts += [article.title, intent.replace("_", " ")]
            labels += [intent, intent]
    return Dataset(texts, labels, source="knowledge base")


def ensure_default_model(settings: Settings, profile: str = "fast") -> str:
    """Train, register and promote a model unless one is already active. Returns its version."""
    registry = ModelRegistry(settings.models_dir)
    active = registry.active()
    if active is not None:
        return f"{active.version} (already active)"
    dataset = default_training_data(settings)
    log.info(
        "training the default intent model on %d examples from %s", len(dataset), dataset.source
    )
    classifier = IntentClassifier(profile=profile).fit(dataset.texts, dataset.labels)
    with tempfile.TemporaryDirectory() as scratch:
        artifact = Path(scratch) / "model"
        classifier.save(artifact, {"trained_by": "baton demo", "dataset_source": dataset.source})
        version = registry.register(artifact)
    registry.promote(version.version)
    return f"{version.version} (trained on {len(dataset)} examples from {dataset.source})"
