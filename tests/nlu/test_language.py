from __future__ import annotations

import pytest

from batondesk.nlu import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Where is my card? I ordered it two weeks ago", "en"),
        ("¿Dónde está mi tarjeta? La pedí hace dos semanas", "es"),
        ("Où est ma carte ? Je l'ai commandée il y a deux semaines", "fr"),
        ("Wo ist meine Karte? Ich habe sie vor zwei Wochen bestellt", "de"),
        ("Onde está o meu cartão? Eu pedi há duas semanas", "pt"),
        ("Dov'è la mia carta? L'ho ordinata due settimane fa", "it"),
        ("Waar is mijn kaart? Ik heb hem twee weken geleden besteld", "nl"),
    ],
)
def test_detects_common_languages(text: str, language: str) -> None:
    guess = detect_language(text)
    assert guess.language == language
    assert guess.confidence >= 0.5 and guess.reliable


def test_no_evidence_gives_default_with_zero_confidence() -> None:
    guess = detect_language("4111 ???")
    assert guess.language == "en" and guess.confidence == 0.0 and not guess.reliable
