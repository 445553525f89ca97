"""Every demo article's answer reads well: nothing said twice, no list of steps cut short,
links shown as their words, and the source cited."""

from __future__ import annotations

import re

import pytest

from batondesk.demo.content import load_articles
from batondesk.engine.response import compose_answer
from batondesk.knowledge.chunking import split_sections
from batondesk.knowledge.retrieval import IndexedArticle

ARTICLES = [
    IndexedArticle(n, a.slug, a.title, a.body, tuple(a.intents), tuple(a.tags))
    for n, a in enumerate(load_articles(), 1)
]


def _blocks(text: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def _answers(article: IndexedArticle) -> list[tuple[str, str]]:
    """The reply for a question matching each section of the article (and none)."""
    headings = ["", *(h for h, _ in split_sections(article.body) if h)]
    return [(h, compose_answer(article, best_heading=h).text) for h in headings]


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.slug)
def test_every_answer_is_whole_and_says_nothing_twice(article: IndexedArticle) -> None:
    plain = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", article.body)
    source_blocks = {b for _heading, text in split_sections(plain) for b in _blocks(text)}
    for heading, text in _answers(article):
        body, _, cite = text.rpartition("\n\nSource: ")
        assert cite == article.title
        blocks = _blocks(body)
        assert len(blocks) == len(set(blocks)), f"{article.slug} [{heading}] repeats a paragraph"
        for block in blocks:
            if block.startswith("**") and block.endswith("**"):
                continue  # a section heading
            # Every block is the article's own, whole: a list is never cut after a step.
            assert block in source_blocks, f"{article.slug} [{heading}] altered: {block[:60]!r}"
        assert "](" not in body, f"{article.slug}: a Markdown link shows through"


def test_card_not_arrived_answer_keeps_the_free_replacement_step() -> None:
    article = next(a for a in ARTICLES if a.slug == "card-delivery")
    text = compose_answer(article, best_heading="Still waiting?").text
    assert "send a new one free of charge" in text
    assert "1. Check the delivery address" in text


def test_pin_answer_does_not_repeat_its_last_paragraph() -> None:
    article = next(a for a in ARTICLES if a.slug == "change-pin")
    for _heading, text in _answers(article):
        assert text.count("The new PIN works straight away") <= 1


def test_a_brief_reply_is_the_matching_part_cut_short_and_a_detailed_one_the_whole_article() -> (
    None
):
    article = next(a for a in ARTICLES if a.slug == "card-delivery")
    usual = compose_answer(article, best_heading="Still waiting?").text
    brief = compose_answer(article, best_heading="Still waiting?", verbosity="brief")
    detailed = compose_answer(article, best_heading="Still waiting?", verbosity="detailed")
    assert brief.details["verbosity"] == "brief"
    assert len(brief.text) < len(usual) < len(detailed.text)
    # Brief still answers the question asked (the matching section, not the opening).
    assert "**Still waiting?**" in brief.text
    assert "We post every physical card" not in brief.text
    # Detailed says everything the article says, and both still cite it.
    plain = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", article.body)
    for _heading, text in split_sections(plain):
        for block in _blocks(text):
            assert block in detailed.text
    assert brief.text.endswith("Source: When will my new card arrive?")
    assert detailed.text.endswith("Source: When will my new card arrive?")
