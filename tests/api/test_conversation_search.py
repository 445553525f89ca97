"""Finding conversations: by a word the customer wrote, by the customer's name or email, with
filters and "load more" pages; and the keyed index behind it holds no word in plaintext."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from batondesk.actions.contacts import do_create_contact
from batondesk.actions.conversations import do_open_conversation, do_resolve
from batondesk.privacy.search_tokens import words
from batondesk.store.models import Inbox, SearchToken
from tests.privacy.conftest import identified_chat, say
from tests.support.storage import raw_rows, sqlite_file_bytes
from tests.support.workspace import Workspace, login, start_chat

EMAIL = "ingrid.vasquez-holm@example.com"
SECRET_WORDS = ["zebra", "sticker", "Wolverhampton"]
MESSAGE = "My parcel with the zebra sticker never reached Wolverhampton, can someone help?"


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["data"]]


def _ingrid(app, client: TestClient, workspace: Workspace) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    conversation_id, visitor, contact_id = identified_chat(
        app, client, workspace.a, external_id="c-ingrid", name="Ingrid Vasquez-Holm", email=EMAIL
    )
    say(client, conversation_id, visitor, MESSAGE)
    return conversation_id, contact_id


def test_search_finds_message_words_names_and_emails_within_the_account(
    app, client: TestClient, workspace: Workspace, agent: TestClient
) -> None:
    ingrid, _ = _ingrid(app, client, workspace)
    other, visitor, _ = identified_chat(
        app, client, workspace.a, external_id="c-olaf", name="Olaf Berg", email="olaf@example.com"
    )
    say(client, other, visitor, "hello, where is my parcel?")

    search = "/api/v1/conversations"
    assert _ids(agent.get(search, params={"q": "zebra"})) == [ingrid]
    # Case, accents and punctuation do not matter; every word must match.
    assert _ids(agent.get(search, params={"q": "ZÉBRA sticker!"})) == [ingrid]
    assert _ids(agent.get(search, params={"q": "zebra hello"})) == []
    assert sorted(_ids(agent.get(search, params={"q": "parcel"}))) == sorted([ingrid, other])
    # The customer's name and email, through `q` or `customer`.
    assert _ids(agent.get(search, params={"q": "vasquez"})) == [ingrid]
    assert _ids(agent.get(search, params={"q": EMAIL.upper()})) == [ingrid]
    assert _ids(agent.get(search, params={"customer": EMAIL})) == [ingrid]
    assert _ids(agent.get(search, params={"customer": "olaf"})) == [other]
    # `customer` looks at the customer only, not at what was written.
    assert _ids(agent.get(search, params={"customer": "zebra"})) == []
    # Whole words only: a prefix is not a word of the message.
    assert _ids(agent.get(search, params={"q": "zeb"})) == []

    # Another account's agent finds nothing of it.
    with TestClient(app) as outsider:
        login(outsider, workspace.b.users["agent"][1])
        assert _ids(outsider.get(search, params={"q": "zebra"})) == []
        assert _ids(outsider.get(search, params={"customer": EMAIL})) == []


def test_the_search_index_holds_no_word_in_plaintext(
    app, client: TestClient, workspace: Workspace, settings
) -> None:
    conversation_id, contact_id = _ingrid(app, client, workspace)
    db = app.state.db
    with db.session() as session:
        tokens = list(
            session.scalars(
                select(SearchToken.token).where(
                    SearchToken.conversation_id == conversation_id,
                    SearchToken.field == "message",
                )
            )
        )
        name_tokens = session.scalar(
            select(func.count())
            .select_from(SearchToken)
            .where(SearchToken.contact_id == contact_id, SearchToken.field == "contact_name")
        )
    # One token per distinct word of the customer's message (the bot's reply is not indexed).
    assert len(tokens) == len(words(MESSAGE)) and name_tokens == 3  # ingrid, vasquez, holm
    assert all(len(t) == 32 and int(t, 16) >= 0 for t in tokens)

    forbidden = [w.lower().encode() for w in SECRET_WORDS] + [b"vasquez", b"ingrid"]
    stored = raw_rows(db.engine).lower()
    assert [w for w in forbidden if w in stored] == []
    if db.url.startswith("sqlite"):
        on_disk = sqlite_file_bytes(db.url.removeprefix("sqlite:///")).lower()
        assert [w for w in forbidden if w in on_disk] == []


def test_the_same_word_gives_different_tokens_in_two_accounts(
    app, client: TestClient, workspace: Workspace
) -> None:
    for tenant in (workspace.a, workspace.b):
        conversation_id, visitor = start_chat(client, tenant.inbox_public_id)
        say(client, conversation_id, visitor, "zebra")
    with app.state.db.session() as session:
        rows = session.execute(
            select(SearchToken.account_id, SearchToken.token).where(SearchToken.field == "message")
        ).all()
    by_account = {account: token for account, token in rows}
    assert len(by_account) == 2 and len(set(by_account.values())) == 2


def test_erasing_a_customer_deletes_their_tokens(
    app, client: TestClient, workspace: Workspace, admin: TestClient
) -> None:
    conversation_id, contact_id = _ingrid(app, client, workspace)
    erased = admin.post(f"/api/v1/admin/privacy/contacts/{contact_id}/erase")
    assert erased.status_code == 200, erased.text
    with app.state.db.session() as session:
        left = session.scalar(
            select(func.count())
            .select_from(SearchToken)
            .where(SearchToken.contact_id == contact_id)
        )
    assert left == 0
    assert _ids(admin.get("/api/v1/conversations", params={"q": "zebra"})) == []


def test_reindex_command_indexes_what_was_stored_before(
    app, client: TestClient, workspace: Workspace, agent: TestClient, cli_env
) -> None:
    from batondesk.cli.search import app as search_cli

    conversation_id, _ = _ingrid(app, client, workspace)
    with app.state.db.session() as session:
        session.execute(delete(SearchToken))
    assert _ids(agent.get("/api/v1/conversations", params={"q": "zebra"})) == []

    result = CliRunner().invoke(search_cli, ["reindex"])
    assert result.exit_code == 0, result.output
    assert "messages and" in result.output
    assert _ids(agent.get("/api/v1/conversations", params={"q": "zebra"})) == [conversation_id]
    assert _ids(agent.get("/api/v1/conversations", params={"q": "ingrid"})) == [conversation_id]
    # Run again: the same index, not twice as many rows.
    with app.state.db.session() as session:
        before = session.scalar(select(func.count()).select_from(SearchToken))
    assert CliRunner().invoke(search_cli, ["reindex"]).exit_code == 0
    with app.state.db.session() as session:
        assert session.scalar(select(func.count()).select_from(SearchToken)) == before
    assert CliRunner().invoke(search_cli, ["reindex", "--account", "999"]).exit_code == 1


def test_resolved_list_pages_past_thirty(app, workspace: Workspace, agent: TestClient) -> None:
    with app.state.db.session() as session:
        inbox = session.scalars(
            select(Inbox).where(Inbox.public_id == workspace.a.inbox_public_id)
        ).one()
        for n in range(35):
            contact = do_create_contact(session, workspace.a.account_id, name=f"Customer {n}")
            conversation = do_open_conversation(session, inbox, contact)
            do_resolve(session, conversation, actor_type="agent", actor_id=None)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"status": "resolved", "limit": 30, **({"cursor": cursor} if cursor else {})}
        page = agent.get("/api/v1/conversations", params=params)
        seen += _ids(page)
        cursor = page.json()["next_cursor"]
        pages += 1
        if cursor is None:
            break
    assert pages == 2 and len(seen) == 35 and len(set(seen)) == 35


def test_bad_search_input_is_refused_naming_the_problem(
    app, workspace: Workspace, agent: TestClient, admin: TestClient
) -> None:
    cases = [
        ({"q": "!!! ..."}, 422, "no word to search for"),
        ({"q": " ".join(f"w{n}" for n in range(9))}, 422, "at most 8"),
        ({"q": "x" * 201}, 422, "q"),
        ({"cursor": "not-a-cursor"}, 422, "cursor"),
        ({"status": "sleeping"}, 422, "status"),
        ({"created_from": "2025-02-01", "created_to": "2025-01-01"}, 422, "created_from"),
        ({"created_from": "yesterday"}, 422, "created_from"),
        ({"tag_id": 999_999}, 404, "tag 999999"),
        ({"assignee_id": 999_999}, 404, "user 999999"),
        ({"team_id": 999_999}, 404, "team 999999"),
        ({"assignee_id": workspace.b.users["agent"][0]}, 404, "not found"),
    ]
    for params, status, words_ in cases:
        response = agent.get("/api/v1/conversations", params=params)
        assert response.status_code == status, (params, response.text)
        assert words_ in response.json()["error"]["message"], (params, response.text)
    # Another account's tag is as unknown as a missing one.
    foreign = TestClient(app)
    login(foreign, workspace.b.users["admin"][1])
    tag = foreign.post("/api/v1/tags", json={"name": "refund"}).json()
    response = agent.get("/api/v1/conversations", params={"tag_id": tag["id"]})
    assert response.status_code == 404, response.text
    # "mine" needs a person, not an API key.
    key = admin.post(
        "/api/v1/admin/api-keys",
        json={"name": "bot", "role": "agent", "scopes": ["conversations:read"]},
    ).json()["key"]
    with TestClient(app) as integration:
        response = integration.get(
            "/api/v1/conversations",
            params={"mine": "true"},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.status_code == 403 and response.json()["error"]["code"] == "member_required"
