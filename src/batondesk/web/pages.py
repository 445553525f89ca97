"""HTML pages: the agent console, its admin pages, the standalone chat and the widget script.

Pages are thin shells: they check the session, render what is cheap to render on the server and
hand the rest to small scripts that call the JSON API (which enforces permissions again).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from batondesk import __version__
from batondesk.api.deps import Principal, ServicesDep, SessionDep, get_principal
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId
from batondesk.api.widget_config import widget_config
from batondesk.api.widget_settings import WidgetSettings
from batondesk.errors import BatonError, NotFound
from batondesk.i18n import (
    DEFAULT_LANGUAGE,
    negotiate_accept_language,
    supported_language,
    widget_texts,
    wording,
)
from batondesk.nlu import RegistryError
from batondesk.reports.report import reporting_today
from batondesk.store.access import get_conversation
from batondesk.store.models import (
    EVENT_TYPES,
    Account,
    Article,
    Inbox,
    Membership,
    Role,
    Team,
    User,
)
from batondesk.web.navigation import (
    ADMIN_SECTIONS,
    LEARNING_TABS,
    TOP_NAVIGATION,
    api_features,
    first_response_minutes,
    known_intents,
)

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=WEB_DIR / "templates")
templates.env.globals["asset_version"] = __version__
# Server-Sent Events are named by event type; scripts subscribe to every type there is.
templates.env.globals["event_types"] = ",".join(sorted(EVENT_TYPES))

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)

# Scripts and styles come only from Baton itself; no inline script can run.
# The chat shows attached images from blob: URLs: it fetches them with the visitor's token
# in a header, which an <img src> cannot send.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; "
)


def render_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    frame_ancestors: str = "'none'",
) -> HTMLResponse:
    """`frame_ancestors`: who may show the page in a frame (CSP sources); only the chat
    allows any. The security middleware adds X-Frame-Options: DENY only to pages that allow
    no framing, so the two headers never disagree."""
    response = templates.TemplateResponse(request, template, context, status_code=status)
    response.headers["Content-Security-Policy"] = _CSP + f"frame-ancestors {frame_ancestors}"
    # Pages show conversations: never keep them in a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in(request: Request, session: SessionDep) -> Principal | None:
    if not request.cookies.get("baton_session"):
        return None
    try:
        principal = get_principal(request, session)
    except BatonError:
        return None
    return principal if principal.user_id is not None else None


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303)


def staff_context(session: SessionDep, principal: Principal) -> dict[str, Any]:
    user = session.get(User, principal.user_id)
    account = session.get(Account, principal.account_id)
    assert user is not None and account is not None and principal.membership is not None
    return {
        "me": {
            "user_id": user.id,
            "name": user.name,
            "email": user.email,
            "role": str(principal.role),
            "availability": str(principal.membership.availability),
            "can_write": principal.allows("conversations:write"),
            "is_admin": principal.allows("admin"),
        },
        "account": account,
        "admin_sections": ADMIN_SECTIONS,
        "top_navigation": TOP_NAVIGATION,
        "learning_tabs": LEARNING_TABS,
    }


# --- console ---------------------------------------------------------------------------------


@router.get("/console/login", response_class=HTMLResponse)
def login_page(request: Request, session: SessionDep, next: str = "/console") -> Response:
    # Only local paths: a login link must never bounce the agent to another site (browsers
    # read "/\\host" like "//host", so backslashes are refused too).
    local = next.startswith("/") and not next.startswith("//") and "\\" not in next
    target = next if local and next.isprintable() else "/console"
    if _signed_in(request, session) is not None:
        return RedirectResponse(target, status_code=303)
    return render_page(request, "login.html", {"next": target})


@router.get("/console", response_class=HTMLResponse)
def console_home(request: Request, session: SessionDep) -> Response:
    principal = _signed_in(request, session)
    if principal is None:
        return _to_login(request)
    return _console(request, session, principal, None)


@router.get("/console/conversations/{conversation_id}", response_class=HTMLResponse)
def console_conversation(conversation_id: RowId, request: Request, session: SessionDep) -> Response:
    principal = _signed_in(request, session)
    if principal is None:
        return _to_login(request)
    try:
        get_conversation(session, principal.account_id, conversation_id)
    except NotFound:
        return render_page(
            request,
            "error.html",
            {
                **staff_context(session, principal),
                "title": "Conversation not found",
                "detail": "It may have been deleted, or it belongs to another account.",
            },
            status=404,
        )
    return _console(request, session, principal, conversation_id)


def _console(
    request: Request, session: SessionDep, principal: Principal, conversation_id: int | None
) -> Response:
    context = staff_context(session, principal)
    return render_page(
        request,
        "console.html",
        {
            **context,
            "conversation_id": conversation_id,
            "features": api_features(request.app),
            "intents": known_intents(
                session,
                principal.account_id,
                request.app.state.services.models.for_account(principal.account_id),
            ),
            "sla_minutes": first_response_minutes(context["account"].settings or {}),
        },
    )


@router.get("/console/reviews", response_class=HTMLResponse)
def answer_reviews_page(request: Request, session: SessionDep) -> Response:
    """The random review sample of the bot's answers (the API does the work; any staff member
    can read it, those who may write can judge)."""
    principal = _signed_in(request, session)
    if principal is None:
        return _to_login(request)
    last_day = reporting_today(session, principal.account_id)
    return render_page(
        request,
        "reviews.html",
        {
            **staff_context(session, principal),
            "page": "reviews",
            "first_day": (last_day - timedelta(days=29)).isoformat(),
            "last_day": last_day.isoformat(),
        },
    )


# --- admin -----------------------------------------------------------------------------------


def admin_or_refusal(request: Request, session: SessionDep) -> Principal | Response:
    principal = _signed_in(request, session)
    if principal is None:
        return _to_login(request)
    if not principal.allows("admin"):
        return render_page(
            request,
            "error.html",
            {
                **staff_context(session, principal),
                "title": "Admins only",
                "detail": f"Your role ({principal.role}) cannot change account settings. "
                "Ask an admin of this account.",
            },
            status=403,
        )
    return principal


@router.get("/console/admin", response_class=HTMLResponse)
def admin_home(request: Request, session: SessionDep) -> Response:
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    return RedirectResponse("/console/admin/team", status_code=303)


@router.get("/console/admin/team", response_class=HTMLResponse)
def admin_team(request: Request, session: SessionDep) -> Response:
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    rows = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.account_id == checked.account_id)
        .order_by(User.name)
    ).all()
    teams = list(
        session.scalars(
            select(Team).where(Team.account_id == checked.account_id).order_by(Team.name)
        )
    )
    team_names = {t.id: t.name for t in teams}
    members = [
        {
            "user_id": u.id,
            "name": u.name,
            "email": u.email,
            "role": str(m.role),
            "team_id": m.team_id,
            "team": team_names.get(m.team_id or 0, "—"),
            "availability": str(m.availability),
        }
        for m, u in rows
    ]
    return render_page(
        request,
        "admin/team.html",
        {
            **staff_context(session, checked),
            "section": "team",
            "members": members,
            "teams": teams,
            "roles": [str(role) for role in Role],
        },
    )


@router.get("/console/admin/inboxes", response_class=HTMLResponse)
def admin_inboxes(request: Request, session: SessionDep) -> Response:
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    inboxes = list(
        session.scalars(
            select(Inbox).where(Inbox.account_id == checked.account_id).order_by(Inbox.id)
        )
    )
    base = str(request.base_url).rstrip("/")
    return render_page(
        request,
        "admin/inboxes.html",
        {
            **staff_context(session, checked),
            "section": "inboxes",
            "base_url": base,
            "inboxes": inboxes,
        },
    )


@router.get("/console/admin/escalation", response_class=HTMLResponse)
def admin_escalation(request: Request, session: SessionDep) -> Response:
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    return render_page(
        request,
        "admin/escalation.html",
        {
            **staff_context(session, checked),
            "section": "escalation",
            "features": api_features(request.app),
        },
    )


@router.get("/console/admin/knowledge", response_class=HTMLResponse)
def admin_knowledge(request: Request, session: SessionDep) -> Response:
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    articles = list(
        session.scalars(
            select(Article).where(Article.account_id == checked.account_id).order_by(Article.title)
        )
    )
    return render_page(
        request,
        "admin/knowledge.html",
        {
            **staff_context(session, checked),
            "section": "knowledge",
            "articles": articles,
            "features": api_features(request.app),
        },
    )


@router.get("/console/admin/models", response_class=HTMLResponse)
def admin_models(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    account_id = checked.account_id
    default_active = None
    try:
        versions = services.models.registry(account_id).list()
        default = services.models.registry(None).active()
        default_active = default.version if default is not None else None
        problem = None
    except RegistryError as exc:
        versions, problem = [], str(exc)
    return render_page(
        request,
        "admin/models.html",
        {
            **staff_context(session, checked),
            "section": "models",
            "versions": versions,
            "source": services.models.source(account_id),
            "default_active": default_active,
            "problem": problem,
        },
    )


# --- customers -------------------------------------------------------------------------------


@router.get("/chat/{inbox_public_id}", response_class=HTMLResponse)
def chat_page(
    inbox_public_id: str,
    request: Request,
    session: SessionDep,
    embed: bool = False,
    lang: str | None = None,
) -> Response:
    """The chat, standalone (demo, a link in an email) or inside the widget's frame. Its texts
    are in `lang` when it is one of the chat's languages (the language menu, a link), else in
    the language the browser prefers among them (Accept-Language), else English."""
    language = (
        supported_language(lang)
        or negotiate_accept_language(request.headers.get("accept-language"))
        or DEFAULT_LANGUAGE
    )
    inbox = session.scalars(select(Inbox).where(Inbox.public_id == inbox_public_id)).first()
    if inbox is None:
        # Framable by anyone, so a widget with a wrong inbox shows this message rather than a
        # blank frame; it names only the id the embedding page itself gave.
        return render_page(
            request,
            "chat_unavailable.html",
            {"inbox_public_id": inbox_public_id, "embed": embed},
            status=404,
            frame_ancestors="*",
        )
    account = session.get(Account, inbox.account_id)
    assert account is not None
    return render_page(
        request,
        "chat.html",
        {
            "inbox_public_id": inbox.public_id,
            "inbox_name": inbox.name,
            "brand": account.name,
            "embed": embed,
            "max_chars": request.app.state.settings.max_message_chars,
            # Rendered into the page for the first paint; the script refreshes it live.
            "config": widget_config(account, language=language).model_dump(),
            "language": language,
            "texts": widget_texts(language),
            "_": wording(language, "widget").gettext,
        },
        frame_ancestors=WidgetSettings.for_account(account.settings or {}).frame_ancestors(),
    )


@router.get("/widget.js")
def widget_script() -> Response:
    """The embeddable widget: `<script src=".../widget.js" data-inbox="..." async></script>`."""
    body = (STATIC_DIR / "widget" / "embed.js").read_text(encoding="utf-8")
    return Response(
        body,
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "public, max-age=300",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
