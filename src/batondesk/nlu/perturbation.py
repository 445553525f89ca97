"""Text variants for robustness audits: typos, casing, texting style and slang, regional
phrasing. Real customers write like this; a model must not lose much accuracy on them.

All perturbations are deterministic for a given seed, so a robustness report is repeatable.
They are written by hand for this project and are never used to tune on test data.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

KEYBOARD_NEIGHBOURS = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}
TEXTING = [
    (r"\byou\b", "u"),
    (r"\byour\b", "ur"),
    (r"\byou're\b", "ur"),
    (r"\bare\b", "r"),
    (r"\bplease\b", "pls"),
    (r"\bthanks\b", "thx"),
    (r"\bthank you\b", "ty"),
    (r"\bbecause\b", "cuz"),
    (r"\bto\b", "2"),
    (r"\bfor\b", "4"),
    (r"\bwhat\b", "wat"),
    (r"\bwhy\b", "y"),
    (r"\bi am\b", "im"),
    (r"\bi'm\b", "im"),
    (r"\bdon't\b", "dont"),
    (r"\bdoesn't\b", "doesnt"),
    (r"\bcan't\b", "cant"),
    (r"\bhaven't\b", "havent"),
    (r"\bwant to\b", "wanna"),
    (r"\bgoing to\b", "gonna"),
    (r"\breally\b", "rly"),
    (r"\bokay\b", "ok"),
    (r"\bpeople\b", "ppl"),
    (r"\bmessage\b", "msg"),
    (r"\btomorrow\b", "tmrw"),
    (r"\btoday\b", "2day"),
    (r"\bsomeone\b", "some1"),
    (r"\bbefore\b", "b4"),
    (r"\bknow\b", "kno"),
    (r"\bhave\b", "hav"),
    (r"\bwith\b", "w/"),
    (r"\bmoney\b", "cash"),
    (r"\bthe\b", "da"),
    (r"\bthat\b", "dat"),
    (r"\bisn't\b", "aint"),
    (r"\bvery\b", "v"),
]
# Regional phrasing: British, Indian, Irish/Scottish, Southern US and Australian English.
REGIONAL = [
    (r"\bATM\b", "cash machine"),
    (r"\bcell ?phone\b", "mobile"),
    (r"\bvacation\b", "holiday"),
    (r"\bcheck\b", "cheque"),
    (r"\bchecking account\b", "current account"),
    (r"\bzip code\b", "postcode"),
    (r"\bapartment\b", "flat"),
    (r"\bgas\b", "petrol"),
    (r"\bI want to\b", "I'd be wanting to"),
    (r"\bI want\b", "I'm after"),
    (r"\bI need\b", "I'm needing"),
    (r"\bplease\b", "kindly"),
    (r"\bmoney\b", "dosh"),
    (r"\bgood\b", "grand"),
    (r"\bsmall\b", "wee"),
    (r"\bfriends\b", "mates"),
    (r"\byou all\b", "y'all"),
    (r"\bquestion\b", "doubt"),
    (r"\bhow do I\b", "how do I go about to"),
    (r"\bcan you\b", "could you kindly"),
    (r"\bisn't\b", "is not"),
    (r"\bmy card\b", "me card"),
    (r"\bhello\b", "hiya"),
]
REGIONAL_TAGS = [", mate", ", innit", " please do the needful", ", eh", ", ta", " y'all", ""]

Perturbation = Callable[[str, random.Random], str]


def typos(text: str, rng: random.Random, rate: float = 0.15) -> str:
    """About `rate` of the words of 4+ letters get one typo (swap, drop, double, neighbour)."""

    def damage(match: re.Match[str]) -> str:
        word = match.group()
        if len(word) < 4 or rng.random() > rate:
            return word
        i = rng.randrange(1, len(word) - 1)
        kind = rng.choice(("swap", "drop", "double", "neighbour"))
        if kind == "swap":
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if kind == "drop":
            return word[:i] + word[i + 1 :]
        if kind == "double":
            return word[:i] + word[i] + word[i:]
        near = KEYBOARD_NEIGHBOURS.get(word[i].lower(), word[i])
        return word[:i] + rng.choice(near) + word[i + 1 :]

    return re.sub(r"[A-Za-z]+", damage, text)


def casing(text: str, rng: random.Random) -> str:
    """All lower case without punctuation, or ALL CAPS (a shouting customer)."""
    if rng.random() < 0.5:
        return re.sub(r"[^\w\s']", "", text).lower()
    return text.upper()


def _substitute(text: str, rules: list[tuple[str, str]], rng: random.Random, p: float) -> str:
    for pattern, replacement in rules:
        if rng.random() < p:
            text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    return text


def texting(text: str, rng: random.Random) -> str:
    """Texting style and slang: "u", "pls", "wanna", dropped apostrophes, no capitals."""
    text = _substitute(text, TEXTING, rng, p=0.8)
    text = text.replace("?", rng.choice(["?", "??", ""]))
    return text.lower() if rng.random() < 0.7 else text


def regional(text: str, rng: random.Random) -> str:
    """Regional phrasing and tags from several English-speaking regions."""
    text = _substitute(text, REGIONAL, rng, p=0.7)
    tag = rng.choice(REGIONAL_TAGS)
    stripped = text.rstrip(" ?.!")
    ending = text[len(stripped) :]
    return stripped + tag + ending


PERTURBATIONS: dict[str, Perturbation] = {
    "typos": typos,
    "casing": casing,
    "texting": texting,
    "regional": regional,
}


def perturb(texts: list[str], kind: str, seed: int = 0) -> list[str]:
    """Apply one perturbation to every text, deterministically for a seed."""
    if kind not in PERTURBATIONS:
        raise ValueError(f"unknown perturbation '{kind}'; choose from {sorted(PERTURBATIONS)}")
    # Reproducible test perturbations, not secrets.
    rng = random.Random(seed)  # nosec B311
    return [PERTURBATIONS[kind](text, rng) for text in texts]
