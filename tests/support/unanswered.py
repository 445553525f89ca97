"""Customers asking about topics no article covers (crypto trading, mortgages, pet insurance),
several phrasings each, mixed with noise: what content gaps should find."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.workspace import first_turn

UNCOVERED_TOPICS: dict[str, list[str]] = {
    "crypto": [
        "can I buy bitcoin with my account",
        "do you support crypto trading",
        "how do I trade cryptocurrency in the app",
        "is it possible to buy ethereum or other crypto",
        "can I sell my bitcoin here",
        "what are the fees for crypto trading",
    ],
    "mortgage": [
        "do you offer mortgages",
        "can I get a mortgage for a house",
        "how do I apply for a mortgage",
        "mortgage for first time buyers?",
        "can I move my mortgage to you",
        "what deposit do I need for a mortgage",
    ],
    "pet insurance": [
        "do you have pet insurance",
        "is my dog covered by pet insurance",
        "how much is pet insurance for a cat",
        "can I buy insurance for my pets",
        "pet insurance claim for vet bills",
        "does pet insurance cover my puppy",
    ],
}
NOISE = [
    "asdfgh",
    "who won the football game yesterday",
    "tell me a joke",
    "I like trains",
    "banana bread recipe",
]


def ask_uncovered_questions(client: TestClient, inbox_public_id: str) -> list[dict]:  # type: ignore[type-arg]
    """Each question as a new customer's first message; returns the turns."""
    questions = [q for phrasings in UNCOVERED_TOPICS.values() for q in phrasings] + NOISE
    return [first_turn(client, inbox_public_id, question) for question in questions]
