"""Repeated failure is judged on the customer's current need: a "thanks" or a new question
starts the count again, so a satisfied customer is not handed over for the bot's old misses."""

from __future__ import annotations

from dataclasses import replace

import pytest

from batondesk.handoff.detection import detect_cues
from batondesk.handoff.learned import LearnedReading
from batondesk.handoff.need import (
    Exchange,
    need_progress,
    opens_new_need,
    settles_need,
    unresolved_turns,
)
from batondesk.handoff.policy import EscalationPolicy


@pytest.mark.parametrize(
    "text",
    ["Lovely", "great thanks", "perfect, that worked", "Super, danke!", "genial, lo pido"],
)
def test_thanks_and_praise_settle_the_need(text: str) -> None:
    assert settles_need(text)


@pytest.mark.parametrize(
    "text", ["thanks but it still declines", "great, that didn't work either", "great?"]
)
def test_thanks_with_a_complaint_leaves_the_need_open(text: str) -> None:
    assert not settles_need(text)


@pytest.mark.parametrize(
    "text",
    [
        "And does that apply to the return flight with the partner airline?",
        "Actually the morning delivery slot is better for me, can I switch it?",
        "one more thing - is the 23kg per bag or for both together?",
        "¿Y en la talla M?",
    ],
)
def test_a_new_question_opens_a_new_need(text: str) -> None:
    assert opens_new_need(text)


@pytest.mark.parametrize(
    "text", ["and it still hasn't arrived", "actually where is that setting, it's not under Card"]
)
def test_saying_the_answer_failed_is_not_a_new_question(text: str) -> None:
    assert not opens_new_need(text)


def test_unclear_replies_before_a_thanks_or_a_new_question_do_not_count() -> None:
    earlier = [Exchange("Do you do gift wrapping?", True), Exchange("Lovely", True)]
    assert unresolved_turns(earlier, "can I switch my delivery to the morning slot?") == 0
    assert unresolved_turns(earlier[:1], "Actually can I switch to the morning slot?") == 0
    asking_again = [
        Exchange("Do you gift wrap?", True),
        Exchange("gift wrapping, for a present", True),
    ]
    assert unresolved_turns(asking_again, "can you wrap it as a gift") == 2


def test_a_premature_thanks_is_taken_back() -> None:
    progress = need_progress(
        [
            "hi can I increase my contactless limit",
            "ok thanks",
            "actually where is that setting, it's not under Card",
            "not under Settings either. or Security. I've checked every menu you've mentioned",
        ]
    )
    assert progress.failure_can_repeat


def _verdict(messages: list[str], learned: LearnedReading | None = None) -> str | None:
    cues = detect_cues(messages)
    if learned is not None:
        cues = replace(cues, learned=learned)
    verdict = EscalationPolicy().before_answer(cues)
    return verdict.reason if verdict is not None else None


SOLVED_THEN_NEW = ["How do I freeze my card?", "thanks, that worked", "How do I order a new one?"]


def test_one_miss_on_a_new_question_after_a_solved_one_is_not_repeated_failure() -> None:
    assert _verdict([*SOLVED_THEN_NEW, "no that's not it"]) is None
    # Nor when the learned model reads it as the bot failing.
    sure = LearnedReading(0.97, "repeated_failure", 3, {"none": 0.03, "repeated_failure": 0.95})
    assert _verdict([*SOLVED_THEN_NEW, "no that's not it"], sure) is None


def test_a_second_miss_on_the_new_question_hands_over() -> None:
    messages = [*SOLVED_THEN_NEW, "no that's not it", "you keep sending the same article again"]
    assert _verdict(messages) == "repeated_failure"


def test_a_miss_on_the_first_question_still_hands_over() -> None:
    assert _verdict(["How do I raise my limit?", "that's not what I asked"]) == "repeated_failure"


def test_asking_the_same_words_after_a_thanks_is_not_a_rephrasing() -> None:
    messages = [
        "how do I order a new debit card",
        "brilliant, done",
        "how do I order a new debit card for my son",
    ]
    assert _verdict(messages) is None
