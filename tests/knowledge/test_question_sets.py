"""The customer question sets in benchmarks/data: every label names a real article, every row
has valid fields, every article is covered, the evaluator can read them, and the counts in
benchmarks/data/README.md are the files' own."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from batondesk.demo.content import load_articles
from batondesk.evaluation.questions import load_questions
from batondesk.knowledge.retrieval import IndexedArticle

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
DEV = DATA / "customer_dev.jsonl"
HOLDOUT = DATA / "customer_holdout.jsonl"
HOLDOUT_2 = DATA / "customer_holdout_2.jsonl"
HOLDOUT_3 = DATA / "customer_holdout_3.jsonl"
HOLDOUT_4 = DATA / "customer_holdout_4.jsonl"
HOLDOUT_5 = DATA / "customer_holdout_5.jsonl"
HOLDOUT_6 = DATA / "customer_holdout_6.jsonl"
HOLDOUT_7 = DATA / "customer_holdout_7.jsonl"
CLARIFICATIONS = DATA / "clarification_replies.jsonl"
SETS = [DEV, HOLDOUT, HOLDOUT_2, HOLDOUT_3, HOLDOUT_4, HOLDOUT_5, HOLDOUT_6, HOLDOUT_7]

KINDS = ("answerable", "not_offered", "no_article", "chitchat")
STYLES = ("plain", "typo", "regional", "short", "rambling", "slang", "non_english")
# Fewest questions per article: enough to fit on the development set, one to test on.
MIN_PER_ARTICLE = {
    DEV.name: 2,
    HOLDOUT.name: 1,
    HOLDOUT_2.name: 1,
    HOLDOUT_3.name: 1,
    HOLDOUT_4.name: 1,
    HOLDOUT_5.name: 1,
    HOLDOUT_6.name: 1,
    HOLDOUT_7.name: 1,
}

SLUGS = {article.slug for article in load_articles()}
# Articles that answer questions (not those saying what the bank does not offer, which the
# sets mark as kind "not_offered" with no article).
ANSWERING = {a.slug for a in load_articles() if "not-offered" not in a.tags}


def _rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        row = json.loads(line)
        assert isinstance(row, dict), f"{path.name}:{number} is not an object"
        rows.append(row)
    return rows


def _normalised(question: str) -> str:
    """Case and punctuation folded; a question of symbols only ("👍", "????") stays as typed."""
    return " ".join(re.findall(r"\w+", question.lower())) or question.strip()


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_every_question_row_is_valid(path: Path) -> None:
    for number, row in enumerate(_rows(path), start=1):
        where = f"{path.name}:{number}"
        assert set(row) <= {"question", "article", "also", "style", "kind"}, where
        assert isinstance(row["question"], str) and row["question"].strip(), where
        assert row["style"] in STYLES, f"{where}: style {row['style']!r}"
        assert row["kind"] in KINDS, f"{where}: kind {row['kind']!r}"
        if row["kind"] == "answerable":
            assert row["article"] in SLUGS, f"{where}: unknown article {row['article']!r}"
        else:
            assert row["article"] is None, f"{where}: {row['kind']} with an article"
            assert "also" not in row, f"{where}: {row['kind']} with 'also'"
        also = row.get("also", [])
        assert isinstance(also, list), where
        assert all(slug in SLUGS for slug in also), f"{where}: unknown slug in {also}"
        assert row["article"] not in also and len(set(also)) == len(also), where


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_every_article_is_covered(path: Path) -> None:
    per_article = Counter(row["article"] for row in _rows(path) if row["article"])
    thin = {
        slug: per_article[slug]
        for slug in ANSWERING
        if per_article[slug] < MIN_PER_ARTICLE[path.name]
    }
    assert not thin, f"{path.name}: articles with too few questions: {thin}"


def test_no_question_is_repeated_within_or_across_the_sets() -> None:
    seen: dict[str, str] = {}
    for path in SETS:
        for row in _rows(path):
            key = _normalised(row["question"])
            assert key not in seen, f"{row['question']!r} in {path.name} repeats one in {seen[key]}"
            seen[key] = path.name


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_the_evaluator_reads_the_set(path: Path) -> None:
    articles = [
        IndexedArticle(number, seed.slug, seed.title, seed.body, seed.intents)
        for number, seed in enumerate(load_articles(), start=1)
    ]
    questions = load_questions(path, articles)
    assert len(questions) == len(_rows(path))
    assert sum(q.article is None for q in questions) == sum(
        row["kind"] != "answerable" for row in _rows(path)
    )


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_readme_counts_match_the_file(path: Path) -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    rows = _rows(path)
    kinds = Counter(row["kind"] for row in rows)
    styles = Counter(row["style"] for row in rows)
    by_kind = f"| {path.name} | {len(rows)} | " + " | ".join(str(kinds[k]) for k in KINDS) + " |"
    by_style = f"| {path.name} | " + " | ".join(str(styles[s]) for s in STYLES) + " |"
    assert by_kind in readme, f"README kind counts are stale; expected the row {by_kind}"
    assert by_style in readme, f"README style counts are stale; expected the row {by_style}"


def test_clarification_replies_are_valid_and_counted() -> None:
    rows = _rows(CLARIFICATIONS)
    for number, row in enumerate(rows, start=1):
        where = f"{CLARIFICATIONS.name}:{number}"
        assert set(row) == {"choices", "reply", "expect"}, where
        choices = row["choices"]
        assert isinstance(choices, list) and len(choices) == 2, where
        assert choices[0] != choices[1] and all(slug in SLUGS for slug in choices), where
        assert isinstance(row["reply"], str) and row["reply"].strip(), where
        expect = row["expect"]
        assert expect is None or (type(expect) is int and expect in (0, 1)), where
    expects = Counter(row["expect"] for row in rows)
    pairs = len({tuple(row["choices"]) for row in rows})
    summary = (
        f"{len(rows)} replies over {pairs}\npairs of easily confused articles: "
        f"{expects[0]} pick the first, {expects[1]} the second, {expects[None]} neither."
    )
    readme = " ".join((DATA / "README.md").read_text(encoding="utf-8").split())
    assert " ".join(summary.split()) in readme, f"README clarification counts are stale: {summary}"
