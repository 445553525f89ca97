"""What one API worker changes, every worker hears: announcements of caches to drop.

A worker keeps a little in memory for speed: which intent model version is active per account
(and the models themselves), and unwrapped contact data keys. What else a turn reads (account
settings, escalation and answering policies, articles) comes from the database at each turn,
and the article index is rebuilt when the articles' fingerprint changes (knowledge/index.py),
so it needs no announcement.

Announcements travel on the broker's `invalidations` channel, so through Redis they reach every
worker on every host, and in-process the worker itself:

* ``model.activated`` (``account_id``, None for the server default): a version was promoted
  or rolled back. Each worker reads the active pointer again and loads the new model before
  the account's next message.
* ``data_key.destroyed`` (``key_ref``): a contact was erased (privacy/erasure.py). Each worker
  forgets its unwrapped copy of the key at once.

They are best effort, and the caches stay correct without them, only later: every turn checks
the model pointer's modification time, and a data key is cached for at most
`DATA_KEY_CACHE_SECONDS`. A worker whose subscription drops (Redis restarted or unreachable)
retries with backoff, and forgets what it cached each time it subscribes again, since it may
have missed announcements meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from batondesk.engine.intent_models import IntentModels
from batondesk.privacy.keystore import KeyStore
from batondesk.realtime.broker import Broker, Notification
from batondesk.store.database import INVALIDATIONS_CHANNEL

log = logging.getLogger("batondesk.realtime")

# Waits before subscribing again after the subscription failed: doubling up to the maximum.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0


def model_activated(account_id: int | None) -> Notification:
    return {"type": "model.activated", "account_id": account_id}


def announce(broker: Broker, notification: Notification) -> None:
    """Publish an announcement after the change is made; a failure is logged, never raised
    (the change itself stands, and every worker still sees it, only later)."""
    try:
        broker.publish(INVALIDATIONS_CHANNEL, notification)
    except Exception:  # Redis unreachable: see the module docstring
        log.warning("could not announce %s to the other workers", notification.get("type"))


class InvalidationListener:
    """Applies announcements to this worker's caches; `run` is a task the app owns."""

    def __init__(self, broker: Broker, models: IntentModels, keystore: KeyStore) -> None:
        self.broker = broker
        self.models = models
        self.keystore = keystore

    async def run(self) -> None:
        """Listen until cancelled, subscribing again whenever the subscription fails."""
        wait = FIRST_RETRY_SECONDS
        while True:
            try:
                self.forget_everything()
                async for notification in self.broker.subscribe(INVALIDATIONS_CHANNEL):
                    wait = FIRST_RETRY_SECONDS
                    await self.apply(notification)
            except Exception as error:  # Redis down or restarted: retry, never end the worker
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # the app is shutting down: an error while unsubscribing ends it too
                log.warning("cache announcements not heard (%s); retrying in %.0f s", error, wait)
            await asyncio.sleep(wait)
            wait = min(wait * 2, MAX_RETRY_SECONDS)

    async def apply(self, notification: dict[str, Any]) -> None:
        kind = notification.get("type")
        if kind == "model.activated":
            account_id = notification.get("account_id")
            try:
                # Loading a model takes a while: off the event loop.
                await asyncio.to_thread(self.models.reload, account_id)
            except Exception:  # a damaged version: the turn reports it, as without this
                log.exception("could not load the newly active intent model")
        elif kind == "data_key.destroyed":
            self.keystore.forget_data_key(str(notification.get("key_ref")))

    def forget_everything(self) -> None:
        self.models.forget_pointers()
        self.keystore.forget_data_keys()
