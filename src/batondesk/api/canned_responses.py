"""Canned responses: saved replies agents insert by shortcut; admins manage them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select

from batondesk.actions.canned_responses import (
    do_create_canned_response,
    do_delete_canned_response,
    do_update_canned_response,
)
from batondesk.api.deps import Principal, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId, Strict
from batondesk.knowledge.intent_responses import profile_values
from batondesk.knowledge.templates import fill_for_agent
from batondesk.store.access import get_canned_response, get_contact, get_conversation
from batondesk.store.models import CannedResponse

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["console"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Admin = Annotated[Principal, Depends(require("admin"))]
ADMIN_ERRORS = error_responses(401, 403, 404, 409, 422)

_BODY_DESCRIPTION = (
    "The reply. May use the response templates' variables, filled from the customer when "
    "inserted: {{contact.first_name|there}}, {{contact.name}}, {{conversation.id}}"
)


class CannedResponseCreate(Strict):
    shortcut: str = Field(min_length=1, max_length=41, description="e.g. refund (typed /refund)")
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=20_000, description=_BODY_DESCRIPTION)


class CannedResponseUpdate(Strict):
    shortcut: str | None = Field(default=None, min_length=1, max_length=41)
    title: str | None = Field(default=None, min_length=1, max_length=120)
    body: str | None = Field(default=None, min_length=1, max_length=20_000)


class CannedResponsePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    shortcut: str
    title: str
    body: str
    updated_at: datetime


class CannedResponseFilled(BaseModel):
    id: int
    shortcut: str
    text: str = Field(description="The body filled from this conversation's customer")
    missing: list[str] = Field(
        description="Variables the customer's profile has no value for; left as written"
    )


@router.get(
    "/canned-responses",
    response_model=list[CannedResponsePublic],
    responses=error_responses(401, 403, 422),
)
def list_canned_responses(
    principal: Reader,
    session: SessionDep,
    q: Annotated[
        str | None,
        Query(max_length=80, description="Shortcuts starting with this, or titles holding it"),
    ] = None,
) -> list[CannedResponsePublic]:
    """The account's canned responses by shortcut."""
    query = select(CannedResponse).where(CannedResponse.account_id == principal.account_id)
    wanted = (q or "").strip().removeprefix("/").lower()
    if wanted:
        # LIKE wildcards in what was typed are taken literally.
        literal = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(
                CannedResponse.shortcut.like(f"{literal}%", escape="\\"),
                func.lower(CannedResponse.title).like(f"%{literal}%", escape="\\"),
            )
        )
    rows = session.scalars(query.order_by(CannedResponse.shortcut))
    return [CannedResponsePublic.model_validate(r) for r in rows]


@router.post(
    "/canned-responses",
    response_model=CannedResponsePublic,
    status_code=201,
    responses=ADMIN_ERRORS,
)
def create_canned_response(
    body: CannedResponseCreate, principal: Admin, session: SessionDep
) -> CannedResponsePublic:
    row = do_create_canned_response(
        session, principal.account_id, shortcut=body.shortcut, title=body.title, body=body.body
    )
    return CannedResponsePublic.model_validate(row)


@router.patch(
    "/canned-responses/{canned_response_id}",
    response_model=CannedResponsePublic,
    responses=ADMIN_ERRORS,
)
def update_canned_response(
    canned_response_id: RowId, body: CannedResponseUpdate, principal: Admin, session: SessionDep
) -> CannedResponsePublic:
    row = get_canned_response(session, principal.account_id, canned_response_id)
    do_update_canned_response(
        session, row, shortcut=body.shortcut, title=body.title, body=body.body
    )
    return CannedResponsePublic.model_validate(row)


@router.delete(
    "/canned-responses/{canned_response_id}",
    status_code=204,
    responses=error_responses(401, 403, 404),
)
def delete_canned_response(
    canned_response_id: RowId, principal: Admin, session: SessionDep
) -> None:
    do_delete_canned_response(
        session, get_canned_response(session, principal.account_id, canned_response_id)
    )


@router.get(
    "/conversations/{conversation_id}/canned-responses/{canned_response_id}",
    response_model=CannedResponseFilled,
    responses=error_responses(401, 403, 404),
)
def fill_canned_response(
    conversation_id: RowId, canned_response_id: RowId, principal: Reader, session: SessionDep
) -> CannedResponseFilled:
    """The canned response as it would read in this conversation, for the agent to review
    and send (reading the customer's profile is audited like any read of it)."""
    conversation = get_conversation(session, principal.account_id, conversation_id)
    row = get_canned_response(session, principal.account_id, canned_response_id)
    contact = get_contact(session, principal.account_id, conversation.contact_id)
    text, missing = fill_for_agent(
        row.body,
        {"contact": profile_values(contact), "conversation": {"id": conversation.id}},
    )
    return CannedResponseFilled(id=row.id, shortcut=row.shortcut, text=text, missing=missing)
