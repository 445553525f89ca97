"""Escalation settings that validate but would break customers are refused, and settings stored
before a bound existed never stop a customer reaching a person."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from batondesk.store.models import Account
from tests.support.workspace import Workspace, login, start_chat


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"office_hours": {"days": [8]}}, "office_hours.days"),
        ({"office_hours": {"days": []}}, "office_hours.days"),
        ({"office_hours": {"opens": "25:00"}}, "office_hours.opens"),
        ({"sla": {"urgent": {"first_response_minutes": 10**12, "resolution_minutes": 5}}}, "sla"),
        ({"average_handle_minutes": 1e308}, "average_handle_minutes"),
        ({"priority_aging_minutes": 10**9}, "priority_aging_minutes"),
        ({"high_stakes_intents": ["x" * 500]}, "high_stakes_intents"),
        # Each bound alone holds, but a first reply due after the resolution is a typing
        # mistake that would make every first-response breach come late.
        ({"sla": {"high": {"first_response_minutes": 600, "resolution_minutes": 480}}}, "sla"),
    ],
)
def test_settings_that_would_break_customers_are_refused(
    app, workspace: Workspace, change: dict, named: str
) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        before = admin.get("/api/v1/admin/settings/escalation").json()
        refused = admin.put("/api/v1/admin/settings/escalation", json=change)
        assert refused.status_code == 422, refused.text
        assert named.split(".")[0] in refused.json()["error"]["message"]
        assert admin.get("/api/v1/admin/settings/escalation").json() == before


def test_stored_settings_out_of_range_still_let_the_customer_reach_a_person(
    app, client: TestClient, workspace: Workspace
) -> None:
    # As written by an older version, before these bounds existed.
    with app.state.db.session() as session:
        account = session.get(Account, workspace.a.account_id)
        account.settings = {
            **account.settings,
            "escalation": {"office_hours": {"days": [8]}, "average_handle_minutes": 1e308},
            "answering": {"max_wrong_rate": 7},
        }
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": "my card still hasn't arrived"},
        headers=visitor,
    )
    assert turn.status_code == 201, turn.text
    handoff = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/handoff", headers=visitor
    )
    assert handoff.status_code == 200, handoff.text
    assert handoff.json()["status"] in ("queued", "assigned")
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        shown = admin.get("/api/v1/admin/settings/escalation")
        assert shown.status_code == 200 and shown.json()["average_handle_minutes"] == 8.0


SETTINGS_GROUPS = ("answering", "escalation", "costs", "answer-reviews", "widget")


@pytest.mark.parametrize("group", SETTINGS_GROUPS)
def test_every_settings_group_refuses_unknown_names_and_reads_back_whole(
    admin: TestClient, group: str
) -> None:
    endpoint = f"/api/v1/admin/settings/{group}"
    before = admin.get(endpoint).json()
    refused = admin.put(endpoint, json={"escalation": 7}, headers={"X-Requested-With": "baton"})
    assert refused.status_code == 422, refused.text
    assert "escalation" in refused.json()["error"]["message"]
    assert admin.get(endpoint).json() == before
    # Every setting reads back with its value; only "no office hours" (staffed around the
    # clock) and "no privacy policy link" are written as null.
    nulls = {name for name, value in before.items() if value is None}
    assert nulls <= {"office_hours", "privacy_policy_url"}, nulls
