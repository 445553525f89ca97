"""`baton escalation eval`: replay labelled conversations and report the figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from batondesk.cli.escalation import app
from batondesk.config import get_settings

runner = CliRunner()

CONVERSATIONS = [
    {
        "id": "routine",
        "messages": ["my card still hasn't arrived"],
        "expect_escalate": False,
        "expect_reason": "none",
    },
    {
        "id": "asks",
        "messages": ["I lost my card", "can a real person look at this?"],
        "expect_escalate": True,
        "expect_reason": "explicit_request",
    },
    {
        "id": "fraud",
        "messages": ["There's a payment on my card I don't recognise"],
        "expect_escalate": True,
        "expect_reason": "sensitive",
    },
    {
        "id": "hard-negative",
        "messages": ["My travel agent paid by card, what exchange rate do you use?"],
        "expect_escalate": False,
        "expect_reason": "none",
    },
]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch, tiny_classifier):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BATON_ENVIRONMENT", "test")
    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BATON_PASSWORD_HASHING", "fast")
    get_settings.cache_clear()
    model = tmp_path / "model"
    tiny_classifier.save(model)
    yield model
    get_settings.cache_clear()


def _write(tmp_path: Path, rows: list[dict]) -> Path:  # type: ignore[type-arg]
    path = tmp_path / "conversations.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_eval_reports_decisions_and_scores(tmp_path: Path, cli_env: Path) -> None:
    path = _write(tmp_path, CONVERSATIONS)
    result = runner.invoke(app, ["eval", str(path), "--model-dir", str(cli_env), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    by_id = {c["id"]: c for c in report["conversations"]}
    assert by_id["asks"]["escalated"] and by_id["asks"]["turn"] == 2
    assert by_id["asks"]["reason"] == "explicit_request"
    assert by_id["fraud"]["reason"] == "sensitive" and by_id["fraud"]["turn"] == 1
    assert not by_id["hard-negative"]["escalated"]
    scores = report["scores"]
    assert scores["conversations"] == 4
    assert {"precision", "recall", "f1", "reason_accuracy", "false_escalation_rate"} <= set(scores)
    assert scores["recall"] == 1.0 and scores["reason_accuracy"] == 1.0

    table = runner.invoke(app, ["eval", str(path), "--model-dir", str(cli_env)])
    assert table.exit_code == 0, table.output
    assert "F1" in table.output and "false-escalation rate" in table.output


def test_eval_names_the_bad_line(tmp_path: Path, cli_env: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps(CONVERSATIONS[0])
        + "\n"
        + '{"id": "x", "messages": [], "expect_escalate": true}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["eval", str(path), "--model-dir", str(cli_env)])
    assert result.exit_code == 2
    assert "bad.jsonl:2" in result.output and "messages" in result.output


def test_the_development_set_is_well_formed() -> None:
    from batondesk.evaluation.conversations import read_conversations

    path = Path(__file__).parents[2] / "benchmarks" / "data" / "escalation_dev.jsonl"
    conversations = read_conversations(path)
    assert len(conversations) >= 150
    routine = sum(not c.expect_escalate for c in conversations)
    assert routine >= len(conversations) * 0.45
