"""Language identification for customer messages.

Two readers, each where it is strong:
- `lingua` (a maintained n-gram language identifier) over the languages customers of a
  European bank write in (`LANGUAGES`), for messages of three words or more: it tells Polish,
  Indonesian, Swahili or Arabic from English, which a word list for a few languages cannot
  (that list read 442 of the demo's 2,600 non-English training phrasings as English).
- function words ("the", "el", "le", "der", "o", "il", "het", and Hindi written in Latin
  letters, which lingua does not know) and letters such as ñ, ß, ç, ã, for very short
  messages and whenever lingua is unsure.
`confidence` is the winner's share of the evidence; it is low for messages with no function
word (e.g. "card???"). Lingua's models take ~400 MB and ~5 s to load, once per process
(`warm_up` at start-up, not in the first customer's turn).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

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
    # Hindi (and Urdu) in Latin letters, often mixed with English ("mera card block ho gaya").
    "hi": _words(
        "aap apna apni aur bhi gaya gayi hai hain hoon kaise karna karu karun kya kyun liye "
        "mein mera mere meri mujhe nahi nahin paise raha rahi tha thi"
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


# The languages lingua chooses among: the knowledge base's and those the demo's customers write
# in. Fewer languages mean fewer look-alikes for short English messages (and less memory).
LANGUAGES = (
    "ENGLISH",
    "SPANISH",
    "FRENCH",
    "GERMAN",
    "PORTUGUESE",
    "ITALIAN",
    "DUTCH",
    "POLISH",
    "ROMANIAN",
    "TURKISH",
    "INDONESIAN",
    "TAGALOG",
    "ARABIC",
    "VIETNAMESE",
    "GREEK",
    "CZECH",
    "SWEDISH",
    "SWAHILI",
)
# A message decides the language a conversation is held in (batondesk.i18n) only with at
# least this many words and a reliable guess: "ok", "no" (Spanish? Italian? English?),
# "hola", "la segunda" or "card declined" say too little, and one of them must not turn a
# Spanish conversation English or an English one Spanish.
SETTLING_MIN_WORDS = 4
# Below this many words, or below this relative confidence, lingua's guess is not used.
LINGUA_MIN_WORDS = 3
LINGUA_MIN_CONFIDENCE = 0.5

_detector: Any = None
_detector_lock = threading.Lock()


def warm_up() -> None:
    """Load lingua's models now (they take seconds), not in the first message's turn."""
    _lingua()


def _lingua() -> Any:
    global _detector
    with _detector_lock:
        if _detector is None:
            from lingua import Language, LanguageDetectorBuilder

            languages = [getattr(Language, name) for name in LANGUAGES]
            _detector = (
                LanguageDetectorBuilder.from_languages(*languages)
                .with_preloaded_language_models()
                .build()
            )
        return _detector


def detect_language(text: str) -> LanguageGuess:
    """Best language for `text`; with no evidence, DEFAULT_LANGUAGE at confidence 0."""
    if len(text.split()) >= LINGUA_MIN_WORDS:
        values = _lingua().compute_language_confidence_values(text)
        if values and values[0].value >= LINGUA_MIN_CONFIDENCE:
            best = values[0]
            return LanguageGuess(
                best.language.iso_code_639_1.name.lower(),
                round(float(best.value), 4),
                {
                    v.language.iso_code_639_1.name.lower(): round(float(v.value), 3)
                    for v in values[:3]
                },
            )
    return _function_words(text)


def _function_words(text: str) -> LanguageGuess:
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


def settles_language(text: str, guess: LanguageGuess) -> bool:
    """Whether `guess` (for `text`) is sure enough to set the conversation's language."""
    return guess.reliable and len(WORD.findall(text)) >= SETTLING_MIN_WORDS
