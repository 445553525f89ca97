"""Which of the customer's messages are about the need they have now, and how long it has gone
unresolved.

Repeated failure means the bot failing the customer again and again on the same need. A
customer who says the last answer worked ("Lovely", "great thanks", "perfect, that worked")
has no open need left, and one who moves on ("and for the return flight?", "one more thing",
"actually, can I switch the slot?") has a new one: the bot's earlier misses are not misses on
it. So failures are counted from the message that opened the current need, never across a
closing or a new question.

The acknowledgement words live here, and the small-talk reply (`engine.smalltalk`) reads them
from here: a message the bot thanks back is exactly one that settles the need.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from batondesk.handoff.cues import fold

# "Thanks" in the languages of the sets (matched on folded text: no accents, lower case).
THANKS = (
    r"(?:thanks?(?: you)?(?: (?:so|very) much)?|thank u|thx|ty|cheers|ta|many thanks|"
    r"much appreciated|appreciate it|great,? thanks|perfect,? thanks|ok,? thanks|gracias|"
    r"muchas gracias|merci(?: beaucoup)?|danke(?: schon)?|vielen dank|obrigad[oa]|grazie|"
    r"dziekuje|salamat|shukriya|dhanyavaad|dank je(?:wel)?|bedankt|tesekkurler|tesekkur ederim|"
    r"sag ol|terima kasih|makasih|asante(?: sana)?|shukran|merci bien)"
)
# "Done!", "brilliant, found it under manage booking", "okay na po, nagawa ko na": the
# customer says the last answer worked.
WORKED = re.compile(
    r"^(?:(?:ok(?:ay)?|great|perfect|brilliant|lovely|cool|yes|yep|yeah|ah|oh|nice|super|top|"
    r"sige|sawa|oke|tamam|dobra|vale|ja|si)[ ,.!]*)*(?:done|all done|found it|got it|sorted|"
    r"all sorted|all set|noted|that worked|it worked|"
    r"works now|working now|figured it out|managed it|nagawa ko na|okay na|ayos na|gelukt|"
    r"erledigt|geschafft|listo|hecho|c'est bon|c'est fait|fatto|pronto|consegui|zrobione|"
    r"gotowe|udało sie|hallettim|buldum|berhasil|beres|nimefanikiwa|am reusit|duoc roi|"
    r"xong roi|ho gaya|khalas)\b"
)
# Words that make a short "thanks" something else: a complaint, a question, a request.
NOT_A_CLOSING = re.compile(
    r"\b(?:not|no|don't|dont|didn't|didnt|doesn't|can't|cant|cannot|won't|still|but|never|"
    r"nothing|wrong|what|how|why|when|where|which|who|please|pls|nicht|kein|pas|nao|non|nie|"
    r"hindi|tidak|bukan|hapana|degil|yok|nahi|khong|nu|geen|niet|nog)\b"
)
# The first words of a message that take the last answer as good: thanks or praise.
_ACKNOWLEDGEMENT = re.compile(
    r"^\W*(?:" + THANKS + r"|lovely|great|perfect|brilliant|excellent|awesome|amazing|nice|"
    r"cool|super|top|fab|fantastic|wonderful|sweet|ace|got it|genial|perfecto|estupendo|listo|"
    r"parfait|toll|prima|perfekt|klasse|passt|otimo|perfeito|beleza|valeu|ottimo|perfetto|"
    r"benissimo|swietnie|dzieki|sip|mantap|poa|safi|ayos|harika|badhiya|mumtaz|mersi|"
    r"multumesc|minunat|tuyet|cam on)\b(?!\s*\?)"
)
# Once the customer thanks or praises, these say the need is still open after all: "thanks
# but it still declines", "great, that didn't work either".
_STILL_OPEN = re.compile(
    r"\b(?:not|no|don't|dont|didn't|didnt|doesn't|doesnt|isn't|can't|cant|cannot|won't|still|"
    r"but|never|nothing|wrong|again|either|same|nicht|kein|keine|immer noch|aber|noch nicht|"
    r"pero|todavia|sigue|mais|toujours|ne |mas|ainda|ma|ancora|ale|nadal|wciaz|maar|nog steeds|"
    r"ama|hala|lakini|bado|tapi|masih|pero|hindi|parin|pa rin|lekin|abhi bhi|nahi|nahin|dar|"
    r"inca|nhung|van|khong)\b"
)
# What the customer says when the last answer did not do it: "it's still", "not there either".
_ANSWER_FAILED = re.compile(
    r"\b(?:still|again|already|yet|either|not|no longer|isn't|doesn't|didn't|can't|won't|"
    r"todavia|sigue|toujours|encore|immer noch|noch nicht|nicht|ainda|ancora|nadal|wciaz|"
    r"nog steeds|hala|bado|masih|parin|pa rin|abhi bhi|inca|van)\b"
)
# A new question that builds on the answer ("and for a virtual card?", "one more thing").
_NEW_QUESTION = re.compile(
    r"^\W*(?:(?:ok|okay|great|thanks|thank you|cool|perfect|got it|right|lovely|brilliant|"
    r"super|genial|merci|danke|gracias|grazie|obrigad[oa]|dzieki|bedankt|salamat|asante)"
    r"\W+)*(?:and|also|what about|how about|what if|plus|another|one more|"
    r"(?:a |one )?(?:different|separate|other|new|unrelated) (?:question|thing|topic|issue)|"
    r"actually|by the way|btw|oh and|while i have you|y|et|und|e|ed|tambien|aussi|auch|"
    r"inoltre|tambem|otra cosa|autre chose|noch etwas|noch was|outra coisa|un'altra cosa|"
    r"en|ook|nog een|a jeszcze|jeszcze jedno|i jeszcze|bir de|ayrica|dan|juga|satu lagi|"
    r"pia|na pia|at saka|isa pa|aur|ek aur|va|con nua|inca ceva)\b"
)


def settles_need(text: str) -> bool:
    """The customer takes the last answer as good ("Lovely", "Super, danke!", "perfect, that
    worked", "genial, lo pido") and says nothing that keeps the need open."""
    folded = fold(text).strip()
    if not (_ACKNOWLEDGEMENT.search(folded) or WORKED.search(folded)):
        return False
    return _STILL_OPEN.search(folded) is None


def opens_new_need(text: str) -> bool:
    """The message moves on to another question ("And does that apply to the return flight?",
    "Actually the morning slot is better, can I switch it?"), rather than asking again."""
    folded = fold(text).strip()
    return _NEW_QUESTION.search(folded) is not None and not _ANSWER_FAILED.search(folded)


def reopens_need(text: str) -> bool:
    """After a "thanks", the customer comes back to say the answer did not work after all
    ("actually where is that setting, it's not under Card")."""
    folded = fold(text).strip()
    return _ANSWER_FAILED.search(folded) is not None


@dataclass(frozen=True)
class Exchange:
    """One earlier customer message and how the bot's reply to it went."""

    customer: str
    # The bot did not place the need: it asked which topic or for detail, or declined the
    # message as outside its scope.
    unclear: bool


def current_need_start(messages: Sequence[str]) -> int:
    """Index in `messages` (the customer's, oldest first, the last the current one) of the
    message that opened the need the last one is about: just after the last closing, or
    the last message that moved on to a new question."""
    start = len(messages) - 1
    while start > 0:
        if opens_new_need(messages[start]):
            break
        if settles_need(messages[start - 1]):
            # "ok thanks" and then "it's not under Card": the thanks was premature.
            if start >= 2 and reopens_need(messages[start]):
                start -= 2
                continue
            break
        start -= 1
    return start


def unresolved_turns(earlier: Sequence[Exchange], current: str) -> int:
    """The bot's unclear replies in a row, just before `current`, to messages about the same
    need as `current`. 0 when `current` settles the need or moves on to a new one."""
    if settles_need(current) or opens_new_need(current):
        return 0
    start = current_need_start([*(e.customer for e in earlier), current])
    count = 0
    for exchange in reversed(earlier[start:]):
        if not exchange.unclear:
            break
        count += 1
    return count


@dataclass(frozen=True)
class NeedProgress:
    """Where the current message stands in the customer's current need."""

    # The customer's messages about the current need, the current one included; 0 when the
    # current message settles it.
    messages: int
    # An earlier need of this conversation was settled or left behind for this one.
    after_earlier_need: bool

    @property
    def failure_can_repeat(self) -> bool:
        """Whether a sign of the bot failing may hand over now. Not when the customer thanks
        for an answer or moves on, and not on the first miss on a need that follows one the
        bot settled: the bot has shown it can help, so it gets one more try (it asks which
        topic was meant) before a person is called for repeated failure. A conversation's
        first need keeps the customer's word: "that's not what I asked" may be all it shows."""
        if self.messages == 0:
            return False
        if self.after_earlier_need:
            return self.messages >= 3
        return True


def need_progress(messages: Sequence[str]) -> NeedProgress:
    """`messages`: the customer's so far, oldest first; the last is the current one."""
    if len(messages) > 1 and settles_need(messages[-1]):
        return NeedProgress(0, True)
    start = current_need_start(messages)
    return NeedProgress(len(messages) - start, start > 0)
