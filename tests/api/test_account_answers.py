"""Account-aware answers through the widget's HTTP API, in the Baton Bank demo: scripted
questions (data/account_questions.jsonl, in customers' own wording) from demo customers who
opened the chat with a signed identity token. Each answer must state the asker's own facts
(their card, transfer, top-up, declined payment or fee), never another customer's, and never
ask for what their profile holds; the fields it stated are stored with it for the agent. The
same questions from an anonymous visitor get the general answer only.

A customer offered "Do you mean ...?" presses the choice for their topic, as a person would;
a question the bot hands to a person (a sensitive one) is not a bot answer."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from batondesk.actions.inboxes import do_reveal_identity_secret
from batondesk.api.identity import sign_identity
from batondesk.config import Settings
from batondesk.demo.seed import seed_demo
from batondesk.demo.training_data import demo_intent_training
from batondesk.engine.services import TurnServices
from batondesk.nlu import IntentClassifier
from batondesk.store.models import Contact, CustomerProfile, Message

QUESTIONS = Path(__file__).parent / "data" / "account_questions.jsonl"
# The demo model's training data, this many messages per intent: every intent, so questions
# are told apart as in the demo, in a few minutes of training.
EXAMPLES_PER_INTENT = 50
# Which articles answer each case (the customer presses the one offered for their topic).
CASE_ARTICLES = {
    "card_delivery": {"card-delivery"},
    "pending_transfer": {"outgoing-transfer-times"},
    "declined_transfer": {"declined-or-failed-transfer"},
    "reverted_top_up": {"top-up-reverted"},
    "declined_card_payment": {"card-declined"},
    "fee": {"card-payment-fees", "transfer-fees", "cash-withdrawal-fees", "fees-and-plans"},
    "unrecognised": {"unrecognised-card-payment"},
}
# What asking for data the profile holds looks like.
ASKING = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(which|what) (card|payment|transfer|top-?up)\b[^.!\n]*\?",
        r"\blast (4|four) digits\b",
        r"\b(tell|send|give) (me|us) (the|your) (amount|date|merchant|card|account|name|email)",
        r"\byour (card number|account number|email address|phone number|date of birth)\b[^.]*\?",
    )
]


@pytest.fixture(scope="module")
def demo_model() -> IntentClassifier:
    data = demo_intent_training()
    taken: Counter[str] = Counter()
    texts, labels = [], []
    for text, label in zip(data.texts, data.labels, strict=True):
        if taken[label] < EXAMPLES_PER_INTENT:
            taken[label] += 1
            texts.append(text)
            labels.append(label)
    return IntentClassifier(profile="fast").fit(texts, labels)


@pytest.fixture
def services(settings: Settings, demo_model: IntentClassifier) -> TurnServices:
    return TurnServices.from_settings(settings, fallback_model=demo_model)


def _questions() -> list[dict[str, str]]:
    return [json.loads(line) for line in QUESTIONS.read_text("utf-8").splitlines() if line]


def _records(app: Any) -> dict[str, list[dict[str, Any]]]:
    """Every demo customer's orders and transactions, by external id."""
    with app.state.db.session() as session:
        contacts = {c.id: c.external_id for c in session.query(Contact)}
        return {
            contacts[p.contact_id]: list(p.orders or []) for p in session.query(CustomerProfile)
        }


def _newest(records: list[dict[str, Any]], kind: str, statuses: set[str]) -> dict[str, Any]:
    found = [r for r in records if r.get("kind") == kind and r.get("status") in statuses]
    return max(found, key=lambda r: (r["date"], r["id"]))


def expected_record(case: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The record the answer to `case` must state, read from the customer's data."""
    if case == "card_delivery":
        return _newest(records, "card", {"ordered", "posted", "delivered"})
    if case == "pending_transfer":
        return _newest(records, "transfer", {"pending"})
    if case == "declined_transfer":
        return _newest(records, "transfer", {"declined", "failed"})
    if case == "reverted_top_up":
        return _newest(records, "top_up", {"reverted"})
    if case == "declined_card_payment":
        return _newest(records, "card_payment", {"declined"})
    if case == "unrecognised":
        return _newest(records, "card_payment", {"completed", "pending"})
    assert case == "fee", case
    return _newest(records, "fee", {"completed"})


def _amount(record: dict[str, Any]) -> re.Pattern[str]:
    """The record's amount as any language writes it: 1,106.96 / 1.106,96 / 1 106,96."""
    whole, cents = f"{abs(record['total']):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", "[.,\u00a0\u202f ]?")
    return re.compile(rf"(?<![\d.,]){grouped}[.,]{cents}(?!\d)")


# Kinds whose answers name the merchant, payee or fee beside the amount.
NAMED = {"transfer", "card_payment", "fee"}


def states(reply: str, record: dict[str, Any]) -> bool:
    """Whether `reply` states the record: its card's last digits, or its amount (and the
    merchant, payee or fee it names)."""
    if record.get("kind") == "card":
        return f"ending {record['card_last4']}" in reply
    named = record["kind"] not in NAMED or record["description"] in reply
    return named and _amount(record).search(reply) is not None


