""" "What happens next": the words the customer sees when the conversation goes to a person.

Always one of: a named person has joined; a place in the queue with the expected wait; or,
outside office hours or with nobody available, when the team is back and an invitation to
leave a message here. In the customer's language when we have it, English otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from batondesk.handoff.settings import OfficeHours

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "intro": "I'm passing you to a member of our team, who will see everything we've "
        "discussed, so you won't need to repeat yourself.",
        "assigned": "{agent} has joined and will reply here shortly.",
        "position": "You are number {position} in the queue.",
        "wait": "The expected wait is about {minutes} minutes.",
        "closed": "Our team is available {hours}. Leave a message here with anything we "
        "should know and we'll reply in this conversation as soon as we're back.",
        "nobody": "Nobody is free right now. Leave a message here with anything we should "
        "know and we'll reply in this conversation as soon as someone is available.",
        "asked": "You asked for a person.",
        "handed_back": "Our team has handed this conversation back to the assistant, which "
        "will answer here. You can ask for a person again at any time.",
    },
    "es": {
        "intro": "Le paso con una persona de nuestro equipo, que verá todo lo que hemos "
        "hablado, así que no tendrá que repetirse.",
        "assigned": "{agent} se ha unido y le responderá aquí en breve.",
        "position": "Es el número {position} en la cola.",
        "wait": "La espera estimada es de unos {minutes} minutos.",
        "closed": "Nuestro equipo atiende {hours}. Déjenos un mensaje aquí y le responderemos "
        "en esta conversación en cuanto volvamos.",
        "nobody": "Ahora mismo no hay nadie libre. Déjenos un mensaje aquí y le responderemos "
        "en esta conversación en cuanto alguien esté disponible.",
        "asked": "Ha pedido hablar con una persona.",
        "handed_back": "Nuestro equipo ha devuelto esta conversación al asistente, que le "
        "responderá aquí. Puede volver a pedir una persona en cualquier "
        "momento.",
    },
    "fr": {
        "intro": "Je vous transmets à un membre de notre équipe, qui verra tout notre échange : "
        "vous n'aurez pas à vous répéter.",
        "assigned": "{agent} a rejoint la conversation et vous répondra ici sous peu.",
        "position": "Vous êtes numéro {position} dans la file.",
        "wait": "L'attente estimée est d'environ {minutes} minutes.",
        "closed": "Notre équipe est disponible {hours}. Laissez-nous un message ici et nous "
        "vous répondrons dans cette conversation dès notre retour.",
        "nobody": "Personne n'est disponible pour le moment. Laissez-nous un message ici et "
        "nous vous répondrons dans cette conversation dès que possible.",
        "asked": "Vous avez demandé à parler à une personne.",
        "handed_back": "Notre équipe a rendu cette conversation à l'assistant, qui vous "
        "répondra ici. Vous pouvez redemander une personne à tout moment.",
    },
    "de": {
        "intro": "Ich gebe Sie an eine Person aus unserem Team weiter, die unser ganzes "
        "Gespräch sieht – Sie müssen nichts wiederholen.",
        "assigned": "{agent} ist jetzt dabei und antwortet Ihnen hier in Kürze.",
        "position": "Sie sind Nummer {position} in der Warteschlange.",
        "wait": "Die Wartezeit beträgt etwa {minutes} Minuten.",
        "closed": "Unser Team ist {hours} erreichbar. Hinterlassen Sie hier eine Nachricht, "
        "wir antworten in diesem Gespräch, sobald wir zurück sind.",
        "nobody": "Gerade ist niemand frei. Hinterlassen Sie hier eine Nachricht, wir "
        "antworten in diesem Gespräch, sobald jemand verfügbar ist.",
        "asked": "Sie möchten mit einer Person sprechen.",
        "handed_back": "Unser Team hat dieses Gespräch an den Assistenten zurückgegeben, "
        "der Ihnen hier antwortet. Sie können jederzeit wieder nach einer "
        "Person fragen.",
    },
    "pt": {
        "intro": "Vou passar você para uma pessoa da nossa equipe, que verá tudo o que "
        "conversamos, então não precisará se repetir.",
        "assigned": "{agent} entrou na conversa e vai responder aqui em breve.",
        "position": "Você é o número {position} na fila.",
        "wait": "A espera estimada é de cerca de {minutes} minutos.",
        "closed": "Nossa equipe atende {hours}. Deixe uma mensagem aqui e responderemos nesta "
        "conversa assim que voltarmos.",
        "nobody": "Ninguém está livre agora. Deixe uma mensagem aqui e responderemos nesta "
        "conversa assim que alguém estiver disponível.",
        "asked": "Você pediu para falar com uma pessoa.",
        "handed_back": "Nossa equipe devolveu esta conversa ao assistente, que vai "
        "responder aqui. Você pode pedir uma pessoa de novo a qualquer "
        "momento.",
    },
    "it": {
        "intro": "La passo a una persona del nostro team, che vedrà tutta la conversazione: "
        "non dovrà ripetere nulla.",
        "assigned": "{agent} si è unito alla conversazione e le risponderà qui a breve.",
        "position": "È il numero {position} in coda.",
        "wait": "L'attesa stimata è di circa {minutes} minuti.",
        "closed": "Il nostro team è disponibile {hours}. Ci lasci un messaggio qui e le "
        "risponderemo in questa conversazione appena rientriamo.",
        "nobody": "Al momento nessuno è libero. Ci lasci un messaggio qui e le risponderemo in "
        "questa conversazione appena qualcuno sarà disponibile.",
        "asked": "Ha chiesto di parlare con una persona.",
        "handed_back": "Il nostro team ha restituito questa conversazione all'assistente, "
        "che le risponderà qui. Può chiedere di nuovo una persona in "
        "qualsiasi momento.",
    },
}
_DAY_NAMES = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


@dataclass(frozen=True)
class QueueSituation:
    position: int  # 0 when already assigned
    expected_wait_minutes: int | None
    agent_name: str | None
    open_now: bool
    agents_available: int
    office_hours: OfficeHours | None


def describe_hours(hours: OfficeHours) -> str:
    days = sorted(hours.days)
    if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        span = f"{_DAY_NAMES[days[0]]}–{_DAY_NAMES[days[-1]]}"
    else:
        span = ", ".join(_DAY_NAMES[d] for d in days)
    return f"{span} {hours.opens}–{hours.closes} ({hours.timezone})"


def expected_wait(position: int, agents_available: int, average_handle_minutes: float) -> int:
    """Minutes, rounded up to a whole minute: the people ahead shared among free agents."""
    agents = max(1, agents_available)
    return max(1, int(-(-position * average_handle_minutes // agents)))


def next_steps_text(situation: QueueSituation, language: str, *, asked: bool = False) -> str:
    texts = _TEXTS.get(language, _TEXTS["en"])
    parts = [texts["asked"]] if asked else []
    parts.append(texts["intro"])
    if situation.agent_name:
        parts.append(texts["assigned"].format(agent=situation.agent_name))
        return " ".join(parts)
    if situation.position:
        parts.append(texts["position"].format(position=situation.position))
    if not situation.open_now and situation.office_hours is not None:
        parts.append(texts["closed"].format(hours=describe_hours(situation.office_hours)))
    elif situation.agents_available == 0:
        parts.append(texts["nobody"])
    else:
        parts.append(texts["wait"].format(minutes=situation.expected_wait_minutes or 1))
    return " ".join(parts)


def handed_back_text(language: str) -> str:
    """What the customer is told when a person hands the conversation back to the bot."""
    return _TEXTS.get(language, _TEXTS["en"])["handed_back"]
