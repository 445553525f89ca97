"""Admin > Canned responses: admins see the account's saved replies (escaped), others are
refused."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_admins_see_the_canned_responses_page(admin: TestClient, agent: TestClient) -> None:
    created = admin.post(
        "/api/v1/canned-responses",
        json={"shortcut": "refund", "title": "<b>Refund</b>", "body": "Hi <script>x</script>"},
    )
    assert created.status_code == 201, created.text
    page = admin.get("/console/admin/canned-responses")
    assert page.status_code == 200
    assert "/refund" in page.text and "Canned responses" in page.text
    # Saved text is shown as text, never as markup.
    assert "<script>x</script>" not in page.text and "&lt;script&gt;x&lt;/script&gt;" in page.text
    assert "<b>Refund</b>" not in page.text
    refused = agent.get("/console/admin/canned-responses")
    assert refused.status_code == 403 and "Admins only" in refused.text
