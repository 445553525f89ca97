"""Admins add people to their account and change their role and team."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.workspace import Workspace, login

CONSOLE_HEADERS = {"X-Requested-With": "baton"}


def test_admin_adds_an_agent_who_can_then_log_in(app, workspace: Workspace) -> None:
    with TestClient(app, headers=CONSOLE_HEADERS) as admin:
        login(admin, workspace.a.users["admin"][1])
        created = admin.post(
            "/api/v1/admin/members",
            json={
                "email": "Nina@North.example",
                "name": "Nina Novak",
                "role": "agent",
                "password": "first-day-password",
            },
        )
        assert created.status_code == 201, created.text
        assert created.json()["email"] == "nina@north.example"
        again = admin.post(
            "/api/v1/admin/members",
            json={"email": "nina@north.example", "name": "Nina", "password": "another-password"},
        )
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_member"
        weak = admin.post(
            "/api/v1/admin/members",
            json={"email": "x@north.example", "name": "X", "password": "short"},
        )
        assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
        assert "Nina Novak" in admin.get("/console/admin/team").text
    with TestClient(app) as nina:
        response = nina.post(
            "/api/v1/auth/login",
            json={"email": "nina@north.example", "password": "first-day-password"},
        )
        assert response.status_code == 200
        assert nina.get("/api/v1/me").json()["role"] == "agent"


def test_role_and_team_changes_stay_inside_the_account(app, workspace: Workspace) -> None:
    agent_id = workspace.a.users["agent"][0]
    with TestClient(app, headers=CONSOLE_HEADERS) as admin:
        login(admin, workspace.a.users["admin"][1])
        promoted = admin.patch(f"/api/v1/admin/members/{agent_id}", json={"role": "analyst"})
        assert promoted.status_code == 200 and promoted.json()["role"] == "analyst"
        no_team = admin.patch(f"/api/v1/admin/members/{agent_id}", json={"team_id": 0})
        assert no_team.json()["team_id"] is None
        foreign_user = workspace.b.users["agent"][0]
        assert (
            admin.patch(f"/api/v1/admin/members/{foreign_user}", json={"role": "admin"}).status_code
            == 404
        )
        # A team of another account is as unknown as a missing one.
        with app.state.db.session() as session:
            from sqlalchemy import select

            from batondesk.store.models import Team

            foreign_team = session.scalars(
                select(Team.id).where(Team.account_id == workspace.b.account_id)
            ).first()
        moved = admin.patch(f"/api/v1/admin/members/{agent_id}", json={"team_id": foreign_team})
        assert moved.status_code == 404


def test_the_last_admin_keeps_the_admin_role(app, workspace: Workspace) -> None:
    admin_id = workspace.a.users["admin"][0]
    with TestClient(app, headers=CONSOLE_HEADERS) as admin:
        login(admin, workspace.a.users["admin"][1])
        demoted = admin.patch(f"/api/v1/admin/members/{admin_id}", json={"role": "agent"})
        assert demoted.status_code == 409 and demoted.json()["error"]["code"] == "last_admin"
        assert admin.get("/api/v1/me").json()["role"] == "admin"
