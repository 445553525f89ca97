"""The customer asks for a person, in English, Spanish, French, German, Portuguese or Italian
here, and in ten more languages in `handoff.request_phrases`.

Patterns are matched on folded text (lower case, no accents). "Agent" or "human" alone mean
nothing ("travel agent", "a Human Made hoodie", "human error"): those phrases are blanked out
first, and a request needs a verb of asking or talking, or an unmistakable phrase ("real
person", "live agent"). Refusals ("I don't need to talk to anyone") do not count.
"""

from __future__ import annotations

import re

from batondesk.handoff import request_phrases
from batondesk.handoff.cues import Cue, fold

# Phrases where "agent", "human", "person" or "manager" are not a person at this desk.
_OTHER_SENSES = re.compile(
    r"\b(?:travel|estate|real estate|letting|insurance|booking|shipping|customs|secret|free|"
    r"sports|talent|literary|fbi|cia|cleaning|paying|collection)\s+agents?\b"
    r"|\bagents?\s+(?:fees?|commission|banking|network|location)s?\b"
    r"|\bhuman[- ](?:sized?|shaped|scale)\b"
    r"|\bhuman\s+(?:made|error|rights|resources|nature|trafficking|body|race|hair|capital|"
    r"league|interest|touch)\b|\bhumanly\b|\bhumane\b"
    r"|\b(?:account|relationship|portfolio|property|wealth|project|password|file|task|"
    r"download|ad|event|hotel|store|shop|restaurant)\s+managers?\b"
    r"|\b(?:per|in|contact|third|missing|another|other|each|every|first|the same|young|old)"
    r"\s+persons?\b"
    r"|\b(?:agente|agent) (?:de viajes|de voyage|immobilier|inmobiliario|di viaggio|de viagens)\b"
    r"|\b(?:reisebur\w*|reisevermittler)\b"
    # The customer describing themself to a liveness or captcha check: "I'm a real person".
    r"|\b(?:i'm|im|i am|am i|i'm not|that i'm|i'm clearly|i'm literally)\s+(?:a\s+)?"
    r"(?:real|actual|live|genuine|living)\s+(?:human(?: being)?|person|people)\b"
    r"|\bik ben (?:een )?echte? (?:persoon|mens)\b|\bsaya (?:ini )?orang (?:asli|sungguhan)\b"
    r"|\bjestem prawdziw\w* (?:osoba|człowiekiem)\b|\b(?:totoong )?tao (?:po )?ako\b"
    r"|\bgercek bir insan(?:ım|im)\b|\bsunt o persoana reala\b|\bmain asli insaan hoon\b"
    r"|\bich bin (?:doch )?(?:ein )?echter mensch\b|\bje suis (?:une )?vraie personne\b"
    r"|\bsoy una persona real\b|\bsono una persona (?:vera|reale)\b|\bsou uma pessoa real\b",
)

# Someone who works at the desk, in English; "someone/anyone" only after a verb of talking.
_EN_STAFF = (
    r"(?:(?:a|an|the|your|some|one of your)\s+)?(?:(?:real|actual|live|human|proper|genuine|"
    r"flesh and blood)\s+)?(?:human(?:\s+being)?|person|people|agent|rep|representative|operator|"
    r"manager|supervisor|advis[eo]r|staff(?:\s+member)?|team member|employee|banker|boss|"
    r"customer (?:service|support|care)(?:\s+(?:agent|rep|team|person))?|support (?:agent|team|"
    r"staff|person)|colleague|live agent|live chat)\b"
)
_EN_ANYONE = (
    r"(?:(?:a|an|some)\s+)?(?:(?:real|actual|live|human)\s+)?"
    r"(?:someone|somebody|anyone|anybody|one)\b"
)

