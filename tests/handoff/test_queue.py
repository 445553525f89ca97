"""The queue: routing by intent, automatic assignment, priority, SLA breaches, what's next."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from batondesk.actions.handoff import run_queue_check
from batondesk.store.base import utcnow
from batondesk.store.models import Conversation, Event, Priority, Team
from tests.support.workspace import Workspace, login, say, start_chat


def _events(app, conversation_id: int, kind: str) -> list[Event]:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        return list(
            session.scalars(
                select(Event).where(Event.conversation_id == conversation_id, Event.type == kind)
            )
        )


def _set_available(app, email: str) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as agent:
        login(agent, email)
        response = agent.put("/api/v1/me/availability", json={"availability": "available"})
        assert response.status_code == 200, response.text


def test_routed_by_intent_and_given_to_the_least_loaded_available_agent(
    app, client: TestClient, workspace: Workspace
) -> None:
    _set_available(app, workspace.a.users["agent"][1])
    _set_available(app, workspace.a.users["agent2"][1])
    assignees = []
    for _ in range(3):
        conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
        assert (
            say(client, conversation_id, visitor, "my card still hasn't arrived")["status"] == "bot"
        )
        turn = say(client, conversation_id, visitor, "can I talk to a real person about it?")
        assert turn["status"] == "assigned"
        # The customer is told who has joined, not a queue number.
        assert "has joined" in turn["reply"]["body"]
        with app.state.db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            team = session.scalars(
                select(Team).where(Team.account_id == workspace.a.account_id)
            ).one()
            assert conversation.team_id == team.id  # the Cards team handles card_arrival
            assignees.append(conversation.assignee_id)
        routed = _events(app, conversation_id, "conversation.routed")
        assert routed[0].payload["intent"] == "card_arrival"
        assigned = _events(app, conversation_id, "conversation.assigned")
        assert assigned[0].payload["automatic"] is True
    agent_id, agent2_id = workspace.a.users["agent"][0], workspace.a.users["agent2"][0]
    # Least-loaded first: the two agents alternate.
    assert assignees[0] != assignees[1]
    assert set(assignees) == {agent_id, agent2_id}
    assert assignees[2] == assignees[0]

    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        staff = {a["user_id"]: a for a in agent.get("/api/v1/agents").json()}
        assert staff[agent_id]["availability"] == "available"
        assert staff[agent_id]["open_conversations"] + staff[agent2_id]["open_conversations"] == 3


def test_with_nobody_available_it_waits_in_the_queue_and_says_so(
    app, client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = say(client, conversation_id, visitor, "I want to speak to a human")
    assert turn["status"] == "queued"
    body = turn["reply"]["body"]
    assert "number 1 in the queue" in body
    assert "Leave a message" in body


def test_outside_office_hours_the_customer_is_told_when_we_are_back(
    app, client: TestClient, workspace: Workspace
) -> None:
    today = utcnow().isoweekday()
    closed_today = [d for d in range(1, 8) if d != today]
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        response = admin.put(
            "/api/v1/admin/settings/escalation",
            json={
                "office_hours": {
                    "timezone": "UTC",
                    "days": closed_today,
                    "opens": "09:00",
                    "closes": "17:00",
                }
            },
        )
        assert response.status_code == 200, response.text
    _set_available(app, workspace.a.users["agent"][1])
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        admin.put("/api/v1/admin/settings/escalation", json={"auto_assign": False})
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    body = say(client, conversation_id, visitor, "Quiero hablar con una persona")["reply"]["body"]
    assert "09:00–17:00 (UTC)" in body
    assert "Déjenos un mensaje" in body  # in the customer's language


def test_priority_from_reason_and_sla_breaches_reported_once(
    app, client: TestClient, workspace: Workspace
) -> None:
    fraud_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    say(client, fraud_id, visitor, "There's a payment on my card I don't recognise")
    asked_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    say(client, asked_id, visitor, "I want to speak to a human")
    with app.state.db.session() as session:
        fraud, asked = session.get(Conversation, fraud_id), session.get(Conversation, asked_id)
        assert fraud.priority == Priority.urgent
        assert asked.priority == Priority.normal
        # Urgent: first response due within 5 minutes; normal: within an hour.
        assert fraud.sla_first_response_due_at - fraud.escalated_at == timedelta(minutes=5)
        assert asked.sla_first_response_due_at - asked.escalated_at == timedelta(minutes=60)
    with TestClient(app) as agent:
        queue = login(agent, workspace.a.users["agent"][1]).get("/api/v1/queue").json()
        assert [c["id"] for c in queue["data"]] == [fraud_id, asked_id]

    with app.state.db.session() as session:
        report = run_queue_check(session, now=utcnow() + timedelta(minutes=10))
    assert report.breached == [(fraud_id, "first_response")]
    with app.state.db.session() as session:
        again = run_queue_check(session, now=utcnow() + timedelta(minutes=11))
    assert again.breached == []
    breach = _events(app, fraud_id, "conversation.sla_breached")
    assert len(breach) == 1
    assert breach[0].payload["kind"] == "first_response"
    assert breach[0].payload["priority"] == "urgent"


def test_waiting_raises_priority(app, client: TestClient, workspace: Workspace) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    say(client, conversation_id, visitor, "I want to speak to a human")
    with app.state.db.session() as session:
        report = run_queue_check(session, now=utcnow() + timedelta(minutes=45))
    assert conversation_id in report.prioritised
    with app.state.db.session() as session:
        run_queue_check(session, now=utcnow() + timedelta(minutes=46))
        assert session.get(Conversation, conversation_id).priority == Priority.urgent  # 1 + 2


def test_an_agent_who_becomes_available_picks_up_the_queue(
    app, client: TestClient, workspace: Workspace
) -> None:
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    assert say(client, conversation_id, visitor, "I want to speak to a human")["status"] == "queued"
    _set_available(app, workspace.a.users["agent2"][1])
    with app.state.db.session() as session:
        report = run_queue_check(session)
    assert report.assigned == [conversation_id]
    seen = client.get(f"/api/v1/widget/conversations/{conversation_id}", headers=visitor).json()
    assert seen["status"] == "assigned"
