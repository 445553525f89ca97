"""Answering the bot's clarifying question: which of the offered choices did the customer mean?

Customers answer "is it A or B?" in many ways: a button, "the first one", "2", "yes" (when one
thing was offered), "the card one", the title typed out or paraphrased, "neither", or a new
question altogether. This module reads the reply against the offered choices only; it never
guesses beyond them. A reply that names no choice is "unrelated" and the turn treats it as a
new message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, Literal

from batondesk.handoff.cues import fold

# The id of the "none of these" quick reply.
NONE_OF_THESE = "none"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Ordinal words by position (0-based); -1 is "the last one". Several languages, because a
# customer who writes in Polish answers in Polish.
_ORDINALS: dict[int, frozenset[str]] = {
    0: _words(
        "first 1st former primera primero primer premier premiere 1er 1re erste ersten erstes "
        "erster primeira primeiro primo prima pierwsza pierwszy pierwsze pierwszej unang "
        "pehla pehli pahla pahli"
    ),
    1: _words(
        "second 2nd latter segunda segundo deuxieme seconde 2e 2eme zweite zweiten zweites "
        "zweiter secondo seconda druga drugi drugie drugiej ikalawa pangalawa doosra doosri "
        "dusra dusri dosra"
    ),
    2: _words(
        "third 3rd tercera tercero troisieme 3e 3eme dritte dritten terceira terceiro terzo "
        "terza trzecia trzeci ikatlo pangatlo teesra teesri tisra tisri"
    ),
    -1: _words(
        "last bottom ultima ultimo dernier derniere letzte letzten ostatnia ostatni huli "
        "aakhri akhri"
    ),
}
# Numbers count only as the whole reply ("2", "option 2", "number two"): "the card one" is
# not "one".
_NUMBERS = {"1": 0, "one": 0, "2": 1, "two": 1, "3": 2, "three": 2}
_NUMBER_REPLY = re.compile(
    r"^(?:(?:option|number|no|nr|num|choice|opcion|numero|nummer|the|#)\s*)?"
    r"(1|2|3|one|two|three)(?:\s*(?:please|pls|thanks|thank you))?$"
)
_NEGATIVE = re.compile(
    r"\b(?:neither|none|nope|nah|not those|not that|not these|something else|other thing|"
    r"anything else|different|ninguna|ninguno|ni uno|ni una|otra cosa|aucun|aucune|autre chose|"
    r"keine|keins|keiner|weder|etwas anderes|nenhum|nenhuma|outra coisa|nessuno|nessuna|"
    r"altro|zaden|zadna|zadne|cos innego|wala|iba|koi nahi|kuch aur|dono nahi)\b"
)
_BOTH = re.compile(r"\b(?:both|ambos|ambas|les deux|beide|beides|entrambi|oba|obie|dono)\b")
_YES = re.compile(
    r"^(?:yes|yeah|yep|yup|ya|yea|correct|right|exactly|that's it|thats it|that one|si|oui|ja|"
    r"sim|tak|oo|opo|haan|han|haa|sure|ok|okay)\b"
)
_NO = re.compile(r"^(?:no|non|nein|nao|nie|hindi|nahi)\b")
# "1️⃣": a digit with the keycap marks some keyboards add.
_KEYCAP = re.compile(r"([0-9])\ufe0f?\u20e3")
# "top one" means the first; "top" alone is too common here ("top-up").
_TOP_ONE = re.compile(r"\b(?:top (?:one|option|choice)|(?:yung|ang) una)\b")
_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about which choice is meant.
_FILLER = _words(
    "a an the one thing that this it its is about my i me with for to of on in and or "
    "please pls question issue problem yes yeah no one's ones bit stuff"
)
# A paraphrase must be this close (cosine) to one choice and this much closer than to others.
_PARAPHRASE_SIMILARITY = 0.5
_PARAPHRASE_MARGIN = 0.08
# A reply of more words than this that picks no choice by its words is taken as a new message.
_SHORT_REPLY_WORDS = 8


@dataclass(frozen=True)
class OfferedChoice:
    """A quick reply the bot offered; `article` is None for "none of these"."""

    id: str
    label: str
    article: Mapping[str, Any] | None = None

    def to_annotation(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "article": self.article}

    @classmethod
    def from_annotation(cls, data: Mapping[str, Any]) -> OfferedChoice:
        article = data.get("article")
        return cls(str(data["id"]), str(data["label"]), dict(article) if article else None)


@dataclass(frozen=True)
class ChoiceReading:
    """How the reply relates to the offered choices."""

    outcome: Literal["picked", "none", "unrelated"]
    choice: OfferedChoice | None = None
    how: str = ""  # button / ordinal / yes / words / paraphrase / negative / both


def read_choice(
    reply: str,
    offered: Sequence[OfferedChoice],
    *,
    button: str | None = None,
    similarities: Sequence[float] | None = None,
) -> ChoiceReading:
    """Which offered choice `reply` picks.

    `button` is the id the widget sent with a quick reply; `similarities` the sentence
    similarity of the reply to each offered choice's label (same order), when the caller has
    an encoder. An unknown button id is ignored (a stale page), and the words are read instead.
    """
    articles = [c for c in offered if c.article is not None]
    if button is not None:
        for choice in offered:
            if choice.id == button:
                if choice.article is None:
                    return ChoiceReading("none", None, "button")
                return ChoiceReading("picked", choice, "button")
    text = _KEYCAP.sub(r"\1", fold(reply)).strip(" .!?¿¡")
    if not articles or not text:
        return ChoiceReading("unrelated")
    words = _WORD.findall(text)
    negated = _negated(words)

    position = _ordinal(text, words)
    if position is not None and -len(articles) <= position < len(articles):
        return ChoiceReading("picked", articles[position], "ordinal")
    if _BOTH.search(text):
        return ChoiceReading("none", None, "both")
    by_words = _by_title_words([w for w in words if w not in negated], articles)
    if by_words is not None:
        return ChoiceReading("picked", by_words, "words")
    if negated and len(articles) == 2:
        # "not the PIN one": of two choices, the one the customer did not rule out.
        ruled_out = _by_title_words(sorted(negated), articles)
        if ruled_out is not None:
            other = articles[1 - articles.index(ruled_out)]
            return ChoiceReading("picked", other, "not_the_other")
    if _NEGATIVE.search(text) or (_NO.match(text) and len(words) <= 3):
        return ChoiceReading("none", None, "negative")
    if _YES.match(text) and len(words) <= 4:
        if len(articles) == 1:
            return ChoiceReading("picked", articles[0], "yes")
        return ChoiceReading("none", None, "yes_to_several")
    if similarities is not None and len(similarities) == len(offered):
        by_meaning = _by_paraphrase(offered, similarities)
        if by_meaning is not None:
            return ChoiceReading("picked", by_meaning, "paraphrase")
    return ChoiceReading("unrelated")


def _ordinal(text: str, words: list[str]) -> int | None:
    """The position a short reply names; the last one when it names several ("the second.
    no wait, the first")."""
    number = _NUMBER_REPLY.match(text)
    if number:
        return _NUMBERS[number.group(1)]
    if len(words) > _SHORT_REPLY_WORDS:
        return None
    if _TOP_ONE.search(text):
        return 0
    named = [_ordinal_of(word) for word in words]
    positions = [p for p in named if p is not None]
    return positions[-1] if positions else None


def _ordinal_of(word: str) -> int | None:
    """The position an ordinal word names, forgiving one slip of the keyboard ("frist")."""
    for position, names in _ORDINALS.items():
        if word in names:
            return position
    if len(word) >= 5:
        for position, names in _ORDINALS.items():
            if get_close_matches(word, [n for n in names if len(n) >= 5], n=1, cutoff=0.8):
                return position
    return None


def _negated(words: list[str]) -> set[str]:
    """Words the reply rules out: those right after "not" or "no" ("not the PIN one")."""
    ruled_out: set[str] = set()
    for index, word in enumerate(words):
        if word in ("not", "no", "nicht", "pas", "nao", "non"):
            ruled_out.update(w for w in words[index + 1 : index + 3] if w not in _FILLER)
    return ruled_out


def _content(words: Sequence[str]) -> set[str]:
    return {_stem(w) for w in words if w not in _FILLER and len(w) > 2}


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _by_title_words(words: list[str], articles: list[OfferedChoice]) -> OfferedChoice | None:
    """The one choice whose label shares content words with a short reply ("the card one")."""
    if len(words) > _SHORT_REPLY_WORDS:
        return None
    reply = _content(words)
    if not reply:
        return None
    overlaps = [len(reply & _content(_WORD.findall(_describe(c)))) for c in articles]
    best = max(overlaps)
    if best == 0 or overlaps.count(best) > 1:
        return None
    return articles[overlaps.index(best)]


def _describe(choice: OfferedChoice) -> str:
    """The words that name a choice: its label and its article's slug ("card-delivery")."""
    slug = str((choice.article or {}).get("slug", "")).replace("-", " ")
    return fold(f"{choice.label} {slug}")


def _by_paraphrase(
    offered: Sequence[OfferedChoice], similarities: Sequence[float]
) -> OfferedChoice | None:
    ranked = sorted(
        ((s, c) for s, c in zip(similarities, offered, strict=True) if c.article is not None),
        key=lambda pair: -pair[0],
    )
    if not ranked or ranked[0][0] < _PARAPHRASE_SIMILARITY:
        return None
    runner_up = ranked[1][0] if len(ranked) > 1 else -1.0
    return ranked[0][1] if ranked[0][0] - runner_up >= _PARAPHRASE_MARGIN else None
