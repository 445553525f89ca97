"""An inbox's identity secret: shown to the operator who configures the embedding website, or
replaced. Both are audited; the secret itself is sealed in the database (see store/accounts.py).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.errors import NotFound
from batondesk.privacy.audit import record_audit
from batondesk.store.models import Inbox


def new_identity_secret() -> str:
    return secrets.token_urlsafe(32)


def _inbox(session: Session, public_id: str) -> Inbox:
    inbox = session.scalars(select(Inbox).where(Inbox.public_id == public_id)).first()
    if inbox is None:
        raise NotFound(f"inbox {public_id} not found")
    return inbox


def do_reveal_identity_secret(session: Session, public_id: str) -> str:
    """The secret the website signs identity tokens with (recorded in the audit log)."""
    inbox = _inbox(session, public_id)
    record_audit(
        session,
        "inbox.identity_secret_shown",
        account_id=inbox.account_id,
        target_type="inbox",
        target_id=inbox.id,
    )
    return str(inbox.identity_secret)


def do_rotate_identity_secret(session: Session, public_id: str) -> str:
    """Replace the secret: tokens signed with the old one are refused from now on."""
    inbox = _inbox(session, public_id)
    inbox.identity_secret = new_identity_secret()
    record_audit(
        session,
        "inbox.identity_secret_rotated",
        account_id=inbox.account_id,
        target_type="inbox",
        target_id=inbox.id,
    )
    session.flush()
    return str(inbox.identity_secret)
