"""`baton escalation`: evaluate the escalation policy, run the queue and SLA check."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from batondesk.config import get_settings
from batondesk.handoff.settings import DEFAULT_LEARNED_THRESHOLD

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
    rules_only: Annotated[
        bool, typer.Option("--rules-only", help="Without the learned escalation model")
    ] = False,
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
            if rules_only:
                setup = replace(setup, escalation_model=None)
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


@app.command("fit")
def fit_command(
    files: Annotated[
        list[Path], typer.Argument(help="JSONL sets of labelled conversations to learn from")
    ],
    validation: Annotated[
        Path | None,
        typer.Option(help="Labelled conversations to choose the threshold on (never a test set)"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the model (default: the shipped one)")
    ] = None,
    threshold: Annotated[
        float, typer.Option(min=0.5, max=1.0, help="Default threshold stored with the model")
    ] = DEFAULT_LEARNED_THRESHOLD,
    routine: Annotated[
        int,
        typer.Option(
            min=0,
            help="Everyday questions from the demo's intent data (BANKING77 train, security "
            "intents left out) taught as needing no person",
        ),
    ] = 1000,
) -> None:
    """Fit the learned escalation model (word and character n-grams, logistic regression) on
    labelled conversations; with --validation, print its figures there, model alone."""
    from batondesk.demo.content import SECURITY_INTENTS
    from batondesk.demo.training_data import TRAIN_FILE
    from batondesk.evaluation.conversations import (
        ConversationResult,
        EvaluationFileError,
        read_conversations,
        score,
    )
    from batondesk.handoff.learned import DEFAULT_MODEL_DIR, REASONS
    from batondesk.knowledge.embedding import default_embedder
    from batondesk.nlu import load_dataset
    from batondesk.training.escalation import fit_escalation_model, routine_examples

    try:
        conversations = [c for path in files for c in read_conversations(path)]
        held = read_conversations(validation) if validation is not None else []
    except (OSError, EvaluationFileError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    everyday: list[str] = []
    if routine:
        dataset = load_dataset(TRAIN_FILE)
        everyday = routine_examples(
            dataset.texts, dataset.labels, exclude=SECURITY_INTENTS, count=routine
        )
    embedder = default_embedder()
    if embedder is None:
        typer.echo("error: the sentence encoder cannot run here; the model needs it", err=True)
        raise typer.Exit(2)
    model = fit_escalation_model(
        [c.messages for c in conversations] + [[text] for text in everyday],
        [c.expect_reason for c in conversations] + ["none"] * len(everyday),
        threshold=threshold,
        embedder=embedder,
    )
    target = model.save(
        out or DEFAULT_MODEL_DIR,
        {
            "trained_on": [p.name for p in files],
            "conversations": len(conversations),
            "routine_messages": len(everyday),
        },
    )
    typer.echo(
        f"escalation model written to {target} ({len(conversations)} conversations, "
        f"{len(everyday)} everyday questions)"
    )
    if held:
        probabilities = model.probabilities([c.messages for c in held])
        for cut in (0.5, 0.6, 0.7, 0.8, 0.9):
            scores = score(
                [
                    ConversationResult(
                        c.id,
                        c.expect_escalate,
                        c.expect_reason,
                        escalated=bool(1 - p[0] >= cut),
                        reason=REASONS[1 + int(p[1:].argmax())] if 1 - p[0] >= cut else "none",
                        turn=None,
                    )
                    for c, p in zip(held, probabilities, strict=True)
                ]
            )
            typer.echo(
                f"threshold {cut:.1f}: F1 {scores.f1:.3f}, reason {scores.reason_accuracy:.3f}, "
                f"false escalations {scores.false_escalation_rate:.3f} (model alone, whole "
                "conversation)"
            )


@app.command("check")
def check_command(
    every: Annotated[
        float, typer.Option(help="Repeat every N seconds (0: run once and exit)")
    ] = 0.0,
) -> None:
    """Report SLA breaches, age waiting conversations, assign queued ones to available
    agents and wake snoozed ones whose time has come. The API server already does this
    in-process; use this with several workers or to run it from cron."""
    from batondesk.actions.handoff import run_queue_check
    from batondesk.actions.workflow import do_wake_due_snoozes
    from batondesk.store import init_store

    db = init_store(get_settings())
    try:
        while True:
            with db.session() as session:
                report = run_queue_check(session)
                woken = do_wake_due_snoozes(session)
            typer.echo(
                f"sla breaches: {len(report.breached)}, prioritised: {len(report.prioritised)}, "
                f"assigned: {len(report.assigned)}, woken from snooze: {len(woken)}"
            )
            if every <= 0:
                return
            time.sleep(every)
    finally:
        db.dispose()
