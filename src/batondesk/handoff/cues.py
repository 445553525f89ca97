"""What a detector found in a message: a named cue with where it is, never the text itself.

Evidence is stored in events (unencrypted, kept for analytics), so it names the cue and the
character span in the message; the handoff packet, which may read the decrypted message,
shows the words to the agent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Cue:
    """One matched cue. `span` is (start, end) in the message at `message_index` (0-based
    among the customer's messages in this conversation; the last one is the current)."""

    signal: str  # explicit_request | sensitive | frustration | repeated_failure
    name: str  # e.g. "ask_for_person", "fraud", "bot_missed_the_point", "rephrasing"
    message_index: int
    span: tuple[int, int] | None = None
    score: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_evidence(self) -> dict[str, Any]:
        data: dict[str, Any] = {"cue": self.name, "message_index": self.message_index}
        if self.span is not None:
            data["span"] = list(self.span)
        if self.score is not None:
            data["score"] = round(self.score, 4)
        data.update(self.detail)
        return data


def fold(text: str) -> str:
    """Lower case without accents, curly quotes made straight: one form for every pattern.

    Exactly one output character per input character, so a span found in the folded text
    points at the same words in the original message (so "ß" stays "ß" rather than "ss")."""
    if text.isascii():
        # Nothing to decompose or straighten: lower case alone is the same fold, ~100x
        # faster, and every detector folds the message again (ten times per turn).
        return text.lower()
    return "".join(map(_fold_character, text))


@lru_cache(maxsize=4096)
def _fold_character(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)) or char
    base = base.replace("\u2019", "'").replace("\u2018", "'")
    return base[0].lower() if base else char.lower()


def find_first(
    patterns: list[tuple[str, re.Pattern[str]]], folded: str
) -> tuple[str, tuple[int, int]] | None:
    """The first pattern (in list order) that matches, with its span."""
    for name, pattern in patterns:
        match = pattern.search(folded)
        if match:
            return name, match.span()
    return None
