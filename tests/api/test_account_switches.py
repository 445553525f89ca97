"""A worker remembers whether an account runs an experiment and has a webhook endpoint while
the account's configuration version stays the same, and skips both reads at each message when
it has neither (store/config_version.py, AccountSwitches). Switching either on reaches the
very next message; the guardrail check's stamp on a running experiment changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from batondesk.actions.experiments import run_experiment_check
from batondesk.config import Settings
from batondesk.store import Database
from batondesk.store.models import Account, Event, Experiment, WebhookDelivery
from tests.experiments.test_experiments_api import URL, greeting_experiment
from tests.support.workspace import Workspace, say, start_chat

CARD_QUESTION = "my card still hasn't arrived"
# Nothing listens there: the test reads the deliveries queued, not their arrival.
RECEIVER = "http://127.0.0.1:9/baton"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"allow_private_destinations": True})


def _version(db: Database, account_id: int) -> int:
    with db.session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        return account.config_version


def _new_chat(client: TestClient, workspace: Workspace, text: str) -> int:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    say(client, conversation_id, visitor, text)
    return conversation_id


def test_a_webhook_endpoint_added_after_a_message_gets_the_next_messages_events(
    client: TestClient, admin: TestClient, workspace: Workspace, db: Database
) -> None:
    _new_chat(client, workspace, CARD_QUESTION)  # remembered: no endpoint
    version = _version(db, workspace.a.account_id)
    created = admin.post(
        "/api/v1/admin/webhooks",
        json={"url": RECEIVER, "event_types": ["message.received"]},
    )
    assert created.status_code == 201, created.text
    assert _version(db, workspace.a.account_id) > version

    conversation_id = _new_chat(client, workspace, CARD_QUESTION)
    with db.session() as session:
        queued = session.scalars(
            select(WebhookDelivery.event_id)
            .join(Event, Event.id == WebhookDelivery.event_id)
            .where(Event.conversation_id == conversation_id)
        ).all()
    assert len(queued) == 1


def test_an_experiment_started_after_a_message_shapes_the_next_conversation(
    client: TestClient, admin: TestClient, workspace: Workspace, db: Database
) -> None:
    _new_chat(client, workspace, "hello")  # remembered: no experiment
    assert admin.post(URL, json=greeting_experiment()).status_code == 201
    assert admin.post(f"{URL}/warm-greeting/start").json()["status"] == "running"

    conversation_id = _new_chat(client, workspace, "hello")
    with db.session() as session:
        exposed = session.scalars(
            select(Event).where(
                Event.conversation_id == conversation_id, Event.type == "experiment.exposed"
            )
        ).all()
    assert len(exposed) == 1


def test_the_guardrail_check_leaves_the_configuration_version_alone(
    admin: TestClient, workspace: Workspace, db: Database
) -> None:
    assert admin.post(URL, json=greeting_experiment()).status_code == 201
    assert admin.post(f"{URL}/warm-greeting/start").json()["status"] == "running"
    version = _version(db, workspace.a.account_id)

    with db.session() as session:
        run_experiment_check(session)
    with db.session() as session:
        experiment = session.scalars(select(Experiment)).one()
        assert experiment.guardrails_checked_at is not None  # the check stamped it
    assert _version(db, workspace.a.account_id) == version

    assert admin.post(f"{URL}/warm-greeting/stop", json={"reason": "done"}).status_code == 200
    assert _version(db, workspace.a.account_id) > version