def _key(record: dict[str, Any]) -> tuple[Any, ...]:
    if record.get("kind") == "card":
        return ("card", record["card_last4"])
    return (record["kind"], record.get("description"), f"{abs(record['total']):.2f}")


def distinctive(everyone: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Each customer's records that no other customer holds too (a card's digits; an amount
    with its merchant, payee or fee): stating one names that customer."""
    stated = [r for rs in everyone.values() for r in rs if r.get("kind") == "card" or "total" in r]
    counts = Counter(_key(r) for r in stated)
    return {
        customer: [
            r for r in records if (r.get("kind") == "card" or "total" in r) and counts[_key(r)] == 1
        ]
        for customer, records in everyone.items()
    }


class WidgetChat:
    """One visitor's conversations through the widget API."""

    def __init__(self, client: TestClient, inbox: str, token: str | None) -> None:
        self.client, self.inbox, self.token = client, inbox, token

    def ask(self, question: str, articles: set[str]) -> tuple[dict[str, Any], list[str]]:
        """The bot's last reply (pressing the offered choice for `articles`, if any) and
        every reply's text."""
        started = self.client.post(
            f"/api/v1/widget/inboxes/{self.inbox}/conversations",
            json={"identity_token": self.token} if self.token else {},
        )
        assert started.status_code == 201, started.text
        conversation = started.json()
        headers = {"authorization": f"Bearer {conversation['visitor_token']}"}
        url = f"/api/v1/widget/conversations/{conversation['conversation_id']}/messages"
        reply = self._send(url, headers, {"body": question})
        texts = [reply.get("body") or ""]
        choice = next(
            (
                c
                for c in reply.get("choices", [])
                if (c.get("article") or {}).get("slug") in articles
            ),
            None,
        )
        if reply.get("kind") == "clarify" and choice is not None:
            reply = self._send(url, headers, {"body": choice["label"], "choice": choice["id"]})
            texts.append(reply.get("body") or "")
        return reply, texts

    def _send(self, url: str, headers: dict[str, str], body: dict[str, str]) -> dict[str, Any]:
        sent = self.client.post(url, headers=headers, json=body)
        assert sent.status_code == 201, sent.text
        return sent.json()["reply"] or {}


@pytest.fixture
def demo(app: Any) -> Iterator[tuple[TestClient, str, str]]:
    summary = seed_demo(app.state.db)
    with app.state.db.session() as session:
        secret = do_reveal_identity_secret(session, summary.inbox_public_id)
    with TestClient(app) as client:
        yield client, summary.inbox_public_id, secret


def test_verified_customers_get_their_own_facts_and_visitors_only_the_general_rule(
    app: Any, demo: tuple[TestClient, str, str]
) -> None:
    client, inbox, secret = demo
    questions = _questions()
    assert len(questions) >= 60 and len({q["customer"] for q in questions}) >= 10
    everyone = _records(app)
    unique = distinctive(everyone)
    answers = right = 0
    wrong: list[str] = []
    for item in questions:
        case, asker = item["case"], item["customer"]
        own = everyone[asker]
        expected = expected_record(case, own)
        token = sign_identity({"external_id": asker, "exp": int(time.time()) + 600}, secret)
        reply, texts = WidgetChat(client, inbox, token).ask(item["question"], CASE_ARTICLES[case])
        for text in texts:
            asked = [p.pattern for p in ASKING if p.search(text)]
            assert not asked, (item, asked, text)
        if reply.get("kind") != "answer":
            continue
        answers += 1
        body = reply["body"]
        if states(body, expected):
            right += 1
            with app.state.db.session() as session:
                stored = session.get(Message, reply["id"])
                assert stored is not None
                fields = stored.annotations.get("profile_fields", [])
            assert any(f.startswith(f"orders.{expected['id']}.") for f in fields), (item, fields)
        else:
            wrong.append(f"{item['question']!r} ({asker}): {body[:160]!r}")
        for other, records in unique.items():
            for record in records if other != asker else []:
                assert not states(body, record), (item, other, record, body)
    # The figures, for whoever runs this with -s.
    print(f"{answers} answers to {len(questions)} questions, {right} with the asker's facts")
    # Nearly every question gets an answer (a few go to a person or stay unclear) ...
    assert answers >= 0.8 * len(questions), answers
    # ... and the answers state the asker's own facts.
    assert right >= 0.95 * answers, "\n".join(wrong)

    # The same questions from anonymous visitors: the general rule, nobody's facts.
    for item in questions:
        reply, texts = WidgetChat(client, inbox, None).ask(
            item["question"], CASE_ARTICLES[item["case"]]
        )
        for text in texts:
            assert not re.search(r"\bending (in )?\d{4}\b", text), (item, text)
            for records in unique.values():
                for record in records:
                    assert not states(text, record), (item, record, text)
        if reply.get("kind") == "answer":
            with app.state.db.session() as session:
                stored = session.get(Message, reply["id"])
                assert stored is not None and not stored.annotations.get("profile_fields")
