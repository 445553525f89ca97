"""The resolution benchmark's reading of bot turns, against a live server: what it counts as a
correct, wrong, clarifying or handed-over first turn, how a customer answers offered choices,
and how question sets are scored."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from batondesk.demo.seed import seed_demo
from tests.support.live_server import serve_in_thread
from tests.support.workspace import ARTICLES, Workspace

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Iterator[SimpleNamespace]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import question_sets  # type: ignore[import-not-found]
        import resolution_customer  # type: ignore[import-not-found]
        import resolution_report  # type: ignore[import-not-found]

        yield SimpleNamespace(
            customer=resolution_customer, questions=question_sets, report=resolution_report
        )
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture
def customer(app, workspace: Workspace, bench: SimpleNamespace) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield bench.customer.WidgetCustomer(client, workspace.a.inbox_public_id)


EXPECTED = {intents[0]: frozenset({slug}) for slug, _, _, intents in ARTICLES}


def test_first_turns_are_classified_as_the_customer_sees_them(
    customer, bench: SimpleNamespace
) -> None:
    items = [
        ("my card still hasn't arrived", "card_arrival"),
        # Labelled with another intent: the bot's lost-card answer is then a wrong answer.
        ("I lost my card", "exchange_rate"),
        # Vague: the bot offers its likeliest articles. (Nonsense such as "purple elephant
        # gravity" now gets a request for detail, with no choices: nothing is likely enough.)
        ("question about my card", "card_arrival"),
        ("I want to talk to a real person please", "card_arrival"),
        # No article lists this intent.
        ("my top up failed", "top_up_failed"),
    ]
    resolutions = [
        bench.customer.resolve(customer, text, EXPECTED.get(i, frozenset())) for text, i in items
    ]
    figures = bench.report.banking77_figures(items, resolutions, EXPECTED)

    counts = {k: v for k, v in figures["first_turn"]["counts"].items() if v}
    assert counts == {"correct": 1, "wrong": 1, "clarification": 1, "handover": 2}
    assert figures["first_turn"]["rates"]["correct"] == 0.2
    assert figures["wrong_answers_by_intent"] == [
        {"intent": "exchange_rate", "cited": "lost-card", "count": 1}
    ]
    # The clarification offers the likeliest articles as quick replies; the simulated customer
    # presses the one its label names, when it is offered, and is then answered.
    clarified = figures["clarifications"]
    assert clarified["total"] == clarified["with_choices"] == 1
    resolved_later = clarified["right_article_among_choices"]
    assert figures["resolved_within_two_turns"]["by_button"]["resolved"] == 1 + resolved_later
    assert figures["resolved_within_two_turns"]["by_typing"]["resolved"] == 1 + resolved_later
    unresolved = [text for text, _ in items[1:]]
    if resolved_later:
        unresolved.remove("question about my card")
    assert [f["text"] for f in figures["failures"]] == unresolved
    assert figures["failures"][0]["first"]["cited"] == ["lost-card"]
    # A known intent without an article: the bot hands over, and the report says so apart.
    assert figures["unmapped_intents"] == {"top_up_failed": {"handover": 1}}

    latency = bench.report.latency_figures(resolutions, seconds=2.0)
    # A clarification the customer answers adds the pressed button, and a second conversation
    # to answer it by typing (its first message again, then "the first one").
    assert latency["messages"] == 5 + 3 * resolved_later and latency["failed_messages"] == 0
    assert 0 < latency["p50_ms"] <= latency["p99_ms"]


def test_question_sets_score_answers_and_abstentions(customer, bench: SimpleNamespace) -> None:
    question = bench.questions.Question
    questions = [
        question("my card still hasn't arrived", "card-delivery", style="a"),
        question("I lost my card", "exchange-rates", style="b"),
        question("purple elephant gravity", None, kind="chitchat"),
        question("I want to talk to a real person please", None),
        question("when will my new card arrive", None, kind="no_article"),
    ]
    judged = [bench.questions.judge(q, customer.first_message(q.text)[1]) for q in questions]
    summary = bench.questions.summarize(judged)

    overall = summary["all"]
    assert (overall["answerable"], overall["answered"], overall["answer_rate"]) == (2, 2, 1.0)
    assert overall["correct_answer_rate"] == 0.5
    # The wrong article, and any answer to a question no article answers.
    assert (overall["answers"], overall["wrong_answers"]) == (3, 2)
    assert (overall["unanswerable"], overall["correct_abstentions"]) == (3, 2)
    assert summary["by_kind"]["chitchat"]["correct_abstention_rate"] == 1.0
    assert summary["by_style"]["a"]["wrong_answers"] == 0
    assert summary["by_style"]["b"]["wrong_answers"] == 1


@pytest.mark.parametrize(
    ("wanted", "pressed", "resolved"),
    [
        # The right article is offered: pressing it, or typing its position, gets the answer.
        ("card-delivery", "article_button", True),
        # It is not: the customer says "none of these", and nothing is resolved.
        ("close-account", "none_of_these_button", False),
    ],
)
def test_a_clarification_is_followed_through_by_button_and_by_typing(
    app, bench: SimpleNamespace, wanted: str, pressed: str, resolved: bool
) -> None:  # type: ignore[no-untyped-def]
    demo = seed_demo(app.state.db)
    expected = frozenset({wanted})
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        customer = bench.customer.WidgetCustomer(client, demo.inbox_public_id)
        result = bench.customer.resolve(customer, "card", expected)

    assert result.first.outcome(expected) == "clarification" and result.first.offers_choices
    assert None in [choice.slug for choice in result.first.choices]  # "none of these"
    assert result.button_sent == pressed
    assert (result.button.outcome(expected) == "correct") is resolved
    assert result.typed_first is not None and result.typed is not None
    assert result.typed_sent.startswith("the ") if resolved else result.typed_sent == "neither"
    assert (result.typed.outcome(expected) == "correct") is resolved
    assert result.resolved_by_button() is resolved and result.resolved_by_typing() is resolved


def test_customer_answers_choices_by_button_or_position(bench: SimpleNamespace) -> None:
    choice = bench.customer.Choice
    offered = (
        choice("c1", "Card delivery", "card-delivery"),
        choice("c2", "Lost card", "lost-card"),
    )
    none_of_these = choice("none", "None of these", None)
    lost = frozenset({"lost-card"})

    assert bench.customer.button_reply(offered + (none_of_these,), lost).id == "c2"
    assert bench.customer.ordinal_reply(offered + (none_of_these,), lost) == "the second one"
    rates = frozenset({"exchange-rates"})
    assert bench.customer.button_reply(offered + (none_of_these,), rates).id == "none"
    assert bench.customer.button_reply(offered, rates) is None
    assert bench.customer.ordinal_reply(offered, rates) == "neither"


def test_not_offered_questions_want_an_honest_reply(bench: SimpleNamespace) -> None:
    question = bench.questions.Question("Can I get a mortgage?", None, kind="not_offered")
    turn = bench.customer.BotTurn

    def judged(kind: str, *cited: str) -> tuple[object, object, object]:
        row = bench.questions.judge(question, turn(kind=kind, status="bot", cited=cited))
        return row["outcome"], row["correct_abstention"], row["honest_reply"]

    assert judged("decline") == ("decline", True, True)
    # Naming what the bank does offer is an honest reply, not a wrong answer.
    assert judged("answer", "products-and-services") == ("correct", True, True)
    assert judged("answer", "card-delivery") == ("wrong", False, False)
    # Asking what the customer meant does not answer wrongly, but is not the honest reply.
    assert judged("clarify") == ("clarification", True, False)


def test_question_sets_are_read_against_the_demo_articles(
    bench: SimpleNamespace, tmp_path: Path
) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"question": "where is my card", "article": "card-delivery"}\n'
        '{"question": "hello", "article": null}\n'
    )
    first, second = bench.questions.load_questions(path)
    # A set without kinds (the older format) is read as answerable / no article.
    assert [bench.questions.kind_of(q) for q in (first, second)] == ["answerable", "no_article"]

    path.write_text('{"question": "where is my card", "article": "card-arrival"}\n')
    with pytest.raises(SystemExit, match="set.jsonl:1: unknown article 'card-arrival'"):
        bench.questions.load_questions(path)
