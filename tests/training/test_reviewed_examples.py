"""`baton data reviewed-examples`: the review queue's labelled examples as a training file a
retrain reads, with only consenting contacts' messages, redacted, and none of an erased one."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from batondesk.cli.data import app as data_app
from batondesk.nlu.dataset import load_dataset
from batondesk.privacy.consent import do_set_consent
from batondesk.privacy.erasure import do_erase_contact
from batondesk.store import Database
from batondesk.store.models import Conversation
from tests.support.workspace import Workspace, say, start_chat

runner = CliRunner()


def _ask(client: TestClient, workspace: Workspace, db: Database, text: str, consent: bool) -> int:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    say(client, conversation_id, visitor, text)
    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        if consent:
            do_set_consent(
                session, workspace.a.account_id, conversation.contact_id, "training", True
            )
        return conversation.contact_id


def test_the_file_holds_consented_redacted_examples_in_the_training_format(
    cli_env: None,
    client: TestClient,
    workspace: Workspace,
    agent: TestClient,
    db: Database,
    tmp_path: Path,
) -> None:
    _ask(client, workspace, db, "can I buy bitcoin? mail me at anna.berg@example.com", True)
    _ask(client, workspace, db, "do you support crypto trading", False)
    erased = _ask(client, workspace, db, "is it possible to buy ethereum", True)
    queue = agent.get("/api/v1/review-queue").json()["data"]
    labels = [
        {"id": item["id"], "kind": "new_intent", "intent": "crypto"}
        for item in queue
        if "bitcoin" in item["text"] or "crypto" in item["text"] or "ethereum" in item["text"]
    ]
    assert len(labels) == 3
    assert agent.post("/api/v1/review-queue/labels", json={"labels": labels}).status_code == 200
    with db.session() as session:
        do_erase_contact(session, workspace.a.account_id, erased)

    out = tmp_path / "reviewed.csv"
    result = runner.invoke(data_app, ["reviewed-examples", str(out), "--account", "north"])
    assert result.exit_code == 0, result.output
    assert "1 reviewed examples" in result.output
    assert out.read_text(encoding="utf-8").splitlines() == [
        "text,category",
        "can I buy bitcoin? mail me at [EMAIL],crypto",
    ]
    dataset = load_dataset(out)
    assert list(dataset.labels) == ["crypto"]

    refused = runner.invoke(
        data_app, ["reviewed-examples", str(tmp_path / "x.json"), "--account", "north"]
    )
    assert refused.exit_code == 1
    assert ".csv" in refused.output
    unknown = runner.invoke(data_app, ["reviewed-examples", str(out), "--account", "nowhere"])
    assert unknown.exit_code == 2
