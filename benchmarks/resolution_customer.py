"""A customer of the bank, over the chat widget's HTTP API, and what the bot did for them.

The customer opens a new conversation, sends a first message and, when the bot offers quick
replies, answers the way a person would: by pressing the button of the right article, or by
typing "the second one". Each bot turn is read only from what the widget shows (`kind`,
`sources`, `choices` and the conversation's status), so the figures measure what customers get.

Used by benchmarks/resolution_bench.py and its test; knows nothing about how the server runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
# What a customer types when none of the offered choices is what they meant.
NONE_OF_THESE = "neither"
HANDED_OVER = frozenset({"queued", "assigned"})

# Outcomes of one bot turn, from the customer's side.
CORRECT, WRONG = "correct", "wrong"
CLARIFICATION, DECLINE, HANDOVER = "clarification", "decline", "handover"
NOTICE, ERROR = "notice", "error"
OUTCOMES = (CORRECT, WRONG, CLARIFICATION, DECLINE, HANDOVER, NOTICE, ERROR)


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    slug: str | None  # the article this quick reply answers from; None for "none of these"


@dataclass(frozen=True)
class BotTurn:
    """The bot's reply to one customer message, as the widget shows it."""

    kind: str | None  # answer / clarify / decline / handover / notice; None: no reply
    status: str  # the conversation's status after the turn ("error" if the request failed)
    cited: tuple[str, ...] = ()  # slugs of the articles the reply cites, in order
    choices: tuple[Choice, ...] = ()
    seconds: float = 0.0  # client-side wall time of the message POST
    error: str | None = None  # HTTP status and error code when the request failed

    @classmethod
    def from_response(cls, body: dict[str, Any], seconds: float) -> BotTurn:
        reply = body.get("reply") or {}
        return cls(
            kind=reply.get("kind"),
            status=str(body.get("status")),
            cited=tuple(str(s.get("slug")) for s in reply.get("sources") or []),
            choices=tuple(
                Choice(str(c["id"]), str(c["label"]), (c.get("article") or {}).get("slug") or None)
                for c in reply.get("choices") or []
            ),
            seconds=seconds,
        )

    def outcome(self, expected: frozenset[str]) -> str:
        """What the customer got, given the articles that answer their question."""
        if self.error is not None:
            return ERROR
        if self.status in HANDED_OVER or self.kind == "handover":
            return HANDOVER
        if self.kind == "answer":
            # The answer's own article is the first it cites.
            return CORRECT if self.cited and self.cited[0] in expected else WRONG
        if self.kind == "clarify":
            return CLARIFICATION
        if self.kind == "decline":
            return DECLINE
        return NOTICE  # anything else the bot says: a greeting, small talk

    @property
    def offers_choices(self) -> bool:
        return self.kind == "clarify" and bool(self.choices) and self.status == "bot"

    def summary(self) -> dict[str, Any]:
        """For the results file: what the bot did, never the texts it wrote."""
        row: dict[str, Any] = {"kind": self.kind, "status": self.status}
        if self.cited:
            row["cited"] = list(self.cited)
        if self.choices:
            row["choices"] = [c.slug for c in self.choices]
        if self.error:
            row["error"] = self.error
        return row


def failed(error: str, seconds: float = 0.0) -> BotTurn:
    return BotTurn(kind=None, status="error", seconds=seconds, error=error)


def button_reply(choices: tuple[Choice, ...], expected: frozenset[str]) -> Choice | None:
    """The quick reply a customer presses: the button of an article that answers them, else
    "none of these" if offered; None when neither is offered (they type "neither")."""
    for choice in choices:
        if choice.slug in expected:
            return choice
    return next((choice for choice in choices if choice.slug is None), None)


def ordinal_reply(choices: tuple[Choice, ...], expected: frozenset[str]) -> str:
    """What a customer types instead of pressing: "the second one" for the second choice (in
    the order the widget shows them) when it answers them, else "neither"."""
    for position, choice in enumerate(choices):
        if choice.slug in expected and position < len(ORDINALS):
            return f"the {ORDINALS[position]} one"
    return NONE_OF_THESE


