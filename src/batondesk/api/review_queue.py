"""The review queue of the learning loop: list and filter it, label one or many items, export
the reviewed examples for retraining (docs/architecture.md, "The learning loop")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from batondesk.actions.review_feed import do_refresh_review_queue
from batondesk.actions.review_queue import MAX_BATCH, LabelRequest, do_label_review_items
from batondesk.api.deps import Principal, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowCount, RowId, Strict
from batondesk.knowledge.embedding import default_embedder
from batondesk.store.models import LabelKind, ReviewStatus
from batondesk.training.review_queue import (
    QueueEntry,
    account_intents,
    examples_csv,
    list_queue,
    redacted_texts,
)
from batondesk.training.review_ranking import REASONS, usefulness, why

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["learning"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Writer = Annotated[Principal, Depends(require("conversations:write"))]
Admin = Annotated[Principal, Depends(require("admin"))]
ReasonCode = Literal[
    "agent_corrected",
    "answer_wrong",
    "answer_flagged",
    "handed_over",
    "clarification_missed",
    "negative_rating",
    "no_answer",
    "unclear",
    "out_of_scope",
    "low_confidence",
]
assert set(ReasonCode.__args__) == set(REASONS)  # type: ignore[attr-defined]  # one list
IntentName = Annotated[str, Field(min_length=1, max_length=80)]


class ReviewItemPublic(BaseModel):
    id: int
    message_id: int
    conversation_id: int
    answer_message_id: int | None = Field(description="The bot's answer to it, if any")
    asked_at: datetime
    text: str = Field(description="The customer's message, personal data redacted")
    reasons: list[str] = Field(description="Why it is in the queue (reason codes)")
    why: str = Field(description="The reasons and the prediction, in words")
    predicted_intent: str | None
    confidence: float | None
    margin: float | None = Field(description="Top intent's probability minus the second's")
    out_of_scope: bool
    scored_by: str | None = Field(
        description="The model version whose reading the prediction, confidence and margin "
        "are, once a newer model read the message again; null: the model that answered it"
    )
    suggested_intent: str | None = Field(
        description="A label already proposed: an agent's correction or a content gap's name"
    )
    suggested_new: bool = Field(description="The suggestion is a new intent")
    usefulness: float = Field(
        description="Rank score: twice the strongest reason's weight + the model's uncertainty"
    )
    similar_pending: int = Field(description="Other pending items saying nearly the same")
    status: ReviewStatus
    label_kind: LabelKind | None
    label: str | None
    labelled_at: datetime | None


class ReviewItemsPublic(BaseModel):
    total: int = Field(description="Items matching the filters")
    intents: list[str] = Field(description="The intents a reviewer can pick")
    data: list[ReviewItemPublic]


class ReviewLabel(Strict):
    kind: LabelKind = Field(
        description="intent (an existing intent), new_intent (named in `intent`), "
        "answer_right / answer_wrong (the bot's answer to it), or skip"
    )
    intent: IntentName | None = Field(
        default=None, description="The intent, for `intent` and `new_intent`"
    )


class ReviewLabelItem(ReviewLabel):
    id: RowId


class ReviewLabelsCreate(Strict):
    labels: list[ReviewLabelItem] = Field(
        min_length=1, max_length=MAX_BATCH, description=f"1 to {MAX_BATCH} labels"
    )


class ReviewLabelsPublic(BaseModel):
    labelled: int
    data: list[ReviewItemPublic]


def _public(entry: QueueEntry) -> ReviewItemPublic:
    item = entry.item
    return ReviewItemPublic(
        id=item.id,
        message_id=item.message_id,
        conversation_id=item.conversation_id,
        answer_message_id=item.answer_message_id,
        asked_at=item.asked_at,
        text=entry.text,
        reasons=list(item.reasons or []),
        why=entry.why,
        predicted_intent=item.predicted_intent,
        confidence=item.confidence,
        margin=item.margin,
        out_of_scope=item.out_of_scope,
        scored_by=item.scored_by,
        suggested_intent=item.suggested_intent,
        suggested_new=item.suggested_new,
        usefulness=entry.usefulness.score,
        similar_pending=entry.usefulness.similar_pending,
        status=item.status,
        label_kind=item.label_kind,
        label=item.label,
        labelled_at=item.labelled_at,
    )


def _intents(request: Request, session: SessionDep, account_id: int) -> list[str]:
    classifier = request.app.state.services.models.for_account(account_id)
    return account_intents(session, account_id, classifier)


@router.get(
    "/review-queue",
    response_model=ReviewItemsPublic,
    responses=error_responses(401, 403, 422),
)
def read_review_queue(
    request: Request,
    principal: Reader,
    session: SessionDep,
    status: Annotated[
        ReviewStatus | Literal["all"], Query(description="pending (default), labelled, skipped")
    ] = ReviewStatus.pending,
    reason: Annotated[ReasonCode | None, Query(description="Only items with this reason")] = None,
    intent: Annotated[
        str | None, Query(max_length=80, description="Only items predicted as this intent")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[RowCount, Query()] = 0,
) -> ReviewItemsPublic:
    """The customer messages production flagged for a label (low confidence, out of scope,
    unanswered, handed over, rated badly, corrected by an agent, answers flagged wrong),
    their text redacted. Pending items come most useful first: the strongest reason, the
    model's uncertainty and how many pending messages say nearly the same."""
    do_refresh_review_queue(session, principal.account_id)
    page = list_queue(
        session,
        principal.account_id,
        default_embedder(),
        status=None if status == "all" else ReviewStatus(status),
        reason=reason,
        intent=intent,
        limit=limit,
        offset=offset,
    )
    return ReviewItemsPublic(
        total=page.total,
        intents=_intents(request, session, principal.account_id),
        data=[_public(e) for e in page.entries],
    )


