"""A small, real intent model trained on inline examples, shared by the app tests."""

from __future__ import annotations

from batondesk.nlu import IntentClassifier

EXAMPLES: dict[str, list[str]] = {
    "card_arrival": [
        "my card still hasn't arrived",
        "when will my new card arrive",
        "I am still waiting for my card",
        "how long does card delivery take",
        "card not delivered yet",
        "where is my card, it has been two weeks",
        "has my card been sent",
        "the card you posted never came",
    ],
    "lost_or_stolen_card": [
        "I lost my card",
        "my card was stolen",
        "someone stole my wallet with my card",
        "I can't find my card anywhere",
        "please block my lost card",
        "my card got stolen yesterday",
        "I think I left my card at the restaurant and it's gone",
        "report a stolen card",
    ],
    "exchange_rate": [
        "what exchange rate do you use",
        "how are exchange rates calculated",
        "what is the rate for euros to pounds",
        "is your exchange rate fair",
        "where do your currency rates come from",
        "how much is a dollar in pounds today",
        "exchange rate for converting money",
        "do you charge for currency conversion rate",
    ],
    "top_up_failed": [
        "my top up failed",
        "top-up didn't work",
        "why was my top up declined",
        "I tried to add money but it failed",
        "the top up did not go through",
        "error when topping up my account",
        "can't top up with my card",
        "adding money to my account keeps failing",
    ],
}


def train_tiny_classifier() -> IntentClassifier:
    texts = [text for examples in EXAMPLES.values() for text in examples]
    labels = [label for label, examples in EXAMPLES.items() for _ in examples]
    return IntentClassifier(profile="fast").fit(texts, labels)
