"""The review queue over HTTP with real conversations: what production puts in it and why,
labelling one or many items, the export a retrain reads (consented and redacted only), an
erased contact's examples gone, and the errors that name what is wrong with a request."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient

from batondesk.privacy.consent import do_set_consent
from batondesk.store import Database
from batondesk.store.models import Conversation
from tests.support.workspace import Workspace, first_turn, say, start_chat

QUEUE = "/api/v1/review-queue"
LABELS = "/api/v1/review-queue/labels"
EXPORT = "/api/v1/review-queue/examples.csv"


def _queue(member: TestClient, **params: Any) -> dict[str, Any]:
    response = member.get(QUEUE, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _by_text(queue: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["text"]: item for item in queue["data"]}


def _contact_of(db: Database, conversation_id: int) -> int:
    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation.contact_id


def _consent(db: Database, account_id: int, contact_id: int) -> None:
    with db.session() as session:
        do_set_consent(session, account_id, contact_id, "training", True)


def _exported(admin: TestClient) -> list[dict[str, str]]:
    response = admin.get(EXPORT)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def _ask(client: TestClient, workspace: Workspace, text: str) -> int:
    """A new customer asks `text`; returns the conversation's id."""
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    say(client, conversation_id, visitor, text)
    return conversation_id


def test_production_fills_the_queue_with_reasons_and_redacted_text(
    client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    _ask(client, workspace, "can I buy bitcoin, mail me at anna.berg@example.com")
    answered = first_turn(client, workspace.a.inbox_public_id, "my card still hasn't arrived")
    assert answered["reply"]["sources"]

    queue = _queue(agent)
    texts = _by_text(queue)
    item = texts["can I buy bitcoin, mail me at [EMAIL]"]
    assert "anna.berg" not in str(queue)
    assert set(item["reasons"]) & {"out_of_scope", "unclear"}
    assert item["why"]
    assert item["status"] == "pending"
    # A confident answer nobody complained about is not worth a reviewer's time.
    assert "my card still hasn't arrived" not in texts
    assert "card_arrival" in queue["intents"]


def test_corrections_and_answers_flagged_wrong_come_first(
    client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    _ask(client, workspace, "who won the football game yesterday")
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = say(client, conversation_id, visitor, "my card still hasn't arrived")
    flagged = client.put(
        f"/api/v1/widget/conversations/{conversation_id}/messages/{turn['reply']['id']}/feedback",
        json={"helpful": False},
        headers=visitor,
    )
    assert flagged.status_code == 200, flagged.text
    corrected = first_turn(client, workspace.a.inbox_public_id, "I lost my card")
    fixed = agent.post(
        f"/api/v1/messages/{corrected['message']['id']}/intent",
        json={"intent": "card_arrival"},
    )
    assert fixed.status_code == 200, fixed.text

    data = _queue(agent)["data"]
    order = [item["text"] for item in data]
    assert order.index("my card still hasn't arrived") < order.index(
        "who won the football game yesterday"
    )
    assert order.index("I lost my card") < order.index("who won the football game yesterday")
    by_text = _by_text({"data": data})
    assert by_text["my card still hasn't arrived"]["reasons"] == ["answer_flagged"]
    assert by_text["my card still hasn't arrived"]["answer_message_id"] == turn["reply"]["id"]
    assert by_text["I lost my card"]["suggested_intent"] == "card_arrival"
    only_corrected = _queue(agent, reason="agent_corrected")["data"]
    assert [item["text"] for item in only_corrected] == ["I lost my card"]


def test_labelling_in_bulk_moves_items_out_of_the_pending_queue(
    client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    for text in ("can I buy bitcoin", "do you offer mortgages", "asdfgh"):
        _ask(client, workspace, text)
    items = _by_text(_queue(agent))
    done = agent.post(
        LABELS,
        json={
            "labels": [
                {"id": items["can I buy bitcoin"]["id"], "kind": "new_intent", "intent": "crypto"},
                {
                    "id": items["do you offer mortgages"]["id"],
                    "kind": "intent",
                    "intent": "exchange_rate",
                },
                {"id": items["asdfgh"]["id"], "kind": "skip"},
            ]
        },
    )
    assert done.status_code == 200, done.text
    assert done.json()["labelled"] == 3
    assert _queue(agent)["data"] == []
    labelled = _by_text(_queue(agent, status="labelled"))
    assert labelled["can I buy bitcoin"]["label"] == "crypto"
    assert labelled["can I buy bitcoin"]["label_kind"] == "new_intent"
    assert _by_text(_queue(agent, status="skipped"))["asdfgh"]["label_kind"] == "skip"
    # A new intent a reviewer named is one the next reviewer can pick.
    assert "crypto" in _queue(agent)["intents"]
    conversation_id = labelled["can I buy bitcoin"]["conversation_id"]
    events = agent.get(f"/api/v1/conversations/{conversation_id}/events").json()["data"]
    assert "review.labelled" in [event["type"] for event in events]


def test_the_export_holds_only_consenting_contacts_redacted_examples(
    client: TestClient, workspace: Workspace, agent: TestClient, admin: TestClient, db: Database
) -> None:
    consenting = _ask(client, workspace, "can I buy bitcoin? my phone is +44 20 7946 0958")
    refusing = _ask(client, workspace, "do you support crypto trading")
    _consent(db, workspace.a.account_id, _contact_of(db, consenting))
    items = _by_text(_queue(agent))
    labels = [
        {"id": item["id"], "kind": "new_intent" if i == 0 else "intent", "intent": "crypto"}
        for i, item in enumerate(
            items[t]
            for t in ("can I buy bitcoin? my phone is [PHONE]", "do you support crypto trading")
        )
    ]
    assert agent.post(LABELS, json={"labels": labels}).status_code == 200

    rows = _exported(admin)
    assert rows == [{"text": "can I buy bitcoin? my phone is [PHONE]", "category": "crypto"}]
    assert refusing  # asked and labelled, but its contact never consented to training
    assert agent.get(EXPORT).status_code == 403


def test_erasing_a_contact_removes_its_items_from_the_queue_and_the_export(
    client: TestClient, workspace: Workspace, agent: TestClient, admin: TestClient, db: Database
) -> None:
    erased = _ask(client, workspace, "do you offer mortgages")
    kept = _ask(client, workspace, "can I get a mortgage for a house")
    for conversation_id in (erased, kept):
        _consent(db, workspace.a.account_id, _contact_of(db, conversation_id))
    items = _by_text(_queue(agent))
    labels = [
        {
            "id": items[text]["id"],
            "kind": "new_intent" if i == 0 else "intent",
            "intent": "mortgage",
        }
        for i, text in enumerate(("do you offer mortgages", "can I get a mortgage for a house"))
    ]
    assert agent.post(LABELS, json={"labels": labels}).status_code == 200
    assert len(_exported(admin)) == 2

    contact = _contact_of(db, erased)
    assert admin.post(f"/api/v1/admin/privacy/contacts/{contact}/erase").status_code == 200

    texts = [i["text"] for i in _queue(agent, status="all")["data"]]
    assert "do you offer mortgages" not in texts
    assert "can I get a mortgage for a house" in texts
    assert [row["text"] for row in _exported(admin)] == ["can I get a mortgage for a house"]


def test_bad_labels_are_refused_by_name_and_nothing_is_stored(
    client: TestClient, workspace: Workspace, agent: TestClient, app: Any
) -> None:
    _ask(client, workspace, "can I buy bitcoin")
    _ask(client, workspace, "do you offer mortgages")
    items = _by_text(_queue(agent))
    bitcoin, mortgage = items["can I buy bitcoin"]["id"], items["do you offer mortgages"]["id"]

    unknown = agent.post(
        LABELS,
        json={
            "labels": [
                {"id": bitcoin, "kind": "new_intent", "intent": "crypto"},
                {"id": mortgage, "kind": "intent", "intent": "mortgages_please"},
            ]
        },
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_intent"
    assert "mortgages_please" in unknown.json()["error"]["message"]

    # An item of another account is a 404, exactly like a missing one.
    with TestClient(app) as other:
        from tests.support.workspace import login

        login(other, workspace.b.users["agent"][1])
        foreign = other.post(LABELS, json={"labels": [{"id": bitcoin, "kind": "skip"}]})
        assert foreign.status_code == 404
        assert other.put(f"{QUEUE}/{bitcoin}/label", json={"kind": "skip"}).status_code == 404
        assert other.get(QUEUE).json()["data"] == []

    too_many = agent.post(LABELS, json={"labels": [{"id": bitcoin, "kind": "skip"}] * 201})
    assert too_many.status_code == 422
    assert "labels" in too_many.text
    wrong_type = agent.post(LABELS, json={"labels": [{"id": "first", "kind": "skip"}]})
    assert wrong_type.status_code == 422
    bad_kind = agent.post(LABELS, json={"labels": [{"id": bitcoin, "kind": "maybe"}]})
    assert bad_kind.status_code == 422
    no_answer = agent.post(LABELS, json={"labels": [{"id": bitcoin, "kind": "answer_right"}]})
    assert no_answer.status_code == 422
    assert no_answer.json()["error"]["code"] == "no_answer_to_judge"
    hostile = agent.post(
        LABELS, json={"labels": [{"id": bitcoin, "kind": "new_intent", "intent": "<script>"}]}
    )
    assert hostile.status_code == 422
    twice = agent.post(LABELS, json={"labels": [{"id": bitcoin, "kind": "skip"}] * 2})
    assert twice.status_code == 422
    assert twice.json()["error"]["code"] == "duplicate_item"

    assert {i["text"] for i in _queue(agent)["data"]} == {
        "can I buy bitcoin",
        "do you offer mortgages",
    }
    assert _queue(agent, status="labelled")["data"] == []


def test_an_answer_judged_in_the_queue_counts_as_the_agents_review(
    client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = say(client, conversation_id, visitor, "my card still hasn't arrived")
    url = f"/api/v1/widget/conversations/{conversation_id}/messages/{turn['reply']['id']}/feedback"
    assert client.put(url, json={"helpful": False}, headers=visitor).status_code == 200
    item = _by_text(_queue(agent))["my card still hasn't arrived"]

    judged = agent.put(f"{QUEUE}/{item['id']}/label", json={"kind": "answer_right"})
    assert judged.status_code == 200, judged.text
    assert judged.json()["label_kind"] == "answer_right"
    messages = agent.get(f"/api/v1/conversations/{conversation_id}/messages").json()
    answer = next(m for m in messages if m["id"] == turn["reply"]["id"])
    assert answer["annotations"]["review"]["verdict"] == "right"
