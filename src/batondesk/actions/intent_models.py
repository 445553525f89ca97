"""Changing which intent model version answers an account: the registry's pointer moves, then
every API worker is told, so each loads the version before the account's next message."""

from __future__ import annotations

from batondesk.engine.intent_models import IntentModels
from batondesk.nlu import ModelVersion
from batondesk.realtime import Broker
from batondesk.realtime.invalidation import announce, model_activated


def do_promote_model(
    models: IntentModels, broker: Broker, account_id: int | None, version: str
) -> ModelVersion:
    """Make `version` of the account's registry (None: the server default's) active.
    Raises RegistryError for an unknown version."""
    promoted = models.registry(account_id).promote(version)
    announce(broker, model_activated(account_id))
    return promoted


def do_roll_back_model(
    models: IntentModels, broker: Broker, account_id: int | None
) -> ModelVersion:
    """Re-activate the version that was active before the current one. Raises RegistryError
    when there is none."""
    restored = models.registry(account_id).rollback()
    announce(broker, model_activated(account_id))
    return restored
