"""Knowledge base: articles (admins write, staff read), search, templates, agent assist."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select

from batondesk.api.deps import (
    Principal,
    ServicesDep,
    SessionDep,
    control_character_problem,
    require,
)
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId, Strict
from batondesk.engine.assist import suggest_replies
from batondesk.errors import InvalidInput
from batondesk.knowledge.articles import (
    ArticleDraft,
    article_versions,
    do_create_article,
    do_delete_article,
    do_restore_article_version,
    do_update_article,
)
from batondesk.knowledge.importing import (
    ImportFormatError,
    do_import_articles,
    parse_csv,
    parse_html,
    parse_markdown,
)
from batondesk.knowledge.intent_responses import do_save_template
from batondesk.store.access import get_article, get_conversation
from batondesk.store.models import Article, ArticleVersion, ResponseTemplate

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["knowledge"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Admin = Annotated[Principal, Depends(require("admin"))]
READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# The request body limit of the import route (app.py): one 5 MB file with its multipart
# framing, or several smaller files.
MAX_IMPORT_REQUEST_BYTES = MAX_UPLOAD_BYTES + 256 * 1024


class ArticleCreate(Strict):
    slug: str | None = Field(default=None, description="Default: made from the title")
    title: str
    body: str = Field(description="Markdown")
    intents: list[str] = []
    tags: list[str] = []
    locale: str = "en"
    status: str = Field(default="draft", description="draft or published")


class ArticleUpdate(Strict):
    slug: str | None = None
    title: str | None = None
    body: str | None = None
    intents: list[str] | None = None
    tags: list[str] | None = None
    locale: str | None = None
    status: str | None = None


class ArticlePublic(BaseModel):
    id: int
    slug: str
    title: str
    body: str
    intents: list[str]
    tags: list[str]
    locale: str
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class ArticleVersionPublic(BaseModel):
    version: int
    change: str
    author_id: int | None
    created_at: datetime
    slug: str
    title: str
    body: str
    intents: list[str]
    tags: list[str]
    locale: str
    status: str


class RestoreRequest(Strict):
    version: RowId


class ImportResult(BaseModel):
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    errors: list[dict[str, str]]


class SearchResult(BaseModel):
    article_id: int
    slug: str
    title: str
    status: str
    score: float
    similarity: float
    passages: list[dict[str, str]]


class TemplateSave(Strict):
    intent: str
    body: str = Field(
        description="Text with {{contact.field}} / {{conversation.field}} / "
        "{{article.title}} variables; {{contact.field|default}}"
    )
    locale: str = "en"
    article_id: RowId | None = None
    enabled: bool = True


class TemplatePublic(BaseModel):
    id: int
    intent: str
    locale: str
    body: str
    article_id: int | None
    enabled: bool
    updated_at: datetime


class SuggestionPublic(BaseModel):
    passages: list[dict[str, Any]]
    draft: str | None
    draft_mode: str | None
    sources: list[dict[str, Any]]
    profile_fields: list[str]
    summary: str | None


def _article(row: Article) -> ArticlePublic:
    return ArticlePublic(
        id=row.id,
        slug=row.slug,
        title=row.title,
        body=row.body,
        intents=list(row.intents),
        tags=list(row.tags),
        locale=row.locale,
        status=row.status,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _version(row: ArticleVersion) -> ArticleVersionPublic:
    return ArticleVersionPublic(
        version=row.version,
        change=row.change,
        author_id=row.author_id,
        created_at=row.created_at,
        slug=row.slug,
        title=row.title,
        body=row.body,
        intents=list(row.intents),
        tags=list(row.tags),
        locale=row.locale,
        status=row.status,
    )


@router.get("/knowledge/articles", response_model=list[ArticlePublic], responses=READ_ERRORS)
def list_articles(
    principal: Reader,
    session: SessionDep,
    status: Annotated[str | None, Query(description="draft or published")] = None,
    locale: str | None = None,
) -> list[ArticlePublic]:
    query = select(Article).where(Article.account_id == principal.account_id)
    if status:
        query = query.where(Article.status == status)
    if locale:
        query = query.where(Article.locale == locale)
    return [_article(a) for a in session.scalars(query.order_by(Article.id))]


@router.post(
    "/knowledge/articles", response_model=ArticlePublic, status_code=201, responses=WRITE_ERRORS
)
def create_article(body: ArticleCreate, principal: Admin, session: SessionDep) -> ArticlePublic:
    from batondesk.knowledge.articles import slugify

    draft = ArticleDraft(
        body.slug or slugify(body.title),
        body.title,
        body.body,
        body.intents,
        body.tags,
        body.locale,
        body.status,
    )
    return _article(
        do_create_article(session, principal.account_id, draft, author_id=principal.user_id)
    )


@router.get("/knowledge/articles/{article_id}", response_model=ArticlePublic, responses=READ_ERRORS)
def read_article(article_id: RowId, principal: Reader, session: SessionDep) -> ArticlePublic:
    return _article(get_article(session, principal.account_id, article_id))


@router.patch(
    "/knowledge/articles/{article_id}", response_model=ArticlePublic, responses=WRITE_ERRORS
)
def update_article(
    article_id: RowId, body: ArticleUpdate, principal: Admin, session: SessionDep
) -> ArticlePublic:
    article = get_article(session, principal.account_id, article_id)
    changes = body.model_dump(exclude_none=True)
    return _article(do_update_article(session, article, changes, author_id=principal.user_id))


@router.delete("/knowledge/articles/{article_id}", status_code=204, responses=WRITE_ERRORS)
def delete_article(article_id: RowId, principal: Admin, session: SessionDep) -> None:
    do_delete_article(session, get_article(session, principal.account_id, article_id))


@router.get(
    "/knowledge/articles/{article_id}/versions",
    response_model=list[ArticleVersionPublic],
    responses=READ_ERRORS,
)
def list_versions(
    article_id: RowId, principal: Reader, session: SessionDep
) -> list[ArticleVersionPublic]:
    return [_version(v) for v in article_versions(session, principal.account_id, article_id)]


@router.post(
    "/knowledge/articles/{article_id}/restore", response_model=ArticlePublic, responses=WRITE_ERRORS
)
def restore_version(
    article_id: RowId, body: RestoreRequest, principal: Admin, session: SessionDep
) -> ArticlePublic:
    """Make an earlier version current again; it is saved as a new version."""
    article = get_article(session, principal.account_id, article_id)
    return _article(
        do_restore_article_version(session, article, body.version, author_id=principal.user_id)
    )


@router.post(
    "/knowledge/import",
    response_model=ImportResult,
    responses=error_responses(401, 403, 404, 409, 413, 422),
)
async def import_articles(
    files: list[UploadFile], principal: Admin, session: SessionDep
) -> ImportResult:
    """Upload Markdown (.md), CSV (.csv) or HTML (.html) exports; existing slugs are updated.
    Each file may have up to 5 MB, and the request up to 5.25 MiB."""
    sources: list[tuple[str, ArticleDraft]] = []
    problems: list[dict[str, str]] = []
    for upload in files:
        name = upload.filename or "upload"
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            if len(data) > MAX_UPLOAD_BYTES:
                raise ImportFormatError("larger than 5 MB")
            text = data.decode("utf-8-sig")
            problem = control_character_problem(text)
            if problem:
                raise ImportFormatError(problem)
            stem, _, suffix = name.rpartition(".")
            suffix = suffix.lower()
            if suffix == "csv":
                sources.extend((f"{name}:{row}", d) for row, d in parse_csv(text))
            elif suffix in ("html", "htm"):
                sources.append((name, parse_html(text, stem or name)))
            elif suffix in ("md", "markdown"):
                sources.append((name, parse_markdown(text, stem or name)))
            else:
                raise ImportFormatError("unsupported file type (use .md, .csv or .html)")
        except (ImportFormatError, UnicodeDecodeError) as exc:
            problems.append({"source": name, "problem": str(exc)})
    report = do_import_articles(session, principal.account_id, sources, author_id=principal.user_id)
    errors = problems + [{"source": s, "problem": p} for s, p in report.errors]
    return ImportResult(
        created=report.created, updated=report.updated, unchanged=report.unchanged, errors=errors
    )


@router.get("/knowledge/search", response_model=list[SearchResult], responses=READ_ERRORS)
def search_articles(
    principal: Reader,
    session: SessionDep,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    locale: str | None = None,
    include_drafts: bool = False,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[SearchResult]:
    """Hybrid search (BM25 + sentence embeddings, fused) over the account's articles."""
    index = services.indexes.for_account(session, principal.account_id)
    statuses = ("published", "draft") if include_drafts else ("published",)
    hits = index.search(q, k=limit, locale=locale, statuses=statuses)
    return [
        SearchResult(
            article_id=h.article.id,
            slug=h.slug,
            title=h.article.title,
            status=h.article.status,
            score=round(h.score, 4),
            similarity=round(h.semantic, 4),
            passages=[{"heading": p.heading, "text": p.text} for p in h.passages],
        )
        for h in hits
    ]


