"""Content gaps over HTTP: customers ask about topics no article covers, in several
phrasings mixed with noise, and the top groups name those topics; suggesting one as a new
intent puts the name on its questions in the review queue."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.unanswered import UNCOVERED_TOPICS, ask_uncovered_questions
from tests.support.workspace import Workspace

GAPS = "/api/v1/content-gaps"
TOPIC_WORDS = {
    "crypto": {"crypto", "bitcoin", "cryptocurrency", "trading", "trade"},
    "mortgage": {"mortgage"},
    "pet insurance": {"pet", "insurance"},
}


def test_the_top_gaps_name_the_topics_no_article_covers(
    client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    ask_uncovered_questions(client, workspace.a.inbox_public_id)

    response = agent.get(GAPS)
    assert response.status_code == 200, response.text
    gaps = response.json()
    assert gaps["clustered"] is True
    top = gaps["data"][:3]
    named = {
        topic
        for gap in top
        for topic, words in TOPIC_WORDS.items()
        if words & set(gap["keywords"][:2])
    }
    assert named == set(UNCOVERED_TOPICS), [g["name"] for g in gaps["data"]]
    for gap in top:
        assert gap["volume"] >= 3
        assert gap["this_week"] == gap["volume"] and gap["last_week"] == 0
        assert 1 <= len(gap["examples"]) <= 5
        assert gap["draft_title"] and "Customers ask" in gap["draft_body"]
    # Noise stays out of every group.
    assert not any("joke" in e or "banana" in e for g in gaps["data"] for e in g["examples"])

    mortgages = next(g for g in top if "mortgage" in g["keywords"])
    suggested = agent.post(
        f"{GAPS}/intent-suggestions",
        json={"name": "Mortgage enquiry", "message_ids": mortgages["message_ids"]},
    )
    assert suggested.status_code == 200, suggested.text
    assert suggested.json() == {"intent": "mortgage_enquiry", "items": mortgages["volume"]}
    queued = agent.get("/api/v1/review-queue", params={"limit": 200}).json()["data"]
    carrying = [i for i in queued if i["suggested_intent"] == "mortgage_enquiry"]
    assert len(carrying) == mortgages["volume"]
    assert all(i["suggested_new"] for i in carrying)


def test_suggestions_refuse_foreign_ids_and_bad_names(
    client: TestClient, workspace: Workspace, agent: TestClient, app: object
) -> None:
    ask_uncovered_questions(client, workspace.a.inbox_public_id)
    ids = agent.get(GAPS).json()["data"][0]["message_ids"]

    with TestClient(app) as other:  # type: ignore[arg-type]
        from tests.support.workspace import login

        login(other, workspace.b.users["agent"][1])
        assert other.get(GAPS).json()["data"] == []
        foreign = other.post(f"{GAPS}/intent-suggestions", json={"name": "x", "message_ids": ids})
        assert foreign.status_code == 404
    bad = agent.post(f"{GAPS}/intent-suggestions", json={"name": "<b>hi</b>", "message_ids": ids})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_intent"
    too_many = agent.post(
        f"{GAPS}/intent-suggestions", json={"name": "crypto", "message_ids": list(range(1, 202))}
    )
    assert too_many.status_code == 422
    assert agent.get(GAPS, params={"days": 3}).status_code == 422
