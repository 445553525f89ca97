"""`baton experiments`: create from a JSON file, list, start, read results, stop; a bad file
or an unknown account exits with status 2 naming the problem."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from batondesk.cli.experiments import app
from tests.experiments.test_experiments_api import greeting_experiment

runner = CliRunner()


def test_an_experiment_from_the_command_line(tmp_path: Path, cli_env, workspace) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "greeting.json"
    spec.write_text(json.dumps(greeting_experiment()), encoding="utf-8")
    created = runner.invoke(app, ["create", str(spec), "--account", "north"])
    assert created.exit_code == 0, created.output
    assert "'warm-greeting' created as a draft" in created.output

    listed = runner.invoke(app, ["list", "--account", "north"])
    assert "warm-greeting" in listed.output and "draft" in listed.output
    assert "control (control) x1" in listed.output
    assert runner.invoke(app, ["list", "--account", "south"]).output.strip() == "no experiments"

    assert runner.invoke(app, ["start", "warm-greeting", "--account", "north"]).exit_code == 0
    results = runner.invoke(app, ["results", "warm-greeting", "--account", "north"])
    assert results.exit_code == 0, results.output
    assert "primary metric: containment" in results.output
    assert "sample ratio: ok" in results.output
    as_json = runner.invoke(app, ["results", "warm-greeting", "--account", "north", "--json"])
    assert [a["key"] for a in json.loads(as_json.output)["arms"]] == ["control", "warm"]

    stopped = runner.invoke(
        app, ["stop", "warm-greeting", "--account", "north", "--reason", "seen enough"]
    )
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    again = runner.invoke(app, ["stop", "warm-greeting", "--account", "north", "--reason", "x"])
    assert again.exit_code == 2 and "only a running one can stop" in again.output
    assert "stopped: none" in runner.invoke(app, ["check"]).output


def test_bad_input_exits_2_naming_the_problem(tmp_path: Path, cli_env, workspace) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "bad.json"
    spec.write_text(json.dumps(greeting_experiment(primary_metric="revenue")), encoding="utf-8")
    refused = runner.invoke(app, ["create", str(spec), "--account", "north"])
    assert refused.exit_code == 2 and "primary_metric" in refused.output
    spec.write_text("{not json", encoding="utf-8")
    assert runner.invoke(app, ["create", str(spec), "--account", "north"]).exit_code == 2
    unknown = runner.invoke(app, ["list", "--account", "nowhere"])
    assert unknown.exit_code == 2 and "no account with slug 'nowhere'" in unknown.output
    missing = runner.invoke(app, ["start", "nope", "--account", "north"])
    assert missing.exit_code == 2 and "experiment 'nope' not found" in missing.output
