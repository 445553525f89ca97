"""`baton nlu retrain`, `baton nlu slices` and the scheduled retrain, as an operator meets
them: the gate's verdict per slice in the output, exit status 3 for a refusal, a refused
candidate that `models promote` will not activate, and a schedule that stays off until an
admin switches it on."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from batondesk.actions.model_candidates import accounts_due_for_retrain
from batondesk.cli.nlu import app as nlu_app
from batondesk.config import Settings
from batondesk.engine.intent_models import IntentModels
from batondesk.jobs.definitions import JobRun, retrain_models
from batondesk.nlu import IntentClassifier
from batondesk.nlu.dataset import save_dataset
from batondesk.privacy.consent import do_set_consent
from batondesk.store import Database
from batondesk.store.models import Conversation, ModelCandidate
from tests.support.slices import bilingual_training, english_training, evaluation_set, write_jsonl
from tests.support.workspace import Workspace, say, start_chat

runner = CliRunner()


def _account_model(settings: Settings, workspace: Workspace, tmp_path: Path) -> Path:
    data = bilingual_training()
    model = IntentClassifier(use_encoder=False).fit(data.texts, data.labels)
    registry = IntentModels(settings.models_dir).registry(workspace.a.account_id)
    registry.register(model.save(tmp_path / "v1"), "v1")
    registry.promote("v1")
    return tmp_path / "v1"


def test_retrain_prints_the_gate_per_slice_and_exits_3_when_refused(
    cli_env: None, settings: Settings, workspace: Workspace, tmp_path: Path
) -> None:
    _account_model(settings, workspace, tmp_path)
    base = save_dataset(bilingual_training(), tmp_path / "base.csv")
    evaluation = write_jsonl(evaluation_set(), tmp_path / "evaluation.jsonl")

    passed = runner.invoke(
        nlu_app,
        ["retrain", "--account", "north", "--base", str(base), "--eval", str(evaluation)],
    )
    assert passed.exit_code == 0, passed.output
    assert ": shadow; gate passed" in passed.output
    assert "language=es" in passed.output and "language=en" in passed.output

    english = save_dataset(english_training(), tmp_path / "english.csv")
    refused = runner.invoke(nlu_app, ["retrain", "--account", "north", "--base", str(english)])
    assert refused.exit_code == 3, refused.output
    assert "refused: " in refused.output
    line = next(x for x in refused.output.splitlines() if x.startswith("language=es"))
    assert line.rstrip().endswith("dropped")
    version = refused.output.split("candidate ", 1)[1].split(" ", 1)[0]

    promoted = runner.invoke(nlu_app, ["models", "promote", version, "--account", "north"])
    assert promoted.exit_code == 1
    assert "refused by the regression gate" in promoted.output


def test_retrain_without_an_evaluation_set_fails_with_the_way_out(
    cli_env: None, settings: Settings, workspace: Workspace, tmp_path: Path
) -> None:
    _account_model(settings, workspace, tmp_path)
    result = runner.invoke(nlu_app, ["retrain", "--account", "north"])
    assert result.exit_code == 1
    assert "--eval FILE" in result.output


def test_slices_reports_accuracy_out_of_scope_and_escalation_per_slice(
    cli_env: None, settings: Settings, workspace: Workspace, tmp_path: Path
) -> None:
    model = _account_model(settings, workspace, tmp_path)
    evaluation = write_jsonl(evaluation_set(), tmp_path / "evaluation.jsonl")

    alone = runner.invoke(nlu_app, ["slices", str(evaluation), "--model", str(model)])
    assert alone.exit_code == 0, alone.output
    rows = {line.split()[0]: line.split() for line in alone.output.splitlines() if line}
    assert rows["overall"][1] == "44"
    assert rows["language=es"][1] == "22" and rows["language=en"][1] == "22"
    assert rows["language=es"][-1] == "-"  # the model alone: escalation not measured

    turn = runner.invoke(nlu_app, ["slices", str(evaluation), "--account", "north", "--json"])
    assert turn.exit_code == 0, turn.output
    report = json.loads(turn.output)
    # Through the account's turn, each slice's escalation rate is measured.
    assert all(0 <= s["escalation_rate"] <= 1 for s in [report["overall"], *report["slices"]])

    untagged = save_dataset(english_training(), tmp_path / "plain.csv")
    refused = runner.invoke(nlu_app, ["slices", str(untagged), "--model", str(model)])
    assert refused.exit_code == 1
    assert "no slice tags" in refused.output


def test_the_scheduled_retrain_is_off_until_an_admin_switches_it_on(
    settings: Settings,
    workspace: Workspace,
    client: TestClient,
    agent: TestClient,
    admin: TestClient,
    db: Database,
    tmp_path: Path,
) -> None:
    from batondesk.training.retraining import LearningFiles

    _account_model(settings, workspace, tmp_path)
    files = LearningFiles(IntentModels(settings.models_dir).registry(workspace.a.account_id))
    files.store_base(save_dataset(bilingual_training(), tmp_path / "base.csv"))
    files.store_evaluation(write_jsonl(evaluation_set(), tmp_path / "evaluation.jsonl"))
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    message = say(client, conversation_id, visitor, "my card never came")["message"]
    agent.post(f"/api/v1/messages/{message['id']}/intent", json={"intent": "card_arrival"})
    item = agent.get("/api/v1/review-queue").json()["data"][0]
    agent.post(
        "/api/v1/review-queue/labels",
        json={"labels": [{"id": item["id"], "kind": "intent", "intent": "card_arrival"}]},
    )
    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        do_set_consent(session, workspace.a.account_id, conversation.contact_id, "training", True)

    assert accounts_due_for_retrain(db) == []  # off by default
    switched = admin.put(
        "/api/v1/admin/settings/learning",
        json={"auto_retrain": True, "retrain_min_new_examples": 1},
    )
    assert switched.status_code == 200, switched.text
    assert accounts_due_for_retrain(db) == [workspace.a.account_id]

    run = JobRun(settings, db, "job-1", IntentModels(settings.models_dir))
    retrain_models(run)

    with db.session() as session:
        candidates = list(session.scalars(select(ModelCandidate)))
        assert [(c.trigger, c.reviewed_examples) for c in candidates] == [("schedule", 1)]
    # Just trained: not due again until `retrain_every_days` have passed.
    assert accounts_due_for_retrain(db) == []
