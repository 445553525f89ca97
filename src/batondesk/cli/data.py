"""`baton data ...`: audit a labelled intent dataset and write a cleaned copy; write the review
queue's reviewed examples for a retrain.

Only counts and file names are printed: the reports themselves hold the (redacted) texts.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any

import typer

from batondesk.cli.common import AccountOption, account_session
from batondesk.training.dataset_cleaning import (
    DEFAULT_MISLABEL_ACTION,
    DEFAULT_RELABEL_MIN_PROBABILITY,
    MISLABEL_ACTIONS,
    PERSONAL_DATA_ACTIONS,
)
from batondesk.training.label_noise import DEFAULT_FOLDS, OUT_OF_FOLD_MODELS

app = typer.Typer(
    help="Audit and clean intent training data; export reviewed examples.", no_args_is_help=True
)

FileArgument = Annotated[
    Path, typer.Argument(help="CSV (text,intent), JSON Lines or Rasa NLU YAML file")
]
FoldsOption = Annotated[
    int, typer.Option("--folds", min=2, help="Folds of the out-of-fold predictions")
]
ModelOption = Annotated[
    str,
    typer.Option(
        "--model",
        help="Model of the out-of-fold predictions: tfidf (TF-IDF logistic regression, "
        "~3 min on 10,000 examples) or fast (the demo's TF-IDF + MiniLM profile, slower)",
    ),
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the fold split and the models")]


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _load(path: Path) -> Any:
    from batondesk.nlu.dataset import DatasetError, load_dataset

    try:
        dataset = load_dataset(path)
    except DatasetError as exc:
        _fail(str(exc))
    if len(dataset.label_counts) < 2:
        _fail(f"{path}: needs examples of at least two intents to audit")
    return dataset


def _audit(dataset: Any, folds: int, model: str, seed: int) -> dict[str, Any]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from batondesk.training.dataset_audit import audit_dataset

    if model not in OUT_OF_FOLD_MODELS:
        _fail(f"unknown model '{model}'; choose one of {', '.join(OUT_OF_FOLD_MODELS)}")
    with Progress(TextColumn("{task.description:<44}"), BarColumn(), TimeElapsedColumn()) as bar:
        task = bar.add_task("auditing", total=1.0)
        try:
            return audit_dataset(
                dataset,
                folds=folds,
                model=model,
                seed=seed,
                progress=lambda step, done: bar.update(task, description=step, completed=done),
            )
        except ValueError as exc:  # e.g. a fold left with a single intent
            _fail(f"{dataset.source}: {exc}")
    raise AssertionError  # unreachable: _fail exits


@app.command()
def audit(
    file: FileArgument,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder for the reports: <name>-audit.json and <name>-audit.html"
        ),
    ] = Path("."),
    folds: FoldsOption = DEFAULT_FOLDS,
    model: ModelOption = "tfidf",
    seed: SeedOption = 0,
) -> None:
    """Audit a dataset: duplicates, conflicting labels, likely mislabels, intent counts,
    length outliers, personal data, languages and intents too close to tell apart."""
    from batondesk.training.audit_report import write_html_report, write_json_report

    dataset = _load(file)
    report = _audit(dataset, folds, model, seed)
    json_path = write_json_report(report, out / f"{file.stem}-audit.json")
    html_path = write_html_report(report, out / f"{file.stem}-audit.html")
    for key, value in report["summary"].items():
        typer.echo(f"{key.replace('_', ' '):<38}{value}")
    typer.echo(f"wrote {json_path} and {html_path}")


@app.command()
def clean(
    file: FileArgument,
    out: Annotated[
        Path, typer.Option("--out", help="Cleaned dataset; its extension picks the format")
    ],
    audit_file: Annotated[
        Path | None,
        typer.Option(
            "--audit",
            help="Apply this audit report (from `baton data audit`) instead of auditing again",
        ),
    ] = None,
    mislabels: Annotated[
        str,
        typer.Option(
            "--mislabels",
            help="drop: drop every likely mislabel; relabel: take the held-out model's intent "
            "when its probability reaches --relabel-min-probability, else drop; "
            "keep: leave them",
        ),
    ] = DEFAULT_MISLABEL_ACTION,
    relabel_min_probability: Annotated[
        float, typer.Option("--relabel-min-probability", min=0.0, max=1.0)
    ] = DEFAULT_RELABEL_MIN_PROBABILITY,
    personal_data: Annotated[
        str,
        typer.Option(
            "--personal-data",
            help="redact: replace personal data with placeholders; drop: drop the example; keep",
        ),
    ] = "redact",
    changes: Annotated[
        Path | None,
        typer.Option(
            "--changes", help="Change log, .csv or .json (default: <out>.changes.csv beside it)"
        ),
    ] = None,
    folds: FoldsOption = DEFAULT_FOLDS,
    model: ModelOption = "tfidf",
    seed: SeedOption = 0,
) -> None:
    """Write a cleaned copy of a dataset and a change log listing every change and why:
    exact duplicates and conflicting copies dropped, likely mislabels dropped (or relabelled),
    personal data redacted."""
    from batondesk.nlu.dataset import DatasetError, save_dataset
    from batondesk.training.audit_report import read_json_report
    from batondesk.training.dataset_cleaning import CleaningError, clean_dataset, write_change_log

    if mislabels not in MISLABEL_ACTIONS:
        _fail(f"--mislabels must be one of {', '.join(MISLABEL_ACTIONS)}")
    if personal_data not in PERSONAL_DATA_ACTIONS:
        _fail(f"--personal-data must be one of {', '.join(PERSONAL_DATA_ACTIONS)}")
    if out.resolve() == file.resolve():
        _fail(f"{out}: write the cleaned data to a new file, not over {file}")
    dataset = _load(file)
    if audit_file is None:
        report = _audit(dataset, folds, model, seed)
    else:
        try:
            report = read_json_report(audit_file)
        except ValueError as exc:
            _fail(str(exc))
    try:
        result = clean_dataset(
            dataset,
            report,
            mislabels=mislabels,
            relabel_min_probability=relabel_min_probability,
            personal_data=personal_data,
        )
        save_dataset(result.dataset, out)
    except (CleaningError, DatasetError) as exc:
        _fail(str(exc))
    log_path = write_change_log(result.changes, changes or out.with_name(f"{out.stem}.changes.csv"))
    for kind, count in sorted(result.counts().items()):
        typer.echo(f"{kind:<40}{count}")
    typer.echo(
        f"kept {len(result.dataset)} of {len(dataset)} examples; wrote {out} and the change "
        f"log {log_path}"
    )


@app.command("reviewed-examples")
def reviewed_examples_command(
    out: Annotated[Path, typer.Argument(help="CSV file to write (text,category)")],
    account: AccountOption,
) -> None:
    """Write the review queue's reviewed examples in the intent training format: messages
    labelled with an intent or a new intent, of contacts who consent to training, with
    personal data redacted (what a retrain reads; `baton nlu train` and `baton data audit`
    take the file as it is)."""
    from batondesk.actions.review_feed import do_refresh_review_queue
    from batondesk.training.review_queue import examples_csv

    if out.suffix.lower() != ".csv":
        _fail(f"{out}: the reviewed examples are written as CSV; name a .csv file")
    with account_session(account) as (session, account_id):
        do_refresh_review_queue(session, account_id)
        content = examples_csv(session, account_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(content, encoding="utf-8")
    rows = len(list(csv.reader(io.StringIO(content)))) - 1  # a quoted text may span lines
    typer.echo(f"{out}: {rows} reviewed examples (consented, redacted)")
