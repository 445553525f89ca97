"""Answer reviews: an agent marks a bot answer right or wrong, and works through the period's
random review sample (docs/metrics.md, "AI accuracy")."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from batondesk.actions.answer_reviews import Verdict, WrongReason, do_review_answer
from batondesk.api.deps import Principal, SessionDep, require, require_member
from batondesk.api.errors import error_responses
from batondesk.api.presenters import message_public
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import MessagePublic, RowId, Strict
from batondesk.reports.kpis import answer_verdicts, unreviewed_sample
from batondesk.reports.report import load_report_inputs, reporting_today
from batondesk.store.access import get_owned
from batondesk.store.models import Message

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["console"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Writer = Annotated[Principal, Depends(require("conversations:write"))]
DEFAULT_DAYS = 30


class AnswerReviewCreate(Strict):
    verdict: Verdict
    reason: WrongReason | None = Field(
        default=None, description="Why the answer was wrong (a code; only with `wrong`)"
    )


class SampledAnswerPublic(BaseModel):
    message_id: int
    conversation_id: int
    answered_at: datetime
    question: str | None = Field(description="The customer message the answer answered")
    answer: str
    sources: list[str] = Field(description="Titles of the articles the answer cites")


class AnswerSamplePublic(BaseModel):
    first_day: date
    last_day: date
    sample_share: float = Field(description="The share of answers drawn into the sample")
    answers: int = Field(description="Bot answers in conversations opened in the period")
    sampled: int
    reviewed: int = Field(description="Sampled answers an agent has judged")
    data: list[SampledAnswerPublic] = Field(
        description="Sampled answers not judged yet, in the sample's random order"
    )


@router.put(
    "/messages/{message_id}/review",
    response_model=MessagePublic,
    responses=error_responses(401, 403, 404, 422),
)
def review_answer(
    message_id: RowId, body: AnswerReviewCreate, principal: Writer, session: SessionDep
) -> MessagePublic:
    """Mark a bot answer right or wrong (with a reason code when wrong). A later verdict
    replaces the earlier one; each is kept in the event log."""
    member = require_member(principal)
    message = get_owned(session, Message, principal.account_id, message_id)
    return message_public(do_review_answer(session, message, member, body.verdict, body.reason))


@router.get(
    "/answer-reviews/sample",
    response_model=AnswerSamplePublic,
    responses=error_responses(401, 403, 422),
)
def read_review_sample(
    principal: Reader,
    session: SessionDep,
    first_day: Annotated[
        date | None, Query(alias="from", description="First day (default: 30 days ago)")
    ] = None,
    last_day: Annotated[date | None, Query(alias="to", description="Last day (default: today)")] = (
        None
    ),
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> AnswerSamplePublic:
    """The random review sample of the bot's answers in conversations opened in the period
    (local days of the account's reporting time zone), those not judged yet first in the
    sample's order. The same answers are drawn however often it is asked."""
    last_day = last_day or reporting_today(session, principal.account_id)
    if first_day is None:
        # A `to` too early to count 30 days back from is refused by the period's own check.
        earliest = date.min + timedelta(days=DEFAULT_DAYS)
        first_day = last_day - timedelta(days=DEFAULT_DAYS - 1) if last_day > earliest else last_day
    inputs = load_report_inputs(session, principal.account_id, first_day, last_day)
    cohort = [h for h in inputs.histories if inputs.period.contains(h.opened_at)]
    verdicts = [v for h in cohort for v in answer_verdicts(h, inputs.context)]
    waiting = unreviewed_sample(cohort, inputs.context)[:limit]
    wanted = {v.message_id for v in waiting} | {v.question_id for v in waiting if v.question_id}
    messages = {
        m.id: m
        for m in session.scalars(
            select(Message).where(
                Message.account_id == principal.account_id, Message.id.in_(wanted)
            )
        )
    }
    data = []
    for verdict in waiting:
        answer = messages.get(verdict.message_id)
        if answer is None:  # erased since the events were written
            continue
        question = messages.get(verdict.question_id) if verdict.question_id else None
        data.append(
            SampledAnswerPublic(
                message_id=answer.id,
                conversation_id=answer.conversation_id,
                answered_at=answer.created_at,
                question=question.body if question is not None else None,
                answer=answer.body,
                sources=[_title(s) for s in (answer.annotations or {}).get("sources", [])],
            )
        )
    sampled = [v for v in verdicts if v.sampled]
    return AnswerSamplePublic(
        first_day=inputs.period.first_day,
        last_day=inputs.period.last_day,
        sample_share=inputs.context.reviews.sample_share,
        answers=len(verdicts),
        sampled=len(sampled),
        reviewed=sum(1 for v in sampled if v.review is not None),
        data=data,
    )


def _title(source: dict[str, Any]) -> str:
    return str(source.get("title") or source.get("slug") or f"article {source.get('article_id')}")
