"""Dependencies shared by routes: the unit of work, the signed-in staff member, the visitor."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyCookie, HTTPBearer
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.accounts import token_hash
from batondesk.api.permissions import role_allows
from batondesk.config import Settings
from batondesk.engine.services import TurnServices
from batondesk.errors import InvalidInput, NotAuthenticated, PermissionDenied
from batondesk.jobs import JobQueue
from batondesk.observability.metrics import OperationalMetrics
from batondesk.privacy.audit import Actor, set_actor
from batondesk.realtime import Broker
from batondesk.store.base import utcnow
from batondesk.store.database import Database
from batondesk.store.models import ApiKey, Membership, Role, UserSession

SESSION_COOKIE = "baton_session"
# CSRF protection for cookie-authenticated console requests that change state.
CSRF_HEADER = "X-Requested-With"
CSRF_VALUE = "baton"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ACCOUNT_HEADER = "X-Baton-Account"


# C0 control characters other than tab, newline and carriage return: never part of real text,
# and PostgreSQL cannot store NUL in a text column at all.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def refuse_control_characters(request: Request) -> None:
    """Every route's first dependency: a 422 naming the field when any text the request sends
    (path, query, JSON body or form fields) holds a control character."""
    texts: list[tuple[str, Any]] = [(f"path.{k}", v) for k, v in request.path_params.items()]
    for key, value in request.query_params.multi_items():
        texts += [(f"query.{key}", key), (f"query.{key}", value)]
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(_FORM_TYPES):
        try:
            form = await request.form()
        except HTTPException:
            form = None  # a broken form: the route reports it if it reads one (malformed_body)
        for key, value in form.multi_items() if form is not None else ():
            texts += [(f"body.{key}", key), (f"body.{key}", getattr(value, "filename", value))]
    elif await request.body():
        # Not JSON: the route's own body parsing reports it (malformed_json).
        with suppress(ValueError):
            texts.append(("body", await request.json()))
    for location, value in texts:
        _check_text(location, value)


def control_character_problem(text: str) -> str | None:
    """What is wrong with `text` if it holds a refused control character, else None."""
    found = _CONTROL_CHARACTER.search(text)
    if found is None:
        return None
    return (
        f"control character U+{ord(found.group()):04X} is not allowed "
        "(only tab, newline and carriage return are)"
    )


def _check_text(location: str, value: Any) -> None:
    if isinstance(value, str):
        problem = control_character_problem(value)
        if problem:
            location = _CONTROL_CHARACTER.sub("?", location)  # a key may hold one too
            raise InvalidInput(f"{location}: {problem}", code="control_character")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(f"{location}.{index}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(f"{location}.{key}", key)
            _check_text(f"{location}.{key}", item)


# The dependencies that only read the app's state or the request's headers are coroutines:
# FastAPI runs a plain function on a thread of the pool, and for a lookup that hop (a task, a
# queue, two thread wake-ups) costs far more than the lookup. Whatever touches the database
# (the session, the principal) stays a plain function, off the event loop.


async def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_services(request: Request) -> TurnServices:
    return request.app.state.services  # type: ignore[no-any-return]


async def get_metrics(request: Request) -> OperationalMetrics:
    return request.app.state.metrics  # type: ignore[no-any-return]


async def get_jobs(request: Request) -> JobQueue:
    return request.app.state.jobs  # type: ignore[no-any-return]


async def get_broker(request: Request) -> Broker:
    return request.app.state.broker  # type: ignore[no-any-return]


def get_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    with db.session() as session:
        yield session


DatabaseDep = Annotated[Database, Depends(get_db)]
# scope="function": commit before the response is sent, so a client's next request sees the
# write and a failed commit is reported as an error rather than after a success response.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ServicesDep = Annotated[TurnServices, Depends(get_services)]
MetricsDep = Annotated[OperationalMetrics, Depends(get_metrics)]
JobsDep = Annotated[JobQueue, Depends(get_jobs)]
BrokerDep = Annotated[Broker, Depends(get_broker)]


@dataclass(frozen=True)
class Principal:
    """Who is calling the console API: a member acting in one account, by session or API key."""

    account_id: int
    user_id: int | None
    role: Role
    scopes: frozenset[str] | None  # None for a console session: the role alone decides
    membership: Membership | None

    def allows(self, permission: str) -> bool:
        if not role_allows(self.role, permission):
            return False
        return self.scopes is None or permission in self.scopes


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


# How callers authenticate, as the OpenAPI document declares it, so that /docs offers
# Authorize and "Try it out" sends what was entered there. The schemes only declare: each
# answers None when its credential is absent and never refuses a request. get_principal and
# get_visitor read the same header and cookie themselves, with Baton's own error codes,
# because get_principal is also called outside dependency injection (pages, event streams).
API_KEY = HTTPBearer(
    scheme_name="apiKey",
    bearerFormat="Baton API key",
    description="An account's API key (Admin > Integrations > API keys), sent as "
    "`Authorization: Bearer <key>`. Its role and scopes decide what it may do.",
    auto_error=False,
)
AGENT_SESSION = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="agentSession",
    description="The console's session cookie, set by `POST /api/v1/auth/login`. A request "
    f"that changes something must also send the header `{CSRF_HEADER}: {CSRF_VALUE}`. In this "
    "reference, being logged in to the console is enough: the browser sends the cookie.",
    auto_error=False,
)
VISITOR_TOKEN = HTTPBearer(
    scheme_name="visitorToken",
    bearerFormat="visitor token",
    description="The widget's visitor token, returned when a chat starts (`visitor_token`), "
    "sent as `Authorization: Bearer <token>`; it is good for that chat only.",
    auto_error=False,
)


async def staff_credentials(
    _api_key: Annotated[object, Security(API_KEY)],
    _session_cookie: Annotated[object, Security(AGENT_SESSION)],
) -> None:
    """Declares the staff API's ways in: an API key or an agent session, either one."""


