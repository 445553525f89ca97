"""Canned responses: an account's saved replies, managed by its admins."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from batondesk.errors import Conflict, InvalidInput
from batondesk.knowledge.templates import check_template
from batondesk.store.models import CannedResponse

# What follows the slash in the reply box: lower-case letters, digits, "-" and "_".
SHORTCUT = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
MAX_TITLE_CHARS = 120
MAX_CANNED_RESPONSES = 1000


def check_shortcut(shortcut: str) -> str:
    cleaned = shortcut.strip().removeprefix("/").lower()
    if not SHORTCUT.fullmatch(cleaned):
        raise InvalidInput(
            "shortcut must be 1 to 40 letters, digits, '-' or '_' (e.g. refund)",
            code="invalid_shortcut",
        )
    return cleaned


def check_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise InvalidInput("title is empty", code="empty_title")
    if len(cleaned) > MAX_TITLE_CHARS:
        raise InvalidInput(
            f"title has {len(cleaned)} characters; the limit is {MAX_TITLE_CHARS}",
            code="title_too_long",
        )
    return cleaned


def _refuse_taken(session: Session, account_id: int, shortcut: str, own_id: int | None) -> None:
    taken = session.scalars(
        select(CannedResponse).where(
            CannedResponse.account_id == account_id, CannedResponse.shortcut == shortcut
        )
    ).first()
    if taken is not None and taken.id != own_id:
        raise Conflict(f"the shortcut /{shortcut} is already used", code="shortcut_taken")


def do_create_canned_response(
    session: Session, account_id: int, *, shortcut: str, title: str, body: str
) -> CannedResponse:
    shortcut, title, body = check_shortcut(shortcut), check_title(title), check_template(body)
    _refuse_taken(session, account_id, shortcut, None)
    count = session.scalar(
        select(func.count())
        .select_from(CannedResponse)
        .where(CannedResponse.account_id == account_id)
    )
    if (count or 0) >= MAX_CANNED_RESPONSES:
        raise Conflict(
            f"this account already has {MAX_CANNED_RESPONSES} canned responses",
            code="too_many_canned_responses",
        )
    row = CannedResponse(account_id=account_id, shortcut=shortcut, title=title, body=body)
    session.add(row)
    session.flush()
    return row


def do_update_canned_response(
    session: Session,
    row: CannedResponse,
    *,
    shortcut: str | None = None,
    title: str | None = None,
    body: str | None = None,
) -> CannedResponse:
    """Change the given fields; every one is checked before any is changed."""
    new_shortcut = check_shortcut(shortcut) if shortcut is not None else row.shortcut
    new_title = check_title(title) if title is not None else row.title
    new_body = check_template(body) if body is not None else row.body
    _refuse_taken(session, row.account_id, new_shortcut, row.id)
    row.shortcut, row.title, row.body = new_shortcut, new_title, new_body
    session.flush()
    return row


def do_delete_canned_response(session: Session, row: CannedResponse) -> None:
    session.delete(row)
    session.flush()