class WidgetCustomer:
    """One visitor after another on the widget of `inbox`: each first message opens a new
    conversation, as a new customer would. Safe to share between threads."""

    def __init__(self, client: httpx.Client, inbox: str) -> None:
        self.client = client
        self.inbox = inbox

    def first_message(self, text: str) -> tuple[tuple[int, str] | None, BotTurn]:
        """Open a conversation and send `text`. Returns the conversation (id, visitor token),
        None if it could not be opened, and the bot's turn."""
        try:
            started = self.client.post(
                f"/api/v1/widget/inboxes/{self.inbox}/conversations", json={}
            )
        except httpx.HTTPError as exc:
            return None, failed(f"start: {type(exc).__name__}")
        if started.status_code != 201:
            return None, failed(f"start: HTTP {started.status_code} {_error_code(started)}")
        body = started.json()
        conversation = (int(body["conversation_id"]), str(body["visitor_token"]))
        return conversation, self.say(conversation, text)

    def say(self, conversation: tuple[int, str], text: str, choice: str | None = None) -> BotTurn:
        conversation_id, token = conversation
        payload: dict[str, str] = {"body": text}
        if choice is not None:
            payload["choice"] = choice
        began = time.perf_counter()
        try:
            response = self.client.post(
                f"/api/v1/widget/conversations/{conversation_id}/messages",
                json=payload,
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as exc:
            return failed(type(exc).__name__, time.perf_counter() - began)
        seconds = time.perf_counter() - began
        if response.status_code != 201:
            return failed(f"HTTP {response.status_code} {_error_code(response)}", seconds)
        return BotTurn.from_response(response.json(), seconds)


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


@dataclass(frozen=True)
class Resolution:
    """One question, first sent as a new customer, then followed through a clarification."""

    text: str
    expected: frozenset[str]  # slugs of the articles that answer it
    first: BotTurn
    button: BotTurn | None = None  # turn 2 after pressing a quick reply
    button_sent: str | None = None  # article_button / none_of_these_button / typed_neither
    typed_first: BotTurn | None = None  # turn 1 of the second conversation (typed replies)
    typed: BotTurn | None = None  # turn 2 after typing "the first one" ...
    typed_sent: str | None = None

    @property
    def turns(self) -> list[BotTurn]:
        return [t for t in (self.first, self.button, self.typed_first, self.typed) if t]

    def resolved_by_button(self) -> bool:
        return CORRECT in (
            self.first.outcome(self.expected),
            self.button.outcome(self.expected) if self.button else None,
        )

    def resolved_by_typing(self) -> bool:
        opening = self.typed_first or self.first
        return CORRECT in (
            opening.outcome(self.expected),
            self.typed.outcome(self.expected) if self.typed else None,
        )


def resolve(customer: WidgetCustomer, text: str, expected: frozenset[str]) -> Resolution:
    """Send `text` as a new customer; if the bot offers choices, answer by button and, in a
    second new conversation with the same first message, by typing the choice's position."""
    conversation, first = customer.first_message(text)
    if conversation is None or not first.offers_choices:
        return Resolution(text, expected, first)
    pressed = button_reply(first.choices, expected)
    if pressed is None:
        button, button_sent = customer.say(conversation, NONE_OF_THESE), "typed_neither"
    else:
        button = customer.say(conversation, pressed.label, pressed.id)
        button_sent = "article_button" if pressed.slug else "none_of_these_button"
    second, typed_first = customer.first_message(text)
    typed, typed_sent = None, None
    if second is not None and typed_first.offers_choices:
        typed_sent = ordinal_reply(typed_first.choices, expected)
        typed = customer.say(second, typed_sent)
    return Resolution(
        text,
        expected,
        first,
        button=button,
        button_sent=button_sent,
        typed_first=typed_first,
        typed=typed,
        typed_sent=typed_sent,
    )
