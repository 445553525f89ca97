"""The audit log: append-only, tamper-evident, one hash chain per account.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical content,
so editing an entry breaks its own hash and deleting one leaves a gap in the sequence or a
broken link. The newest (seq, hash) of every chain is also written to the key store after each
commit, so deleting the newest entries is detected too. `baton audit verify` checks it all.

What is recorded, automatically where possible:

* every read of a contact's personal data by a signed-in member or API key (decrypting a
  sealed field while a request principal is set: see `privacy/sealing.py`), one entry per
  contact per request, naming the fields;
* API key creation and revocation, account settings changes, memberships (ORM hooks here);
* logins and failed logins, exports, erasures, retention runs, consent changes and key
  rotations (the actions that do them call `record_audit`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from batondesk.privacy.keystore import current_keystore
from batondesk.privacy.sealing import READS_KEY
from batondesk.store.base import utcnow
from batondesk.store.privacy import AuditEntry

log = logging.getLogger("batondesk.audit")

GENESIS_HASH = "0" * 64
ACTOR_KEY = "baton_audit_actor"
_HEADS_KEY = "baton_audit_heads"
_NEW_HEADS_KEY = "baton_audit_new_heads"
_LOCK_BASE = 0x62_61_74_6F_6E_00_00  # "baton": namespace for PostgreSQL advisory locks


@dataclass(frozen=True)
class Actor:
    """Who is acting in a unit of work (set by the API for the request's principal)."""

    account_id: int | None
    type: str  # user / api_key / system
    id: int | None
    route: str | None = None


def set_actor(session: Session, actor: Actor) -> None:
    """Attribute this unit of work's audited changes and contact reads to `actor`."""
    session.info[ACTOR_KEY] = actor
    session.info.setdefault(READS_KEY, {})


def actor_of(session: Session) -> Actor:
    actor = session.info.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else Actor(None, "system", None)


def entry_hash(entry: AuditEntry) -> str:
    content = {
        "chain": entry.chain,
        "seq": entry.seq,
        "account_id": entry.account_id,
        "created_at": entry.created_at.isoformat(),
        "actor_type": entry.actor_type,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "subject": entry.subject,
        "details": entry.details,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{entry.prev_hash}\n{canonical}".encode()).hexdigest()


def record_audit(
    session: Session,
    action: str,
    *,
    account_id: int | None,
    actor: Actor | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the account's chain. `details` must hold no personal data."""
    actor = actor or actor_of(session)
    chain = account_id or 0
    heads: dict[int, tuple[int, str]] = session.info.setdefault(_HEADS_KEY, {})
    if chain not in heads:
        with session.no_autoflush:
            dialect = session.get_bind().dialect.name
            if dialect == "postgresql":
                # Serialise appends to one chain until this transaction ends.
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_BASE + chain})
            elif dialect == "sqlite":
                # Take SQLite's write lock before reading the head (a write statement does,
                # even one that changes nothing): other writers wait, so the head is current.
                session.execute(text("UPDATE audit_entries SET seq = seq WHERE 1 = 0"))
            last = session.execute(
                select(AuditEntry.seq, AuditEntry.hash)
                .where(AuditEntry.chain == chain)
                .order_by(AuditEntry.seq.desc())
                .limit(1)
            ).first()
        heads[chain] = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    seq, previous = heads[chain]
    entry = AuditEntry(
        chain=chain,
        seq=seq + 1,
        account_id=account_id,
        created_at=utcnow(),
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        subject=subject,
        details=details or {},
        prev_hash=previous,
    )
    entry.hash = entry_hash(entry)
    heads[chain] = (entry.seq, entry.hash)
    session.info.setdefault(_NEW_HEADS_KEY, {})[chain] = (entry.seq, entry.hash)
    session.add(entry)
    return entry


def failures_since_last_success(
    session: Session, subject: str, *, window_seconds: int, failure: str, success: str
) -> int:
    """Failed attempts (e.g. logins) for `subject` in the window, after its last success."""
    since = utcnow() - timedelta(seconds=window_seconds)
    last_success = session.scalar(
        select(func.max(AuditEntry.id)).where(
            AuditEntry.subject == subject, AuditEntry.action == success
        )
    )
    query = select(func.count()).where(
        AuditEntry.subject == subject,
        AuditEntry.action == failure,
        AuditEntry.created_at >= since,
    )
    if last_success is not None:
        query = query.where(AuditEntry.id > last_success)
    return int(session.scalar(query) or 0)


# --- session hooks --------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _audit_changes(session: Session, _context: Any, _instances: Any) -> None:
    from batondesk.store.accounts import Account, ApiKey, Membership

    if session.info.get("baton_keystore"):
        return
    for row in list(session.new):
        if isinstance(row, ApiKey):
            record_audit(
                session,
                "api_key.created",
                account_id=row.account_id,
                target_type="api_key",
                details={"name": row.name, "role": str(row.role), "scopes": list(row.scopes or [])},
            )
        elif isinstance(row, Membership):
            record_audit(
                session,
                "member.added",
                account_id=row.account_id,
                target_type="user",
                target_id=row.user_id,
                details={"role": str(row.role)},
            )
    for row in list(session.dirty):
        if not session.is_modified(row, include_collections=False):
            continue
        if isinstance(row, ApiKey) and _changed(row, "revoked_at"):
            record_audit(
                session,
                "api_key.revoked",
                account_id=row.account_id,
                target_type="api_key",
                target_id=row.id,
            )
        elif isinstance(row, Account) and _changed(row, "settings"):
            before = _previous(row, "settings") or {}
            keys = sorted(
                k for k in set(before) | set(row.settings) if before.get(k) != row.settings.get(k)
            )
            record_audit(
                session,
                "settings.changed",
                account_id=row.id,
                target_type="account",
                target_id=row.id,
                details={"sections": keys},
            )
        elif isinstance(row, Membership) and _changed(row, "role"):
            record_audit(
                session,
                "member.role_changed",
                account_id=row.account_id,
                target_type="user",
                target_id=row.user_id,
                details={"role": str(row.role)},
            )


def _changed(row: Any, attribute: str) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(row).attrs[attribute].history.has_changes())


