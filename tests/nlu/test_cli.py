from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from batondesk.cli.nlu import app

runner = CliRunner()


def write_training_file(tmp_path: Path, examples: dict[str, list[str]]) -> Path:
    lines = [
        json.dumps({"text": t, "intent": label}) for label, texts in examples.items() for t in texts
    ]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_train_eval_predict_and_registry(tmp_path: Path) -> None:
    from tests.nlu.conftest import EXAMPLES

    data = write_training_file(tmp_path, EXAMPLES)
    model = tmp_path / "model"
    result = runner.invoke(app, ["train", "--data", str(data), "--out", str(model), "--no-encoder"])
    assert result.exit_code == 0, result.output
    assert (model / "metadata.json").is_file()

    result = runner.invoke(
        app, ["eval", "--model", str(model), "--data", str(data), "--json", "--latency-calls", "5"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["accuracy"] > 0.9 and "robustness" in summary

    result = runner.invoke(app, ["predict", "--model", str(model), "refund please", "--json"])
    assert json.loads(result.output)["intent"] == "refund"

    registry = tmp_path / "registry"
    result = runner.invoke(
        app,
        [
            "models",
            "register",
            "--registry",
            str(registry),
            str(model),
            "--version",
            "v1",
            "--promote",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "--model", str(registry), "forgot my password"])
    assert result.output.startswith("password")
    assert "* v1" in runner.invoke(app, ["models", "list", "--registry", str(registry)]).output


def test_bad_training_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,greet\n,greet\n", encoding="utf-8")
    result = runner.invoke(app, ["train", "--data", str(bad), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "bad.csv, line 3: empty text" in result.output
