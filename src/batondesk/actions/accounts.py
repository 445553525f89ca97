"""Accounts, staff, inboxes, API keys and console logins."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.errors import Conflict, InvalidInput, NotAuthenticated, RateLimited
from batondesk.privacy.audit import Actor, failures_since_last_success, record_audit
from batondesk.privacy.keys import database_of, keys_of
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Account,
    ApiKey,
    Availability,
    Channel,
    Inbox,
    Membership,
    Role,
    Team,
    User,
    UserSession,
)

API_KEY_PREFIX = "bk_"
# Scopes an API key can carry; each console endpoint names the one it needs.
API_SCOPES = frozenset({"conversations:read", "conversations:write", "admin", "privacy"})


def token_hash(token: str) -> str:
    """Random high-entropy tokens need no slow hash; SHA-256 keeps lookups indexable."""
    return hashlib.sha256(token.encode()).hexdigest()


def do_create_account(session: Session, name: str, slug: str) -> Account:
    if session.scalars(select(Account).where(Account.slug == slug)).first():
        raise Conflict(f"an account with slug {slug!r} exists", code="account_exists")
    account = Account(name=name, slug=slug, settings={})
    session.add(account)
    session.flush()
    return account


def do_create_team(
    session: Session, account: Account, name: str, intents: list[str] | None = None
) -> Team:
    team = Team(account_id=account.id, name=name, intents=intents or [])
    session.add(team)
    session.flush()
    return team


def do_create_user(session: Session, email: str, name: str, password: str) -> User:
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters", code="weak_password")
    email = email.strip().lower()
    if session.scalars(select(User).where(User.email == email)).first():
        raise Conflict(f"a user with email {email} exists", code="user_exists")
    user = User(email=email, name=name, password_hash=keys_of(session).passwords.hash(password))
    session.add(user)
    session.flush()
    return user


def do_add_member(
    session: Session, account: Account, user: User, role: Role, team: Team | None = None
) -> Membership:
    membership = Membership(
        account_id=account.id,
        user_id=user.id,
        role=role,
        team_id=team.id if team else None,
        availability=Availability.away,
    )
    session.add(membership)
    session.flush()
    return membership


def do_set_availability(session: Session, member: Membership, availability: Availability) -> None:
    member.availability = availability
    session.flush()


def do_create_inbox(
    session: Session, account: Account, name: str, channel: Channel, public_id: str | None = None
) -> Inbox:
    inbox = Inbox(
        account_id=account.id,
        name=name,
        channel=channel,
        public_id=public_id or "in_" + secrets.token_urlsafe(12),
        identity_secret=secrets.token_urlsafe(32),
    )
    session.add(inbox)
    session.flush()
    return inbox


def do_create_api_key(
    session: Session, account: Account, name: str, role: Role, scopes: list[str]
) -> tuple[ApiKey, str]:
    """Returns the row and the key itself, which is never stored and cannot be shown again."""
    unknown = sorted(set(scopes) - API_SCOPES)
    if unknown:
        raise InvalidInput(f"unknown scopes: {', '.join(unknown)}", code="invalid_scope")
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        account_id=account.id,
        name=name,
        prefix=secret[:10],
        key_hash=token_hash(secret),
        role=role,
        scopes=sorted(scopes),
    )
    session.add(key)
    session.flush()
    return key, secret


def do_login(session: Session, email: str, password: str, ttl_seconds: int) -> str:
    """Check a password and open a console session; returns the session token (cookie value).
    After LOGIN_MAX_FAILURES failures for one email within the window, logins for that email
    are refused until the window passes (every attempt is in the audit log)."""
    subject = login_subject(session, email)
    failures = failures_since_last_success(
        session,
        subject,
        window_seconds=LOGIN_FAILURE_WINDOW_SECONDS,
        failure="auth.login_failed",
        success="auth.login",
    )
    if failures >= LOGIN_MAX_FAILURES:
        raise RateLimited(
            "too many failed logins for this email; try again later", code="login_throttled"
        )
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        # Same work for unknown users, so timing does not reveal which emails exist.
        keys_of(session).passwords.hash(password)
        _record_login_failure(session, subject, None)
        raise NotAuthenticated("wrong email or password", code="bad_credentials")
    if not keys_of(session).passwords.verify(user.password_hash, password):
        _record_login_failure(session, subject, user.id)
        raise NotAuthenticated("wrong email or password", code="bad_credentials")
    record_audit(
        session,
        "auth.login",
        account_id=None,
        actor=Actor(None, "user", user.id),
        target_type="user",
        target_id=user.id,
        subject=subject,
    )
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        )
    )
    session.flush()
    return token


LOGIN_MAX_FAILURES = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60


def login_subject(session: Session, email: str) -> str:
    """A keyed hash naming a login email in the audit log (never the email itself)."""
    return keys_of(session).keyring.blind_index(email, "audit.login")


def _record_login_failure(session: Session, subject: str, user_id: int | None) -> None:
    # A separate transaction: the request's own one rolls back with the error it raises.
    with database_of(session).sessions() as side:
        record_audit(
            side,
            "auth.login_failed",
            account_id=None,
            actor=Actor(None, "anonymous", None),
            target_type="user" if user_id else None,
            target_id=user_id,
            subject=subject,
        )
        side.commit()


def do_logout(session: Session, token: str) -> None:
    row = session.scalars(select(UserSession).where(UserSession.token_hash == token_hash(token)))
    for user_session in row:
        session.delete(user_session)


def account_settings_patch(account: Account, changes: dict[str, Any]) -> None:
    # JSON columns track reassignment, not in-place mutation.
    account.settings = {**account.settings, **changes}
