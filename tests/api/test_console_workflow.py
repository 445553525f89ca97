"""The agents' workflow: assign and transfer, tags, priority and snooze, each recorded as an
event, each usable with an API key, each refusing bad input without losing anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from batondesk.actions.workflow import do_wake_due_snoozes
from batondesk.store.models import Conversation, Event, Team
from tests.support.workspace import Workspace, login, say, start_chat


def _queued(client: TestClient, workspace: Workspace) -> tuple[int, dict[str, str]]:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    handed = client.post(f"/api/v1/widget/conversations/{conversation_id}/handoff", headers=visitor)
    assert handed.status_code == 200, handed.text
    return conversation_id, visitor


def _events(app, conversation_id: int, kind: str) -> list[Event]:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        return list(
            session.scalars(
                select(Event)
                .where(Event.conversation_id == conversation_id, Event.type == kind)
                .order_by(Event.id)
            )
        )


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["data"]]


def test_assign_reassign_unassign_and_mine(
    app, client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    conversation_id, _ = _queued(client, workspace)
    url = f"/api/v1/conversations/{conversation_id}/assignee"
    teammate_id, teammate_email = workspace.a.users["agent2"]
    me_id = workspace.a.users["agent"][0]

    assigned = agent.put(url, json={"user_id": teammate_id})
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["assignee_id"] == teammate_id
    assert assigned.json()["status"] == "assigned"
    with TestClient(app) as teammate:
        login(teammate, teammate_email)
        mine = teammate.get("/api/v1/conversations", params={"mine": "true", "status": "open"})
        assert _ids(mine) == [conversation_id]
    assert _ids(agent.get("/api/v1/conversations", params={"mine": "true"})) == []

    reassigned = agent.put(url, json={"user_id": me_id}).json()
    assert reassigned["assignee_id"] == me_id
    assert _ids(agent.get("/api/v1/conversations", params={"mine": "true"})) == [conversation_id]
    # Setting the same assignee again changes and records nothing.
    assert agent.put(url, json={"user_id": me_id}).status_code == 200

    unassigned = agent.put(url, json={"user_id": None}).json()
    assert unassigned["assignee_id"] is None and unassigned["status"] == "queued"
    assert conversation_id in [c["id"] for c in agent.get("/api/v1/queue").json()["data"]]

    assigned_events = _events(app, conversation_id, "conversation.assigned")
    assert [e.payload["assignee_id"] for e in assigned_events] == [teammate_id, me_id]
    assert assigned_events[1].payload["from_assignee_id"] == teammate_id
    assert assigned_events[0].actor_id == me_id
    [unassign] = _events(app, conversation_id, "conversation.unassigned")
    assert unassign.payload == {"from_assignee_id": me_id, "to_status": "queued"}


def test_assignment_refuses_strangers_and_bad_input_without_changing_anything(
    app, client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    conversation_id, _ = _queued(client, workspace)
    url = f"/api/v1/conversations/{conversation_id}/assignee"
    foreign_user = workspace.b.users["agent"][0]
    for body, status in (
        ({"user_id": foreign_user}, 404),
        ({"user_id": 999_999}, 404),
        ({"user_id": "tom"}, 422),
        ({"user_id": 2**40}, 422),
        ({}, 422),
        ({"user_id": 1, "extra": True}, 422),
    ):
        response = agent.put(url, json=body)
        assert response.status_code == status, (body, response.text)
    with TestClient(app) as outsider:
        login(outsider, workspace.b.users["admin"][1])
        response = outsider.put(url, json={"user_id": foreign_user})
        assert response.status_code == 404
    conversation = agent.get(f"/api/v1/conversations/{conversation_id}").json()
    assert conversation["assignee_id"] is None and conversation["status"] == "queued"
    assert _events(app, conversation_id, "conversation.assigned") == []


def test_transfer_to_a_team(
    app, client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    conversation_id, _ = _queued(client, workspace)
    with app.state.db.session() as session:
        team = Team(account_id=workspace.a.account_id, name="Fraud", intents=[])
        session.add(team)
        session.flush()
        team_id = team.id
        foreign = session.scalars(
            select(Team.id).where(Team.account_id == workspace.b.account_id)
        ).first()
    teams = agent.get("/api/v1/teams").json()
    assert "Fraud" in [t["name"] for t in teams]

    url = f"/api/v1/conversations/{conversation_id}/team"
    moved = agent.put(url, json={"team_id": team_id})
    assert moved.status_code == 200 and moved.json()["team_id"] == team_id
    assert _ids(agent.get("/api/v1/conversations", params={"team_id": team_id})) == [
        conversation_id
    ]
    assert agent.put(url, json={"team_id": foreign}).status_code == 404
    assert agent.put(url, json={"team_id": None}).json()["team_id"] is None
    [first, second] = _events(app, conversation_id, "conversation.transferred")
    assert first.payload["team_id"] == team_id and second.payload["from_team_id"] == team_id


def test_tags_add_remove_list_and_filter(
    app, client: TestClient, workspace: Workspace, agent: TestClient, admin: TestClient
) -> None:
    tagged_id, _ = _queued(client, workspace)
    other_id, _ = _queued(client, workspace)
    refund = agent.post("/api/v1/tags", json={"name": "  Refund   request "})
    assert refund.status_code == 201 and refund.json()["name"] == "Refund request"
    vip = agent.post("/api/v1/tags", json={"name": "vip"}).json()
    duplicate = agent.post("/api/v1/tags", json={"name": "REFUND request"})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "tag_exists"
    assert [t["name"] for t in agent.get("/api/v1/tags").json()] == ["Refund request", "vip"]

    url = f"/api/v1/conversations/{tagged_id}/tags"
    for tag in (refund.json(), vip):
        response = agent.post(url, json={"tag_id": tag["id"]})
        assert response.status_code == 200, response.text
    assert agent.post(url, json={"tag_id": vip["id"]}).status_code == 200  # already on
    shown = agent.get(f"/api/v1/conversations/{tagged_id}").json()["tags"]
    assert [t["name"] for t in shown] == ["Refund request", "vip"]

    listing = agent.get("/api/v1/conversations", params={"tag_id": vip["id"]})
    assert _ids(listing) == [tagged_id]
    assert [t["name"] for t in listing.json()["data"][0]["tags"]] == ["Refund request", "vip"]
    both = agent.get("/api/v1/conversations", params={"tag_id": [vip["id"], refund.json()["id"]]})
    assert _ids(both) == [tagged_id]

    removed = agent.delete(f"{url}/{vip['id']}")
    assert [t["name"] for t in removed.json()["tags"]] == ["Refund request"]
    assert _ids(agent.get("/api/v1/conversations", params={"tag_id": vip["id"]})) == []
    assert [e.payload["tag_id"] for e in _events(app, tagged_id, "conversation.tagged")] == [
        refund.json()["id"],
        vip["id"],
    ]
    assert len(_events(app, tagged_id, "conversation.untagged")) == 1

    # Unknown and foreign tags are 404; oversized and empty names are 422.
    with TestClient(app) as outsider:
        login(outsider, workspace.b.users["admin"][1])
        foreign = outsider.post("/api/v1/tags", json={"name": "theirs"}).json()
        assert outsider.post(url, json={"tag_id": refund.json()["id"]}).status_code == 404
    for tag_id in (foreign["id"], 999_999):
        assert agent.post(url, json={"tag_id": tag_id}).status_code == 404
        assert agent.delete(f"{url}/{tag_id}").status_code == 404
    long_name = agent.post("/api/v1/tags", json={"name": "x" * 51})
    assert long_name.status_code == 422 and "name" in long_name.json()["error"]["message"]
    blank = agent.post("/api/v1/tags", json={"name": "   "})
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "empty_tag"

    # Only admins delete a tag; it comes off every conversation.
    assert agent.delete(f"/api/v1/tags/{refund.json()['id']}").status_code == 403
    assert admin.delete(f"/api/v1/tags/{refund.json()['id']}").status_code == 204
    assert agent.get(f"/api/v1/conversations/{tagged_id}").json()["tags"] == []
    assert agent.get(f"/api/v1/conversations/{other_id}").json()["tags"] == []


def test_priority_and_snooze(
    app, client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    conversation_id, visitor = _queued(client, workspace)
    url = f"/api/v1/conversations/{conversation_id}"

    urgent = agent.put(f"{url}/priority", json={"priority": "urgent"})
    assert urgent.status_code == 200 and urgent.json()["priority"] == 3
    [change] = [
        e
        for e in _events(app, conversation_id, "conversation.prioritised")
        if e.payload.get("cause") == "agent"
    ]
    assert change.payload["to"] == 3
    for bad in ({"priority": "critical"}, {"priority": 3}, {"priority": "x" * 5000}):
        assert agent.put(f"{url}/priority", json=bad).status_code == 422, bad
    assert agent.get(url).json()["priority"] == 3

    later = datetime.now(UTC) + timedelta(hours=2)
    snoozed = agent.post(f"{url}/snooze", json={"until": later.isoformat()})
    assert snoozed.status_code == 200, snoozed.text
    assert snoozed.json()["snoozed_until"] is not None
    assert conversation_id not in [c["id"] for c in agent.get("/api/v1/queue").json()["data"]]
    assert _ids(agent.get("/api/v1/conversations", params={"status": "snoozed"})) == [
        conversation_id
    ]
    assert _ids(agent.get("/api/v1/conversations", params={"status": "open"})) == []

    # The customer writing wakes it.
    say(client, conversation_id, visitor, "are you still there?")
    assert agent.get(url).json()["snoozed_until"] is None
    [woken] = _events(app, conversation_id, "conversation.unsnoozed")
    assert woken.payload == {"cause": "customer"}

    # And so does the time passing (the queue check).
    agent.post(f"{url}/snooze", json={"until": later.isoformat()})
    with app.state.db.session() as session:
        assert do_wake_due_snoozes(session, now=later - timedelta(minutes=1)) == []
        assert do_wake_due_snoozes(session, now=later + timedelta(seconds=1)) == [conversation_id]
    assert agent.get(url).json()["snoozed_until"] is None
    assert _ids(agent.get("/api/v1/conversations", params={"status": "open"})) == [conversation_id]

    # Bad times are refused naming the problem; unsnoozing what is awake is a conflict.
    past = datetime.now(UTC) - timedelta(minutes=1)
    for body, code in (
        ({"until": past.isoformat()}, "snooze_in_the_past"),
        ({"until": (datetime.now(UTC) + timedelta(days=400)).isoformat()}, "snooze_too_long"),
        ({"until": "2030-01-01T09:00:00"}, "invalid_input"),
        ({"until": "soon"}, "invalid_input"),
    ):
        response = agent.post(f"{url}/snooze", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["code"] in (code, "validation_error"), response.text
    assert agent.post(f"{url}/unsnooze").status_code == 409

    # A resolved conversation is not snoozed, and resolving clears a snooze.
    agent.post(f"{url}/snooze", json={"until": later.isoformat()})
    assert agent.post(f"{url}/resolve").json()["snoozed_until"] is None
    resolved_snooze = agent.post(f"{url}/snooze", json={"until": later.isoformat()})
    assert resolved_snooze.status_code == 409


def test_workflow_works_with_an_api_key_and_other_accounts_get_404(
    app, client: TestClient, workspace: Workspace, admin: TestClient
) -> None:
    conversation_id, _ = _queued(client, workspace)
    key = admin.post(
        "/api/v1/admin/api-keys",
        json={
            "name": "crm",
            "role": "agent",
            "scopes": ["conversations:read", "conversations:write"],
        },
    ).json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    url = f"/api/v1/conversations/{conversation_id}"
    with TestClient(app) as integration:
        tag = integration.post("/api/v1/tags", json={"name": "crm"}, headers=headers).json()
        assert integration.post(
            f"{url}/tags", json={"tag_id": tag["id"]}, headers=headers
        ).is_success
        teammate = workspace.a.users["agent2"][0]
        assigned = integration.put(f"{url}/assignee", json={"user_id": teammate}, headers=headers)
        assert assigned.status_code == 200 and assigned.json()["assignee_id"] == teammate
        assert integration.put(
            f"{url}/priority", json={"priority": "high"}, headers=headers
        ).is_success
    [event] = _events(app, conversation_id, "conversation.assigned")
    assert event.actor_id is None  # an API key, not a person

    with TestClient(app) as outsider:
        login(outsider, workspace.b.users["admin"][1])
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        for method, path, body in (
            ("put", f"{url}/priority", {"priority": "low"}),
            ("post", f"{url}/snooze", {"until": later}),
            ("post", f"{url}/tags", {"tag_id": tag["id"]}),
            ("put", f"{url}/team", {"team_id": None}),
        ):
            response = getattr(outsider, method)(path, json=body)
            assert response.status_code == 404, (path, response.text)
    with app.state.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation.priority == 2 and conversation.snoozed_until is None


def test_analysts_read_but_cannot_change(app, client: TestClient, workspace: Workspace) -> None:
    conversation_id, _ = _queued(client, workspace)
    with TestClient(app) as analyst:
        login(analyst, workspace.a.users["analyst"][1])
        assert analyst.get("/api/v1/tags").status_code == 200
        response = analyst.put(
            f"/api/v1/conversations/{conversation_id}/priority", json={"priority": "low"}
        )
        assert response.status_code == 403
        assert analyst.post("/api/v1/tags", json={"name": "x"}).status_code == 403
