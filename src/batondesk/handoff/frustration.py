"""Frustration over the conversation, in six languages and, for frustration without angry
words, in the others of the labelled sets.

Builds on `batondesk.nlu.analyze_sentiment` (English lexicon with negation, shouting, insults,
repetition and threats to leave) and adds exasperation phrases in English, Spanish, French,
German, Portuguese and Italian, unfriendly sarcasm ("thanks for nothing"), and a damper for
friendly teasing ("haha my card went on holiday 😂"). One negative word about a product is
mild; what escalates is a very angry message or anger that is sustained or rising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from batondesk.handoff.cues import fold

_EXASPERATION = re.compile(
    r"\b(?:ridiculous|unacceptable|fed up|sick of|sick and tired|enough is enough|what a joke|"
    r"are you kidding|you must be joking|for (?:god'?s|heaven'?s|christ'?s) sake|fgs|waste of "
    r"(?:my )?time|absolute joke|disgrace(?:ful)?|appalling|shocking|nobody (?:helps|answers|"
    r"replies|cares)|no one (?:helps|answers|replies|cares)|i'm done|had enough|beyond a joke|"
    r"how hard can it be|seriously\?|this is insane|unbelievable|furious|livid|fuming|"
    r"outrageous|a nightmare|(?:so|really|very|extremely) angry|how many times|last straw|"
    r"getting nowhere|going round in circles|thanks for "
    r"nothing|yeah right|so helpful,? not|great job,? not|well done,? not|wow,? (?:just )?"
    r"(?:great|brilliant|amazing)|useless|pathetic|incompetent|disgusting|disgusted|hopeless|"
    r"(?:losing|lost|running out of) (?:my )?patience|worst (?:bank|service|customer service|app|"
    r"experience|company)|(?:so|really|very|extremely) (?:frustrated|annoyed|upset|fed up)|"
    r"getting (?:annoyed|angry|frustrated)|fix (?:it|this) now|sort it out|are you serious|"
    r"can't believe|cannot believe|you people|shambles|rip[- ]?off|daylight robbery|"
    # es
    r"harto|harta|inaceptable|verguenza|indignante|ridiculo|furioso|furiosa|cansado de|cansada de|"
    r"tomadura de pelo|pesimo|basta ya|es increible que|estoy hasta|un desastre|una estafa|"
    r"que desastre|enfadado|enfadada|enojado|enojada|nadie me (?:responde|ayuda|contesta)|"
    # fr
    r"inadmissible|j'en ai marre|marre|ras le bol|scandaleux|honteux|inacceptable|ridicule|"
    r"c'est une blague|lamentable|furieux|furieuse|enerve|enervee|n'importe quoi|est nul|"
    r"c'est nul|personne ne (?:repond|m'aide)|"
    # de
    r"frechheit|unverschamt|inakzeptabel|sauer|wutend|lacherlich|skandal|reicht mir|nase voll|"
    r"katastrophe|unmoglich|zum kotzen|sauerei|so ein mist|verargert|niemand (?:antwortet|hilft)|"
    # pt
    r"absurdo|inaceitavel|vergonha|palhacada|revoltado|revoltada|cansei|que raiva|irritado|"
    r"irritada|ninguem (?:responde|ajuda)|"
    # it
    r"vergogna|inaccettabile|assurdo|stufo|stufa|ridicolo|pessimo|scandaloso|arrabbiato|"
    r"arrabbiata|basta cosi|una presa in giro|che schifo|nessuno (?:risponde|mi aiuta))\b"
)
# What the labelling guide counts as frustration without angry words, in the sets' languages:
# "thanks for nothing" and its sarcastic kin, a threat to leave or to go public, humiliation in
# front of others, and a promise broken ("you said Tuesday. It's Friday").
_SARCASTIC_THANKS = re.compile(
    r"\b(?:danke fur nichts|danke auch|ganz toll gemacht|bedankt voor (?:niets|niks)|"
    r"merci pour rien|gracias por nada|obrigad[oa] por nada|dzieki za nic|love that for me|"
    r"cheers for that|topservice|geweldig hoor|lekker dan|que piada|serio mesmo|"
    r"really helping us)\b"
)
_WITHOUT_ANGRY_WORDS = re.compile(
    r"\b(?:i am done|i'm done with|"
    r"trustpilot|reclame aqui|(?:(?:i'll|i will|i'm going to|going to|gonna|i'm) (?:post|share|"
    r"put)\w*|poste ich|posten|publico|vou publicar|publicar|je vais publier|pubblico)\b"
    r"[^.?!]{0,40}\b(?:instagram|facebook|twitter|tiktok|social media|"
    r"redes sociais|redes sociales|reseaux sociaux)|(?:i'm|i am|we're) (?:switching|leaving|"
    r"moving) (?:banks?|to another)|ik stap over|ich wechsle (?:die bank|zu)|"
    r"cambio de banco|je change de banque|mudo de banco|cambio banca|"
    r"in front of (?:the whole|all|everyone|everybody|my|the queue|a queue|a line)|"
    r"devant (?:tout|toute|tous|ma famille)|delante de (?:todo|toda|mi familia)|"
    r"vor (?:allen|der ganzen|meiner familie)|na frente de (?:todo|toda|minha)|"
    r"davanti a tutti|przy wszystkich|herkesin onunde|voor de hele|nakakahiya|sharminda|"
    r"sharmnak|embarrass\w*|humiliat\w*|mortif\w*|avergonzad\w*|humillad\w*|peinlich|"
    r"blossgestellt|j'avais honte|quelle honte)\b"
)
_BROKEN_PROMISE = re.compile(
    r"\b(?:(?:you|they|we were|i was|we'd been|i'd been) (?:\w+ )?promised|you said|you told me|"
    r"prometieron|prometiste|me dijeron|keer beloofd|jullie beloofden|zeiden|"
    r"(?:sie|ihr|man) (?:\w+ )?versprochen|sagten|m'a promis|m'avez promis|on m'a dit|"
    r"prometeram|disseram|falaram|mi (?:avete|hanno) promesso|mi (?:avete|hanno) detto|"
    r"obiecali|obiecano|soz verdi\w*|bola tha|kaha tha|dey promise)\b[^|]{0,120}?\b(?:today|"
    r"now|still|it's|its|hoy|todavia|ni un|heute|immer noch|noch nicht|aujourd'hui|toujours|"
    r"hoje|ainda|oggi|ancora|vandaag|nog steeds|niks|dzis|nadal|bugun|hala|ab aur|abhi)\b"
)
_COMPLAINT = re.compile(r"\b(?:not|no|never|again|third|fourth|done|still|kitni baar)\b")
_REPETITION = re.compile(
    r"\b(?:tercera vez|cuarta vez|otra vez|de nuevo|ya (?:lo )?(?:dije|pregunte)|sigo esperando|"
    r"troisieme fois|encore une fois|deja dit|toujours pas|j'attends toujours|zum (?:dritten|"
    r"vierten) mal|schon wieder|immer noch|warte immer noch|terceira vez|de novo|ainda nao|"
    r"continuo esperando|terza volta|di nuovo|ancora una volta|ancora niente|"
    r"sto ancora aspettando|(?:das )?dritte mal|depuis des (?:jours|semaines|mois)|"
    r"seit (?:tagen|wochen|monaten)|desde hace (?:dias|semanas|meses)|da (?:giorni|settimane|"
    r"mesi)|ha (?:dias|semanas|meses)|(?:waiting|waited) (?:for )?(?:\d+|two|three|four|"
    r"several|many) (?:days|weeks|months))\b"
)
_FRIENDLY = re.compile(
    r"\b(?:haha+|hehe+|lol|lmao|jaja+|mdr|xd)\b|[😂😄😅🙂😉😊🤣😁😆]|[:;]-?[)pd]\B"
)
_SARCASM = re.compile(
    r"\b(?:thanks for nothing|yeah right|so helpful,? not|great job,? not|well done,? not|"
    r"oh (?:great|wonderful|perfect|brilliant)|just (?:great|brilliant|perfect|wonderful))\b"
)
_HOSTILE = re.compile(
    r"\b(?:useless|pathetic|incompetent|idiots?|morons?|stupid|crap|"
    r"f+u+c+k\w*|sh[i1]t\w*|wtf|bullshit|scam)\b"
)


@dataclass(frozen=True)
class MessageFrustration:
    score: float  # 0..1
    signals: tuple[str, ...]
    # The message's sentiment polarity, -1..1 (`nlu.analyze_sentiment`), kept so the turn
    # reports it without reading the message twice.
    polarity: float = 0.0


@dataclass(frozen=True)
class FrustrationReading:
    """`score` for the conversation so far (0..1); `per_message` oldest first; `peak_index`
    is the message that weighed most (for evidence)."""

    score: float
    per_message: tuple[MessageFrustration, ...]
    rising: bool
    peak_index: int


def message_frustration(text: str) -> MessageFrustration:
    # Imported here: the NLU package loads scikit-learn, which the engine should not pay for
    # at import time.
    from batondesk.nlu import analyze_sentiment

    base = analyze_sentiment(text)
    folded = fold(text)
    signals = list(base.signals)
    exasperation = (
        len(_EXASPERATION.findall(folded))
        + len(_SARCASTIC_THANKS.findall(folded))
        + len(_WITHOUT_ANGRY_WORDS.findall(folded))
        + len(_BROKEN_PROMISE.findall(folded))
    )
    # Capitals all through a complaint (not a question typed in capitals) is shouting at us.
    if (
        "shouting" in base.signals
        and len(text.split()) >= 6
        and (base.polarity < 0 or _COMPLAINT.search(folded))
    ):
        exasperation += 1
    repetition = len(_REPETITION.findall(folded)) + ("repetition" in base.signals)
    if exasperation:
        signals.append("exasperation")
    if repetition:
        signals.append("repetition")
    # Each family of cues adds on its own: exasperation, asking again, punctuation, capitals,
    # insults. The English lexicon's score counts too, so "terrible" alone stays mild.
    own = (
        (0.5 + 0.2 * (min(2, exasperation) - 1) if exasperation else 0.0)
        + 0.2 * min(2, repetition)
        + 0.12 * ("repeated_punctuation" in base.signals or text.count("!") >= 2)
        + 0.15 * ("shouting" in base.signals)
        + 0.25 * ("insult" in base.signals)
        + 0.1 * ("threat_to_leave" in base.signals)
    )
    score = max(base.frustration, own + 0.4 * base.frustration) if own else base.frustration
    if (
        base.polarity > 0.3
        and score
        and not _HOSTILE.search(folded)
        and not _SARCASM.search(folded)
        and not _SARCASTIC_THANKS.search(folded)
        and not repetition
    ):
        # "Unbelievable service, thank you so much!": the strong words are praise.
        signals.append("praise")
        score *= 0.5
    if _FRIENDLY.search(text) and not _HOSTILE.search(folded):
        # Teasing with a laugh or a smile is not exasperation.
        signals.append("friendly_tone")
        score *= 0.4
    return MessageFrustration(
        round(min(1.0, score), 4), tuple(dict.fromkeys(signals)), base.polarity
    )


def conversation_reading(messages: list[str]) -> FrustrationReading:
    """Frustration over the customer's messages so far (oldest first, the last is current):
    a recency-weighted mean lifted by the peak, as one furious message is not undone by "ok"."""
    per_message = tuple(message_frustration(m) for m in messages)
    if not per_message:
        return FrustrationReading(0.0, (), False, 0)
    scores = [m.score for m in per_message]
    weights = [0.6 ** (len(scores) - 1 - i) for i in range(len(scores))]
    weighted = sum(w * s for w, s in zip(weights, scores, strict=True)) / sum(weights)
    score = min(1.0, 0.6 * weighted + 0.4 * max(scores))
    rising = len(scores) >= 2 and scores[-1] > scores[0] + 0.1
    peak = max(range(len(scores)), key=lambda i: scores[i])
    return FrustrationReading(round(score, 4), per_message, rising, peak)
