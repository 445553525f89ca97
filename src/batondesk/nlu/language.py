"""Language identification for short customer messages (en, es, fr, de, pt, it, nl).

Function words ("the", "el", "le", "der", "o", "il", "het") are the most reliable clue in a
message of five words, and letters such as ñ, ß, ç, ã carry strong hints; we score both.
No model file: instant and dependency-free. `confidence` is the winner's share of the
evidence; it is low for messages with no function word (e.g. "card???").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_LANGUAGE = "en"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "a an and are be but can did do does for from has have hello hi how i in is it me my "
        "not of on or please thanks that the they this to was we were what when where why "
        "with you your"
    ),
    "es": _words(
        "con cuando cómo de del dónde el en es estoy está favor gracias ha he hola la las lo "
        "los mi mis muy más no para pero por que qué se son tarjeta tu un una usted y yo"
    ),
    "fr": _words(
        "ai au aux avec bonjour ce cette comment de des du en est et il j'ai je la le les ma "
        "mais merci mes mon ne où pas plus pour pourquoi quand que qui quoi sont suis très tu "
        "un une vous"
    ),
    "de": _words(
        "aber auf bin bitte danke das dem den der die du ein eine es für habe hallo hat ich "
        "in ist kein keine mein meine mit nicht noch sehr sie sind und von wann warum was wie "
        "wo zu"
    ),
    "pt": _words(
        "a as cartão com como da das de do dos e em estou está eu mais mas meu minha muito na "
        "no não o obrigada obrigado olá onde os para por quando que quê são tenho tu um uma "
        "você é"
    ),
    "it": _words(
        "carta che ciao come con del della di dove e gli grazie ha ho i il in io la le lei lo "
        "ma mi mia mio molto non per perché più quando sono tu un una è"
    ),
    "nl": _words(
        "alstublieft bedankt ben dank de een en erg geen hallo heb heeft het hoe ik in is je "
        "jij maar met mijn niet nog op u van voor waar waarom wanneer wat zijn"
    ),
}
CHARACTER_HINTS: dict[str, str] = {
    "es": "ñ¿¡",
    "fr": "çœèêëîïûùâ",
    "de": "ßäöü",
    "pt": "ãõçâêôà",
    "it": "àèìòù",
}
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


@dataclass(frozen=True)
class LanguageGuess:
    """ISO 639-1 `language`, `confidence` in [0, 1], and `scores` per language (evidence)."""

    language: str
    confidence: float
    scores: dict[str, float]

    @property
    def reliable(self) -> bool:
        return self.confidence >= 0.5


def detect_language(text: str) -> LanguageGuess:
    """Best language for `text`; with no evidence, DEFAULT_LANGUAGE at confidence 0."""
    words = [w.lower() for w in WORD.findall(text)]
    scores = {language: 0.0 for language in FUNCTION_WORDS}
    for word in words:
        matches = [lang for lang, vocabulary in FUNCTION_WORDS.items() if word in vocabulary]
        for language in matches:
            # A word shared by several languages ("de", "la") is weaker evidence.
            scores[language] += 1.0 / len(matches)
    lowered = text.lower()
    for language, characters in CHARACTER_HINTS.items():
        hits = sum(lowered.count(c) for c in characters)
        scores[language] += 0.75 * min(hits, 3)
    total = sum(scores.values())
    if total <= 0:
        return LanguageGuess(DEFAULT_LANGUAGE, 0.0, scores)
    best = max(scores, key=lambda language: scores[language])
    ranked = sorted(scores.values(), reverse=True)
    # Share of evidence, damped when there is little of it (one word proves little).
    share = ranked[0] / total
    amount = min(1.0, ranked[0] / 2.0)
    return LanguageGuess(
        best, round(share * (0.5 + 0.5 * amount), 4), {k: round(v, 3) for k, v in scores.items()}
    )
