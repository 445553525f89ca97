"""Greetings, thanks and goodbyes: a message that is only that gets a friendly word back, not
a search of the knowledge base ("Thanks!" is not a question the bot failed to answer)."""

from __future__ import annotations

import re

from batondesk.handoff.cues import fold

_KINDS = {
    "greeting": re.compile(
        r"(?:hi+|hello+|hey+|hiya|howdy|good (?:morning|afternoon|evening)|morning|hola|"
        r"buenos dias|buenas(?: tardes| noches)?|bonjour|salut|bonsoir|hallo|guten (?:tag|morgen|"
        r"abend)|servus|ola|oi|bom dia|boa tarde|ciao|buongiorno|buonasera|czesc|dzien dobry|"
        r"kumusta|namaste|yo)"
    ),
    "thanks": re.compile(
        r"(?:thanks?(?: you)?(?: (?:so|very) much)?|thank u|thx|ty|cheers|ta|many thanks|"
        r"much appreciated|appreciate it|great,? thanks|perfect,? thanks|ok,? thanks|gracias|"
        r"muchas gracias|merci(?: beaucoup)?|danke(?: schon)?|vielen dank|obrigad[oa]|grazie|"
        r"dziekuje|salamat|shukriya|dhanyavaad)"
    ),
    "goodbye": re.compile(
        r"(?:bye+|goodbye|see you|see ya|that's all|thats all|that is all|all good|all done|"
        r"nothing else|no that's it|adios|hasta luego|au revoir|tschuss|auf wiedersehen|tchau|"
        r"arrivederci|do widzenia|paalam)"
    ),
}
_WRAPPER = re.compile(
    r"^(?:ok(?:ay)?|great|perfect|brilliant|lovely|cool|oh|well)?[ ,]*(.*?)[ ,]*"
    r"(?:there|again|a lot|mate|team|baton|bot)?$"
)
_TRAILING = re.compile(r"[\s!.?:)(😊🙂👍🙏❤️]+$")


def smalltalk_kind(text: str) -> str | None:
    """ "greeting", "thanks" or "goodbye" when the whole message is just that, else None."""
    folded = _TRAILING.sub("", fold(text).strip())
    if not folded or len(folded.split()) > 6:
        return None
    core = _WRAPPER.match(folded)
    candidate = core.group(1) if core else folded
    for kind, pattern in _KINDS.items():
        if pattern.fullmatch(candidate) or pattern.fullmatch(folded):
            return kind
    return None
