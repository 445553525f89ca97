"""The learning loop end to end with real conversations and tiny real models: a retrain
learns only from consenting customers' redacted messages, the regression gate refuses a
candidate worse for one slice of customers, a candidate that passes runs in shadow beside the
active model, and promoting and rolling back are one click each, every step audited."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from batondesk.actions.model_candidates import run_retrain
from batondesk.actions.shadow_models import do_shadow_pass
from batondesk.engine.services import TurnServices
from batondesk.nlu import Dataset
from batondesk.nlu.dataset import save_dataset
from batondesk.privacy.erasure import do_erase_contact
from batondesk.store import Database
from batondesk.store.base import utcnow
from batondesk.store.models import CandidateStatus, Conversation
from batondesk.training.retraining import LearningFiles, RetrainError
from tests.support.slices import (
    bilingual_training,
    consent_to_training,
    customer_says,
    english_training,
    evaluation_set,
    prepare_account_model,
    reviewed,
    teach_a_new_phrasing,
    write_jsonl,
)
from tests.support.workspace import Workspace

MODELS = "/api/v1/learning/models"
AUDIT = "/api/v1/admin/privacy/audit"


@pytest.fixture
def account_model(services: TurnServices, workspace: Workspace, tmp_path: Path) -> LearningFiles:
    return prepare_account_model(services, workspace.a.account_id, tmp_path)


def _vocabulary(path: Path) -> set[str]:
    vocabulary = json.loads((path / "vocabulary.json").read_text(encoding="utf-8"))
    return {word for term in vocabulary["word_vocabulary"] for word in term.split()}


def _audited(admin: TestClient) -> list[str]:
    response = admin.get(AUDIT, params={"limit": 500})
    assert response.status_code == 200, response.text
    return [entry["action"] for entry in reversed(response.json())]


def test_a_retrain_learns_only_from_consenting_customers_redacted_messages(
    client: TestClient,
    workspace: Workspace,
    agent: TestClient,
    db: Database,
    services: TurnServices,
    account_model: LearningFiles,
) -> None:
    consenting = reviewed(
        client,
        workspace,
        agent,
        "my plastic went walkabout, write to quill.feather@example.com",
        "lost_or_stolen_card",
    )
    reviewed(client, workspace, agent, "the zebracorn card never turned up", "card_arrival")
    erased = reviewed(client, workspace, agent, "unicornfish card lost", "lost_or_stolen_card")
    for conversation_id in (consenting, erased):
        consent_to_training(db, workspace.a.account_id, conversation_id)
    with db.session() as session:
        contact = session.get(Conversation, erased)
        assert contact is not None
        do_erase_contact(session, workspace.a.account_id, contact.contact_id)

    outcome = run_retrain(db, services, workspace.a.account_id, trigger="cli")

    assert outcome.reviewed_examples == 1
    assert outcome.base_examples == len(bilingual_training())
    learned = _vocabulary(account_model.registry.get(outcome.version).path)
    assert "walkabout" in learned  # the consenting customer's words, redacted
    assert "zebracorn" not in learned  # no consent: never in a training set
    assert "unicornfish" not in learned  # consented, then erased: gone from later training
    assert not {"quill", "feather"} & learned  # the email address was redacted first


def test_the_gate_refuses_a_candidate_worse_for_one_slice_and_it_cannot_be_promoted(
    workspace: Workspace,
    db: Database,
    services: TurnServices,
    account_model: LearningFiles,
    admin: TestClient,
    tmp_path: Path,
) -> None:
    # The base data loses its Spanish examples: the candidate fails Spanish-speaking customers.
    account_model.store_base(save_dataset(english_training(), tmp_path / "english.csv"))

    outcome = run_retrain(db, services, workspace.a.account_id, trigger="cli")

    assert outcome.status == CandidateStatus.refused
    assert outcome.gate is not None
    assert "language=es" in [c.label for c in outcome.gate.dropped]
    listed = admin.get(MODELS).json()
    candidate = listed["candidates"][0]
    assert candidate["status"] == "refused"
    assert "language=es" in candidate["gate"]["summary"]
    assert candidate["shadow"] is None
    promoted = admin.post("/api/v1/admin/models/promote", json={"version": outcome.version})
    assert promoted.status_code == 409
    assert promoted.json()["error"]["code"] == "gate_refused"
    assert "language=es" in promoted.json()["error"]["message"]
    assert admin.get("/api/v1/admin/models").json()["active"] == "v1"
    audited = _audited(admin)
    assert audited[-2:] == ["model.candidate_trained", "model.gate_refused"]


def test_a_candidate_that_passes_runs_in_shadow_then_is_promoted_and_rolled_back(
    client: TestClient,
    workspace: Workspace,
    agent: TestClient,
    db: Database,
    services: TurnServices,
    account_model: LearningFiles,
    admin: TestClient,
) -> None:
    teach_a_new_phrasing(client, workspace, agent, db)

    outcome = run_retrain(db, services, workspace.a.account_id, trigger="cli")
    assert outcome.status == CandidateStatus.shadow, outcome.describe()

    # Live traffic after the shadow started: the candidate predicts, the active one answers.
    customer_says(client, workspace, "walkabout plastic")
    customer_says(client, workspace, "my card has been stolen")
    customer_says(client, workspace, "when will my card arrive")
    with db.session() as session:
        predicted = do_shadow_pass(
            session, services.models, workspace.a.account_id, now=utcnow() + timedelta(minutes=1)
        )
    assert predicted == 3
    with db.session() as session:  # a second pass finds nothing new
        assert do_shadow_pass(session, services.models, workspace.a.account_id) == 0

    candidate = admin.get(MODELS).json()["candidates"][0]
    assert candidate["status"] == "shadow"
    assert candidate["reviewed_examples"] == 2
    assert candidate["gate"]["passed"] is True
    assert candidate["shadow"]["predicted"] == 3
    assert candidate["shadow"]["agreed"] == 2
    assert candidate["shadow"]["agreement_rate"] == pytest.approx(2 / 3, abs=1e-3)
    disagreements = admin.get(f"{MODELS}/{candidate['id']}/disagreements").json()
    assert [(d["text"], d["candidate"]) for d in disagreements] == [
        ("walkabout plastic", "exchange_rate")
    ]
    assert agent.get(MODELS).status_code == 403

    promoted = admin.post("/api/v1/admin/models/promote", json={"version": outcome.version})
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["active"] == outcome.version
    assert admin.get(MODELS).json()["candidates"][0]["status"] == "promoted"
    rolled_back = admin.post("/api/v1/admin/models/rollback")
    assert rolled_back.status_code == 200, rolled_back.text
    assert rolled_back.json()["active"] == "v1"
    assert admin.get(MODELS).json()["candidates"][0]["status"] == "rolled_back"

    audited = _audited(admin)
    steps = [a for a in audited if a.startswith("model.")]
    assert steps == [
        "model.candidate_trained",
        "model.gate_passed",
        "model.shadow_started",
        "model.promoted",
        "model.rolled_back",
    ]
    verified = admin.get(f"{AUDIT}/verify")
    assert verified.status_code == 200 and verified.json()["ok"] is True


def test_a_retrain_without_a_frozen_evaluation_set_says_how_to_give_one(
    workspace: Workspace, db: Database, services: TurnServices
) -> None:
    with pytest.raises(RetrainError, match="--eval FILE"):
        run_retrain(db, services, workspace.a.account_id, trigger="cli")


def test_the_frozen_evaluation_set_is_not_replaced_by_accident(
    account_model: LearningFiles, tmp_path: Path
) -> None:
    other = Dataset(["hello there"], ["card_arrival"], tags=[{"language": "en"}])

    with pytest.raises(RetrainError, match="--replace-eval"):
        account_model.store_evaluation(write_jsonl(other, tmp_path / "other.jsonl"))
    same = account_model.store_evaluation(write_jsonl(evaluation_set(), tmp_path / "same.jsonl"))
    assert same == account_model.evaluation_path()


def test_learning_settings_are_validated_and_the_scheduled_retrain_is_off_by_default(
    admin: TestClient,
) -> None:
    settings = admin.get("/api/v1/admin/settings/learning").json()
    assert settings["auto_retrain"] is False
    assert settings["gate_margin_points"] == 2.0

    bad = admin.put("/api/v1/admin/settings/learning", json={"gate_margin_points": -1})
    assert bad.status_code == 422
    assert "gate_margin_points" in bad.json()["error"]["message"]
    on = admin.put(
        "/api/v1/admin/settings/learning", json={"auto_retrain": True, "retrain_every_days": 3}
    )
    assert on.status_code == 200, on.text
    assert on.json()["auto_retrain"] is True
    assert admin.get("/api/v1/admin/settings/learning").json()["retrain_every_days"] == 3


def test_intents_spelled_like_the_public_dataset_can_be_corrected_and_labelled(
    client: TestClient, workspace: Workspace, agent: TestClient, admin: TestClient
) -> None:
    # BANKING77 spells two of its intents its own way; the demo's model and articles keep them.
    for intent in ("Refund_not_showing_up", "reverted_card_payment?"):
        created = admin.post(
            "/api/v1/knowledge/articles",
            json={"title": f"About {intent}", "body": "Text.", "intents": [intent]},
        )
        assert created.status_code == 201, created.text

    reviewed(client, workspace, agent, "where is the refund the shop sent", "Refund_not_showing_up")
    reviewed(client, workspace, agent, "my payment came back", "reverted_card_payment?")

    labelled = agent.get("/api/v1/review-queue", params={"status": "labelled"}).json()["data"]
    assert sorted(item["label"] for item in labelled) == [
        "Refund_not_showing_up",
        "reverted_card_payment?",
    ]
    # A new intent still follows the naming rule.
    bad = agent.post(
        f"/api/v1/messages/{labelled[0]['message_id']}/intent", json={"intent": "Odd intent?"}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_intent"
