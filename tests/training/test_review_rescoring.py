"""The review queue follows the model in use: once a retrained model answers the account, the
pending items carry its reading (prediction, confidence, margin), so what the reviewer sees
first is what the current model hesitates on; labelled items keep the reading they were
labelled with."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from batondesk.cli.nlu import app as nlu_app
from batondesk.engine.services import TurnServices
from batondesk.nlu import Dataset, IntentClassifier
from tests.support.slices import bilingual_training, customer_says, prepare_account_model
from tests.support.workspace import Workspace

QUEUE = "/api/v1/review-queue"
# A phrasing the first model has never seen ("walkabout plastic": a lost card).
NEW_PHRASING = [
    "walkabout plastic, any news",
    "my plastic went walkabout",
    "plastic gone walkabout again",
    "the plastic is walkabout, help",
]


def _file_and_teach(
    client: TestClient,
    reviewer: TestClient,
    workspace: Workspace,
    services: TurnServices,
    folder: Path,
) -> tuple[list[int], dict[int, dict[str, Any]]]:
    """The account answers with the first model; customers write in the new phrasing, which
    files each message; a model that has learnt the phrasing is registered as `v2`."""
    prepare_account_model(services, workspace.a.account_id, folder)
    message_ids = [customer_says(client, workspace, text)[1] for text in NEW_PHRASING]
    before = _items(reviewer, message_ids)
    assert len(before) == len(NEW_PHRASING), "the first model's doubt files every one"
    assert all(item["scored_by"] is None for item in before.values())
    base = bilingual_training()
    taught = Dataset(
        [*base.texts, "walkabout plastic", "my plastic is walkabout", "plastic walkabout"],
        [*base.labels, *["lost_or_stolen_card"] * 3],
    )
    model = IntentClassifier(use_encoder=False).fit(taught.texts, taught.labels)
    services.models.registry(workspace.a.account_id).register(model.save(folder / "v2"), "v2")
    return message_ids, before


def _items(reviewer: TestClient, message_ids: list[int]) -> dict[int, dict[str, Any]]:
    listed = reviewer.get(QUEUE, params={"status": "all", "limit": 200})
    assert listed.status_code == 200, listed.text
    return {i["message_id"]: i for i in listed.json()["data"] if i["message_id"] in message_ids}


def test_a_promoted_model_reads_the_pending_items_again(
    client: TestClient,
    admin: TestClient,
    workspace: Workspace,
    services: TurnServices,
    tmp_path: Path,
) -> None:
    message_ids, before = _file_and_teach(client, admin, workspace, services, tmp_path)
    labelled_id = message_ids[0]
    label = {"id": before[labelled_id]["id"], "kind": "intent", "intent": "lost_or_stolen_card"}
    assert admin.post(f"{QUEUE}/labels", json={"labels": [label]}).status_code == 200

    promoted = admin.post("/api/v1/admin/models/promote", json={"version": "v2"})
    assert promoted.status_code == 200, promoted.text

    deadline = time.monotonic() + 60
    pending = [i for i in message_ids if i != labelled_id]
    after = _items(admin, message_ids)
    while any(after[i]["scored_by"] != "v2" for i in pending) and time.monotonic() < deadline:
        time.sleep(0.2)
        after = _items(admin, message_ids)
    for message_id in pending:
        assert after[message_id]["scored_by"] == "v2"
        assert after[message_id]["predicted_intent"] == "lost_or_stolen_card"
        assert after[message_id]["confidence"] > (before[message_id]["confidence"] or 0.0)
    # The labelled one keeps what the reviewer saw when labelling it.
    kept = after[labelled_id]
    assert kept["scored_by"] is None
    assert kept["predicted_intent"] == before[labelled_id]["predicted_intent"]
    assert kept["confidence"] == before[labelled_id]["confidence"]


def test_an_operator_promoting_from_the_command_line_waits_for_the_queue_to_be_read_again(
    client: TestClient,
    agent: TestClient,
    workspace: Workspace,
    services: TurnServices,
    cli_env: None,
    tmp_path: Path,
) -> None:
    message_ids, _before = _file_and_teach(client, agent, workspace, services, tmp_path)
    promoted = CliRunner().invoke(nlu_app, ["models", "promote", "v2", "--account", "north"])
    assert promoted.exit_code == 0, promoted.output
    assert "review queue: 4 pending items read again by v2" in promoted.output
    after = _items(agent, message_ids)
    assert {item["scored_by"] for item in after.values()} == {"v2"}
