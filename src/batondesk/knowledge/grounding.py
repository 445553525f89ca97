"""Is a generated answer supported by the passages it was generated from?

Every sentence of the answer is a claim. A claim is supported when most of its content words
occur in one retrieved passage (overlap recall), and every number in it (amounts, days,
percentages — where a model's mistakes cost customers most) appears in the passages, and a
negated claim ("cards do not arrive...") needs a passage that negates too. An
answer with any unsupported claim is rejected as a whole: the customer gets the extractive
answer instead. Overlap is strict on purpose; a rejected good answer costs only fluency.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from batondesk.knowledge.lexical import tokenize

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Words a faithful paraphrase adds without adding a claim.
_FILLER_TEXT = (
    "also sure certainly course happy help glad hope note just simply please let know need "
    "want like yes no ok okay here there able may might should must"
)
_FILLER = frozenset(_FILLER_TEXT.split())
_NEGATIONS = frozenset({"not", "no", "never", "cannot", "none", "nothing", "without"})


@dataclass(frozen=True)
class ClaimCheck:
    claim: str
    support: float  # best overlap recall over the passages, 0..1
    numbers_ok: bool
    negation_ok: bool = True

    def supported(self, threshold: float) -> bool:
        return self.numbers_ok and self.negation_ok and self.support >= threshold


@dataclass(frozen=True)
class GroundingVerdict:
    supported: bool
    claims: list[ClaimCheck] = field(default_factory=list)

    @property
    def weakest(self) -> float:
        return min((c.support for c in self.claims), default=1.0)


@dataclass(frozen=True)
class GroundingChecker:
    min_support: float = 0.7

    def check(self, answer: str, passages: Sequence[str]) -> GroundingVerdict:
        if not answer.strip() or not passages:
            return GroundingVerdict(False)
        passage_words = [set(tokenize(p)) for p in passages]
        passage_numbers = {_plain_number(n) for p in passages for n in _NUMBER.findall(p)}
        checks = []
        for claim in (s.strip() for s in _SENTENCE.split(answer)):
            words = [w for w in tokenize(claim) if w not in _FILLER]
            if not words:
                continue  # a greeting or "Here is what to do:" states nothing
            scores = [sum(w in pw for w in words) / len(words) for pw in passage_words]
            best = max(range(len(scores)), key=scores.__getitem__)
            numbers_ok = all(_plain_number(n) in passage_numbers for n in _NUMBER.findall(claim))
            negated = bool(_NEGATIONS.intersection(words))
            negation_ok = not negated or bool(_NEGATIONS.intersection(passage_words[best]))
            checks.append(ClaimCheck(claim, round(scores[best], 3), numbers_ok, negation_ok))
        if not checks:
            return GroundingVerdict(False)
        return GroundingVerdict(all(c.supported(self.min_support) for c in checks), checks)


def _plain_number(text: str) -> str:
    return text.replace(",", "")
