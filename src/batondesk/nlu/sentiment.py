"""Sentiment polarity and frustration of one message (the conversation-level reading that the
escalation policy uses is `handoff.frustration`, built on this).

A lexicon with negation and intensity rules, not a model: it is instant, explainable (each
score lists the signals behind it, which the escalation policy turns into reason codes) and
needs no training data. Frustration is not just negativity: it rises with anger words,
insults, SHOUTING, repeated punctuation, "third time I ask" repetition and threats to leave.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

POSITIVE = {
    "thanks": 1.5,
    "thank": 1.5,
    "great": 2.0,
    "good": 1.5,
    "excellent": 2.5,
    "perfect": 2.5,
    "awesome": 2.5,
    "amazing": 2.5,
    "love": 2.5,
    "happy": 2.0,
    "helpful": 2.0,
    "appreciate": 2.0,
    "nice": 1.5,
    "wonderful": 2.5,
    "fine": 0.8,
    "resolved": 1.5,
    "works": 1.0,
    "solved": 1.5,
    "quick": 1.0,
    "fast": 1.0,
    "glad": 1.8,
    "pleased": 2.0,
    "brilliant": 2.5,
    "cheers": 1.2,
    "gracias": 1.5,
    "merci": 1.5,
    "danke": 1.5,
    "obrigado": 1.5,
    "grazie": 1.5,
}
NEGATIVE = {
    "bad": -1.8,
    "terrible": -2.8,
    "awful": -2.8,
    "horrible": -2.8,
    "worst": -3.0,
    "useless": -2.5,
    "angry": -2.5,
    "annoyed": -2.0,
    "annoying": -2.0,
    "upset": -2.0,
    "frustrated": -2.5,
    "frustrating": -2.5,
    "disappointed": -2.2,
    "disappointing": -2.2,
    "problem": -1.0,
    "issue": -0.8,
    "wrong": -1.5,
    "broken": -1.8,
    "fail": -1.8,
    "failed": -1.8,
    "declined": -1.2,
    "unacceptable": -3.0,
    "ridiculous": -2.8,
    "joke": -1.5,
    "pathetic": -3.0,
    "incompetent": -3.0,
    "scam": -3.0,
    "fraud": -2.0,
    "stolen": -2.0,
    "lost": -1.2,
    "waiting": -1.0,
    "still": -0.6,
    "never": -1.0,
    "nobody": -1.5,
    "ignored": -2.2,
    "hate": -3.0,
    "sucks": -2.5,
    "rubbish": -2.5,
    "crap": -2.5,
    "stupid": -2.8,
    "slow": -1.2,
    "late": -1.0,
    "confused": -1.0,
    "worried": -1.5,
    "charged": -0.5,
    "unhappy": -2.2,
    "furious": -3.2,
    "outraged": -3.2,
    "disgusted": -3.0,
    "disgrace": -3.0,
    "shocking": -2.5,
    "cannot": -0.5,
    "can't": -0.5,
}
INSULTS = {
    "idiot",
    "idiots",
    "stupid",
    "incompetent",
    "useless",
    "pathetic",
    "morons",
    "moron",
    "clowns",
    "joke",
    "scam",
    "scammers",
    "thieves",
    "crooks",
    "liars",
}
# "scam websites", "spotting a scam": the word names a topic, not what the customer calls us.
_TOPIC_AFTER = {
    "website",
    "websites",
    "site",
    "sites",
    "call",
    "calls",
    "text",
    "texts",
    "email",
    "emails",
    "message",
    "messages",
    "link",
    "links",
    "alert",
    "alerts",
    "warning",
    "warnings",
    "artist",
    "artists",
}
_TOPIC_BEFORE = {
    "spot",
    "spotting",
    "avoid",
    "avoiding",
    "report",
    "reporting",
    "about",
    "recognise",
    "recognize",
    "common",
}


# "some idiot reversed into my car", "I felt like an idiot": someone else, or the customer,
# not what they call us.
_PERSON_INSULTS = {"idiot", "idiots", "moron", "morons"}


def _a_topic(words: list[str], index: int) -> bool:
    before = words[index - 1] if index else ""
    if words[index] in _PERSON_INSULTS:
        return before == "some" or words[max(0, index - 2) : index] in (
            ["like", "an"],
            ["like", "a"],
        )
    if words[index] not in {"scam", "scams", "scammers"}:
        return False
    after = words[index + 1] if index + 1 < len(words) else ""
    # "how would I know if a text is a scam?": asking whether something is one.
    asking = any(w in ("if", "whether") for w in words[max(0, index - 10) : index])
    return after in _TOPIC_AFTER or before in _TOPIC_BEFORE or asking


PROFANITY = re.compile(
    r"\b(?:f+u+c+k\w*|sh[i1]t+\w*|damn\w*|wtf|bs|bullshit|hell)\b", re.IGNORECASE
)
NEGATORS = {
    "not",
    "no",
    "never",
    "dont",
    "don't",
    "didnt",
    "didn't",
    "isnt",
    "isn't",
    "wasnt",
    "wasn't",
    "cant",
    "can't",
    "cannot",
    "won't",
    "wont",
    "nothing",
    "hardly",
}
INTENSIFIERS = {
    "very": 1.4,
    "really": 1.3,
    "so": 1.3,
    "extremely": 1.6,
    "totally": 1.4,
    "absolutely": 1.5,
    "completely": 1.4,
    "super": 1.4,
    "incredibly": 1.6,
}
REPETITION = re.compile(
    r"\b(?:(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time|again|already\s+(?:told|asked|"
    r"said|explained)|keep\s+(?:asking|telling|calling)|(?:how\s+)?many\s+times|still\s+(?:not|no|"
    r"waiting|haven't|hasn't)|for\s+(?:days|weeks|months)|every\s+time)\b",
    re.IGNORECASE,
)
THREAT_TO_LEAVE = re.compile(
    r"\b(?:clos(?:e|ing)\s+(?:my|the)\s+account|cancel(?:ling)?\s+(?:my|the)\s+"
    r"(?:account|subscription|card|membership)|switch(?:ing)?\s+(?:to\s+)?(?:another|a\s+different|"
    r"other)|tak(?:e|ing)\s+my\s+(?:money|business)\s+elsewhere|leav(?:e|ing)\s+(?:your|this)|"
    r"lawyer|solicitor|legal\s+action|sue\s+you|report\s+you|ombudsman|regulator|complaint|"
    r"never\s+(?:again|use))\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[A-Za-z']+")


@dataclass(frozen=True)
class SentimentScore:
    """`polarity` in [-1, 1] (negative to positive); `frustration` in [0, 1]; `signals`
    names what raised frustration (e.g. "shouting", "repetition", "threat_to_leave")."""

    polarity: float
    frustration: float
    signals: list[str] = field(default_factory=list)


def analyze_sentiment(text: str) -> SentimentScore:
    """Polarity and frustration of one message (any length; empty text is neutral)."""
    words = [w.lower() for w in WORD.findall(text)]
    total = 0.0
    for index, word in enumerate(words):
        value = POSITIVE.get(word, 0.0) + NEGATIVE.get(word, 0.0)
        if not value:
            continue
        window = words[max(0, index - 3) : index]
        if any(w in NEGATORS for w in window):
            value *= -0.6  # "not good" is negative, but less than "bad"
        if index and words[index - 1] in INTENSIFIERS:
            value *= INTENSIFIERS[words[index - 1]]
        total += value
    signals: list[str] = []
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    exclamations = len(re.findall(r"[!?]{2,}", text))
    insults = sum(w in INSULTS and not _a_topic(words, i) for i, w in enumerate(words)) + len(
        PROFANITY.findall(text)
    )
    repetition = len(REPETITION.findall(text))
    threat = bool(THREAT_TO_LEAVE.search(text))
    if shouting:
        signals.append("shouting")
        total *= 1.3
    total -= 0.5 * exclamations if total < 0 else 0.0
    polarity = total / math.sqrt(total * total + 8.0)  # squashed to (-1, 1), as in VADER

    anger = max(0.0, -polarity)
    frustration = 0.45 * anger
    if exclamations:
        signals.append("repeated_punctuation")
        frustration += min(0.15, 0.08 * exclamations)
    if shouting:
        frustration += 0.2
    if insults:
        signals.append("insult")
        frustration += min(0.3, 0.2 * insults)
    if repetition:
        signals.append("repetition")
        frustration += min(0.3, 0.18 * repetition)
    if threat:
        signals.append("threat_to_leave")
        frustration += 0.3
    if anger > 0.3:
        signals.append("negative_language")
    return SentimentScore(round(polarity, 4), round(min(1.0, frustration), 4), signals)
