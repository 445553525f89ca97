"""`baton escalation`: evaluate the escalation policy, run the queue and SLA check."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from batondesk.config import get_settings

app = typer.Typer(no_args_is_help=True)


@app.command("eval")
def evaluate_command(
    file: Annotated[Path, typer.Argument(help="JSONL: one labelled conversation per line")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON")] = False,
    model_dir: Annotated[
        Path | None, typer.Option(help="Intent model directory (default: the active model)")
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(help="Replay against an account exactly as its customers meet it"),
    ] = None,
) -> None:
    """Replay each conversation through the customer's turn; report escalation precision,
    recall, F1, reason accuracy and false-escalation rate."""
    from batondesk.evaluation.conversations import (
        EvaluationFileError,
        read_conversations,
        replay,
        report_json,
        score,
    )
    from batondesk.evaluation.workspace import WorkspaceError, evaluation_setup

    try:
        conversations = read_conversations(file)
    except (OSError, EvaluationFileError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    started = time.perf_counter()
    results = []
    try:
        with (
            evaluation_setup(get_settings(), account=account, model=model_dir) as setup,
            typer.progressbar(conversations, label="replaying", file=sys.stderr) as bar,
        ):
            if setup.classifier is None:
                typer.echo(
                    "no active intent model: run `baton demo --no-serve` or `baton nlu train` "
                    "first (without one every question is unclear to the bot)",
                    err=True,
                )
                raise typer.Exit(2)
            for conversation in bar:
                results.append(replay(setup, conversation))
    except WorkspaceError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    elapsed = time.perf_counter() - started
    scores = score(results)
    if as_json:
        report = report_json(results, scores)
        report["seconds"] = round(elapsed, 2)
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(f"{'id':<16} {'expected':<18} {'decision':<10} {'turn':>4}  reason")
    for r in results:
        decision = "escalate" if r.escalated else "stay"
        mark = "" if r.correct else "  <-- wrong"
        typer.echo(
            f"{r.id:<16} {r.expect_reason:<18} {decision:<10} {r.turn or '-':>4}  {r.reason}{mark}"
        )
    typer.echo("")
    typer.echo(f"conversations          {scores.conversations}")
    typer.echo(f"precision              {scores.precision:.3f}")
    typer.echo(f"recall                 {scores.recall:.3f}")
    typer.echo(f"F1                     {scores.f1:.3f}")
    typer.echo(f"reason accuracy (TP)   {scores.reason_accuracy:.3f}")
    typer.echo(f"false-escalation rate  {scores.false_escalation_rate:.3f}")
    typer.echo(f"time                   {elapsed:.1f} s")


@app.command("check")
def check_command(
    every: Annotated[
        float, typer.Option(help="Repeat every N seconds (0: run once and exit)")
    ] = 0.0,
) -> None:
    """Report SLA breaches, age waiting conversations and assign queued ones to available
    agents. The API server already does this in-process; use this with several workers
    or to run it from cron."""
    from batondesk.actions.handoff import run_queue_check
    from batondesk.store import init_store

    db = init_store(get_settings())
    try:
        while True:
            with db.session() as session:
                report = run_queue_check(session)
            typer.echo(
                f"sla breaches: {len(report.breached)}, prioritised: {len(report.prioritised)}, "
                f"assigned: {len(report.assigned)}"
            )
            if every <= 0:
                return
            time.sleep(every)
    finally:
        db.dispose()
