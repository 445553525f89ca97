"""Building the pipeline from what is installed: the account's active intent model, if any."""

from __future__ import annotations

import logging
from pathlib import Path

from batondesk.config import Settings
from batondesk.engine.pipeline import Pipeline
from batondesk.engine.understanding import ClassifierUnderstander, IntentPredictor

log = logging.getLogger("batondesk.engine")


def load_active_classifier(models_dir: Path) -> IntentPredictor | None:
    """The model the registry marks active, or None when none has been trained yet."""
    from batondesk.nlu import IntentClassifier
    from batondesk.nlu.registry import ModelRegistry

    active = ModelRegistry(models_dir).active()
    if active is None:
        log.warning("no active intent model in %s: the bot will clarify or hand over", models_dir)
        return None
    log.info("intent model %s loaded", active.version)
    return IntentClassifier.load(active.path)


def build_pipeline(settings: Settings) -> Pipeline:
    from batondesk.engine.response import Responder
    from batondesk.knowledge.llm import writer_from_settings

    writer = writer_from_settings(
        settings.llm_base_url,
        settings.llm_model,
        settings.llm_api_key,
        settings.llm_timeout_seconds,
    )
    if writer is not None:
        log.info("answers are phrased by %s (grounded, redacted input)", settings.llm_model)
    return Pipeline(
        ClassifierUnderstander(load_active_classifier(settings.models_dir)), Responder(writer)
    )
