"""Login throttling counts per email at one client address and per address: an attacker can
slow down guessing but cannot lock a person out from elsewhere, nor spray many emails."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.workspace import PASSWORD, Workspace

LOGIN = "/api/v1/auth/login"


def test_an_attacker_cannot_lock_a_person_out_from_elsewhere(app, workspace: Workspace) -> None:
    email = workspace.a.users["agent"][1]
    with TestClient(app, client=("203.0.113.7", 40000)) as attacker:
        for _ in range(5):
            wrong = attacker.post(LOGIN, json={"email": email, "password": "guess-guess"})
            assert wrong.status_code == 401
            assert wrong.headers["www-authenticate"].startswith("Bearer")
        blocked = attacker.post(LOGIN, json={"email": email, "password": PASSWORD})
        assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "login_throttled"
        assert 800 <= int(blocked.headers["retry-after"]) <= 900  # the 15-minute window
    with TestClient(app, client=("198.51.100.20", 40000)) as colleague:
        assert colleague.post(LOGIN, json={"email": email, "password": PASSWORD}).status_code == 200


def test_one_address_cannot_spray_many_emails(app, workspace: Workspace) -> None:
    with TestClient(app, client=("203.0.113.8", 40000)) as sprayer:
        statuses = [
            sprayer.post(
                LOGIN, json={"email": f"guess{i}@north.example", "password": "guess-guess"}
            ).status_code
            for i in range(31)
        ]
    assert statuses == [401] * 30 + [429]
