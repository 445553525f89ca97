"""`baton kb eval` and `baton kb import`, as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from batondesk.cli.kb import app
from batondesk.store.models import Article, ArticleVersion
from tests.support.workspace import ARTICLES

runner = CliRunner()


def _write_kb(folder: Path) -> None:
    folder.mkdir()
    for slug, title, body, intents in ARTICLES:
        (folder / f"{slug}.md").write_text(
            f"---\nslug: {slug}\ntitle: {title}\nintents: [{', '.join(intents)}]\n"
            f"tags: []\nlocale: en\n---\n{body}\n",
            encoding="utf-8",
        )


def test_eval_reports_retrieval_and_gate_figures(tmp_path: Path, tiny_classifier) -> None:  # type: ignore[no-untyped-def]
    kb = tmp_path / "kb"
    _write_kb(kb)
    model = tmp_path / "model"
    tiny_classifier.save(model)
    questions = tmp_path / "questions.jsonl"
    rows = [
        {"question": "my card still hasn't arrived", "article": "card-delivery"},
        {"question": "I can not find my card anywhere", "article": "lost-card"},
        {"question": "what rate do you use to change euros", "article": "exchange-rates"},
        {"question": "can I get a mortgage with you", "article": None},
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")

    result = runner.invoke(
        app,
        [
            "eval",
            str(questions),
            "--kb",
            str(kb),
            "--model",
            str(model),
            "--json",
            "--failures",
            "10",
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["questions"] == 4 and figures["unanswerable"] == 1
    assert figures["hit_at_3"] == 1.0 and figures["hit_at_1"] >= 2 / 3
    assert figures["correct_abstention_rate"] == 1.0
    assert figures["wrong_answer_rate"] == 0.0
    for name in ("answer_rate", "correct_answer_rate", "by_slice", "failures"):
        assert name in figures

    text = runner.invoke(app, ["eval", str(questions), "--kb", str(kb), "--model", str(model)])
    assert "hit@3" in text.stdout and "correct abstention" in text.stdout


def test_eval_names_the_bad_line(tmp_path: Path, tiny_classifier) -> None:  # type: ignore[no-untyped-def]
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "hi", "article": "no-such-article"}\n', encoding="utf-8")
    model = tiny_classifier.save(tmp_path / "model")
    result = runner.invoke(app, ["eval", str(questions), "--model", str(model)])
    assert result.exit_code == 1
    assert "q.jsonl:1: unknown article 'no-such-article'" in result.output


def test_import_folder_into_an_account(tmp_path: Path, cli_env, db, workspace) -> None:  # type: ignore[no-untyped-def]
    kb = tmp_path / "kb"
    _write_kb(kb)
    (kb / "card-delivery.md").write_text(
        "---\nslug: card-delivery\ntitle: When will my card arrive?\nintents: [card_arrival]\n"
        "tags: [cards]\nlocale: en\n---\nCards arrive within 2-4 working days now.\n",
        encoding="utf-8",
    )
    (kb / "broken.md").write_text("---\ntitle: never closed\n", encoding="utf-8")
    (kb / "faq.csv").write_text(
        "title,body\nOpening hours,We answer every day.\n", encoding="utf-8"
    )

    result = runner.invoke(app, ["import", str(kb), "--account", "north"])
    assert result.exit_code == 2, result.output  # one file was skipped, and said so
    assert "skipped broken.md" in result.output
    assert "1 created, 1 updated, 2 unchanged, 1 skipped" in result.stdout
    with db.session() as session:
        article = session.scalars(
            select(Article).where(
                Article.account_id == workspace.a.account_id, Article.slug == "card-delivery"
            )
        ).one()
        assert "2-4 working days" in article.body and article.version == 2
        versions = session.scalars(
            select(ArticleVersion.change).where(ArticleVersion.article_id == article.id)
        ).all()
        assert versions == ["imported"]


def test_eval_against_an_account_in_the_database(
    tmp_path: Path, cli_env, workspace, tiny_classifier
) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "model"
    tiny_classifier.save(model)
    questions = tmp_path / "questions.jsonl"
    row = {"question": "where is my new card", "article": "card-delivery"}
    questions.write_text(json.dumps(row), encoding="utf-8")
    result = runner.invoke(
        app, ["eval", str(questions), "--account", "north", "--model", str(model), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hit_at_1"] == 1.0
