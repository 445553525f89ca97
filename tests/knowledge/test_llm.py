"""The optional LLM, against a real OpenAI-compatible server on loopback started by the test.

It proves what matters to a customer and a privacy officer: no email, phone or card number
ever reaches the model, and a generated answer that the knowledge base does not support is
replaced by the article's own words.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from batondesk.engine.services import TurnServices
from batondesk.knowledge.llm import ChatClient, GroundedWriter, writer_from_settings
from tests.support.live_server import serve_in_thread
from tests.support.workspace import Workspace, login, start_chat

EMAIL, PHONE, CARD = "ada.lovelace@example.com", "+44 7700 900123", "4111 1111 1111 1111"
MESSAGE = f"My card still hasn't arrived. Email me at {EMAIL} or call {PHONE}."
GROUNDED = (
    "Cards arrive within 3-5 working days of ordering. If yours has not arrived after "
    "7 working days, order a replacement in the app under Cards > Replace card."
)
INVENTED = "Good news: your card arrives tomorrow by courier, and we'll add a £20 credit."
TOKENS_PER_CALL = 180


@dataclass
class FakeModel:
    """An OpenAI-compatible chat endpoint that records what it was sent."""

    answer: str = GROUNDED
    requests: list[bytes] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def complete(request: Request) -> dict[str, Any]:
            raw = await request.body()
            self.requests.append(raw)
            body = json.loads(raw)
            is_summary = "Summarise" in body["messages"][0]["content"]
            content = "The customer is waiting for a card." if is_summary else self.answer
            return {
                "id": "x",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],
                "usage": {
                    "prompt_tokens": TOKENS_PER_CALL - 30,
                    "completion_tokens": 30,
                    "total_tokens": TOKENS_PER_CALL,
                },
            }

        return app


@pytest.fixture
def model() -> Iterator[tuple[FakeModel, str]]:
    fake = FakeModel()
    with serve_in_thread(fake.app()) as url:
        yield fake, f"{url}/v1"


@pytest.fixture
def services(settings, tiny_classifier, model):  # type: ignore[no-untyped-def]
    """The app's services with the LLM writer pointed at the fake model."""
    _fake, base_url = model
    writer = writer_from_settings(base_url, "local-model", "sk-test")
    assert writer is not None
    services = TurnServices.from_settings(settings, fallback_model=tiny_classifier)
    services.writer = writer
    return services


@pytest.fixture
def answers_at_five_percent(app, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    """The tiny test model is less sure than a real one ("my card still hasn't arrived" plus an
    email and a phone number: 0.91), so the account accepts up to 5% wrong answers and these
    tests are about the model's wording, not about when the bot answers."""
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        changed = admin.put("/api/v1/admin/settings/answering", json={"max_wrong_rate": 0.05})
        assert changed.status_code == 200, changed.text


def _send(
    client: TestClient, workspace: Workspace, text: str
) -> tuple[int, dict[str, str], dict[str, Any]]:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": text},
        headers=visitor,
    )
    assert turn.status_code == 201, turn.text
    return conversation_id, visitor, turn.json()["reply"]


def _leaks(requests: list[bytes]) -> list[str]:
    sent = b"\n".join(requests).decode()
    digits = sent.replace(" ", "")
    return [v for v in (EMAIL, PHONE, CARD) if v in sent or v.replace(" ", "") in digits]


@pytest.mark.usefixtures("answers_at_five_percent")
def test_grounded_generated_answer_is_used_and_only_redacted_text_is_sent(
    app, client: TestClient, workspace: Workspace, model
) -> None:  # type: ignore[no-untyped-def]
    fake, _url = model
    conversation_id, visitor, reply = _send(client, workspace, MESSAGE)
    assert reply["body"].startswith(GROUNDED)
    assert reply["sources"][0]["slug"] == "card-delivery"
    assert len(fake.requests) == 1
    request = json.loads(fake.requests[0])
    assert request["model"] == "local-model"
    assert "[EMAIL]" in fake.requests[0].decode() and "[PHONE]" in fake.requests[0].decode()
    assert _leaks(fake.requests) == []

    # The handoff summary in agent assist goes through the same redaction.
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        client.post(
            f"/api/v1/widget/conversations/{conversation_id}/messages",
            json={"body": f"My card number is {CARD}, please check it"},
            headers=visitor,
        )
        assist = agent.get(f"/api/v1/conversations/{conversation_id}/suggestions").json()
    assert assist["summary"] == "The customer is waiting for a card."
    assert assist["passages"][0]["slug"] == "card-delivery"
    assert _leaks(fake.requests) == []


@pytest.mark.usefixtures("answers_at_five_percent")
def test_unsupported_generated_answer_is_replaced_by_the_article(
    app, client: TestClient, workspace: Workspace, model
) -> None:  # type: ignore[no-untyped-def]
    fake, _url = model
    fake.answer = INVENTED
    conversation_id, _visitor, reply = _send(client, workspace, "my card still hasn't arrived")
    assert len(fake.requests) == 1, "the model was asked"
    assert "£20" not in reply["body"] and "tomorrow" not in reply["body"]
    assert "3-5 working days" in reply["body"]
    assert reply["sources"][0]["slug"] == "card-delivery"
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        messages = agent.get(f"/api/v1/conversations/{conversation_id}/messages").json()
        events = agent.get(f"/api/v1/conversations/{conversation_id}/events").json()["data"]
    bot = messages[-1]["annotations"]
    assert bot["answer_mode"] == "extractive"
    assert bot["answer_details"] == {"llm": "unsupported", "llm_tokens": TOKENS_PER_CALL}
    # The discarded phrasing was still paid for: the cost model counts its tokens.
    replied = [e for e in events if e["type"] == "bot.replied"]
    assert [e["payload"]["llm_tokens"] for e in replied] == [TOKENS_PER_CALL]


def test_llm_is_off_by_default_and_a_dead_endpoint_falls_back(settings) -> None:  # type: ignore[no-untyped-def]
    assert (
        settings.llm_base_url == ""
        and writer_from_settings(settings.llm_base_url, settings.llm_model, settings.llm_api_key)
        is None
    )
    writer = GroundedWriter(ChatClient("http://127.0.0.1:9/v1", "m", timeout_seconds=0.5))
    outcome = writer.answer("when does my card arrive", ["Cards arrive in 3-5 working days."])
    assert outcome.text is None and outcome.outcome == "error"
