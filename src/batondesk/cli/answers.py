"""`baton answers ...`: fit the answer policy and show its coverage/risk curve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from batondesk.config import get_settings

app = typer.Typer(no_args_is_help=True)

LIMITS = (0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


@app.command("fit")
def fit_command(
    data: Annotated[
        Path | None,
        typer.Option(
            help="Labelled intent dataset (default: the demo's, BANKING77 train and customer "
            "phrasings)"
        ),
    ] = None,
    questions: Annotated[
        list[Path] | None,
        typer.Option(help="Written question sets (JSON Lines); repeat the option for several"),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(help="The deployed intent model, for the question sets (default: active)"),
    ] = None,
    kb: Annotated[
        Path | None, typer.Option(help="Folder of articles (default: the demo knowledge base)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the policy (default: the shipped file)")
    ] = None,
    folds: Annotated[
        int, typer.Option(min=2, max=10, help="Folds for out-of-fold predictions")
    ] = 5,
    profile: Annotated[str, typer.Option(help="Intent model profile for the folds")] = "fast",
) -> None:
    """Fit the answer policy on out-of-fold predictions of `data` and on question sets, and
    calibrate it on a held-out part (never a test split). Out-of-fold predictions are cached
    in the data directory, keyed by the dataset's contents and the profile."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from batondesk.demo.content import KB_DIR
    from batondesk.demo.training_data import (
        DemoDataMissing,
        demo_intent_training,
        unanswerable_questions,
    )
    from batondesk.engine.answer_policy import DEFAULT_POLICY_FILE
    from batondesk.engine.intent_models import IntentModels
    from batondesk.evaluation.workspace import folder_articles
    from batondesk.knowledge.embedding import default_embedder
    from batondesk.knowledge.retrieval import HybridIndex
    from batondesk.nlu import DatasetError, IntentClassifier, load_dataset
    from batondesk.training import answer_policy as fitting

    settings = get_settings()
    try:
        dataset = load_dataset(data) if data is not None else demo_intent_training()
    except (OSError, DatasetError, DemoDataMissing) as error:
        _fail(str(error))
        return
    articles, _problems = folder_articles(kb or KB_DIR)
    index = HybridIndex(articles, default_embedder())
    deployed = (
        IntentClassifier.load(model)
        if model is not None
        else IntentModels(settings.models_dir).default()
    )
    if questions and deployed is None:
        _fail("no intent model for the question sets: give --model or run `baton demo --no-serve`")
    with Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn()) as bar:
        task = bar.add_task("out-of-fold predictions", total=1.0)

        def report(step: str, done: float) -> None:
            bar.update(task, description=step, completed=done)

        predictions = fitting.cached_out_of_fold_predictions(
            settings.data_dir / "cache",
            dataset,
            folds=folds,
            profile=profile,
            progress=report,
        )
        messages = fitting.dataset_messages(
            dataset.texts, dataset.labels, predictions, articles, "dataset"
        )
        for path in questions or []:
            messages += fitting.question_messages(path, deployed, path.stem, articles)
        if data is None:
            # The demo's written questions that no article answers (those about what it does
            # not offer are in the dataset, as an intent): when not to answer.
            messages += fitting.written_messages(
                unanswerable_questions("no_article", "chitchat"),
                deployed,
                "unanswerable",
                articles,
            )
        evidence = fitting.gather_evidence(messages, index, report)
        report("fitting", 1.0)
    policy = fitting.fit_policy(
        messages,
        evidence,
        metadata={
            "dataset": Path(str(dataset.source)).name,
            "dataset_rows": len(dataset),
            "question_sets": [p.name for p in questions or []],
            "folds": folds,
            "profile": profile,
        },
    )
    target = out or DEFAULT_POLICY_FILE
    policy.save(target)
    typer.echo(f"answer policy written to {target}")
    _print_curves(policy)


@app.command("curve")
def curve_command(
    policy_file: Annotated[
        Path | None, typer.Option("--policy", help="Policy file (default: the shipped one)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """The coverage/risk curve: for each wrong-answer limit, the share of messages the bot
    answers on the calibration split, for accounts with and without an intent model."""
    from batondesk.engine.answer_policy import DEFAULT_POLICY_FILE, AnswerPolicy, PolicyFileError

    try:
        policy = AnswerPolicy.load(policy_file or DEFAULT_POLICY_FILE)
    except PolicyFileError as error:
        _fail(str(error))
        return
    if as_json:
        typer.echo(json.dumps(curves(policy), indent=2))
        return
    _print_curves(policy)


def curves(policy: Any) -> dict[str, Any]:
    """Per variant and per language group (each certified on its own calibration messages;
    "all" for a policy file without groups)."""
    from batondesk.training.answer_policy import coverage_table, expected_calibration_error

    figures: dict[str, Any] = {}
    for name, variant in (
        ("with_intent_model", policy.with_intents),
        ("retrieval_only", policy.retrieval_only),
    ):
        groups = variant.groups() or [None]
        figures[name] = {
            "calibration_messages": len(variant.calibration_scores),
            "expected_calibration_error": expected_calibration_error(variant),
            "groups": {
                group or "all": {
                    "calibration_messages": len(variant.calibration(group)[0]),
                    "curve": coverage_table(variant, LIMITS, group),
                }
                for group in groups
            },
        }
    return figures


def _print_curves(policy: Any) -> None:
    for name, figures in curves(policy).items():
        typer.echo(
            f"\n{name} ({figures['calibration_messages']} calibration messages, "
            f"ECE {figures['expected_calibration_error']}):"
        )
        for group, curve in figures["groups"].items():
            typer.echo(f"  {group} ({curve['calibration_messages']} messages)")
            typer.echo(f"  {'limit':>7} {'threshold':>10} {'answered':>9} {'wrong':>7}")
            for row in curve["curve"]:
                typer.echo(
                    f"  {row['max_wrong_rate']:>7.3f} {row['threshold']:>10.4f} "
                    f"{row['answered']:>9.1%} {row['wrong']:>7.2%}"
                )
