"""Whole conversations replayed through the customer's turn (`baton escalation eval`): what a
customer notices. A request for a person in Tagalog or Swahili is handed over as a request; a
customer who says the answer worked, after the bot asked which topic they meant, is thanked,
not handed over as the bot's third failure; nor is one who moved on to a new question, for
the bot's misses on the old one."""

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
        "id": "tagalog-request",
        "messages": ["Magkano po ang fee?", "Pwede po ba akong makausap ng totoong tao?"],
        "expect_escalate": True,
        "expect_reason": "explicit_request",
    },
    {
        "id": "swahili-request",
        "messages": ["Naomba kuongea na mhudumu wa benki, si roboti"],
        "expect_escalate": True,
        "expect_reason": "explicit_request",
    },
    {
        "id": "closing-after-a-question",
        "messages": [
            "Can I add a second checked bag to my flight after booking?",
            "brilliant, found it under manage booking",
            "one more thing - is the 23kg per bag or for both together?",
        ],
        "expect_escalate": False,
        "expect_reason": "none",
    },
    {
        "id": "done-then-a-new-question",
        "messages": [
            "How do I set up a savings pot for a holiday?",
            "Done!",
            "Actually can I give it a name?",
        ],
        "expect_escalate": False,
        "expect_reason": "none",
    },
    {
        "id": "solved-then-a-new-question-then-one-miss",
        "messages": [
            "How do I freeze my card?",
            "thanks, that worked",
            "How do I order a new card?",
            "no that's not it",
        ],
        "expect_escalate": False,
        "expect_reason": "none",
    },
    {
        "id": "lovely-then-another-question",
        "messages": [
            "Do you do gift wrapping?",
            "Lovely",
            "Actually the morning delivery slot is better for me, can I switch it?",
            "perfect, that worked",
        ],
        "expect_escalate": False,
        "expect_reason": "none",
    },
    {
        "id": "thanks-all-sorted",
        "messages": ["how do I freeze my card", "thanks, all sorted!"],
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


@pytest.mark.parametrize("rules_only", [True, False], ids=["rules", "rules-and-model"])
def test_requests_hand_over_and_closings_do_not(
    tmp_path: Path, cli_env: Path, rules_only: bool
) -> None:
    path = tmp_path / "conversations.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in CONVERSATIONS) + "\n", encoding="utf-8")
    args = ["eval", str(path), "--model-dir", str(cli_env), "--json"]
    result = runner.invoke(app, [*args, "--rules-only"] if rules_only else args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    by_id = {c["id"]: c for c in report["conversations"]}
    assert by_id["tagalog-request"]["reason"] == "explicit_request"
    assert by_id["tagalog-request"]["turn"] == 2
    assert by_id["swahili-request"]["reason"] == "explicit_request"
    for closing in (
        "closing-after-a-question",
        "done-then-a-new-question",
        "thanks-all-sorted",
        "solved-then-a-new-question-then-one-miss",
        "lovely-then-another-question",
    ):
        assert not by_id[closing]["escalated"], by_id[closing]
