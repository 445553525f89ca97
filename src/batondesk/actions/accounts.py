"""Accounts, staff, inboxes, API keys and console logins."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.errors import Conflict, InvalidInput, RateLimited
from batondesk.privacy.audit import Actor, record_audit
from batondesk.privacy.keys import keys_of
from batondesk.store.base import utcnow
from batondesk.store.login_throttles import (
    attempts_in_window,
    clear_attempts,
    count_attempt,
    forget_attempt,
    prune_expired,
)
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


def check_password_strength(password: str) -> None:
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters", code="weak_password")


# Letters of these scripts legitimately share one word (Japanese mixes kanji and kana, Korean
# hangul and hanja); any other mix inside a word is how look-alike names are made.
_SCRIPTS_THAT_MIX = frozenset({"CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HANGUL"})


def check_person_name(name: str) -> str:
    """`name` trimmed, or InvalidInput when it could pass for someone else: invisible or
    direction-changing characters (zero-width spaces, right-to-left override), or a word whose
    letters come from more than one alphabet (a Cyrillic "а" inside "Admin")."""
    name = name.strip()
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Cn"):
            raise InvalidInput(
                f"name must not contain invisible or control characters (found U+{ord(char):04X})",
                code="invalid_name",
            )
    for word in re.findall(r"\w+", name):
        scripts = {unicodedata.name(c, "?").split(" ")[0] for c in word if c.isalpha()}
        if len(scripts) > 1 and not scripts <= _SCRIPTS_THAT_MIX:
            raise InvalidInput(
                f"name mixes alphabets within the word {word!r} ({', '.join(sorted(scripts))}): "
                "look-alike letters are not allowed",
                code="invalid_name",
            )
    return name


def do_create_user(session: Session, email: str, name: str, password: str) -> User:
    check_password_strength(password)
    name = check_person_name(name)
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


# Login throttling: attempts are counted per login email at one client address (so guessing
# one person's password is slow, and an attacker elsewhere cannot lock that person out) and
# per client address whatever the email (so one address cannot spray many emails).
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES = 5
LOGIN_MAX_PER_ADDRESS = 30


class LoginThrottled(RateLimited):
    def __init__(self, retry_after_seconds: float) -> None:
        super().__init__(
            "too many failed logins from this address; try again later", code="login_throttled"
        )
        self.retry_after_seconds = max(1, math.ceil(retry_after_seconds))


@dataclass(frozen=True)
class LoginAttempt:
    """A login attempt the throttle let through: whose password to check, and against what."""

    subject: str
    email_at_address: str
    address: str
    user_id: int | None
    password_hash: str | None


def check_login_attempt(session: Session, email: str, client_address: str) -> LoginAttempt:
    """First step of a login, in a unit of work of its own: count the attempt, refuse it when
    the email at this address or the address itself is over its limit, and look up the
    password hash to check. The counts are committed before any password is checked, so
    concurrent attempts can never get more checks than the limits allow."""
    email = email.strip().lower()
    keyring = keys_of(session).keyring
    email_at_address = keyring.blind_index(f"{email}\n{client_address}", "login.email_at_address")
    address = keyring.blind_index(client_address, "login.address")
    limits = {email_at_address: LOGIN_MAX_FAILURES, address: LOGIN_MAX_PER_ADDRESS}
    now = utcnow()
    # A flood mostly repeats attempts already over a limit: refuse those with a read.
    counted = attempts_in_window(session, list(limits), now=now, window=LOGIN_WINDOW)
    _refuse_over_limit([(n + 1, started, limits[k]) for k, (n, started) in counted.items()], now)
    # Then count this attempt for real; the database serialises concurrent counts.
    prune_expired(session, now=now, window=LOGIN_WINDOW)
    counts = []
    for key in sorted(limits):  # one lock order, so concurrent attempts cannot deadlock
        attempts, started = count_attempt(session, key, now=now, window=LOGIN_WINDOW)
        counts.append((attempts, started, limits[key]))
    _refuse_over_limit(counts, now)  # the unit of work rolls back: refusals count nothing
    user = session.scalars(select(User).where(User.email == email)).first()
    return LoginAttempt(
        subject=login_subject(session, email),
        email_at_address=email_at_address,
        address=address,
        user_id=user.id if user else None,
        password_hash=user.password_hash if user else None,
    )


def _refuse_over_limit(counts: list[tuple[int, datetime, int]], now: datetime) -> None:
    waits = [
        (started + LOGIN_WINDOW - now).total_seconds()
        for attempts, started, limit in counts
        if attempts > limit
    ]
    if waits:
        raise LoginThrottled(max(waits))


def do_finish_login(
    session: Session, attempt: LoginAttempt, password_ok: bool, ttl_seconds: int
) -> str | None:
    """Last step, once the password was checked (outside any unit of work: hashing is slow):
    audit the attempt and, if it succeeded, open a console session and return its token (the
    cookie value). A failure returns None; its audit entry commits with this unit of work."""
    if attempt.user_id is None or not password_ok:
        record_audit(
            session,
            "auth.login_failed",
            account_id=None,
            actor=Actor(None, "anonymous", None),
            target_type="user" if attempt.user_id else None,
            target_id=attempt.user_id,
            subject=attempt.subject,
        )
        return None
    record_audit(
        session,
        "auth.login",
        account_id=None,
        actor=Actor(None, "user", attempt.user_id),
        target_type="user",
        target_id=attempt.user_id,
        subject=attempt.subject,
    )
    # A success forgives this email's failures at this address, and does not count against
    # the address (an office of colleagues behind one address logs in every morning).
    # The same order as the counting step (sorted keys), so a success racing another attempt
    # from the same address never waits on a lock the other holds.
    for key in sorted((attempt.email_at_address, attempt.address)):
        if key == attempt.email_at_address:
            clear_attempts(session, key)
        else:
            forget_attempt(session, key)
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=attempt.user_id,
            expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        )
    )
    session.flush()
    return token


def login_subject(session: Session, email: str) -> str:
    """A keyed hash naming a login email in the audit log (never the email itself)."""
    return keys_of(session).keyring.blind_index(email, "audit.login")


def do_logout(session: Session, token: str) -> None:
    row = session.scalars(select(UserSession).where(UserSession.token_hash == token_hash(token)))
    for user_session in row:
        session.delete(user_session)


def account_settings_patch(account: Account, changes: dict[str, Any]) -> None:
    # JSON columns track reassignment, not in-place mutation.
    account.settings = {**account.settings, **changes}