async def visitor_credentials(_token: Annotated[object, Security(VISITOR_TOKEN)]) -> None:
    """Declares the widget's way in: a visitor token."""


def get_principal(request: Request, session: SessionDep) -> Principal:
    bearer = bearer_token(request)
    if bearer is not None:
        key = session.scalars(select(ApiKey).where(ApiKey.key_hash == token_hash(bearer))).first()
        if key is None or key.revoked_at is not None:
            raise NotAuthenticated("invalid or revoked API key", code="invalid_api_key")
        key.last_used_at = utcnow()
        set_actor(session, Actor(key.account_id, "api_key", key.id, _route(request)))
        return Principal(key.account_id, None, key.role, frozenset(key.scopes), None)

    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotAuthenticated("log in or send an API key", code="not_authenticated")
    if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != CSRF_VALUE:
        # A cookie rides along on cross-site requests; a custom header cannot be set by another
        # site without a CORS preflight, which Baton never grants.
        raise PermissionDenied(
            f"send the header {CSRF_HEADER}: {CSRF_VALUE} with console requests",
            code="csrf_check_failed",
        )
    user_session = session.scalars(
        select(UserSession).where(UserSession.token_hash == token_hash(token))
    ).first()
    if user_session is None:
        raise NotAuthenticated("session not found; log in again", code="invalid_session")
    if user_session.expires_at <= utcnow():
        raise NotAuthenticated("session expired; log in again", code="session_expired")
    memberships = list(
        session.scalars(
            select(Membership)
            .where(Membership.user_id == user_session.user_id)
            .order_by(Membership.account_id)
        )
    )
    if not memberships:
        raise PermissionDenied("this user belongs to no account", code="no_membership")
    wanted = request.headers.get(ACCOUNT_HEADER)
    membership = memberships[0]
    if wanted is not None:
        chosen = [m for m in memberships if str(m.account_id) == wanted]
        if not chosen:
            raise PermissionDenied("not a member of that account", code="not_a_member")
        membership = chosen[0]
    set_actor(session, Actor(membership.account_id, "user", membership.user_id, _route(request)))
    return Principal(membership.account_id, membership.user_id, membership.role, None, membership)


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', request.url.path)}"


def _principal(
    request: Request, session: SessionDep, _declared: Annotated[None, Depends(staff_credentials)]
) -> Principal:
    return get_principal(request, session)


PrincipalDep = Annotated[Principal, Depends(_principal)]


def require(permission: str) -> Callable[[Principal], Principal]:
    """Dependency factory: the principal, if its role (and key scopes) allow `permission`."""

    def check(principal: PrincipalDep) -> Principal:
        if not principal.allows(permission):
            raise PermissionDenied(
                f"role {principal.role} or key scopes do not allow {permission}",
                code="permission_denied",
            )
        return principal

    check.baton_permission = permission  # type: ignore[attr-defined]  # read by access tests
    return check


def require_member(principal: Principal) -> Membership:
    """Acting as a person (replying, taking over) needs a login, not an API key."""
    if principal.membership is None:
        raise PermissionDenied("this action needs a signed-in member", code="member_required")
    return principal.membership


# --- widget visitors --------------------------------------------------------------------------

VISITOR_SALT = "baton.widget.visitor"


@dataclass(frozen=True)
class Visitor:
    account_id: int
    inbox_id: int
    contact_id: int


def visitor_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.session_secret, salt=VISITOR_SALT)


def issue_visitor_token(settings: Settings, visitor: Visitor) -> str:
    return visitor_serializer(settings).dumps(
        {"a": visitor.account_id, "i": visitor.inbox_id, "c": visitor.contact_id}
    )


async def get_visitor(
    request: Request,
    settings: SettingsDep,
    _declared: Annotated[None, Depends(visitor_credentials)],
) -> Visitor:
    # Only in the Authorization header: a token in a URL ends up in access logs, proxies and
    # browser history (the widget reads its event stream with fetch, which sends headers).
    token = bearer_token(request)
    if not token:
        raise NotAuthenticated("visitor token missing", code="not_authenticated")
    try:
        data = visitor_serializer(settings).loads(token, max_age=settings.widget_token_ttl_seconds)
    except SignatureExpired:
        raise NotAuthenticated("visitor token expired; start again", code="token_expired") from None
    except BadSignature:
        raise NotAuthenticated("visitor token is invalid", code="invalid_token") from None
    return Visitor(int(data["a"]), int(data["i"]), int(data["c"]))


VisitorDep = Annotated[Visitor, Depends(get_visitor)]