@router.post(
    "/review-queue/labels",
    response_model=ReviewLabelsPublic,
    responses=error_responses(401, 403, 404, 422),
)
def label_review_items(
    body: ReviewLabelsCreate, request: Request, principal: Writer, session: SessionDep
) -> ReviewLabelsPublic:
    """Label one or many items at once: all are stored, or none (an unknown intent or an id
    of another account refuses the whole batch). A later label replaces an earlier one."""
    return _label(body.labels, request, principal, session)


@router.put(
    "/review-queue/{item_id}/label",
    response_model=ReviewItemPublic,
    responses=error_responses(401, 403, 404, 422),
)
def label_review_item(
    item_id: RowId, body: ReviewLabel, request: Request, principal: Writer, session: SessionDep
) -> ReviewItemPublic:
    """Label one item."""
    labels = [ReviewLabelItem(id=item_id, kind=body.kind, intent=body.intent)]
    return _label(labels, request, principal, session).data[0]


def _label(
    labels: list[ReviewLabelItem], request: Request, principal: Principal, session: SessionDep
) -> ReviewLabelsPublic:
    requests = [LabelRequest(label.id, label.kind, label.intent) for label in labels]
    items = do_label_review_items(
        session,
        principal.account_id,
        requests,
        set(_intents(request, session, principal.account_id)),
        principal.membership,
    )
    texts = redacted_texts(session, principal.account_id, [i.message_id for i in items])
    entries = [
        QueueEntry(
            item,
            texts.get(item.message_id, ""),
            why(item.reasons or [], item.predicted_intent, item.confidence),
            usefulness(item.reasons or [], item.margin, 0),
        )
        for item in items
    ]
    return ReviewLabelsPublic(labelled=len(entries), data=[_public(e) for e in entries])


@router.get(
    "/review-queue/examples.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "text,category rows"},
        **error_responses(401, 403),
    },
)
def export_reviewed_examples(principal: Admin, session: SessionDep) -> Response:
    """The reviewed examples as an intent training file (CSV: text,category): messages
    labelled with an intent or a new intent, of contacts who consent to training, redacted.
    `baton data reviewed-examples` writes the same file."""
    do_refresh_review_queue(session, principal.account_id)
    return Response(
        examples_csv(session, principal.account_id),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="reviewed-examples.csv"',
            "Cache-Control": "no-store",
        },
    )