_PATTERNS: list[tuple[str, str]] = [
    # English
    (
        "talk_to_person",
        r"\b(?:talk|speak|chat|deal|communicate)\s+(?:to|with)\s+(?:"
        + _EN_STAFF
        + "|"
        + _EN_ANYONE
        + r"|a member of (?:staff|your team|the team))",
    ),
    (
        "put_me_through",
        r"\b(?:(?:put|transfer|connect|pass|send|forward|hand)\s+me\s+(?:over\s+|through\s+)?"
        r"(?:to|with)\s+|get me\s+)"
        + _EN_ANYONE
        + r"|\b(?:reach|contact|get hold of|get through to)\s+(?:a|an)\s+(?:real\s+|actual\s+|"
        r"live\s+)?(?:human|person|agent)\b|\bmember of staff\b",
    ),
    (
        "ask_for_person",
        r"\b(?:want|need|needs|get|give|put|transfer|connect|pass|send|bring|escalate|forward|"
        r"hand|route|switch)\s+(?:me\s+|this\s+|it\s+|my\s+(?:call|chat|case|query|question|"
        r"complaint|issue|ticket|conversation)\s+)?(?:(?:over\s+|through\s+)?"
        r"(?:to|with)\s+)?" + _EN_STAFF,
    ),
    (
        "real_person",
        r"\b(?:real|actual|live|genuine)\s+(?:human|person|people|agent|someone|somebody|"
        r"human being|operator)\b|\bhuman\s+(?:agent|being|support|operator|assistance|help|"
        r"please)\b|\bflesh and blood\b",
    ),
    (
        "can_a_person",
        r"\b(?:can|could|may|would|will)\s+(?:a|an|some|one of your)\s+(?:real\s+|actual\s+|"
        r"human\s+)?(?:person|human|agent|staff member|employee|manager|operator)\b",
    ),
    (
        "is_there_a_person",
        r"\b(?:is|isn't|are)\s+there\s+(?:a\s+|an\s+|any\s+)?(?:real\s+|actual\s+)?(?:human|"
        r"person|people|agent|one|body|someone|anyone|anybody)\b[^.?!]{0,30}\b(?:talk|speak|"
        r"chat|help|call)",
    ),
    ("who_can_i_talk_to", r"\bwho\s+(?:can|do|should)\s+i\s+(?:talk|speak|call)\s+to\b"),
    (
        "call_me",
        r"\b(?:(?:can|could)\s+(?:someone|somebody|you|one of you)\s+)?(?:call|ring|phone)\s+me"
        r"(?:\s+back)?\b|\bcall\s*back\b|\bput me in touch\b",
    ),
    (
        "no_more_bot",
        r"\b(?:no more|not (?:a|another|the|this)|stop (?:the|this|being a)|enough of (?:the|this)|"
        r"tired of (?:the|this|talking to (?:a|the|this))|don't want (?:a|the|this|to talk to "
        r"(?:a|the|this))|do not want (?:a|the|this|to talk to (?:a|the|this))|"
        r"hate (?:talking to )?(?:this|these|the))\s+(?:stupid\s+|useless\s+)?"
        r"(?:bot|bots|robot|machine|chatbot|ai|automated|computer)\b",
    ),
    ("escalate", r"\bescalat(?:e|ing)\s+(?:this|my|it|the)\b"),
    (
        "one_word",
        r"^\W*(?:human|agent|operator|representative|a person|a human|real person|live agent|"
        r"customer service|manager|supervisor|humano|agente|operador|operatore|operateur|"
        r"conseiller|mitarbeiter|mensch|atendente|persona)\W*(?:please|pls|plz|now|por favor|"
        r"s'il vous plait|bitte|per favore)?\W*$",
    ),
    (
        "staff_please",
        r"\b(?:human|agent|operator|representative|manager|supervisor|real person|someone "
        r"real)\s*(?:please|pls|plz|now|asap)\b",
    ),
    # Spanish
    (
        "es_hablar_con",
        r"\b(?:hablar|comunicar(?:me)?|charlar|conversar|contactar)\s+(?:con|a)\s+(?:un|una|el|la|"
        r"algun|alguna)?\s*(?:persona|humano|agente|operador|operadora|asesor|asesora|"
        r"representante|gerente|encargado|supervisor|alguien|ser humano|empleado|ejecutivo)",
    ),
    (
        "es_quiero",
        r"\b(?:quiero|necesito|pasame|paseme|pongame|ponme|comuniqueme|comunicame|transfiera(?:me)?|"
        r"transfiereme|deme|dame)\s+(?:con\s+)?(?:un|una|el|la|a\s+un|a\s+una)?\s*(?:persona|humano|"
        r"agente|operador|asesor|representante|gerente|supervisor|alguien)\b",
    ),
    (
        "es_real",
        r"\bpersona (?:real|de verdad|humana)\b|\b(?:agente|atencion|asistencia) humana?\b|"
        r"\bser humano\b|\bque me atienda\b",
    ),
    # French
    (
        "fr_parler",
        r"\bparler\s+(?:a|avec)\s+(?:un|une|le|la|l'|votre|vos)?\s*(?:vrai\s+|vraie\s+)?"
        r"(?:humain|personne|conseiller|conseillere|agent|operateur|operatrice|responsable|"
        r"quelqu'un|etre humain|interlocuteur|employe|superieur|directeur|manager)",
    ),
    (
        "fr_vouloir",
        r"\b(?:je veux|je voudrais|j'aimerais|je souhaite|passez-moi|passez moi|mettez-moi en "
        r"relation avec|puis-je avoir|pouvez-vous me passer)\s+(?:parler a\s+|avoir\s+)?(?:un|une|"
        r"le|la)?\s*(?:vrai\s+|vraie\s+)?(?:humain|personne|conseiller|conseillere|agent|operateur|"
        r"responsable|quelqu'un)\b",
    ),
    (
        "fr_real",
        r"\bvraie? (?:humain|personne)\b|\bpersonne reelle\b|\betre humain\b|\bconseiller humain\b|"
        r"\bquelqu'un de reel\b|\bun humain\b",
    ),
    # German
    (
        "de_sprechen",
        r"\b(?:mit|einen|einem|einer|eine|jemandem|jemand)\s+(?:echten\s+|richtigen\s+|"
        r"menschlichen\s+|ihrer\s+|ihren\s+)?(?:menschen|mensch|mitarbeiter(?:in|n)?|berater(?:in)?|"
        r"person|vorgesetzten|agenten|kundenberater(?:in)?|sachbearbeiter(?:in)?|ansprechpartner|"
        r"kundendienst|kundenservice|manager|jemandem)?\b[^.?!]{0,30}\b(?:sprechen|reden|"
        r"verbinden|telefonieren|chatten)\b",
    ),
    (
        "de_verbinden",
        r"\b(?:verbinden sie mich|stellen sie mich durch|verbinde mich|ich will einen menschen|"
        r"bitte (?:einen|eine) (?:echten |richtigen )?(?:menschen|mitarbeiter(?:in)?|"
        r"berater(?:in)?)|"
        r"ich mochte einen menschen|ich brauche einen menschen)\b",
    ),
    (
        "de_real",
        r"\b(?:echte[nmr]?|richtige[nmr]?)\s+(?:mensch|menschen|person|mitarbeiter)\b|"
        r"\b(?:kann|konnte|koennte)\s+(?:sich\s+)?(?:ein|eine)\s+(?:mensch|mitarbeiter|"
        r"mitarbeiterin|person)\b|\b(?:ich will|ich mochte|ich brauche|ich hatte gern)\s+"
        r"(?:einen|eine)\s+(?:echten\s+)?(?:menschen|mitarbeiter|berater|person)\b",
    ),
    # Portuguese
    (
        "pt_falar",
        r"\b(?:falar|conversar)\s+com\s+(?:um|uma|o|a|algum|alguma)?\s*(?:atendente|pessoa|"
        r"humano|agente|operador|gerente|consultor|representante|alguem|ser humano|funcionario|"
        r"supervisor)",
    ),
    (
        "pt_quero",
        r"\b(?:quero|preciso de|me passa para|me passe para|me transfira para|me transfere para)"
        r"\s+(?:um|uma|o|a)?\s*(?:atendente|pessoa|humano|agente|operador|gerente)\b",
    ),
    ("pt_real", r"\b(?:atendente|atendimento) humano\b|\bpessoa (?:real|de verdade)\b"),
    # Italian
    (
        "it_parlare",
        r"\bparlare\s+con\s+(?:un|una|il|lo|la|l'|un vero|una vera)?\s*(?:operatore|operatrice|"
        r"persona|umano|agente|responsabile|consulente|qualcuno|essere umano|impiegato|direttore|"
        r"addetto)",
    ),
    (
        "it_voglio",
        r"\b(?:voglio|vorrei|mi serve|ho bisogno di|passami|mi passi|mi metta in contatto con)"
        r"\s+(?:parlare con\s+)?(?:un|una|il|lo|la)?\s*(?:operatore|persona|umano|agente|"
        r"responsabile|consulente)\b",
    ),
    (
        "it_real",
        r"\b(?:operatore|assistenza|persona) (?:umano|umana|reale|vera|vero)\b|\bessere umano\b|"
        r"\bc'e (?:un|una|qualcuno)\s*(?:operatore|umano|consulente|persona)?\b[^.?!]{0,15}\?",
    ),
]
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern)) for name, pattern in [*_PATTERNS, *request_phrases.PATTERNS]
]

