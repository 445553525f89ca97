"""`baton kb ...`: import articles and evaluate the bot's answers on a question set."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from batondesk.config import get_settings

app = typer.Typer(help="Knowledge base: import articles, evaluate answers.", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


@app.command("eval")
def evaluate_command(
    file: Annotated[
        Path,
        typer.Argument(
            help='Question set: JSON Lines of {"question": ..., "article": <slug, id or null>}'
        ),
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    kb: Annotated[
        Path | None,
        typer.Option(
            help="Folder of Markdown articles (default: the Baton Bank demo knowledge base)"
        ),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(help="Evaluate an account exactly as its customers meet it instead"),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(help="Intent model directory or registry (default: the active model)"),
    ] = None,
    max_wrong_rate: Annotated[
        float | None,
        typer.Option(min=0.001, max=0.2, help="Override the account's wrong-answer limit"),
    ] = None,
    failures: Annotated[int, typer.Option(help="Show this many failures")] = 0,
    lexical_only: Annotated[
        bool,
        typer.Option(
            "--lexical-only", help="Search without the sentence encoder (as on a host without it)"
        ),
    ] = False,
) -> None:
    """Answer rate, wrong-answer rate, correct abstentions and hit@1/3, each question the first
    message of a new conversation through the same turn the bot takes."""
    from batondesk.evaluation.questions import QuestionSetError, evaluate, load_questions
    from batondesk.evaluation.workspace import WorkspaceError, evaluation_setup

    if not file.is_file():
        _fail(f"{file}: no such file")
    try:
        with evaluation_setup(
            get_settings(),
            account=account,
            kb=kb,
            model=model,
            max_wrong_rate=max_wrong_rate,
            lexical_only=lexical_only,
        ) as setup:
            questions = load_questions(file, setup.index.articles)
            if setup.classifier is None:
                typer.secho(
                    "no intent model: answering from article search alone",
                    err=True,
                    fg=typer.colors.YELLOW,
                )
            # Progress goes to stderr so `--json` output stays machine-readable.
            with typer.progressbar(
                length=len(questions), label="questions", file=sys.stderr
            ) as bar:
                last = 0

                def advance(done: int) -> None:
                    nonlocal last
                    bar.update(done - last)
                    last = done

                report = evaluate(questions, setup, progress=advance)
    except (QuestionSetError, WorkspaceError) as exc:
        _fail(str(exc))
        return
    figures = report.to_dict()
    shown = figures.pop("failures")
    if json_output:
        typer.echo(json.dumps({**figures, "failures": shown[:failures]}, indent=2))
        return
    typer.echo(
        f"{report.questions} questions ({report.answerable} answerable, "
        f"{report.unanswerable} unanswerable); intent model: "
        f"{'yes' if report.intent_model else 'no'}; semantic search: "
        f"{'yes' if report.semantic else 'no'}; wrong-answer limit: {report.max_wrong_rate:.3f}"
    )
    for label, value in (
        ("answer rate", report.answer_rate),
        ("correct answers", report.correct_answer_rate),
        ("wrong-answer rate", report.wrong_answer_rate),
        ("correct abstention", report.correct_abstention_rate),
        ("hit@1", report.hit_at_1),
        ("hit@3", report.hit_at_3),
    ):
        typer.echo(f"  {label:<20} {value:.3f}")
    for failure in shown[:failures]:
        typer.echo(
            f"  - {failure['question']!r}: expected {failure['expected']}, "
            f"{failure['action']} ({failure['reason']}) {failure['answer'] or ''} "
            f"candidates {failure['candidates']}"
        )


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A folder of .md / .csv / .html files, or one file")],
    account: Annotated[str, typer.Option(help="Slug of the account to import into")],
) -> None:
    """Import (or update) articles; each changed article gets a new version."""
    from sqlalchemy import select

    from batondesk.knowledge.importing import do_import_articles, read_sources
    from batondesk.store import init_store
    from batondesk.store.models import Account

    if not path.exists():
        _fail(f"{path}: no such file or folder")
    drafts, problems = read_sources(path)
    db = init_store(get_settings())
    with db.session() as session:
        row = session.scalars(select(Account).where(Account.slug == account)).first()
        if row is None:
            _fail(f"no account with slug {account!r}")
            return
        report = do_import_articles(session, row.id, drafts)
    for source, problem in [*problems, *report.errors]:
        typer.secho(f"skipped {source}: {problem}", err=True, fg=typer.colors.YELLOW)
    typer.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(problems) + len(report.errors)} skipped"
    )
    if problems or report.errors:
        raise typer.Exit(code=2)
