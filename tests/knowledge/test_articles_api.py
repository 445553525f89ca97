"""Admins manage the knowledge base through the API; every change is a new version."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.workspace import Workspace, login, start_chat

ARTICLE = {
    "title": "Opening hours of our chat",
    "body": "Our team answers chats **every day from 8:00 to 22:00** UK time.",
    "intents": ["contact_hours"],
    "tags": ["support"],
    "status": "draft",
}


def test_create_edit_publish_restore_delete(app, workspace: Workspace) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        created = admin.post("/api/v1/knowledge/articles", json=ARTICLE)
        assert created.status_code == 201, created.text
        article = created.json()
        assert article["slug"] == "opening-hours-of-our-chat" and article["version"] == 1
        url = f"/api/v1/knowledge/articles/{article['id']}"

        edited = admin.patch(
            url, json={"body": "Our team answers chats 24/7.", "status": "published"}
        ).json()
        assert edited["version"] == 2 and edited["status"] == "published"
        same = admin.patch(url, json={"status": "published"}).json()
        assert same["version"] == 2, "a change that changes nothing saves no version"

        versions = admin.get(f"{url}/versions").json()
        assert [v["version"] for v in versions] == [2, 1]
        assert "8:00 to 22:00" in versions[1]["body"]

        restored = admin.post(f"{url}/restore", json={"version": 1}).json()
        assert restored["version"] == 3 and "8:00 to 22:00" in restored["body"]
        assert restored["status"] == "draft"

        assert admin.delete(url).status_code == 204
        assert admin.get(url).status_code == 404


def test_bad_articles_are_refused_with_a_clear_code(app, workspace: Workspace) -> None:
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        bad_slug = admin.post("/api/v1/knowledge/articles", json={**ARTICLE, "slug": "Not OK!"})
        assert bad_slug.status_code == 422
        assert bad_slug.json()["error"]["code"] == "invalid_slug"
        bad_status = admin.post("/api/v1/knowledge/articles", json={**ARTICLE, "status": "live"})
        assert bad_status.json()["error"]["code"] == "invalid_status"
        taken = admin.post("/api/v1/knowledge/articles", json={**ARTICLE, "slug": "lost-card"})
        assert taken.status_code == 409 and taken.json()["error"]["code"] == "slug_taken"
        listed = admin.get("/api/v1/knowledge/articles").json()
        assert sorted(a["slug"] for a in listed) == ["card-delivery", "exchange-rates", "lost-card"]


def test_agents_read_and_search_but_cannot_write(app, workspace: Workspace) -> None:
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        hits = agent.get("/api/v1/knowledge/search", params={"q": "my card never came"}).json()
        assert hits[0]["slug"] == "card-delivery"
        assert hits[0]["passages"][0]["text"]
        refused = agent.post("/api/v1/knowledge/articles", json=ARTICLE)
        assert refused.status_code == 403


def test_import_markdown_csv_and_html_exports(app, workspace: Workspace) -> None:
    markdown = (
        "---\nslug: savings\ntitle: Savings pots\nintents: [savings]\ntags: [pots]\n---\n"
        "Open a pot in **Home > Pots**."
    )
    csv_text = (
        "slug,title,body,intents,tags\n"
        ',Cheque books,"We don\'t issue cheque books.",cheque_book,cheques\n'
        'lost-card,Lost or stolen card,"Freeze it in Cards > Freeze card, then call us.",'
        "lost_or_stolen_card,cards\n"
    )
    html = (
        "<html lang='en'><head><title>Branches</title></head><body><h1>Branches</h1>"
        "<p>We have <b>no branches</b>: everything happens in the app.</p>"
        "<script>track()</script></body></html>"
    )
    files = [
        ("files", ("savings.md", markdown, "text/markdown")),
        ("files", ("export.csv", csv_text, "text/csv")),
        ("files", ("branches.html", html, "text/html")),
        ("files", ("notes.txt", "hello", "text/plain")),
    ]
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        report = admin.post("/api/v1/knowledge/import", files=files)
        assert report.status_code == 200, report.text
        body = report.json()
        assert sorted(body["created"]) == ["branches", "cheque-books", "savings"]
        assert body["updated"] == ["lost-card"], "an existing slug gets a new version"
        assert [e["source"] for e in body["errors"]] == ["notes.txt"]
        articles = {a["slug"]: a for a in admin.get("/api/v1/knowledge/articles").json()}
        assert articles["savings"]["intents"] == ["savings"]
        assert "**no branches**" in articles["branches"]["body"]
        assert "track()" not in articles["branches"]["body"]

        again = admin.post("/api/v1/knowledge/import", files=files[:1]).json()
        assert again["unchanged"] == ["savings"], "re-importing the same file changes nothing"


def test_draft_articles_are_never_used_by_the_bot(app, client: TestClient, workspace) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        card = next(
            a
            for a in admin.get("/api/v1/knowledge/articles").json()
            if a["slug"] == "card-delivery"
        )
        admin.patch(f"/api/v1/knowledge/articles/{card['id']}", json={"status": "draft"})
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = client.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": "my card still hasn't arrived"},
        headers=visitor,
    ).json()
    assert not (turn["reply"] or {}).get("sources")
    assert "3-5 working days" not in (turn["reply"] or {}).get("body", "")
