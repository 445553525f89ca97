"""Knowledge-base articles: create, update, delete, with a version saved on every change.

Every write keeps the previous states in `article_versions`, so an edit can be reviewed or
undone, and bumps `Article.version`, which is what retrieval indexes key on (an edited
article is re-indexed on the next search, nothing else is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from batondesk.errors import Conflict, InvalidInput
from batondesk.store.access import get_article
from batondesk.store.models import Article, ArticleVersion

STATUSES = ("draft", "published")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOCALE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
MAX_BODY_CHARS = 100_000
MAX_TITLE_CHARS = 300


@dataclass(frozen=True)
class ArticleDraft:
    """An article's content as given by an author or an import (not yet validated)."""

    slug: str
    title: str
    body: str
    intents: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    locale: str = "en"
    status: str = "published"


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:160].rstrip("-") or "article"


def check_article(draft: ArticleDraft) -> ArticleDraft:
    """The draft with whitespace trimmed; raises InvalidInput naming the first problem."""
    slug, title, body = draft.slug.strip(), draft.title.strip(), draft.body.strip()
    if not SLUG_PATTERN.fullmatch(slug) or len(slug) > 160:
        raise InvalidInput(
            f"slug {slug!r} must be lowercase words joined by hyphens (at most 160 characters)",
            code="invalid_slug",
        )
    if not title or len(title) > MAX_TITLE_CHARS:
        raise InvalidInput(f"title must be 1-{MAX_TITLE_CHARS} characters", code="invalid_title")
    if not body:
        raise InvalidInput("body is empty", code="empty_body")
    if len(body) > MAX_BODY_CHARS:
        raise InvalidInput(
            f"body has {len(body)} characters; the limit is {MAX_BODY_CHARS}", code="body_too_long"
        )
    if draft.status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", code="invalid_status")
    if not LOCALE_PATTERN.fullmatch(draft.locale):
        raise InvalidInput(
            f"locale {draft.locale!r} is not a language tag like en or en-GB", code="invalid_locale"
        )
    for name, values in (("intents", draft.intents), ("tags", draft.tags)):
        if not all(isinstance(v, str) and v.strip() and len(v) <= 120 for v in values):
            raise InvalidInput(f"{name} must be non-empty strings", code=f"invalid_{name}")
    return ArticleDraft(
        slug,
        title,
        body,
        [i.strip() for i in draft.intents],
        [t.strip() for t in draft.tags],
        draft.locale,
        draft.status,
    )


def do_create_article(
    session: Session,
    account_id: int,
    draft: ArticleDraft,
    *,
    author_id: int | None,
    change: str = "created",
) -> Article:
    draft = check_article(draft)
    if _slug_taken(session, account_id, draft.slug):
        raise Conflict(f"an article with slug {draft.slug!r} already exists", code="slug_taken")
    article = Article(account_id=account_id, version=1, **_fields(draft))
    session.add(article)
    session.flush()
    _snapshot(session, article, change, author_id)
    return article


def do_update_article(
    session: Session,
    article: Article,
    changes: dict[str, Any],
    *,
    author_id: int | None,
    change: str = "updated",
) -> Article:
    """Apply `changes` (any of slug, title, body, intents, tags, locale, status). A change
    that leaves the article as it was saves no new version."""
    unknown = sorted(set(changes) - set(ArticleDraft.__dataclass_fields__))
    if unknown:
        raise InvalidInput(f"unknown article fields: {', '.join(unknown)}", code="unknown_field")
    current = ArticleDraft(
        article.slug,
        article.title,
        article.body,
        list(article.intents),
        list(article.tags),
        article.locale,
        article.status,
    )
    draft = check_article(ArticleDraft(**{**current.__dict__, **changes}))
    if draft == current:
        return article
    if draft.slug != article.slug and _slug_taken(session, article.account_id, draft.slug):
        raise Conflict(f"an article with slug {draft.slug!r} already exists", code="slug_taken")
    for name, value in _fields(draft).items():
        setattr(article, name, value)
    article.version += 1
    session.flush()
    _snapshot(session, article, change, author_id)
    return article


def do_delete_article(session: Session, article: Article) -> None:
    """Delete an article and its history; the bot stops citing it on the next message."""
    session.delete(article)
    session.flush()


def do_restore_article_version(
    session: Session, article: Article, version: int, *, author_id: int | None
) -> Article:
    """Make an earlier version current again (as a new version, so nothing is lost)."""
    old = session.scalars(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article.id, ArticleVersion.version == version
        )
    ).first()
    if old is None:
        raise InvalidInput(f"article {article.id} has no version {version}", code="no_such_version")
    return do_update_article(
        session,
        article,
        {
            "slug": old.slug,
            "title": old.title,
            "body": old.body,
            "intents": list(old.intents),
            "tags": list(old.tags),
            "locale": old.locale,
            "status": old.status,
        },
        author_id=author_id,
        change="restored",
    )


def article_versions(session: Session, account_id: int, article_id: int) -> list[ArticleVersion]:
    article = get_article(session, account_id, article_id)
    return list(
        session.scalars(
            select(ArticleVersion)
            .where(ArticleVersion.article_id == article.id)
            .order_by(ArticleVersion.version.desc())
        )
    )


def find_article_by_slug(session: Session, account_id: int, slug: str) -> Article | None:
    return session.scalars(
        select(Article).where(Article.account_id == account_id, Article.slug == slug)
    ).first()


def _slug_taken(session: Session, account_id: int, slug: str) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Article)
            .where(Article.account_id == account_id, Article.slug == slug)
        )
    )


def _fields(draft: ArticleDraft) -> dict[str, Any]:
    return {
        "slug": draft.slug,
        "title": draft.title,
        "body": draft.body,
        "intents": list(draft.intents),
        "tags": list(draft.tags),
        "locale": draft.locale,
        "status": draft.status,
    }


def _snapshot(session: Session, article: Article, change: str, author_id: int | None) -> None:
    session.add(
        ArticleVersion(
            account_id=article.account_id,
            article_id=article.id,
            version=article.version,
            change=change,
            author_id=author_id,
            slug=article.slug,
            title=article.title,
            body=article.body,
            tags=list(article.tags),
            intents=list(article.intents),
            locale=article.locale,
            status=article.status,
        )
    )
    session.flush()