def _previous(row: Any, attribute: str) -> Any:
    from sqlalchemy import inspect

    deleted = inspect(row).attrs[attribute].history.deleted
    return deleted[0] if deleted else None


@event.listens_for(Session, "before_commit")
def _audit_contact_reads(session: Session) -> None:
    reads: dict[int, set[str]] = session.info.get(READS_KEY) or {}
    if not reads:
        return
    actor = actor_of(session)
    for contact_id, labels in sorted(reads.items()):
        record_audit(
            session,
            "contact.read",
            account_id=actor.account_id,
            actor=actor,
            target_type="contact",
            target_id=contact_id,
            details={"fields": sorted(labels), "route": actor.route},
        )
    reads.clear()


@event.listens_for(Session, "after_commit")
def _anchor_heads(session: Session) -> None:
    session.info.pop(_HEADS_KEY, None)
    heads = session.info.pop(_NEW_HEADS_KEY, None)
    if not heads:
        return
    try:
        current_keystore().record_audit_heads(heads)
    except Exception:  # the entries are committed; the anchor catches up on the next append
        log.warning("could not record the audit anchor in the key store")


@event.listens_for(Session, "after_rollback")
def _forget_heads(session: Session) -> None:
    session.info.pop(_HEADS_KEY, None)
    session.info.pop(_NEW_HEADS_KEY, None)
    if READS_KEY in session.info:
        session.info[READS_KEY] = {}


# --- verification ---------------------------------------------------------------------------


@dataclass
class VerifyReport:
    chains: int = 0
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_audit_log(session: Session, *, chain: int | None = None) -> VerifyReport:
    """Walk every chain (or one): sequence without gaps, links intact, hashes recomputed, and
    the newest entries still matching the anchors kept in the key store."""
    report = VerifyReport()
    anchors = current_keystore().audit_anchors()
    chains = set(session.scalars(select(AuditEntry.chain).distinct())) | set(anchors)
    if chain is not None:
        chains &= {chain}
    for name in sorted(chains):
        report.chains += 1
        expected_seq, previous = 1, GENESIS_HASH
        by_seq: dict[int, str] = {}
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.chain == name).order_by(AuditEntry.seq)
        )
        for entry in rows:
            report.entries += 1
            if entry.seq != expected_seq:
                report.problems.append(
                    f"chain {name}: entries {expected_seq}..{entry.seq - 1} are missing (deleted)"
                )
            if entry.prev_hash != previous:
                report.problems.append(
                    f"chain {name}: entry {entry.seq} does not follow the entry before it"
                )
            if entry_hash(entry) != entry.hash:
                report.problems.append(f"chain {name}: entry {entry.seq} was edited")
            by_seq[entry.seq] = entry.hash
            expected_seq, previous = entry.seq + 1, entry.hash
        anchor = anchors.get(name)
        if anchor is not None:
            seq, digest = anchor
            if seq not in by_seq:
                report.problems.append(
                    f"chain {name}: entry {seq} and later, recorded in the key store, are missing"
                )
            elif by_seq[seq] != digest:
                report.problems.append(
                    f"chain {name}: entry {seq} differs from the hash recorded in the key store"
                )
    return report
