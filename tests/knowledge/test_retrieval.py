"""Hybrid retrieval over passages: paraphrases found, filters honoured, indexes refreshed."""

from __future__ import annotations

from batondesk.knowledge.chunking import chunk_article, markdown_to_text
from batondesk.knowledge.embedding import default_embedder
from batondesk.knowledge.index import KnowledgeIndexes
from batondesk.knowledge.lexical import tokenize
from batondesk.knowledge.retrieval import HybridIndex, IndexedArticle

ARTICLES = [
    IndexedArticle(
        1,
        "card-delivery",
        "When will my card arrive?",
        "Cards arrive within 3-5 working days.\n\n## Still waiting?\nAfter 7 working "
        "days, order a replacement in Cards > Replace card.",
        ("card_arrival",),
    ),
    IndexedArticle(
        2,
        "lost-card",
        "Lost or stolen card",
        "Freeze your card straight away in Cards > Freeze card.",
        ("lost_or_stolen_card",),
    ),
    IndexedArticle(
        3,
        "exchange-rates",
        "Our exchange rates",
        "We use the interbank rate with a 0.5% markup on weekdays.",
        ("exchange_rate",),
    ),
    IndexedArticle(
        4,
        "tarifs",
        "Nos taux de change",
        "Nous utilisons le taux interbancaire.",
        ("exchange_rate",),
        locale="fr",
    ),
    IndexedArticle(
        5,
        "secret-draft",
        "Upcoming metal card",
        "A metal card is coming for VIP customers.",
        (),
        status="draft",
    ),
]


def test_markdown_becomes_short_passages_within_sections() -> None:
    body = (
        "Intro **bold** [link](http://x).\n\n## Fees\n| Plan | Fee |\n|---|---|\n| Standard | £5 |"
    )
    passages = chunk_article(7, body)
    assert [p.heading for p in passages] == ["", "Fees"]
    assert passages[0].text == "Intro bold link."
    assert "Standard: £5" in passages[1].text
    assert markdown_to_text("- item\n1. step") == "item\nstep"
    assert tokenize("My card hasn't arrived, charges") == ["card", "not", "arrive", "charge"]


def test_paraphrase_finds_the_right_article_with_both_retrievers() -> None:
    index = HybridIndex(ARTICLES, default_embedder())
    assert index.semantic
    hits = index.search("my card never came in the post")
    assert hits[0].slug == "card-delivery"
    assert hits[0].semantic > 0.4 and hits[0].lexical > 0
    assert hits[0].passages, "the passages that matched are returned for quoting"
    assert index.search("someone nicked my wallet")[0].slug == "lost-card"


def test_lexical_search_alone_still_works_without_the_encoder() -> None:
    index = HybridIndex(ARTICLES, None)
    assert not index.semantic
    assert index.search("freeze card")[0].slug == "lost-card"


def test_locale_and_status_filters() -> None:
    index = HybridIndex(ARTICLES, default_embedder())
    assert {h.slug for h in index.search("taux de change", locale="fr")} == {"tarifs"}
    assert "tarifs" not in {h.slug for h in index.search("exchange rate", locale="en-GB")}
    assert "secret-draft" not in {h.slug for h in index.search("metal card")}
    drafts = index.search("metal card", statuses=("published", "draft"))
    assert drafts[0].slug == "secret-draft"


def test_index_is_rebuilt_only_when_an_article_changes(db, workspace) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from batondesk.knowledge.articles import do_update_article
    from batondesk.store.access import get_article
    from batondesk.store.models import Article

    cache = KnowledgeIndexes()
    account_id = workspace.a.account_id
    with db.session() as session:
        first = cache.for_account(session, account_id)
        assert cache.for_account(session, account_id) is first and cache.builds == 1
        article_id = session.scalars(
            select(Article.id).where(Article.account_id == account_id, Article.slug == "lost-card")
        ).one()
        do_update_article(
            session,
            get_article(session, account_id, article_id),
            {
                "body": "Freeze your card in Cards > Freeze card. Our hotline is open 24/7 for "
                "blocked cards."
            },
            author_id=None,
        )
        refreshed = cache.for_account(session, account_id)
    assert refreshed is not first and cache.builds == 2
    assert refreshed.search("is the hotline open at night")[0].slug == "lost-card"
