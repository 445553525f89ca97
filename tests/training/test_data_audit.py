"""`baton data audit` and `baton data clean` on a small file with planted problems.

tests/training/data/noisy_intents.csv (52 examples, 4 intents) plants, by row (1-based among
the examples; the file line is one more, after the header):
- row 24: a card-arrival message labelled exchange_rate (a mislabel);
- rows 25, 48, 49: the same text three times, twice only differing in case (exact duplicates);
- rows 33 and 50: the same text labelled top_up and lost_card (conflicting labels);
- row 47: a phone number and an email address (personal data);
- rows 1 and 51: the same words, different punctuation (near duplicates);
- row 52: markup, which the HTML report must show as text.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from batondesk.cli.data import app
from batondesk.nlu.dataset import load_dataset, save_dataset
from batondesk.training.audit_report import render_html
from batondesk.training.dataset_audit import audit_dataset

FIXTURE = Path(__file__).parent / "data" / "noisy_intents.csv"
PERSONAL_VALUES = ("jane.doe@example.com", "+44 20 7946 0958", "7946")
runner = CliRunner()


@pytest.fixture(scope="module")
def audit() -> dict[str, Any]:
    return audit_dataset(load_dataset(FIXTURE), folds=5)


def rows(refs: list[dict[str, Any]]) -> list[int]:
    return [ref["row"] for ref in refs]


def test_audit_finds_the_planted_problems(audit: dict[str, Any]) -> None:
    assert [rows(group["rows"]) for group in audit["exact_duplicates"]] == [[25, 48, 49]]
    assert [rows(group["rows"]) for group in audit["conflicting_labels"]] == [[33, 50]]
    mislabel = next(issue for issue in audit["likely_mislabels"] if issue["row"] == 24)
    assert mislabel["intent"] == "exchange_rate"
    assert mislabel["suggested_intent"] == "card_arrival"
    assert mislabel["line"] == 25
    assert [(hit["row"], hit["types"]) for hit in audit["personal_data"]["examples"]] == [
        (47, ["email", "phone"])
    ]
    assert [(p["a"]["row"], p["b"]["row"]) for p in audit["near_duplicates"]] == [(1, 51)]
    assert audit["intents"]["counts"] == {
        "card_arrival": 13,
        "exchange_rate": 12,
        "top_up": 15,
        "lost_card": 12,
    }
    assert audit["languages"]["main"] == "en"
    # The planted mislabel mixes card_arrival and exchange_rate up on held-out folds.
    assert any(
        {pair["a"], pair["b"]} == {"card_arrival", "exchange_rate"}
        for pair in audit["confusable_intents"]
    )


def test_reports_show_personal_data_only_redacted(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", str(FIXTURE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    json_report = (tmp_path / "noisy_intents-audit.json").read_text(encoding="utf-8")
    html_report = (tmp_path / "noisy_intents-audit.html").read_text(encoding="utf-8")
    for text in (json_report, html_report, result.output):
        for value in PERSONAL_VALUES:
            assert value not in text
    assert "lost card please call me on [PHONE] or mail [EMAIL]" in json_report
    assert "[PHONE] or mail [EMAIL]" in html_report
    assert json.loads(json_report)["summary"]["rows_with_personal_data"] == 1


def test_html_report_shows_markup_as_text(audit: dict[str, Any]) -> None:
    page = render_html(audit)
    assert "<b>top up</b>" not in page
    assert "Likely mislabels (" in page and "Conflicting labels (1 text)" in page


def read_log(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_clean_writes_the_cleaned_file_and_logs_every_change(tmp_path: Path) -> None:
    out = tmp_path / "clean.csv"
    result = runner.invoke(
        app, ["clean", str(FIXTURE), "--out", str(out), "--mislabels", "relabel"]
    )
    assert result.exit_code == 0, result.output
    changes = {int(row["row"]): row for row in read_log(tmp_path / "clean.changes.csv")}
    assert changes[24]["action"] == "relabelled"
    assert (changes[24]["intent_before"], changes[24]["intent_after"]) == (
        "exchange_rate",
        "card_arrival",
    )
    for row in (48, 49):
        assert (changes[row]["action"], changes[row]["reason"]) == ("dropped", "exact_duplicate")
        assert "row 25" in changes[row]["detail"]
    for row in (33, 50):
        assert (changes[row]["action"], changes[row]["reason"]) == ("dropped", "conflicting_labels")
    assert (changes[47]["action"], changes[47]["reason"]) == ("redacted", "personal_data")
    assert all(value not in changes[47]["text"] for value in PERSONAL_VALUES)

    cleaned = load_dataset(out)
    original = load_dataset(FIXTURE)
    dropped = sum(change["action"] == "dropped" for change in changes.values())
    assert len(cleaned) == len(original) - dropped
    assert "is there a fee to top up" not in cleaned.texts
    assert cleaned.texts.count("how do I top up my account") == 1
    relabelled = cleaned.texts.index(original.texts[23])
    assert cleaned.labels[relabelled] == "card_arrival"
    assert "lost card please call me on [PHONE] or mail [EMAIL]" in cleaned.texts
    # Every change is in the log, and nothing else changed.
    unchanged = [i for i in range(len(original)) if i + 1 not in changes]
    assert all(
        (original.texts[i], original.labels[i]) in zip(cleaned.texts, cleaned.labels, strict=True)
        for i in unchanged
    )


def test_clean_drops_mislabels_by_default_and_can_reuse_a_reviewed_audit(tmp_path: Path) -> None:
    runner.invoke(app, ["audit", str(FIXTURE), "--out", str(tmp_path)])
    out = tmp_path / "clean.jsonl"
    result = runner.invoke(
        app,
        [
            "clean",
            str(FIXTURE),
            "--out",
            str(out),
            "--audit",
            str(tmp_path / "noisy_intents-audit.json"),
            "--changes",
            str(tmp_path / "log.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    log = json.loads((tmp_path / "log.json").read_text(encoding="utf-8"))
    assert {"row": 24, "action": "dropped", "reason": "likely_mislabel"}.items() <= next(
        change for change in log if change["row"] == 24
    ).items()
    assert "I ordered a card ages ago and it still has not been delivered" not in (
        load_dataset(out).texts
    )


def test_rasa_yaml_audit_points_at_the_file_lines(tmp_path: Path) -> None:
    path = save_dataset(load_dataset(FIXTURE), tmp_path / "nlu.yml")
    lines = path.read_text(encoding="utf-8").splitlines()
    report = audit_dataset(load_dataset(path), folds=3)
    (conflict,) = report["conflicting_labels"]
    for ref in conflict["rows"]:
        assert lines[ref["line"] - 1].strip() == "- is there a fee to top up"


def test_clean_refuses_an_audit_of_other_data(tmp_path: Path) -> None:
    runner.invoke(app, ["audit", str(FIXTURE), "--out", str(tmp_path)])
    other = tmp_path / "other.csv"
    other.write_text(FIXTURE.read_text(encoding="utf-8") + "one more row,top_up\n", "utf-8")
    result = runner.invoke(
        app,
        [
            "clean",
            str(other),
            "--out",
            str(tmp_path / "clean.csv"),
            "--audit",
            str(tmp_path / "noisy_intents-audit.json"),
        ],
    )
    assert result.exit_code == 1
    assert "fingerprints differ" in result.output
    assert not (tmp_path / "clean.csv").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "missing.csv: no such file"),
        ("cols.csv", "message,label\nhi,greet\n", "header must name a 'text' column"),
        ("bad.yml", "nlu:\n- intent: greet\n  examples: |\n    - hi\n  - [\n", "invalid YAML"),
        ("one.csv", "text,intent\nhi,greet\nhello,greet\n", "at least two intents"),
    ],
)
def test_bad_input_gets_a_clear_error(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    for command in (["audit", str(path)], ["clean", str(path), "--out", str(tmp_path / "o.csv")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1
        assert message in result.output
    # The error names the file.
    assert name in result.output


def test_clean_names_a_bad_audit_file_or_output_format(tmp_path: Path) -> None:
    not_an_audit = tmp_path / "notes.json"
    not_an_audit.write_text('{"hello": 1}', encoding="utf-8")
    result = runner.invoke(
        app,
        ["clean", str(FIXTURE), "--out", str(tmp_path / "c.csv"), "--audit", str(not_an_audit)],
    )
    assert result.exit_code == 1 and "notes.json: not a dataset audit report" in result.output
    runner.invoke(app, ["audit", str(FIXTURE), "--out", str(tmp_path)])
    result = runner.invoke(
        app,
        [
            "clean",
            str(FIXTURE),
            "--out",
            str(tmp_path / "c.xlsx"),
            "--audit",
            str(tmp_path / "noisy_intents-audit.json"),
        ],
    )
    assert result.exit_code == 1 and "unknown format '.xlsx'" in result.output
