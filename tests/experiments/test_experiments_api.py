"""Experiments over HTTP: an admin creates, starts, reads and stops one; customers chatting
through the real widget are assigned, shaped by their arm's variant, and counted in the
results; bad definitions get a 422 naming the problem; a running experiment's variants and
weights are locked (409); other roles and other accounts get nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from batondesk.store.models import Event
from tests.support.workspace import Workspace, login, say, start_chat

URL = "/api/v1/admin/experiments"
WARM = "Hi there, and welcome to North Bank! What can I do for you?"


def greeting_experiment(**changes: Any) -> dict[str, Any]:
    return {
        "key": "warm-greeting",
        "name": "A warmer hello",
        "hypothesis": "A warmer greeting keeps more customers with the bot.",
        "variants": [
            {"key": "control", "name": "Today's hello", "control": True, "weight": 1},
            {
                "key": "warm",
                "name": "Warm hello",
                "weight": 1,
                "overrides": {"greeting": WARM, "max_wrong_rate": 0.05},
            },
        ],
        "primary_metric": "containment",
        "guardrails": [{"metric": "hand_over_rate", "max_worsening": 0.05}],
        **changes,
    }


def test_an_experiment_from_draft_to_results(
    app, client: TestClient, workspace: Workspace, admin: TestClient
) -> None:
    created = admin.post(URL, json=greeting_experiment())
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"
    assert created.json()["notes"] == []

    assert admin.post(f"{URL}/warm-greeting/start").json()["status"] == "running"

    arms: dict[int, str] = {}
    for _ in range(12):
        conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
        reply = say(client, conversation_id, visitor, "hello")["reply"]
        with app.state.db.session() as session:
            exposure = session.scalars(
                select(Event).where(
                    Event.conversation_id == conversation_id, Event.type == "experiment.exposed"
                )
            ).one()
        arm = exposure.payload["arm"]
        arms[conversation_id] = arm
        # The customer meets their arm's behaviour, and only theirs.
        assert (reply["body"] == WARM) == (arm == "warm"), (arm, reply["body"])
        # A second message in the same conversation stays in the arm without a second exposure.
        say(client, conversation_id, visitor, "my card still hasn't arrived")
    assert set(arms.values()) == {"control", "warm"}

    with app.state.db.session() as session:
        events = list(
            session.scalars(select(Event).where(Event.type.like("experiment.%")).order_by(Event.id))
        )
    exposed = [e for e in events if e.type == "experiment.exposed"]
    assigned = [e for e in events if e.type == "experiment.assigned"]
    assert len(exposed) == len(assigned) == 12  # one new customer per chat
    assert {e.type for e in events} == {
        "experiment.started",
        "experiment.assigned",
        "experiment.exposed",
    }
    # Ids, keys and buckets only.
    assert set(assigned[0].payload) == {"experiment_id", "experiment_key", "arm", "bucket"}

    detail = admin.get(f"{URL}/warm-greeting")
    assert detail.status_code == 200, detail.text
    results = detail.json()["results"]
    by_arm = {a["key"]: a for a in results["arms"]}
    assert by_arm["warm"]["conversations"] == sum(a == "warm" for a in arms.values())
    assert by_arm["control"]["conversations"] == sum(a == "control" for a in arms.values())
    containment = by_arm["warm"]["metrics"]["containment"]
    assert containment["trials"] == by_arm["warm"]["conversations"]
    assert 0 <= containment["ci_low"] <= containment["ci_high"] <= 1
    assert results["sample_ratio"]["mismatch"] is False
    assert results["sample_size"]["per_arm"]["warm"] > 100
    assert results["sample_size"]["reached"] is False
    assert [c["arm"] for c in results["primary"]] == ["warm"]
    assert [g["metric"] for g in results["guardrails"]] == ["hand_over_rate"]
    # The report breaks the same conversations down by arm.
    today = date.today()
    report = admin.get(
        "/api/v1/admin/reports/kpis",
        params={
            "from": str(today - timedelta(days=1)),
            "to": str(today + timedelta(days=1)),
            "group_by": "arm",
        },
    )
    assert report.status_code == 200, report.text
    groups = {g["key"]: g["current"]["conversations"] for g in report.json()["groups"]}
    assert groups == {
        "warm-greeting/warm": by_arm["warm"]["conversations"],
        "warm-greeting/control": by_arm["control"]["conversations"],
    }

    stopped = admin.post(f"{URL}/warm-greeting/stop", json={"reason": "enough seen"})
    assert stopped.status_code == 200 and stopped.json()["stop_reason"] == "enough seen"
    # Stopped: new customers get the account's own greeting.
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    assert say(client, conversation_id, visitor, "hello")["reply"]["body"] != WARM


def test_variants_and_weights_are_locked_while_running(admin: TestClient) -> None:
    assert admin.post(URL, json=greeting_experiment()).status_code == 201
    # A draft can change anything.
    changed = admin.patch(f"{URL}/warm-greeting", json={"minimum_detectable_effect": 0.03})
    assert changed.status_code == 200
    assert changed.json()["definition"]["minimum_detectable_effect"] == 0.03
    admin.post(f"{URL}/warm-greeting/start")
    variants = greeting_experiment()["variants"]
    variants[1]["weight"] = 3
    locked = admin.patch(f"{URL}/warm-greeting", json={"variants": variants})
    assert locked.status_code == 409
    error = locked.json()["error"]
    assert error["code"] == "experiment_locked" and "variants" in error["message"]
    # An override this server cannot honour is accepted, and said to change nothing.
    phrased = admin.post(URL, json=greeting_experiment(key="phrasing"))
    assert phrased.status_code == 201
    variants = greeting_experiment()["variants"]
    variants[1]["overrides"] = {"llm_phrasing": True}
    noted = admin.patch(f"{URL}/phrasing", json={"variants": variants})
    assert noted.status_code == 200
    assert noted.json()["notes"] == [
        "llm_phrasing has no effect: no LLM is configured (BATON_LLM_BASE_URL)"
    ]
    for bad in ({"name": 7}, {"name": ""}, {"hypothesis": "x" * 2001}):
        refused = admin.patch(f"{URL}/warm-greeting", json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["error"]["code"] == "invalid_experiment"
    renamed = admin.patch(f"{URL}/warm-greeting", json={"name": "Warmer hello"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Warmer hello"
    assert admin.post(f"{URL}/warm-greeting/start").status_code == 409
    assert admin.post(f"{URL}/warm-greeting/stop", json={"reason": "done"}).status_code == 200
    assert admin.post(f"{URL}/warm-greeting/stop", json={"reason": "again"}).status_code == 409


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        (
            {
                "variants": [
                    {"key": "a", "name": "A", "weight": 1},
                    {"key": "b", "name": "B", "weight": 1},
                ]
            },
            "exactly one variant must be the control",
        ),
        (
            {
                "variants": [
                    {"key": "a", "name": "A", "weight": 1, "control": True},
                    {"key": "b", "name": "B", "weight": 1, "overrides": {"escalation": {"sla": 3}}},
                ]
            },
            "cannot override sla",
        ),
        (
            {
                "variants": [
                    {"key": "a", "name": "A", "weight": 1, "control": True},
                    {"key": "b", "name": "B", "weight": 1, "overrides": {"max_wrong_rate": 0.9}},
                ]
            },
            "max_wrong_rate",
        ),
        ({"variants": [{"key": "a", "name": "A", "weight": 1, "control": True}]}, "variants"),
        ({"key": "Has Spaces"}, "key"),
        ({"primary_metric": "revenue"}, "primary_metric"),
        ({"eligibility": {"inbox_ids": [987654]}}, "no inbox 987654"),
        ({"eligibility": {"inbox_ids": [2**40]}}, "inbox_ids"),
    ],
)
def test_bad_definitions_are_refused_naming_the_problem(
    admin: TestClient, changes: dict[str, Any], named: str
) -> None:
    response = admin.post(URL, json=greeting_experiment(**changes))
    assert response.status_code == 422, response.text
    assert named in response.json()["error"]["message"]
    assert admin.get(URL).json() == []  # nothing stored


def test_only_admins_of_the_account_see_its_experiments(
    app, workspace: Workspace, admin: TestClient
) -> None:
    assert admin.post(URL, json=greeting_experiment()).status_code == 201
    assert admin.post(URL, json=greeting_experiment()).status_code == 409  # key taken
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        assert agent.get(URL).status_code == 403
        assert agent.post(f"{URL}/warm-greeting/start").status_code == 403
    with TestClient(app) as other:
        login(other, workspace.b.users["admin"][1])
        assert other.get(URL).json() == []
        assert other.get(f"{URL}/warm-greeting").status_code == 404
        assert other.post(f"{URL}/warm-greeting/start").status_code == 404
