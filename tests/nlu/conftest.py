"""Small inline training data shared by the NLU tests."""

from __future__ import annotations

import pytest

from batondesk.nlu import IntentClassifier

EXAMPLES = {
    "card_arrival": [
        "where is my card",
        "my card has not arrived yet",
        "card still not here",
        "when will my new card come",
        "i am still waiting for my card",
        "how long does card delivery take",
        "has my card been sent",
        "card not delivered",
    ],
    "refund": [
        "i want a refund",
        "give me my money back",
        "refund please",
        "how do i get a refund",
        "can i have a refund for this purchase",
        "return my money",
        "refund my order",
        "i need my payment refunded",
    ],
    "password": [
        "reset my password",
        "forgot my password",
        "cant log in with my password",
        "change my password",
        "password not working",
        "how to reset password",
        "locked out need new password",
        "update my login password",
    ],
    "exchange_rate": [
        "what is the exchange rate",
        "euro to dollar rate",
        "how much is a pound in euros",
        "currency conversion rate",
        "exchange rate for yen",
        "what rate do you use for exchange",
        "convert dollars to euros rate",
        "today's exchange rates",
    ],
}
OOS = [
    "what's the weather tomorrow",
    "tell me a joke",
    "who won the football match",
    "recommend a pizza place",
    "play some music",
    "how tall is mount everest",
]


def training_pairs() -> tuple[list[str], list[str]]:
    texts = [t for examples in EXAMPLES.values() for t in examples]
    labels = [label for label, examples in EXAMPLES.items() for _ in examples]
    return texts, labels


@pytest.fixture(scope="session")
def tfidf_model() -> IntentClassifier:
    texts, labels = training_pairs()
    return IntentClassifier(use_encoder=False).fit(texts, labels, oos_texts=OOS)


@pytest.fixture(scope="session")
def training_data() -> tuple[list[str], list[str]]:
    return training_pairs()


@pytest.fixture(scope="session")
def oos_examples() -> list[str]:
    return list(OOS)
