"""How customers answer "is it A or B?": buttons, ordinals, yes, the title's words, a
paraphrase, "neither", or a new question."""

from __future__ import annotations

import pytest

from batondesk.engine.clarification import NONE_OF_THESE, OfferedChoice, read_choice

OFFERED = (
    OfferedChoice(
        "1", "When will my new card arrive?", {"article_id": 10, "slug": "card-delivery"}
    ),
    OfferedChoice("2", "Activating your card", {"article_id": 11, "slug": "activate-card"}),
    OfferedChoice("3", "Top-up limits", {"article_id": 12, "slug": "top-up-limits"}),
    OfferedChoice(NONE_OF_THESE, "Something else"),
)


def _picked(reply: str, **kwargs) -> str | None:  # type: ignore[no-untyped-def]
    reading = read_choice(reply, OFFERED, **kwargs)
    if reading.outcome != "picked":
        return reading.outcome
    assert reading.choice is not None and reading.choice.article is not None
    return str(reading.choice.article["slug"])


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("the first one", "card-delivery"),
        ("1", "card-delivery"),
        ("option 2", "activate-card"),
        ("2nd", "activate-card"),
        ("the second one please", "activate-card"),
        ("the last one", "top-up-limits"),
        ("three", "top-up-limits"),
        ("la primera", "card-delivery"),
        ("die zweite", "activate-card"),
        ("la deuxième", "activate-card"),
        ("pierwsza", "card-delivery"),
        ("the delivery thing", "card-delivery"),
        ("activating", "activate-card"),
        ("top up limits", "top-up-limits"),
        ("neither", "none"),
        ("none of those", "none"),
        ("no", "none"),
        ("something else", "none"),
        ("both", "none"),
        ("yes", "none"),  # yes to three choices says nothing
        (
            "actually I wanted to ask whether you can send money to a friend abroad today",
            "unrelated",
        ),
    ],
)
def test_typed_replies_pick_the_choice_the_customer_means(reply: str, expected: str) -> None:
    assert _picked(reply) == expected


def test_a_button_picks_its_choice_and_a_stale_one_falls_back_to_the_words() -> None:
    assert _picked("Activating your card", button="2") == "activate-card"
    assert _picked("Something else", button=NONE_OF_THESE) == "none"
    assert _picked("the first one", button="9") == "card-delivery"


def test_yes_picks_the_only_offered_article() -> None:
    single = (OFFERED[0], OFFERED[3])
    reading = read_choice("yes please", single)
    assert reading.outcome == "picked" and reading.choice == OFFERED[0]
    assert read_choice("yeah that's it", single).outcome == "picked"


def test_a_paraphrase_is_read_only_when_clearly_closest_to_one_choice() -> None:
    assert _picked("my plastic hasn't turned up", similarities=[0.62, 0.31, 0.12, 0.05]) == (
        "card-delivery"
    )
    assert _picked("my plastic hasn't turned up", similarities=[0.52, 0.50, 0.1, 0.05]) == (
        "unrelated"
    )


def test_the_written_replies_are_read_as_customers_meant_them() -> None:
    """benchmarks/data/clarification_replies.jsonl: 69 replies written by customers to "is it A
    or B?", including typos, other languages, corrections and refusals."""
    import json
    from pathlib import Path

    from batondesk.demo.content import load_articles
    from batondesk.knowledge.embedding import default_embedder

    titles = {a.slug: a.title for a in load_articles()}
    embedder = default_embedder()
    path = Path(__file__).resolve().parents[2] / "benchmarks/data/clarification_replies.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    right = 0
    for row in rows:
        offered = [
            OfferedChoice(str(n), titles[slug], {"slug": slug, "article_id": n})
            for n, slug in enumerate(row["choices"], 1)
        ] + [OfferedChoice(NONE_OF_THESE, "Something else")]
        similarities = None
        if embedder is not None:
            labels = embedder.embed([c.label for c in offered])
            similarities = [float(s) for s in labels @ embedder.embed([row["reply"]])[0]]
        reading = read_choice(row["reply"], offered, similarities=similarities)
        got = None if reading.outcome != "picked" else int(reading.choice.id) - 1  # type: ignore[union-attr]
        right += got == row["expect"]
    assert right / len(rows) >= 0.9, f"{right} of {len(rows)} replies read as meant"
