"""Which language the customer is spoken to in: the order of the sources, the browser's
preferences, and that only a sure detection moves a conversation nobody declared."""

from __future__ import annotations

import pytest

from batondesk.i18n import (
    ConversationLanguage,
    choose_language,
    follow_detection,
    negotiate_accept_language,
    supported_language,
)
from batondesk.nlu.language import detect_language, settles_language


def test_the_strongest_source_naming_one_of_our_languages_wins() -> None:
    assert choose_language(choice="it", identity="fr-CA", browser="de-DE") == (
        ConversationLanguage("it", "choice")
    )
    assert choose_language(identity="fr-CA", browser="de-DE") == ConversationLanguage(
        "fr", "identity"
    )
    assert choose_language(browser="pt-BR") == ConversationLanguage("pt", "browser")
    # A language without catalogues says nothing about which of ours suits: the next source.
    assert choose_language(identity="ja", browser="es") == ConversationLanguage("es", "browser")
    assert choose_language(browser="ja-JP") == ConversationLanguage("en", "default")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-ES,es;q=0.9,en;q=0.8", "es"),
        ("ja-JP, de;q=0.8, en;q=0.5", "de"),
        ("en;q=0.2, fr;q=0.9", "fr"),
        ("it;q=0, pt", "pt"),
        ("ja, zh", None),
        ("", None),
        ("es;q=banana, de", "de"),
        ("<script>", None),
    ],
)
def test_the_browsers_preferences_are_read_in_order_of_quality(
    header: str, expected: str | None
) -> None:
    assert negotiate_accept_language(header) == expected


@pytest.mark.parametrize("tag", ["es", "ES", "es-ES", "es_419", "pt-BR"])
def test_language_tags_name_their_language(tag: str) -> None:
    assert supported_language(tag) in {"es", "pt"}


@pytest.mark.parametrize("tag", [None, "", "e", "spanish", "es-", "<es>", "x" * 40, "nl"])
def test_other_tags_name_none_of_ours(tag: str | None) -> None:
    assert supported_language(tag) is None


@pytest.mark.parametrize(
    "short", ["ok", "no", "si", "hola", "gracias", "merci", "la segunda", "card declined", "2"]
)
def test_a_short_ambiguous_message_does_not_settle_a_language(short: str) -> None:
    spanish = ConversationLanguage("es", "detected")
    guess = detect_language(short)
    assert follow_detection(spanish, guess.language, settles_language(short, guess)) == spanish
    english = ConversationLanguage("en", "detected")
    assert follow_detection(english, guess.language, settles_language(short, guess)) == english


def test_a_sentence_settles_the_language_unless_one_was_declared() -> None:
    text = "Tengo un problema con mi tarjeta nueva"
    guess = detect_language(text)
    assert settles_language(text, guess)
    assert follow_detection(ConversationLanguage(), guess.language, True) == (
        ConversationLanguage("es", "detected")
    )
    for declared in ("choice", "identity", "browser"):
        german = ConversationLanguage("de", declared)  # type: ignore[arg-type]
        assert follow_detection(german, guess.language, True) == german
