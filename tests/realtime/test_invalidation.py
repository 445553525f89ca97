"""Announcements through Redis reach the other workers' caches: two apps in one process, each
with its own database connection and key store, as two API workers are."""

from __future__ import annotations

import time

import pytest

from batondesk.config import Settings
from batondesk.nlu import IntentClassifier
from batondesk.privacy.keystore import DATA_KEY_CACHE_SECONDS, KeyDestroyed
from batondesk.store import Database
from batondesk.store.models import Contact, Conversation
from tests.conftest import TEST_REDIS_URL
from tests.support.api_workers import two_in_process_workers
from tests.support.workspace import build_workspace, login, say, start_chat

pytestmark = pytest.mark.skipif(
    not TEST_REDIS_URL, reason="set BATON_TEST_REDIS_URL to test announcements between workers"
)


def test_an_erasure_through_one_worker_destroys_the_key_the_other_had_cached(
    settings: Settings, db: Database, tiny_classifier: IntentClassifier
) -> None:
    with two_in_process_workers(settings, tiny_classifier) as (a, b):
        workspace = build_workspace(a.app.state.db)
        conversation_id, visitor = start_chat(a.client, workspace.a.inbox_public_id)
        say(a.client, conversation_id, visitor, "my card still hasn't arrived")
        with a.app.state.db.session() as session:
            contact_id = session.get(Conversation, conversation_id).contact_id
            key_ref = session.get(Contact, contact_id).key_ref
        keystore_a = a.app.state.db.keys.keystore
        keystore_a.cipher(key_ref)  # worker A now holds the unwrapped key

        login(b.client, workspace.a.users["admin"][1])
        erased = b.client.post(f"/api/v1/admin/privacy/contacts/{contact_id}/erase")
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
