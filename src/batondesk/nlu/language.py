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
FUNCTION_WORDS: dict[str, set[str]] = {
    "en": set(
        [
            "the",
            "a",
            "an",
            "is",
            "are",
            "was",
            "were",
            "my",
            "your",
            "i",
            "you",
            "it",
            "to",
            "of",
            "and",
            "in",
            "on",
            "for",
            "with",
            "not",
            "this",
            "that",
            "have",
            "has",
            "do",
            "does",
            "did",
            "can",
            "be",
            "what",
            "why",
            "how",
            "when",
            "where",
            "please",
            "hi",
            "hello",
            "thanks",
            "me",
            "we",
            "they",
            "but",
            "or",
            "from",
        ]
    ),
    "es": set(
        [
            "el",
            "la",
            "los",
            "las",
            "un",
            "una",
            "es",
            "son",
            "mi",
            "mis",
            "tu",
            "yo",
            "usted",
            "de",
            "del",
            "y",
            "en",
            "por",
            "para",
            "con",
            "no",
            "que",
            "qué",
            "por",
            "qué",
            "cómo",
            "cuando",
            "dónde",
            "hola",
            "gracias",
            "mi",
            "tarjeta",
            "pero",
            "se",
            "lo",
            "está",
            "estoy",
            "he",
            "ha",
            "muy",
            "más",
            "favor",
        ]
    ),
    "fr": set(
        [
            "le",
            "la",
            "les",
            "un",
            "une",
            "est",
            "sont",
            "mon",
            "ma",
            "mes",
            "je",
            "vous",
            "tu",
            "il",
            "de",
            "du",
            "des",
            "et",
            "en",
            "pour",
            "avec",
            "ne",
            "pas",
            "que",
            "qui",
            "quoi",
            "pourquoi",
            "comment",
            "quand",
            "où",
            "bonjour",
            "merci",
            "mais",
            "ce",
            "cette",
            "j'ai",
            "ai",
            "au",
            "aux",
            "suis",
            "très",
            "plus",
        ]
    ),
    "de": set(
        [
            "der",
            "die",
            "das",
            "ein",
            "eine",
            "ist",
            "sind",
            "mein",
            "meine",
            "ich",
            "sie",
            "du",
            "es",
            "zu",
            "von",
            "und",
            "in",
            "für",
            "mit",
            "nicht",
            "was",
            "warum",
            "wie",
            "wann",
            "wo",
            "hallo",
            "danke",
            "aber",
            "auf",
            "dem",
            "den",
            "ist",
            "habe",
            "hat",
            "bin",
            "sehr",
            "noch",
            "kein",
            "keine",
            "bitte",
        ]
    ),
    "pt": set(
        [
            "o",
            "a",
            "os",
            "as",
            "um",
            "uma",
            "é",
            "são",
            "meu",
            "minha",
            "eu",
            "você",
            "tu",
            "de",
            "do",
            "da",
            "dos",
            "das",
            "e",
            "em",
            "no",
            "na",
            "para",
            "com",
            "não",
            "que",
            "por",
            "quê",
            "como",
            "quando",
            "onde",
            "olá",
            "obrigado",
            "obrigada",
            "mas",
            "está",
            "estou",
            "tenho",
            "muito",
            "mais",
            "cartão",
        ]
    ),
    "it": set(
        [
            "il",
            "lo",
            "la",
            "i",
            "gli",
            "le",
            "un",
            "una",
            "è",
            "sono",
            "mio",
            "mia",
            "io",
            "lei",
            "tu",
            "di",
            "del",
            "della",
            "e",
            "in",
            "per",
            "con",
            "non",
            "che",
            "perché",
            "come",
            "quando",
            "dove",
            "ciao",
            "grazie",
            "ma",
            "ho",
            "ha",
            "sono",
            "molto",
            "più",
            "carta",
            "mi",
        ]
    ),
    "nl": set(
        [
            "de",
            "het",
            "een",
            "is",
            "zijn",
            "mijn",
            "ik",
            "u",
            "jij",
            "je",
            "van",
            "en",
            "in",
            "voor",
            "met",
            "niet",
            "wat",
            "waarom",
            "hoe",
            "wanneer",
            "waar",
            "hallo",
            "dank",
            "bedankt",
            "maar",
            "op",
            "ik",
            "heb",
            "heeft",
            "ben",
            "erg",
            "nog",
            "geen",
            "alstublieft",
        ]
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
