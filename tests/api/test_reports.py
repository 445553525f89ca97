"""The KPI report over HTTP: conversations driven through the real widget and console give the
figures docs/metrics.md defines; bad periods and groupings get a 422 naming the problem."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.workspace import Workspace, days_around_today, login, say, start_chat

URL = "/api/v1/admin/reports/kpis"
QUESTION = "my card still hasn't arrived"


def test_kpis_of_conversations_handled_through_the_api(
    app, client: TestClient, workspace: Workspace, admin: TestClient
) -> None:
    # The bot answers; an agent closes the conversation without writing.
    answered_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    assert say(client, answered_id, visitor, QUESTION)["reply"]["sources"]
    # Another customer asks for a person; an agent replies and resolves; rated 5.
    human_id, other = start_chat(client, workspace.a.inbox_public_id)
    say(client, human_id, other, QUESTION)
    assert say(client, human_id, other, "I want to talk to a real person please")["status"] == (
        "queued"
    )
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        reply = agent.post(f"/api/v1/conversations/{human_id}/messages", json={"body": "On it."})
        assert reply.status_code == 201
        for conversation_id in (answered_id, human_id):
            resolved = agent.post(f"/api/v1/conversations/{conversation_id}/resolve")
            assert resolved.status_code == 200
    rated = client.post(
        f"/api/v1/widget/conversations/{human_id}/csat", json={"score": 5}, headers=other
    )
    assert rated.status_code == 200
    # Another account's conversation is never counted.
    foreign_id, foreign = start_chat(client, workspace.b.inbox_public_id)
    say(client, foreign_id, foreign, QUESTION)

    response = admin.get(URL, params=days_around_today())
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["timezone"] == "UTC" and report["groups"] == []
    current = report["current"]
    assert current["conversations"] == 2
    assert current["hand_over"]["contained"] == 1
    assert current["hand_over"]["by_reason"] == {"explicit_request": {"count": 1, "rate": 0.5}}
    assert current["first_response"]["count"] == 1
    assert current["resolution"]["first"]["count"] == 2
    assert current["first_contact_resolution"]["pending"] == 2  # seven days have not passed
    # Closed from the bot after its answer: an automated resolution, pending for 24 hours.
    automated = current["automated_resolution"]
    assert (automated["pending"], automated["resolutions"]) == (1, 0)
    assert current["csat"]["human"] == {
        "rate": 1.0,
        "ratings": 1,
        "satisfied": 1,
        "response_rate": 1.0,
        "resolved": 1,
    }
    assert report["previous"]["conversations"] == 0
    # Figures only: no message text in the report.
    assert QUESTION not in response.text and "On it." not in response.text

    by_channel = admin.get(URL, params={**days_around_today(), "group_by": "channel"}).json()
    assert [(g["key"], g["current"]["conversations"]) for g in by_channel["groups"]] == [
        ("web_widget", 2)
    ]
    with TestClient(app) as admin_b:
        login(admin_b, workspace.b.users["admin"][1])
        assert admin_b.get(URL, params=days_around_today()).json()["current"]["conversations"] == 1


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"from": "2026-02-01", "to": "2026-01-01"}, "period_reversed", "2026-02-01 is after"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "period_too_long", "367 days"),
        ({"from": "1969-12-31", "to": "1970-01-02"}, "date_out_of_range", "from: 1969-12-31"),
        (
            {"from": "2026-01-01", "to": "2026-01-31", "group_by": "colour"},
            "invalid_input",
            "query.group_by",
        ),
        ({"from": "2026-13-01", "to": "2026-01-31"}, "invalid_input", "query.from"),
        ({"to": "2026-01-31"}, "invalid_input", "query.from"),
    ],
)
def test_bad_parameters_are_refused_naming_the_problem(
    admin: TestClient, params: dict[str, str], code: str, words: str
) -> None:
    response = admin.get(URL, params=params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code and words in error["message"], error


def test_only_admins_read_reports(app, client: TestClient, workspace: Workspace) -> None:
    params = {"from": "2026-01-01", "to": "2026-01-31"}
    assert client.get(URL, params=params).status_code == 401
    for role in ("agent", "analyst"):
        with TestClient(app) as member:
            login(member, workspace.a.users[role][1])
            response = member.get(URL, params=params)
            assert response.status_code == 403 and response.json()["error"]["code"] == (
                "permission_denied"
            )


def test_the_openapi_document_describes_the_report_and_its_errors(app) -> None:  # type: ignore[no-untyped-def]
    operation = app.openapi()["paths"][URL]["get"]
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["from"]["required"] and parameters["to"]["required"]
    assert not parameters["group_by"].get("required", False)
