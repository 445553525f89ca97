"""Answer reviews, the random review sample, the cost model and the sentiment score, over
HTTP with real conversations: what an agent and an admin would see, and the 422s that name
what is wrong with a request."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.workspace import Workspace, days_around_today, say, start_chat

QUESTION = "my card still hasn't arrived"
KPIS = "/api/v1/admin/reports/kpis"
SAMPLE = "/api/v1/answer-reviews/sample"


def _answered(client: TestClient, workspace: Workspace, text: str = QUESTION) -> dict[str, Any]:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = say(client, conversation_id, visitor, text)
    assert turn["reply"]["sources"], "the bot answered from an article"
    return {"conversation_id": conversation_id, **turn}


def _answers(report: dict[str, Any]) -> dict[str, Any]:
    return report["current"]["ai_accuracy"]["answers"]


def test_an_agent_marks_answers_and_the_latest_verdict_counts(
    client: TestClient, workspace: Workspace, admin: TestClient, agent: TestClient
) -> None:
    first = _answered(client, workspace)
    second = _answered(client, workspace)
    url = f"/api/v1/messages/{first['reply']['id']}/review"

    wrong = agent.put(url, json={"verdict": "wrong", "reason": "outdated"})
    assert wrong.status_code == 200, wrong.text
    assert wrong.json()["annotations"]["review"]["verdict"] == "wrong"
    answers = _answers(admin.get(KPIS, params=days_around_today()).json())
    assert answers["answers"] == 2
    assert answers["all_reviews"] == {"precision": 0.0, "reviewed": 1, "right": 0, "wrong": 1}
    assert (answers["wrong_flags"], answers["wrong_by_reason"]) == (1, {"outdated": 1})

    # The agent changes their mind; the other answer is judged right too.
    assert agent.put(url, json={"verdict": "right"}).status_code == 200
    other = f"/api/v1/messages/{second['reply']['id']}/review"
    assert agent.put(other, json={"verdict": "right"}).status_code == 200
    answers = _answers(admin.get(KPIS, params=days_around_today()).json())
    assert answers["all_reviews"] == {"precision": 1.0, "reviewed": 2, "right": 2, "wrong": 0}
    assert answers["wrong_flags"] == 0

    # The console shows the current verdict; the log keeps every one, without text.
    messages = agent.get(f"/api/v1/conversations/{first['conversation_id']}/messages").json()
    assert messages[-1]["annotations"]["review"]["verdict"] == "right"
    events = agent.get(f"/api/v1/conversations/{first['conversation_id']}/events").json()
    reviews = [e["payload"] for e in events["data"] if e["type"] == "bot.answer_reviewed"]
    assert [(r["verdict"], r["previous_verdict"]) for r in reviews] == [
        ("wrong", None),
        ("right", "wrong"),
    ]


def test_a_review_of_anything_but_a_bot_answer_is_refused_by_name(
    client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    turn = _answered(client, workspace)
    answer = f"/api/v1/messages/{turn['reply']['id']}/review"
    question = f"/api/v1/messages/{turn['message']['id']}/review"

    refused = agent.put(question, json={"verdict": "wrong"})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "not_a_bot_answer"
    with_reason = agent.put(answer, json={"verdict": "right", "reason": "outdated"})
    assert with_reason.status_code == 422 and "reason" in with_reason.json()["error"]["message"]
    for body in ({"verdict": "maybe"}, {"verdict": "wrong", "reason": "the customer said so"}):
        bad = agent.put(answer, json=body)
        assert bad.status_code == 422, body
        assert ("verdict" if body["verdict"] == "maybe" else "reason") in bad.text
    assert agent.put(answer, json={}).status_code == 422
    assert agent.put("/api/v1/messages/999999/review", json={"verdict": "right"}).status_code == 404


def test_the_random_sample_lists_unjudged_answers_the_same_way_each_time(
    client: TestClient, workspace: Workspace, admin: TestClient, agent: TestClient
) -> None:
    # Everything is drawn at a share of 1, so the test knows the sample.
    assert admin.put("/api/v1/admin/settings/answer-reviews", json={"sample_share": 1}).is_success
    turns = [_answered(client, workspace) for _ in range(3)]
    ids = {t["reply"]["id"] for t in turns}

    listed = agent.get(SAMPLE, params=days_around_today())
    assert listed.status_code == 200, listed.text
    sample = listed.json()
    assert (sample["answers"], sample["sampled"], sample["reviewed"]) == (3, 3, 0)
    assert {a["message_id"] for a in sample["data"]} == ids
    shown = sample["data"][0]
    assert shown["question"] == QUESTION and shown["sources"] == ["When will my card arrive?"]
    assert shown["answer"].startswith("Cards arrive within 3-5 working days")
    assert agent.get(SAMPLE, params=days_around_today()).json()["data"] == sample["data"]

    # Judging the first takes it off the list; the rest keep their order.
    reviewed = shown["message_id"]
    verdict = agent.put(f"/api/v1/messages/{reviewed}/review", json={"verdict": "right"})
    assert verdict.status_code == 200
    after = agent.get(SAMPLE, params=days_around_today()).json()
    assert after["reviewed"] == 1
    assert [a["message_id"] for a in after["data"]] == [a["message_id"] for a in sample["data"][1:]]
    estimate = _answers(admin.get(KPIS, params=days_around_today()).json())["sample"]
    assert (estimate["sampled"], estimate["reviewed"], estimate["precision"]) == (3, 1, 1.0)
    # One right answer of one: the 95% Wilson interval is wide.
    assert (estimate["low"], estimate["high"]) == (0.2065, 1.0)

    reversed_period = agent.get(SAMPLE, params={"from": "2026-02-02", "to": "2026-02-01"})
    assert reversed_period.status_code == 422
    assert reversed_period.json()["error"]["code"] == "period_reversed"
    too_early = agent.get(SAMPLE, params={"to": "0001-01-02"})
    assert too_early.status_code == 422
    assert too_early.json()["error"]["code"] == "date_out_of_range"


def test_the_cost_model_is_validated_and_prices_the_report(
    app, client: TestClient, workspace: Workspace, admin: TestClient, agent: TestClient
) -> None:
    url = "/api/v1/admin/settings/costs"
    assert admin.get(url).json()["currency"] == "USD"
    for body, named in (
        ({"agent_cost_per_hour": -5}, "agent_cost_per_hour"),
        ({"currency": "euro"}, "currency"),
        ({"ai_cost_per_bot_message": "cheap"}, "ai_cost_per_bot_message"),
        ({"fixed_cost_per_conversation": 1, "surprise": 1}, "surprise"),
    ):
        refused = admin.put(url, json=body)
        assert refused.status_code == 422, body
        assert named in refused.json()["error"]["message"]
    assert admin.get(url).json()["agent_cost_per_hour"] == 25.0, "nothing stored was lost"
    model = {
        "currency": "EUR",
        "agent_cost_per_hour": 36,
        "ai_cost_per_bot_message": 0.5,
        "ai_cost_per_1k_tokens": 0,
        "fixed_cost_per_conversation": 1,
    }
    saved = admin.put(url, json=model)
    assert saved.status_code == 200 and saved.json()["currency"] == "EUR"

    # One answered conversation: a bot message and the fixed cost, no person.
    _answered(client, workspace)
    costs = admin.get(KPIS, params=days_around_today()).json()["current"]["costs"]
    assert costs["currency"] == "EUR"
    assert (costs["ai"], costs["human"], costs["fixed"], costs["total"]) == (0.5, 0.0, 1.0, 1.5)
    assert costs["baseline"] is None, "no person handled anything: no human handling time yet"

    # A customer asks for a person; an agent replies and resolves: handling time is paid.
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    say(client, conversation_id, visitor, "I want to talk to a real person please")
    assert agent.post(
        f"/api/v1/conversations/{conversation_id}/messages", json={"body": "Hi"}
    ).is_success
    assert agent.post(f"/api/v1/conversations/{conversation_id}/resolve").is_success
    costs = admin.get(KPIS, params=days_around_today()).json()["current"]["costs"]
    assert costs["conversations"] == 2 and costs["handling"]["count"] == 1
    assert costs["human"] > 0 and costs["baseline"] > costs["fixed"]
    assert costs["savings"] == pytest.approx(costs["baseline"] - costs["total"], abs=1e-3)


def test_each_customer_message_records_its_sentiment_as_a_number(
    client: TestClient, workspace: Workspace, admin: TestClient, agent: TestClient
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    say(client, conversation_id, visitor, "thanks, that was really helpful and quick")
    say(client, conversation_id, visitor, "this is terrible, my card is broken and useless")
    events = agent.get(f"/api/v1/conversations/{conversation_id}/events").json()["data"]
    scores = [e["payload"]["sentiment"] for e in events if e["type"] == "message.understood"]
    assert len(scores) == 2 and scores[0] > 0.3 and scores[1] < -0.3
    sentiment = admin.get(KPIS, params=days_around_today()).json()["current"]["sentiment"]
    assert (sentiment["messages"], sentiment["negative"]) == (2, 1)
    assert sentiment["mean"] == pytest.approx(sum(scores) / 2, abs=1e-4)
    assert sum(day["messages"] for day in sentiment["by_day"].values()) == 2
