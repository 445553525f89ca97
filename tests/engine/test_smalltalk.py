"""A message that is only a greeting, a preface, thanks or goodbye gets a friendly word, and is
never counted as a question the bot failed to answer (three such failures hand over)."""

from __future__ import annotations

import pytest

from batondesk.engine.smalltalk import smalltalk_kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Hi!", "greeting"),
        ("Hi, quick one", "greeting"),
        ("hello, I have a question", "greeting"),
        ("I've got a question", "greeting"),
        ("hey can you help me?", "greeting"),
        ("Thanks!", "thanks"),
        ("Great, thanks!", "thanks"),
        ("Lovely, thanks, that's everything", "goodbye"),
        ("all done, bye", "goodbye"),
    ],
)
def test_only_pleasantries(text: str, kind: str) -> None:
    assert smalltalk_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "Lovely",
        "Hi, my card is lost",
        "can you help me block my card",
        "thanks, but it did not work",
        "ok, that's not what I asked",
    ],
)
def test_a_question_or_a_complaint_is_not_smalltalk(text: str) -> None:
    assert smalltalk_kind(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "nvm found it on the statement, thx",
        "Top, erledigt. Danke!",
        "Tamamdır, teşekkürler",
        "Oke siap, makasih",
        "Perfecto, lo pido desde la app entonces. Gracias",
    ],
)
def test_a_short_closing_that_thanks_in_any_words_is_thanks(text: str) -> None:
    assert smalltalk_kind(text) == "thanks"


@pytest.mark.parametrize(
    "text",
    [
        "thx for nothing",
        "ok thanks, I still cannot log in",
        "thanks, what about fees",
        "thanks, is that all I need?",
    ],
)
def test_thanks_with_a_complaint_or_a_question_is_not_a_closing(text: str) -> None:
    assert smalltalk_kind(text) is None