# Declining a person, just before the match: "no need to talk to anyone".
_REFUSAL = re.compile(
    r"(?:\b(?:don't|dont|do not|doesn't|no need to|not necessary to|never mind|without|rather "
    r"not|won't|wont|no quiero|pas besoin de|ne veux pas|nicht notig|nicht|nao preciso|non "
    r"serve|non voglio|nie potrzebuje|hindi ko kailangan|tidak perlu|nggak perlu|gak perlu|"
    r"hakuna haja|hoef niet|niet nodig|khong can|nu e nevoie)\b[^.?!,]{0,25})$"
)
# Asking about people rather than for one: "do you have real people? just curious".
_ONLY_ASKING_ABOUT = re.compile(
    r"\b(?:just (?:curious|wondering|asking)|no need (?:right now|for now|yet|at the moment)|"
    r"not (?:right )?now|for future reference)\b"
)
# Negations that still ask: "why can't I talk to a person?".
_STILL_ASKING = re.compile(r"\b(?:can't|cant|cannot|can not|why)\b[^.?!]{0,20}$")


def detect_explicit_request(text: str, message_index: int = 0) -> Cue | None:
    """A cue when the message asks for a person; None otherwise."""
    folded = _OTHER_SENSES.sub(lambda m: " " * len(m.group(0)), fold(text))
    if _ONLY_ASKING_ABOUT.search(folded):
        return None
    for name, pattern in PATTERNS:
        for match in pattern.finditer(folded):
            before = folded[max(0, match.start() - 40) : match.start()]
            if _REFUSAL.search(before) and not _STILL_ASKING.search(before):
                continue
            return Cue("explicit_request", name, message_index, match.span())
    return None
