"""Console login and the signed-in member."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from batondesk.actions.accounts import do_login, do_logout, do_set_availability
from batondesk.api.deps import (
    SESSION_COOKIE,
    Principal,
    SessionDep,
    SettingsDep,
    require,
    require_member,
)
from batondesk.api.errors import error_responses
from batondesk.api.schemas import AvailabilityUpdate, LoginCreate, MePublic, OkPublic
from batondesk.store.models import User

router = APIRouter(prefix="/api/v1", tags=["auth"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Writer = Annotated[Principal, Depends(require("conversations:write"))]


@router.post("/auth/login", response_model=OkPublic, responses=error_responses(401, 422))
def login(
    body: LoginCreate, response: Response, session: SessionDep, settings: SettingsDep
) -> OkPublic:
    """Sets an HttpOnly session cookie for the console."""
    token = do_login(session, body.email, body.password, settings.session_ttl_seconds)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_ttl_seconds,
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
    )
    return OkPublic()


@router.post("/auth/logout", response_model=OkPublic)
def logout(request: Request, response: Response, session: SessionDep) -> OkPublic:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        do_logout(session, token)
    response.delete_cookie(SESSION_COOKIE)
    return OkPublic()


@router.get("/me", response_model=MePublic, responses=error_responses(401, 403))
def me(principal: Reader, session: SessionDep) -> MePublic:
    user = session.get(User, principal.user_id) if principal.user_id else None
    return MePublic(
        user_id=principal.user_id,
        account_id=principal.account_id,
        role=principal.role,
        name=user.name if user else None,
        email=user.email if user else None,
        availability=principal.membership.availability if principal.membership else None,
    )


@router.put("/me/availability", response_model=MePublic, responses=error_responses(401, 403, 422))
def set_availability(body: AvailabilityUpdate, principal: Writer, session: SessionDep) -> MePublic:
    member = require_member(principal)
    do_set_availability(session, member, body.availability)
    return me(principal, session)