@router.get("/knowledge/templates", response_model=list[TemplatePublic], responses=READ_ERRORS)
def list_templates(principal: Admin, session: SessionDep) -> list[TemplatePublic]:
    rows = session.scalars(
        select(ResponseTemplate)
        .where(ResponseTemplate.account_id == principal.account_id)
        .order_by(ResponseTemplate.intent, ResponseTemplate.locale)
    )
    return [_template(r) for r in rows]


@router.put("/knowledge/templates", response_model=TemplatePublic, responses=WRITE_ERRORS)
def save_template(body: TemplateSave, principal: Admin, session: SessionDep) -> TemplatePublic:
    """Create or replace the response of an intent (one per intent and locale); set
    `enabled: false` to let retrieval answer again."""
    if body.article_id is not None:
        get_article(session, principal.account_id, body.article_id)
    if len(body.locale) > 16:
        raise InvalidInput("locale is too long", code="invalid_locale")
    row = do_save_template(
        session,
        principal.account_id,
        body.intent,
        body.body,
        locale=body.locale,
        article_id=body.article_id,
        enabled=body.enabled,
    )
    return _template(row)


@router.get(
    "/conversations/{conversation_id}/suggestions",
    response_model=SuggestionPublic,
    responses=READ_ERRORS,
)
def suggestions(
    conversation_id: RowId, principal: Reader, session: SessionDep, services: ServicesDep
) -> SuggestionPublic:
    """Agent assist: the best passages for the conversation and a drafted reply."""
    conversation = get_conversation(session, principal.account_id, conversation_id)
    suggestion = suggest_replies(session, conversation, services.indexes, services.writer)
    return SuggestionPublic(
        passages=[asdict(p) for p in suggestion.passages],
        draft=suggestion.draft,
        draft_mode=suggestion.draft_mode,
        sources=suggestion.sources,
        profile_fields=suggestion.profile_fields,
        summary=suggestion.summary,
    )


def _template(row: ResponseTemplate) -> TemplatePublic:
    return TemplatePublic(
        id=row.id,
        intent=row.intent,
        locale=row.locale,
        body=row.body,
        article_id=row.article_id,
        enabled=row.enabled,
        updated_at=row.updated_at,
    )
