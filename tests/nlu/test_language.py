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


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Moja karta nie przyszła, zamówiłem ją dwa tygodnie temu", "pl"),
        ("Kartu saya belum sampai padahal sudah dua minggu", "id"),
        ("Kadi yangu haijafika bado, niliagiza wiki mbili zilizopita", "sw"),
        ("بطاقتي ما وصلت لحد الحين، طلبتها قبل أسبوعين", "ar"),
        ("Η κάρτα μου δεν έχει φτάσει ακόμα, την παρήγγειλα πριν δύο εβδομάδες", "el"),
        ("Kartım hâlâ gelmedi, iki hafta önce sipariş verdim", "tr"),
        ("mera card abhi tak nahi aaya, kya karu", "hi"),
    ],
)
def test_languages_beyond_the_knowledge_bases_are_not_read_as_english(
    text: str, language: str
) -> None:
    """A message in another language must not be certified and answered as English."""
    assert detect_language(text).language == language


@pytest.mark.parametrize(
    "text",
    [
        "whats ur fees on a premium plan",
        "cant log in passcode",
        "card declined at tesco again",
        "top up failed",
    ],
)
def test_short_informal_english_stays_english(text: str) -> None:
    assert detect_language(text).language == "en"
