"""The account a measurement runs against: a real one from the database (exactly as customers
meet it, through `actions.customer_turn.load_turn_setup`), or a folder of articles with the
default settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from batondesk.actions.customer_turn import load_turn_setup
from batondesk.config import Settings
from batondesk.engine.services import TurnServices
from batondesk.engine.settings import AnsweringSettings
from batondesk.engine.turn import TurnSetup
from batondesk.engine.understanding import IntentPredictor
from batondesk.knowledge.retrieval import HybridIndex, IndexedArticle


class WorkspaceError(ValueError):
    """The account or folder to evaluate against does not exist or holds no articles."""


@contextmanager
def account_setup(settings: Settings, services: TurnServices, slug: str) -> Iterator[TurnSetup]:
    """The setup of the account `slug`, read from the database the settings name."""
    from batondesk.store import init_store
    from batondesk.store.models import Account

    db = init_store(settings)
    try:
        with db.session() as session:
            account = session.scalars(select(Account).where(Account.slug == slug)).first()
            if account is None:
                raise WorkspaceError(f"no account with slug {slug!r}")
            setup = load_turn_setup(session, account.id, services)
        yield setup
    finally:
        db.dispose()


def folder_setup(
    services: TurnServices,
    articles: list[IndexedArticle],
    classifier: IntentPredictor | None,
    answering: AnsweringSettings | None = None,
) -> TurnSetup:
    """An account made of `articles` with default settings (no templates)."""
    if not articles:
        raise WorkspaceError("no published articles to answer from")
    from batondesk.knowledge.embedding import default_embedder

    return TurnSetup(
        index=HybridIndex(articles, default_embedder()),
        policy=services.policy.variant(classifier is not None),
        classifier=classifier,
        answering=answering or AnsweringSettings(),
        writer=services.writer,
        escalation_model=services.escalation_model,
    )


def folder_articles(folder: Path) -> tuple[list[IndexedArticle], list[tuple[str, str]]]:
    """The published articles of a folder (Markdown / CSV / HTML), and the files skipped."""
    from batondesk.knowledge.importing import read_sources

    drafts, problems = read_sources(folder)
    articles = [
        IndexedArticle(
            number, d.slug, d.title, d.body, tuple(d.intents), tuple(d.tags), d.locale, d.status
        )
        for number, (_source, d) in enumerate(drafts, start=1)
        if d.status == "published"
    ]
    return articles, problems


@contextmanager
def evaluation_setup(
    settings: Settings,
    *,
    account: str | None = None,
    kb: Path | None = None,
    model: Path | None = None,
    max_wrong_rate: float | None = None,
    lexical_only: bool = False,
) -> Iterator[TurnSetup]:
    """The setup a measurement runs on: the account `account` exactly as its customers meet it,
    or the articles of `kb` (default: the Baton Bank demo) with the server's active model.
    `model` (a model or registry directory) replaces the intent model; `max_wrong_rate` the
    account's limit; `lexical_only` searches without the sentence encoder."""
    from batondesk.engine.intent_models import IntentModels

    services = TurnServices.from_settings(settings)
    services.writer = None  # measurements never call an external model
    if model is not None:
        services.models = IntentModels(None, fallback=_explicit_model(model))
    if account is not None:
        with account_setup(settings, services, account) as setup:
            yield _adjusted(setup, max_wrong_rate, lexical_only)
        return
    from batondesk.demo.content import KB_DIR

    articles, _problems = folder_articles(kb or KB_DIR)
    setup = folder_setup(services, articles, services.models.default())
    yield _adjusted(setup, max_wrong_rate, lexical_only)


def _explicit_model(path: Path) -> IntentPredictor:
    from batondesk.nlu import IntentClassifier, ModelRegistry

    if (path / "metadata.json").is_file():
        return IntentClassifier.load(path)
    active = ModelRegistry(path).active()
    if active is None:
        raise WorkspaceError(f"{path}: not a model directory nor a registry with an active model")
    return IntentClassifier.load(active.path)


def _adjusted(setup: TurnSetup, max_wrong_rate: float | None, lexical_only: bool) -> TurnSetup:
    from dataclasses import replace

    if max_wrong_rate is not None:
        setup = replace(
            setup, answering=setup.answering.model_copy(update={"max_wrong_rate": max_wrong_rate})
        )
    if lexical_only:
        setup = replace(setup, index=HybridIndex(setup.index.articles, None))
    return setup
