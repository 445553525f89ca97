"""Content gaps: the questions the bot could not answer, grouped by meaning, with what to do
about each (draft an article, suggest a new intent)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from batondesk.actions.review_feed import do_refresh_review_queue
from batondesk.actions.review_queue import MAX_BATCH, do_suggest_intent
from batondesk.api.deps import Principal, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId, Strict
from batondesk.knowledge.embedding import default_embedder
from batondesk.store.base import utcnow
from batondesk.training.content_gaps import content_gaps

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["learning"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Writer = Annotated[Principal, Depends(require("conversations:write"))]


class ContentGapPublic(BaseModel):
    name: str = Field(description="The group's most distinctive words (class-based TF-IDF)")
    keywords: list[str]
    volume: int = Field(description="Questions in the group over the period")
    this_week: int = Field(description="Of them, asked in the last 7 days")
    last_week: int = Field(description="Asked in the 7 days before")
    score: float = Field(description="Rank: volume plus this week's growth over last week")
    examples: list[str] = Field(description="A few questions, most typical first, redacted")
    message_ids: list[int] = Field(description="Every question of the group")
    draft_title: str = Field(description="A title for a knowledge-base article")
    draft_body: str = Field(description="A Markdown start for the article: the questions")
    suggested_intent: str = Field(description="A name for a new intent")


class ContentGapsPublic(BaseModel):
    days: int
    questions: int = Field(description="Unanswered or handed-over questions read")
    clustered: bool = Field(description="False when no sentence encoder runs on this server")
    data: list[ContentGapPublic]


class IntentSuggestionCreate(Strict):
    name: str = Field(min_length=1, max_length=80, description="The new intent's name")
    message_ids: list[RowId] = Field(min_length=1, max_length=MAX_BATCH)


class IntentSuggestionPublic(BaseModel):
    intent: str
    items: int = Field(description="Queue items now carrying the suggestion")


@router.get(
    "/content-gaps", response_model=ContentGapsPublic, responses=error_responses(401, 403, 422)
)
def read_content_gaps(
    principal: Reader,
    session: SessionDep,
    days: Annotated[int, Query(ge=7, le=365, description="How far back to read")] = 28,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ContentGapsPublic:
    """Questions the bot declined, could not place or handed over (no article, low
    confidence, repeated failure), grouped by meaning (sentence embeddings + HDBSCAN) and
    ranked by volume and growth this week against last."""
    do_refresh_review_queue(session, principal.account_id)
    embedder = default_embedder()
    questions, gaps = content_gaps(session, principal.account_id, embedder, utcnow(), days=days)
    return ContentGapsPublic(
        days=days,
        questions=questions,
        clustered=embedder is not None,
        data=[
            ContentGapPublic(
                name=gap.name,
                keywords=gap.keywords,
                volume=gap.volume,
                this_week=gap.this_week,
                last_week=gap.last_week,
                score=gap.score,
                examples=gap.examples,
                message_ids=gap.message_ids,
                draft_title=_title(gap.keywords, gap.examples),
                draft_body=_draft(gap.examples),
                suggested_intent="_".join(gap.keywords[:2]) or "new_topic",
            )
            for gap in gaps[:limit]
        ],
    )


def _title(keywords: list[str], examples: list[str]) -> str:
    """ "Crypto, bitcoin and trading": the group's words, for an article's title."""
    if not keywords:
        return examples[0][:120] if examples else "New article"
    if len(keywords) == 1:
        return keywords[0].capitalize()
    return (", ".join(keywords[:-1]) + " and " + keywords[-1]).capitalize()


def _draft(examples: list[str]) -> str:
    asked = "\n".join(f"- {example}" for example in examples)
    return f"Customers ask:\n\n{asked}\n\n(Write the answer here.)\n"


@router.post(
    "/content-gaps/intent-suggestions",
    response_model=IntentSuggestionPublic,
    responses=error_responses(401, 403, 404, 422),
)
def suggest_intent(
    body: IntentSuggestionCreate, principal: Writer, session: SessionDep
) -> IntentSuggestionPublic:
    """Suggest a content gap's questions as a new intent: their review-queue items carry the
    name as a suggested label, for a reviewer to confirm."""
    items = do_suggest_intent(session, principal.account_id, body.message_ids, body.name)
    return IntentSuggestionPublic(intent=items[0].suggested_intent or body.name, items=len(items))
