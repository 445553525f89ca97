"""Retention: per-account limits on how long conversations and idle contacts are kept.

The policy lives in the account settings (``settings["retention"]``)::

    {"conversation_days": 365, "contact_days": 730}

* conversations whose last activity is older than ``conversation_days`` are deleted, with
  their messages (events stay, with their metrics);
* contacts with no conversation left and no activity for ``contact_days`` are erased (their
  data key is destroyed, as for an erasure request).

`retention_report` is the dry run; `do_apply_retention` does it. `baton privacy retention
--apply` (e.g. from cron, daily) or the API run it for one or every account.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from batondesk.errors import InvalidInput, NotFound
from batondesk.privacy.audit import record_audit
from batondesk.privacy.erasure import do_erase_contact
from batondesk.store.base import utcnow
from batondesk.store.models import Account, Contact, Conversation, Message

POLICY_FIELDS = ("conversation_days", "contact_days")


@dataclass(frozen=True)
class RetentionReport:
    account_id: int
    applied: bool
    conversation_days: int | None
    contact_days: int | None
    conversations: int
    messages: int
    contacts: int
    oldest_conversation_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def retention_policy(account: Account) -> dict[str, int | None]:
    stored = account.settings.get("retention", {})
    return {name: stored.get(name) for name in POLICY_FIELDS}


def check_policy(policy: dict[str, Any]) -> dict[str, int | None]:
    unknown = sorted(set(policy) - set(POLICY_FIELDS))
    if unknown:
        raise InvalidInput(
            f"unknown retention settings: {', '.join(unknown)}", code="unknown_setting"
        )
    checked: dict[str, int | None] = {}
    for name in POLICY_FIELDS:
        value = policy.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise InvalidInput(
                f"{name} must be a whole number of days >= 1, or null", code="out_of_range"
            )
        checked[name] = value
    return checked


def do_set_retention_policy(
    session: Session, account_id: int, policy: dict[str, Any]
) -> dict[str, int | None]:
    """Replace the account's policy (audited as a settings change)."""
    checked = check_policy(policy)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"account {account_id} not found")
    account.settings = {**account.settings, "retention": checked}
    session.flush()
    return checked


def _expired_conversations(session: Session, account_id: int, cutoff: datetime) -> list[int]:
    activity = func.coalesce(Conversation.last_message_at, Conversation.created_at)
    return list(
        session.scalars(
            select(Conversation.id).where(Conversation.account_id == account_id, activity < cutoff)
        )
    )


def _idle_contacts(session: Session, account_id: int, cutoff: datetime) -> list[int]:
    """Contacts created before the cutoff with no conversation active since."""
    recent = select(Conversation.contact_id).where(
        Conversation.account_id == account_id,
        func.coalesce(Conversation.last_message_at, Conversation.created_at) >= cutoff,
    )
    return list(
        session.scalars(
            select(Contact.id).where(
                Contact.account_id == account_id,
                Contact.created_at < cutoff,
                Contact.id.not_in(recent),
            )
        )
    )


def retention_report(
    session: Session, account_id: int, *, apply: bool = False, now: datetime | None = None
) -> RetentionReport:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"account {account_id} not found")
    policy = retention_policy(account)
    now = now or utcnow()
    conversation_ids: list[int] = []
    contact_ids: list[int] = []
    if policy["conversation_days"]:
        conversation_ids = _expired_conversations(
            session, account_id, now - timedelta(days=policy["conversation_days"])
        )
    if policy["contact_days"]:
        contact_ids = _idle_contacts(
            session, account_id, now - timedelta(days=policy["contact_days"])
        )
    messages = session.scalar(
        select(func.count())
        .select_from(Message)
        .where(Message.conversation_id.in_(conversation_ids or [-1]))
    )
    oldest = session.scalar(
        select(
            func.min(func.coalesce(Conversation.last_message_at, Conversation.created_at))
        ).where(Conversation.id.in_(conversation_ids or [-1]))
    )
    report = RetentionReport(
        account_id,
        apply,
        policy["conversation_days"],
        policy["contact_days"],
        len(conversation_ids),
        int(messages or 0),
        len(contact_ids),
        oldest.isoformat() if isinstance(oldest, datetime) else (str(oldest) if oldest else None),
    )
    if apply:
        if conversation_ids:
            session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
            session.execute(delete(Conversation).where(Conversation.id.in_(conversation_ids)))
            session.flush()
        for contact_id in contact_ids:
            do_erase_contact(session, account_id, contact_id)
        record_audit(
            session,
            "retention.applied",
            account_id=account_id,
            target_type="account",
            target_id=account_id,
            details={
                k: v for k, v in report.as_dict().items() if k not in ("account_id", "applied")
            },
        )
    return report


def do_apply_retention(
    session: Session, account_id: int, *, now: datetime | None = None
) -> RetentionReport:
    return retention_report(session, account_id, apply=True, now=now)


def accounts_with_policy(session: Session) -> list[int]:
    return [
        account.id
        for account in session.scalars(select(Account).order_by(Account.id))
        if any(retention_policy(account).values())
    ]
