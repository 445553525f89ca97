"""Canned responses: admins keep them, agents find them by shortcut and insert them filled
from the customer's profile."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.privacy.conftest import identified_chat
from tests.support.workspace import Workspace, login, start_chat

REFUND = {
    "shortcut": "/Refund",
    "title": "Refund on its way",
    "body": "Hi {{contact.first_name|there}}, your refund is on its way (5 working days).",
}


def test_admin_crud_and_agent_lookup(
    app, workspace: Workspace, admin: TestClient, agent: TestClient
) -> None:
    created = admin.post("/api/v1/canned-responses", json=REFUND)
    assert created.status_code == 201, created.text
    row = created.json()
    assert row["shortcut"] == "refund" and row["title"] == "Refund on its way"
    admin.post(
        "/api/v1/canned-responses",
        json={"shortcut": "refund-late", "title": "Late refund", "body": "Sorry it is late."},
    )
    admin.post(
        "/api/v1/canned-responses",
        json={"shortcut": "card", "title": "Card delivery times", "body": "3-5 working days."},
    )

    found = agent.get("/api/v1/canned-responses", params={"q": "/ref"}).json()
    assert [r["shortcut"] for r in found] == ["refund", "refund-late"]
    assert [
        r["shortcut"]
        for r in agent.get("/api/v1/canned-responses", params={"q": "delivery"}).json()
    ] == ["card"]
    # LIKE wildcards are taken literally.
    assert agent.get("/api/v1/canned-responses", params={"q": "%"}).json() == []

    updated = admin.patch(f"/api/v1/canned-responses/{row['id']}", json={"title": "Refund sent"})
    assert updated.status_code == 200 and updated.json()["title"] == "Refund sent"
    assert updated.json()["body"] == REFUND["body"]

    # Agents read them but do not change them.
    assert agent.post("/api/v1/canned-responses", json=REFUND).status_code == 403
    assert agent.delete(f"/api/v1/canned-responses/{row['id']}").status_code == 403
    assert admin.delete(f"/api/v1/canned-responses/{row['id']}").status_code == 204
    assert (
        admin.get("/api/v1/canned-responses", params={"q": "refund"}).json()[0]["shortcut"]
        == "refund-late"
    )


def test_bad_canned_responses_are_refused_and_nothing_is_lost(
    app, workspace: Workspace, admin: TestClient
) -> None:
    row = admin.post("/api/v1/canned-responses", json=REFUND).json()
    cases = [
        ({**REFUND, "shortcut": "re fund"}, 422, "invalid_shortcut"),
        ({**REFUND, "shortcut": "x" * 41}, 422, "invalid_shortcut"),
        (
            {**REFUND, "shortcut": "other", "body": "{{contact.password}} {{oops}}"},
            422,
            "invalid_template",
        ),
        ({**REFUND, "shortcut": "other", "body": "b" * 4001}, 422, "template_too_long"),
        ({**REFUND, "shortcut": "other", "body": "b" * 30_000}, 422, None),
        ({**REFUND, "shortcut": "other", "title": "   "}, 422, "empty_title"),
        ({**REFUND, "shortcut": "other", "extra": 1}, 422, None),
        (REFUND, 409, "shortcut_taken"),
    ]
    for body, status, code in cases:
        response = admin.post("/api/v1/canned-responses", json=body)
        assert response.status_code == status, (body, response.text)
        if code:
            assert response.json()["error"]["code"] == code, response.text
    bad_update = admin.patch(
        f"/api/v1/canned-responses/{row['id']}", json={"title": "New", "body": "{{nope}}"}
    )
    assert bad_update.status_code == 422
    kept = admin.get("/api/v1/canned-responses").json()
    assert [(r["shortcut"], r["title"]) for r in kept] == [("refund", "Refund on its way")]

    # Another account's canned response is a 404, like a missing one.
    with TestClient(app) as outsider:
        login(outsider, workspace.b.users["admin"][1])
        for method in ("patch", "delete"):
            response = getattr(outsider, method)(
                f"/api/v1/canned-responses/{row['id']}",
                **({"json": {"title": "mine now"}} if method == "patch" else {}),
            )
            assert response.status_code == 404
        assert outsider.get("/api/v1/canned-responses").json() == []


def test_inserted_response_is_filled_from_the_customer(
    app, client: TestClient, workspace: Workspace, admin: TestClient, agent: TestClient
) -> None:
    row = admin.post("/api/v1/canned-responses", json=REFUND).json()
    ask_name = admin.post(
        "/api/v1/canned-responses",
        json={
            "shortcut": "tier",
            "title": "Tier",
            "body": "Dear {{contact.name}}, you are {{contact.tier}}.",
        },
    ).json()
    known, _, _ = identified_chat(
        app, client, workspace.a, external_id="c-9", name="Maya Lindqvist", email="maya@example.com"
    )
    anonymous, _ = start_chat(client, workspace.a.inbox_public_id)

    filled = agent.get(f"/api/v1/conversations/{known}/canned-responses/{row['id']}").json()
    assert filled["text"].startswith("Hi Maya, your refund") and filled["missing"] == []
    default = agent.get(f"/api/v1/conversations/{anonymous}/canned-responses/{row['id']}").json()
    assert default["text"].startswith("Hi there, your refund")
    # A field the profile lacks stays visible for the agent to fill in.
    unknown = agent.get(
        f"/api/v1/conversations/{anonymous}/canned-responses/{ask_name['id']}"
    ).json()
    assert unknown["text"] == "Dear {{contact.name}}, you are standard."
    assert unknown["missing"] == ["contact.name"]

    with TestClient(app) as outsider:
        login(outsider, workspace.b.users["agent"][1])
        response = outsider.get(f"/api/v1/conversations/{known}/canned-responses/{row['id']}")
        assert response.status_code == 404
