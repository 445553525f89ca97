"""Announcements through Redis reach the other workers' caches: two apps in one process, each
with its own database connection and key store, as two API workers are."""

from __future__ import annotations

import time
import uuid

import pytest
import redis
from fastapi.testclient import TestClient

from batondesk.app import create_app
from batondesk.config import Settings
from batondesk.engine.services import TurnServices
from batondesk.privacy.keystore import DATA_KEY_CACHE_SECONDS, KeyDestroyed
from batondesk.store.database import INVALIDATIONS_CHANNEL
from batondesk.store.models import Contact, Conversation
from tests.conftest import TEST_REDIS_URL
from tests.support.workspace import build_workspace, login, say, start_chat

pytestmark = pytest.mark.skipif(
    not TEST_REDIS_URL, reason="set BATON_TEST_REDIS_URL to test announcements between workers"
)


def _wait_until_listening(namespace: str, workers: int) -> None:
    client = redis.Redis.from_url(TEST_REDIS_URL)
    channel = f"{namespace}:{INVALIDATIONS_CHANNEL}"
    deadline = time.monotonic() + 20
    try:
        while dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) < workers:
            assert time.monotonic() < deadline, "the workers never subscribed to announcements"
            time.sleep(0.05)
    finally:
        client.close()


def test_an_erasure_through_one_worker_destroys_the_key_the_other_had_cached(
    settings: Settings, db, tiny_classifier
) -> None:  # type: ignore[no-untyped-def]
    shared = settings.model_copy(update={"redis_namespace": f"baton-test-{uuid.uuid4().hex}"})
    app_a = create_app(
        shared, services=TurnServices.from_settings(shared, fallback_model=tiny_classifier)
    )
    app_b = create_app(
        shared, services=TurnServices.from_settings(shared, fallback_model=tiny_classifier)
    )
    workspace = build_workspace(app_a.state.db)
    with TestClient(app_a) as worker_a, TestClient(app_b) as worker_b:
        _wait_until_listening(shared.redis_namespace, 2)
        conversation_id, visitor = start_chat(worker_a, workspace.a.inbox_public_id)
        say(worker_a, conversation_id, visitor, "my card still hasn't arrived")
        with app_a.state.db.session() as session:
            contact_id = session.get(Conversation, conversation_id).contact_id
            key_ref = session.get(Contact, contact_id).key_ref
        keystore_a = app_a.state.db.keys.keystore
        keystore_a.cipher(key_ref)  # worker A now holds the unwrapped key

        login(worker_b, workspace.a.users["admin"][1])
        erased = worker_b.post(f"/api/v1/admin/privacy/contacts/{contact_id}/erase")
        assert erased.status_code == 200 and erased.json()["key_destroyed"]

        # Well before its cached copy would expire, worker A can no longer use the key.
        deadline = time.monotonic() + DATA_KEY_CACHE_SECONDS / 6
        while True:
            try:
                keystore_a.cipher(key_ref)
            except KeyDestroyed:
                break
            assert time.monotonic() < deadline, "worker A still holds the erased contact's key"
            time.sleep(0.05)
