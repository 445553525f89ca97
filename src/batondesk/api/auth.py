"""Console login and the signed-in member."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request, Response

from batondesk.actions.accounts import (
    check_login_attempt,
    do_finish_login,
    do_logout,
    do_set_availability,
)
from batondesk.api.deps import (
    SESSION_COOKIE,
    DatabaseDep,
    Principal,
    SessionDep,
    SettingsDep,
    require,
    require_member,
)
from batondesk.api.errors import error_responses
from batondesk.api.login_workers import LoginWorkers
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import AvailabilityUpdate, LoginCreate, MePublic, OkPublic
from batondesk.errors import NotAuthenticated
from batondesk.store.database import Database
from batondesk.store.models import User

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["auth"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Writer = Annotated[Principal, Depends(require("conversations:write"))]
T = TypeVar("T")


def _in_unit_of_work(db: Database, step: Callable[..., T], *args: object) -> T:
    with db.session() as session:
        return step(session, *args)


@router.post("/auth/login", response_model=OkPublic, responses=error_responses(401, 429))
async def login(
    body: LoginCreate,
    request: Request,
    response: Response,
    db: DatabaseDep,
    settings: SettingsDep,
) -> OkPublic:
    """Sets an HttpOnly session cookie for the console. After 5 failed attempts for one
    email from one address, or 30 attempts from one address, logins from there wait 15
    minutes (429 with Retry-After)."""
    # Three short steps, so no database connection is held while the password is hashed:
    # count the attempt (committed, so concurrent attempts see it), check the password on
    # the login hashing threads, then audit the outcome and open the session.
    address = request.client.host if request.client else "unknown"
    workers: LoginWorkers = request.app.state.login_workers
    workers.admit()
    try:
        attempt = await workers.run_step(
            _in_unit_of_work, db, check_login_attempt, body.email, address
        )
        password_ok = await workers.verify(db.keys.passwords, attempt.password_hash, body.password)
        token = await workers.run_step(
            _in_unit_of_work,
            db,
            do_finish_login,
            attempt,
            password_ok,
            settings.session_ttl_seconds,
        )
    finally:
        workers.release()
    if token is None:  # the failure is already audited and committed
        raise NotAuthenticated("wrong email or password", code="bad_credentials")
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
