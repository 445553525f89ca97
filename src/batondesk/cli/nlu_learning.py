"""`baton nlu retrain` and `baton nlu slices`: the learning loop's retrain and the per-slice
(bias and dialect) report, mounted on `baton nlu` by cli/nlu.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

# Exit status of a retrain whose candidate the regression gate refused (not an error of the
# command: a script tells it from success and from failure).
REFUSED_EXIT = 3


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _account_id(db: Any, slug: str) -> int:
    from sqlalchemy import select

    from batondesk.store.models import Account

    with db.session() as session:
        account_id = session.scalars(select(Account.id).where(Account.slug == slug)).first()
    if account_id is None:
        _fail(f"no account with slug {slug!r}")
    return int(account_id)


def retrain(
    account: Annotated[str, typer.Option("--account", help="Slug of the account to retrain")],
    base: Annotated[
        Path | None,
        typer.Option(
            "--base",
            help="Base training data (CSV, JSON Lines, Rasa YAML), kept for later retrains "
            "(default: the stored one, or the demo's data for a model trained on it)",
        ),
    ] = None,
    evaluation: Annotated[
        Path | None,
        typer.Option(
            "--eval",
            help="Frozen evaluation set of the regression gate, kept for later retrains; "
            "slice tags (style, language, channel, tier) are judged one by one",
        ),
    ] = None,
    replace_eval: Annotated[
        bool, typer.Option("--replace-eval", help="Replace a different frozen evaluation set")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON")] = False,
) -> None:
    """Train a candidate on the base data plus the review queue's reviewed examples
    (consenting contacts only, redacted), judge it with the regression gate on the frozen
    evaluation set (overall and per slice) and, when it passes, run it in shadow beside the
    active model. It never becomes active here: an admin promotes it (console, Learning >
    Models, or `baton nlu models promote --account`). Exit status 3: refused by the gate."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from batondesk.actions.model_candidates import run_retrain
    from batondesk.config import get_settings
    from batondesk.engine.services import TurnServices
    from batondesk.privacy.audit import record_audit
    from batondesk.store import init_store
    from batondesk.store.models import CandidateStatus
    from batondesk.training.retraining import LearningFiles, RetrainError

    settings = get_settings()
    db = init_store(settings)
    try:
        account_id = _account_id(db, account)
        services = TurnServices.from_settings(settings)
        files = LearningFiles(services.models.registry(account_id))
        try:
            if base is not None:
                files.store_base(base)
            if evaluation is not None:
                before = files.evaluation_path()
                stored = files.store_evaluation(evaluation, replace=replace_eval)
                if before is None or replace_eval:
                    with db.session() as session:
                        record_audit(
                            session,
                            "model.evaluation_set_frozen",
                            account_id=account_id,
                            subject=stored.name,
                            details={"replaced": before is not None, "source": evaluation.name},
                        )
            # On stderr: stdout holds the outcome alone (--json reads cleanly).
            with Progress(
                TextColumn("{task.description:<32}"),
                BarColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            ) as bar:
                task = bar.add_task("training", total=1.0)
                outcome = run_retrain(
                    db,
                    services,
                    account_id,
                    trigger="cli",
                    progress=lambda step, done: bar.update(task, description=step, completed=done),
                    scoring_progress=lambda n: bar.update(
                        task, description=f"regression gate: {n} scored", completed=1.0
                    ),
                )
        except RetrainError as error:
            _fail(str(error))
    finally:
        db.dispose()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "version": outcome.version,
                    "status": str(outcome.status),
                    "base_examples": outcome.base_examples,
                    "reviewed_examples": outcome.reviewed_examples,
                    "gate": outcome.gate.to_dict() if outcome.gate else None,
                },
                indent=2,
            )
        )
    else:
        typer.echo(outcome.describe())
        if outcome.gate is not None:
            _print_comparisons(outcome.gate.to_dict()["comparisons"])
    if outcome.status == CandidateStatus.refused:
        raise typer.Exit(code=REFUSED_EXIT)


def _print_comparisons(comparisons: list[dict[str, Any]]) -> None:
    typer.echo(f"\n{'slice':<28}{'n':>6}{'active':>9}{'candidate':>11}{'change':>9}  verdict")
    for row in comparisons:
        label = "overall" if row["name"] == "overall" else f"{row['name']}={row['value']}"
        typer.echo(
            f"{label:<28}{row['examples']:>6}{row['active_accuracy']:>9.1%}"
            f"{row['candidate_accuracy']:>11.1%}{row['change_points']:>+9.1f}  {row['verdict']}"
        )


def slices(
    data: Annotated[Path, typer.Argument(help="Labelled file with slice tags (e.g. style)")],
    account: Annotated[
        str | None,
        typer.Option(
            "--account",
            help="Run each message through this account's real turn (measures escalation)",
        ),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="Model directory or registry (default: the account's answering model, "
            "or the server default's)",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Accuracy (with a 95% interval), out-of-scope rate and escalation rate overall and per
    slice (every value of every slice tag the file carries: style, language, channel,
    tier, ...). With --account each message is a new customer's first message through the
    account's turn; without it, the model alone (escalation not measured)."""
    from batondesk.cli.nlu import _load_data, _load_model, _resolve_model
    from batondesk.config import get_settings
    from batondesk.training.slices import model_outcomes, slice_report, turn_outcomes

    dataset = _load_data(data)
    if not dataset.tags:
        _fail(f"{data}: no slice tags (fields such as style, language, channel or tier)")
    classifier = _load_model(model) if model is not None else None
    settings = get_settings()
    if account is not None:
        from batondesk.engine.services import TurnServices
        from batondesk.evaluation.workspace import WorkspaceError, account_setup

        services = TurnServices.from_settings(settings)
        try:
            with account_setup(settings, services, account) as setup:
                outcomes = turn_outcomes(setup, dataset, classifier)
        except WorkspaceError as error:
            _fail(str(error))
    else:
        if classifier is None:
            classifier = _load_model(_resolve_model(settings.models_dir))
        outcomes = model_outcomes(classifier, dataset)
    report = slice_report(outcomes)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    typer.echo(f"{len(dataset)} examples; accuracy counts the {report.accuracy_counts}")
    typer.echo(
        f"\n{'slice':<28}{'n':>6}{'accuracy':>10}{'95% interval':>16}{'out of scope':>14}"
        f"{'escalated':>11}"
    )
    for row in [report.overall, *report.slices]:
        escalated = "-" if row.escalation_rate is None else f"{row.escalation_rate:.1%}"
        interval = f"{row.accuracy_low:.0%}-{row.accuracy_high:.0%}"
        typer.echo(
            f"{row.label:<28}{row.examples:>6}{row.accuracy:>10.1%}{interval:>16}"
            f"{row.out_of_scope_rate:>14.1%}{escalated:>11}"
        )
