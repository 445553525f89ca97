"""In the Baton Bank demo: answers cite their article; what the bank does not offer gets an
honest "we don't"; what the KB cannot answer is never made up."""

from __future__ import annotations

from fastapi.testclient import TestClient

from batondesk.demo.seed import seed_demo
from tests.support.workspace import first_turn


def test_demo_answers_with_a_cited_article_and_never_invents(app, client: TestClient) -> None:
    summary = seed_demo(app.state.db)
    answered = first_turn(client, summary.inbox_public_id, "my card still hasn't arrived")
    assert answered["reply"]["sources"][0]["slug"] == "card-delivery"
    assert "Source: When will my new card arrive?" in answered["reply"]["body"]
    assert "working day" in answered["reply"]["body"]

    # What the bank does not offer: an honest "we don't", in its own words, cited.
    for question, words in (
        ("can I get a mortgage with you", "We don't offer mortgages"),
        ("do you offer travel insurance", "We don't sell insurance"),
    ):
        reply = first_turn(client, summary.inbox_public_id, question)["reply"]
        assert reply["kind"] == "decline", (question, reply["body"])
        assert words in reply["body"]
        assert [s["slug"] for s in reply["sources"]] == ["products-and-services"]

    # Nothing to do with banking: no article is cited, and no answer is made up.
    turn = first_turn(client, summary.inbox_public_id, "what's the weather like in London today")
    assert not turn["reply"]["sources"]
    assert turn["reply"]["kind"] in ("decline", "clarify"), turn["reply"]


def test_demo_seeds_articles_with_history_and_profile_templates(app) -> None:
    from sqlalchemy import func, select

    from batondesk.store.models import ArticleVersion, ResponseTemplate

    seed_demo(app.state.db)
    with app.state.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ArticleVersion)) >= 60
        bodies = session.scalars(select(ResponseTemplate.body)).all()
    assert any("{{contact.card_last4}}" in body for body in bodies)
