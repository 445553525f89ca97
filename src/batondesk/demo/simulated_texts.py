"""Message texts of simulated conversations: templates in six languages, no real personal data.

The texts only need to read plausibly in the console; the simulated events carry the labels
(intent, language, reason) the reports use, so the words are not classified again.
"""

from __future__ import annotations

import random

LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "pt", "it")
# Share of simulated customers writing in each language.
LANGUAGE_WEIGHTS: tuple[float, ...] = (0.62, 0.11, 0.08, 0.08, 0.06, 0.05)

_ASK = {
    "en": ("Hi, I have a question about {topic}.", "Can you help me with {topic}?"),
    "es": ("Hola, tengo una pregunta sobre {topic}.", "¿Me podéis ayudar con {topic}?"),
    "fr": ("Bonjour, j'ai une question sur {topic}.", "Pouvez-vous m'aider pour {topic} ?"),
    "de": ("Hallo, ich habe eine Frage zu {topic}.", "Können Sie mir bei {topic} helfen?"),
    "pt": ("Olá, tenho uma dúvida sobre {topic}.", "Podem ajudar-me com {topic}?"),
    "it": ("Ciao, ho una domanda su {topic}.", "Potete aiutarmi con {topic}?"),
}
_VAGUE = {
    "en": "card",
    "es": "tarjeta",
    "fr": "carte",
    "de": "Karte",
    "pt": "cartão",
    "it": "carta",
}
_PICK = {
    "en": "the first one",
    "es": "la primera",
    "fr": "la première",
    "de": "die erste",
    "pt": "a primeira",
    "it": "la prima",
}
_PERSON = {
    "en": "Can I talk to a person please?",
    "es": "¿Puedo hablar con una persona, por favor?",
    "fr": "Je voudrais parler à un conseiller, s'il vous plaît.",
    "de": "Kann ich bitte mit einem Menschen sprechen?",
    "pt": "Posso falar com uma pessoa, por favor?",
    "it": "Posso parlare con un operatore, per favore?",
}
_SENSITIVE = {
    "en": "Someone used my card without my permission, I did not make these payments.",
    "es": "Alguien usó mi tarjeta sin permiso, yo no hice estos pagos.",
    "fr": "Quelqu'un a utilisé ma carte sans mon accord, je n'ai pas fait ces paiements.",
    "de": "Jemand hat meine Karte ohne meine Erlaubnis benutzt, das war ich nicht.",
    "pt": "Alguém usou o meu cartão sem autorização, não fiz estes pagamentos.",
    "it": "Qualcuno ha usato la mia carta senza permesso, non ho fatto questi pagamenti.",
}
_ANGRY = {
    "en": "This is ridiculous, third time I ask and still nothing works!",
    "es": "¡Esto es ridículo, es la tercera vez que pregunto y nada funciona!",
    "fr": "C'est ridicule, troisième fois que je demande et rien ne marche !",
    "de": "Das ist lächerlich, ich frage zum dritten Mal und nichts funktioniert!",
    "pt": "Isto é ridículo, terceira vez que pergunto e nada funciona!",
    "it": "È ridicolo, è la terza volta che chiedo e non funziona niente!",
}
_MISSED = {
    "en": "That's not what I asked.",
    "es": "Eso no es lo que pregunté.",
    "fr": "Ce n'est pas ce que j'ai demandé.",
    "de": "Das habe ich nicht gefragt.",
    "pt": "Não foi isso que perguntei.",
    "it": "Non è quello che ho chiesto.",
}
_THANKS = {
    "en": "Thanks, that helped.",
    "es": "Gracias, me ha servido.",
    "fr": "Merci, ça m'a aidé.",
    "de": "Danke, das hat geholfen.",
    "pt": "Obrigado, ajudou.",
    "it": "Grazie, mi è stato utile.",
}
_AGAIN = {
    "en": "Sorry, it still doesn't work.",
    "es": "Perdón, sigue sin funcionar.",
    "fr": "Désolé, ça ne marche toujours pas.",
    "de": "Entschuldigung, es geht immer noch nicht.",
    "pt": "Desculpe, continua a não funcionar.",
    "it": "Scusate, ancora non funziona.",
}
_OFF_TOPIC = {
    "en": "Do you sell car insurance?",
    "es": "¿Venden seguros de coche?",
    "fr": "Vous vendez des assurances auto ?",
    "de": "Verkaufen Sie Autoversicherungen?",
    "pt": "Vendem seguros automóvel?",
    "it": "Vendete assicurazioni auto?",
}


def topic(intent: str) -> str:
    return intent.replace("_", " ")


def customer_question(rng: random.Random, language: str, intent: str) -> str:
    return rng.choice(_ASK[language]).format(topic=topic(intent))


def customer_line(kind: str, language: str) -> str:
    """One of the fixed customer lines: vague, pick, person, sensitive, angry, missed, thanks,
    again, off_topic."""
    table = {
        "vague": _VAGUE,
        "pick": _PICK,
        "person": _PERSON,
        "sensitive": _SENSITIVE,
        "angry": _ANGRY,
        "missed": _MISSED,
        "thanks": _THANKS,
        "again": _AGAIN,
        "off_topic": _OFF_TOPIC,
    }[kind]
    return table[language]


def bot_answer(intent: str) -> str:
    return f"Here is what our help centre says about {topic(intent)}: see the article below."


def bot_clarification() -> str:
    return "Which of these is closest to your question?"


def bot_decline() -> str:
    return "Sorry, that isn't something Baton Bank offers. Can I help with anything else?"


def agent_reply(rng: random.Random, agent_name: str, intent: str, turn: int) -> str:
    first = agent_name.split()[0]
    if turn == 0:
        return f"Hi, this is {first}. I've had a look at your {topic(intent)} question."
    return rng.choice(
        (
            "Thanks for waiting. It's sorted now on our side.",
            "I've updated that for you; it can take a few minutes to show in the app.",
            "Could you confirm the last four digits of the card in the app? Thanks.",
        )
    )


def agent_note() -> str:
    return "Checked the account history; nothing unusual."


_FIRST = ("Alex", "Sam", "Robin", "Jordan", "Kim", "Charlie", "Jamie", "Morgan", "Taylor", "Ari")
_LAST = ("Example", "Sample", "Placeholder", "Testperson", "Demo", "Fictional")


def customer_name(index: int) -> str:
    """A plainly made-up name: simulated customers are no real people."""
    return f"{_FIRST[index % len(_FIRST)]} {_LAST[(index // len(_FIRST)) % len(_LAST)]} {index}"
