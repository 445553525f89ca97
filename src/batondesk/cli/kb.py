"""`baton kb ...`: import articles and evaluate retrieval and the answer gate."""

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
        typer.Option(help="Evaluate an account's published articles in the database instead"),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(help="Intent model directory or registry (default: the active model)"),
    ] = None,
    failures: Annotated[int, typer.Option(help="Show this many failures")] = 0,
    lexical_only: Annotated[
        bool,
        typer.Option(
            "--lexical-only", help="Search without the sentence encoder (as on a host without it)"
        ),
    ] = False,
) -> None:
    """Retrieval hit@1 / hit@5 / MRR, answer rate, wrong-answer rate and correct abstentions,
    through the same intent model, retrieval and answer gate the bot uses."""
    from batondesk.engine.loading import load_active_classifier
    from batondesk.knowledge.embedding import default_embedder
    from batondesk.knowledge.evaluation import QuestionSetError, evaluate, load_questions
    from batondesk.knowledge.retrieval import HybridIndex

    if not file.is_file():
        _fail(f"{file}: no such file")
    articles = _account_articles(account) if account else _folder_articles(kb)
    if not articles:
        _fail("no articles to evaluate against")
    try:
        questions = load_questions(file, articles)
    except QuestionSetError as exc:
        _fail(str(exc))
    settings = get_settings()
    models = model or settings.models_dir
    classifier = None
    if (models / "metadata.json").is_file():
        from batondesk.nlu import IntentClassifier

        classifier = IntentClassifier.load(models)
    else:
        classifier = load_active_classifier(models)
    if classifier is None:
        typer.secho(
            "no intent model: the gate will abstain on every question",
            err=True,
            fg=typer.colors.YELLOW,
        )
    index = HybridIndex(articles, None if lexical_only else default_embedder())
    # Progress goes to stderr so `--json` output stays machine-readable.
    with typer.progressbar(length=len(questions), label="questions", file=sys.stderr) as bar:
        last = 0

        def advance(done: int) -> None:
            nonlocal last
            bar.update(done - last)
            last = done

        report = evaluate(questions, index, classifier, progress=advance)
    figures = report.to_dict()
    shown = figures.pop("failures")
    if json_output:
        typer.echo(json.dumps({**figures, "failures": shown[:failures]}, indent=2))
        return
    typer.echo(
        f"{report.questions} questions ({report.answerable} answerable, "
        f"{report.unanswerable} unanswerable); intent model: "
        f"{'yes' if report.intent_model else 'no'}; semantic search: "
        f"{'yes' if report.semantic else 'no'}"
    )
    for label, value in (
        ("hit@1", report.hit_at_1),
        ("hit@5", report.hit_at_5),
        ("MRR", report.mrr),
        ("answer rate", report.answer_rate),
        ("wrong-answer rate", report.wrong_answer_rate),
        ("correct abstention", report.correct_abstention_rate),
    ):
        typer.echo(f"  {label:<20} {value:.3f}")
    for failure in shown[:failures]:
        typer.echo(
            f"  - {failure['question']!r}: expected {failure['expected']}, "
            f"retrieved {failure['retrieved']}, {failure['decision']} "
            f"({failure['reason']})"
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


def _folder_articles(folder: Path | None):  # type: ignore[no-untyped-def]
    from batondesk.demo.content import KB_DIR
    from batondesk.knowledge.importing import read_sources
    from batondesk.knowledge.retrieval import IndexedArticle

    drafts, problems = read_sources(folder or KB_DIR)
    for source, problem in problems:
        typer.secho(f"skipped {source}: {problem}", err=True, fg=typer.colors.YELLOW)
    return [
        IndexedArticle(
            number, d.slug, d.title, d.body, tuple(d.intents), tuple(d.tags), d.locale, d.status
        )
        for number, (_source, d) in enumerate(drafts, start=1)
        if d.status == "published"
    ]


def _account_articles(slug: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from batondesk.knowledge.index import indexed_article
    from batondesk.store import init_store
    from batondesk.store.models import Account, Article

    db = init_store(get_settings())
    with db.session() as session:
        account = session.scalars(select(Account).where(Account.slug == slug)).first()
        if account is None:
            _fail(f"no account with slug {slug!r}")
            return []
        return [
            indexed_article(a)
            for a in session.scalars(
                select(Article)
                .where(Article.account_id == account.id, Article.status == "published")
                .order_by(Article.id)
            )
        ]
