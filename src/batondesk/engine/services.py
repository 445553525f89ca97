"""What a process owns for customers' turns: intent models per account, article indexes per
account, the answer policy, the optional LLM writer and each account's recommendation model.
The app (and each CLI command) builds one; nothing here is a module global."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from batondesk.config import Settings
from batondesk.customers.recommendations.models import HoldingsModels
from batondesk.engine.answer_policy import AnswerPolicy
from batondesk.engine.intent_models import IntentModels
from batondesk.engine.response import AnswerWriter
from batondesk.engine.understanding import IntentPredictor
from batondesk.handoff.learned import EscalationModel, EscalationModelError
from batondesk.knowledge.index import KnowledgeIndexes
from batondesk.knowledge.intent_responses import AccountResponses
from batondesk.store.config_version import AccountSwitches

log = logging.getLogger("batondesk.engine")


@dataclass
class TurnServices:
    models: IntentModels
    indexes: KnowledgeIndexes
    policy: AnswerPolicy
    writer: AnswerWriter | None = None
    # Read beside the hand-over rules; None when the shipped model is missing (rules only).
    escalation_model: EscalationModel | None = None
    # Each account's model of its customers' product holdings (recommendations).
    recommenders: HoldingsModels = field(default_factory=HoldingsModels)
    # Each account's per-intent responses, read again only when its configuration changes.
    responses: AccountResponses = field(default_factory=AccountResponses)
    # Whether each account runs an experiment or has a webhook endpoint, likewise.
    switches: AccountSwitches = field(default_factory=AccountSwitches)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, fallback_model: IntentPredictor | None = None
    ) -> TurnServices:
        from batondesk.knowledge.embedding import default_embedder
        from batondesk.knowledge.llm import writer_from_settings

        writer = writer_from_settings(
            settings.llm_base_url,
            settings.llm_model,
            settings.llm_api_key,
            settings.llm_timeout_seconds,
        )
        if writer is not None:
            log.info("answers are phrased by %s (grounded, redacted input)", settings.llm_model)
        try:
            escalation_model: EscalationModel | None = EscalationModel.load(
                embedder=default_embedder()
            )
        except EscalationModelError as error:
            log.warning("hand-over rules only: %s", error)
            escalation_model = None
        return cls(
            IntentModels(settings.models_dir, fallback=fallback_model),
            KnowledgeIndexes(),
            AnswerPolicy.load(),
            writer,
            escalation_model,
        )
