"""The bot is not getting it: the customer says so, or asks the same thing again.

Consecutive unclear turns (low confidence or out of scope) are counted by the policy from the
bot's own clarifying questions; this module reads the customer's words only. Both cues need
an earlier bot turn, so they are only looked for from the customer's second message on.
"""

from __future__ import annotations

import re

from batondesk.handoff.cues import Cue, fold
from batondesk.handoff.need import current_need_start, opens_new_need

_MISSED_THE_POINT = re.compile(
    r"\b(?:(?:that's|that is|thats|this is|it's|its) not what i (?:asked|meant|said|wanted|need)|"
    r"not what i (?:asked|meant)|(?:that|this|it) (?:wasn't|was not|isn't|is not) my question|"
    r"you(?:'re| are) not (?:listening|understanding|reading|getting it|helping)|"
    r"you (?:don't|do not|didn't|did not|just don't) (?:understand|get it|get me|listen|read)|"
    r"(?:that|this|it) (?:doesn't|does not|didn't|did not) (?:answer|help|address|solve)|"
    r"(?:that's|that is|thats|this is) (?:not it|not my question|not the question|not helpful|"
    r"irrelevant|not relevant|wrong|the wrong)|wrong answer|not helpful|unhelpful|"
    r"(?:didn't|did not|doesn't|does not) answer my question|answer my question|read my "
    r"(?:message|question)|i (?:already|just) (?:said|told you|asked|explained)|as i (?:said|"
    r"already said|mentioned)|(?:same|that) (?:answer|reply|response|message|article|link) "
    r"(?:again|twice)|you keep (?:saying|sending|telling|giving|repeating)|stop sending me|"
    r"i didn't ask (?:about|for)|i did not ask (?:about|for)|my question (?:was|is)|let me "
    r"(?:rephrase|try again|say it again)|in other words|to rephrase|i'll (?:ask|try) again|"
    r"no,? no|not (?:about|asking about) (?:that|this)|that's not what i'm asking|"
    r"going (?:round|around) in circles|you're a useless bot|useless bot|stupid bot|this bot|"
    r"misunderst\w+|misread|i (?:asked|was asking) (?:about|for|you)|read what i (?:wrote|said|"
    r"asked)|(?:doesn't|does not|didn't|did not) (?:answer|help)|not what i(?:'m| am) looking "
    r"for|irrelevant|"
    # es
    r"no es lo que (?:pregunte|pedi|dije)|no me (?:entiendes|entiende|estas entendiendo)|"
    r"no entiendes|eso no (?:responde|contesta|me ayuda|es lo que)|ya te (?:lo )?dije|como ya "
    r"dije|no me sirve|te lo repito|mi pregunta (?:es|era)|no me (?:has|han|ha) entendido|"
    r"no tiene nada que ver|"
    # fr
    r"ce n'est pas ce que j'ai demande|vous ne comprenez pas|tu ne comprends pas|ca ne repond "
    r"pas|je l'ai deja dit|je repete|ca ne m'aide pas|ma question (?:est|etait)|vous ne repondez "
    r"pas|rien a voir|(?:vous n'avez|tu n'as) pas compris|"
    # de
    r"das habe ich nicht gefragt|das war nicht meine frage|sie verstehen (?:mich )?nicht|du "
    r"verstehst (?:mich )?nicht|das hilft (?:mir )?nicht|ich habe (?:doch )?(?:schon )?gesagt|"
    r"ich wiederhole|meine frage (?:ist|war)|falsch verstanden|nichts damit zu tun|"
    # pt
    r"nao (?:foi|e) isso que (?:eu )?(?:perguntei|pedi)|voce nao (?:esta )?(?:me )?entend\w*|"
    r"nao me ajuda|ja (?:te )?disse|minha pergunta (?:e|era)|nao tem nada a ver|"
    r"(?:voce )?nao entendeu|"
    # it
    r"non e quello che ho chiesto|non mi (?:capisci|capite|aiuta)|non capisci|l'ho gia detto|"
    r"te l'ho gia detto|ripeto|la mia domanda (?:e|era)|non c'entra|non (?:hai|ha) capito)\b"
)
_WORD = re.compile(r"[a-z0-9']+")
_STOPWORDS = frozenset(
    (  # noqa: SIM905 (a word list reads better as text)
        "a an the i me my we our you your it its is are was were be been am do does did have has "
        "had to of in on at for with from by and or but if so not no yes can could would should "
        "will just please hi hello hey thanks thank ok okay this that what why how when where who "
        "there here still again really very much any some about get got im i'm it's dont don't "
        "el la los las de del y o que en un una mi por para con es se lo le les je tu il elle le "
        "les des du et ou est pas mon ma mes ich du er sie es der die das und oder ist nicht mein "
        "meine o os as um uma e da do meu minha il lo gli di che non mio mia"
    ).split()
)


def content_words(text: str) -> set[str]:
    words = set()
    for word in _WORD.findall(fold(text)):
        if word in _STOPWORDS or len(word) < 3:
            continue
        # A crude stem is enough to see "arrive" in "arrived" and "cards" in "card".
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        words.add(word)
    return words


def rephrasing_similarity(text: str, earlier: str) -> float:
    """Share of content words in common (Jaccard), 0..1."""
    now, before = content_words(text), content_words(earlier)
    if len(now) < 2 or len(before) < 2:
        return 0.0
    return len(now & before) / len(now | before)


def detect_repeated_failure(messages: list[str], rephrase_threshold: float = 0.6) -> Cue | None:
    """`messages` are the customer's messages so far, oldest first; the last is the current.
    A cue when the customer says the bot missed the point, or asks an earlier question again."""
    if len(messages) < 2:
        return None
    index = len(messages) - 1
    current = messages[-1]
    match = _MISSED_THE_POINT.search(fold(current))
    if match:
        return Cue("repeated_failure", "bot_missed_the_point", index, match.span())
    if opens_new_need(current):
        return None
    # Only the messages about the current need: asking again after "thanks, that worked" is
    # a new need with the same words (a second card, another booking), not the bot failing.
    start = current_need_start(messages)
    best, best_index = 0.0, -1
    for earlier_index in range(start, index):
        similarity = rephrasing_similarity(current, messages[earlier_index])
        if similarity > best:
            best, best_index = similarity, earlier_index
    if best >= rephrase_threshold:
        return Cue(
            "repeated_failure",
            "rephrasing",
            index,
            score=best,
            detail={"same_as_message_index": best_index},
        )
    return None
