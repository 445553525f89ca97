"""Greetings, thanks and goodbyes: a message that is only that gets a friendly word back, not
a search of the knowledge base ("Thanks!" is not a question the bot failed to answer)."""

from __future__ import annotations

import re

from batondesk.handoff.cues import fold
from batondesk.handoff.need import NOT_A_CLOSING, THANKS, WORKED

_PREFACE = (
    r"(?:(?:a |just a |one )?quick (?:one|question|q)|(?:i ?)?(?:have|have got|'ve got|got) a "
    r"(?:quick )?question(?: for you)?|a question|question for you|(?:can|could) you help(?: me)?"
    r"(?: please)?|i need (?:some )?help|need some help|are you there|anyone there)"
)
_KINDS = {
    # A greeting, a preface announcing the question to come ("hi, quick one", "I have a
    # question"), or both: the question is still to come, so nothing was missed yet.
    "greeting": re.compile(
        r"(?:(?:hi+|hello+|hey+|hiya|howdy|good (?:morning|afternoon|evening)|morning|hola|"
        r"buenos dias|buenas(?: tardes| noches)?|bonjour|salut|bonsoir|hallo|guten (?:tag|morgen|"
        r"abend)|servus|ola|oi|bom dia|boa tarde|ciao|buongiorno|buonasera|czesc|dzien dobry|"
        r"kumusta|namaste|yo)(?:[ ,.!-]+" + _PREFACE + r")?|" + _PREFACE + r")"
    ),
    "thanks": re.compile(THANKS),
    "goodbye": re.compile(
        r"(?:bye+|goodbye|see you|see ya|that's all|thats all|that is all|that's everything|"
        r"that's it|all good|all done|"
        r"nothing else|no that's it|adios|hasta luego|au revoir|tschuss|auf wiedersehen|tchau|"
        r"arrivederci|do widzenia|paalam)"
    ),
}
_WRAPPER = re.compile(
    r"^(?:ok(?:ay)?|great|perfect|brilliant|lovely|cool|oh|well)?[ ,]*(.*?)[ ,]*"
    r"(?:there|again|a lot|mate|team|baton|bot)?$"
)
_THANKS_WORD = re.compile(r"\b" + _KINDS["thanks"].pattern + r"\b")
_SEPARATOR = re.compile(r"[,.!;]+")
_TRAILING = re.compile(r"[\s!.?:)(😊🙂👍🙏❤️]+$")


def smalltalk_kind(text: str) -> str | None:
    """ "greeting", "thanks" or "goodbye" when the whole message is just that (or a few of
    them: "Lovely, thanks, that's everything" is a goodbye), else None."""
    folded = _TRAILING.sub("", fold(text).strip())
    if not folded or len(folded.split()) > 8:
        return None
    kind = _kind(folded) if len(folded.split()) <= 6 else None
    if kind is not None:
        return None if kind == "filler" else kind
    kinds = [_kind(part.strip()) for part in _SEPARATOR.split(folded) if part.strip()]
    said = [k for k in kinds if k != "filler"]
    if len(kinds) > 1 and None not in kinds and said:
        return said[-1]
    # "nvm found it on the statement, thx", "Top, erledigt. Danke!": a short closing that
    # thanks, asks nothing and complains of nothing.
    if (
        "?" not in text
        and (_THANKS_WORD.search(folded) or WORKED.search(folded))
        and not NOT_A_CLOSING.search(folded)
    ):
        return "thanks"
    return None


def _kind(folded: str) -> str | None:
    core = _WRAPPER.match(folded)
    candidate = core.group(1) if core else folded
    if not candidate and core is not None and folded:
        return "filler"  # "lovely", "oh": a word that only frames the others
    for kind, pattern in _KINDS.items():
        if pattern.fullmatch(candidate) or pattern.fullmatch(folded):
            return kind
    return None
