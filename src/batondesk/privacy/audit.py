"""The audit log: append-only, tamper-evident, one keyed hash chain per account.

Each entry's hash is an HMAC-SHA256, under the audit key, of the previous entry's hash and the
entry's canonical content, so editing an entry breaks its own hash and deleting one leaves a gap
in the sequence or a broken link. The audit key lives in the key store, wrapped by the master
key: someone who can write both databases but lacks the master key cannot recompute the chain
after rewriting it. The newest (seq, hash) of every chain is written to the key store after each
commit (so deleting the newest entries is detected), and every `CHECKPOINT_EVERY_ENTRIES` entries
or `CHECKPOINT_EVERY_SECONDS` a head is checkpointed there for good, authenticated by the audit
key. `baton audit verify` checks it all (privacy/audit_verify.py).

Appending is serialised per chain (a PostgreSQL advisory lock, SQLite's write lock), and that
lock is the last one a unit of work takes: `record_audit` only queues the entry, and just
before the commit, once everything else is flushed, the queued entries join their chains in
chain order (`append_queued_entries`). A transaction holding a chain lock therefore never waits
for a row lock, so audited writes cannot deadlock with each other however they interleave (an
API key's `last_used_at`, an erasure's deletes, a rotation, a login), and the lock is held for
the commit alone.

Chains begun before the chain was keyed keep their plain SHA-256 prefix: the upgrade (migration
0005) records the last such entry of each chain as an authenticated "legacy" checkpoint and
appends an `audit.chain_keyed` entry, so the prefix can still be verified and can no longer be
rewritten either (its last hash is pinned by the checkpoint).

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
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from batondesk.privacy.audit_anchors import AUDIT_KEY
from batondesk.privacy.keys import keys_of
from batondesk.privacy.sealing import READS_KEY
from batondesk.store.base import utcnow
from batondesk.store.privacy import AuditEntry

log = logging.getLogger("batondesk.audit")

GENESIS_HASH = "0" * 64
ACTOR_KEY = "baton_audit_actor"
_QUEUED_KEY = "baton_audit_queued"
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


def _canonical(entry: AuditEntry) -> str:
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
    return f"{entry.prev_hash}\n{canonical}"


def entry_hash(entry: AuditEntry, audit_key: bytes) -> str:
    """The entry's link in its chain: HMAC-SHA256 under the audit key (key store)."""
    return hmac.new(audit_key, _canonical(entry).encode(), hashlib.sha256).hexdigest()


def legacy_entry_hash(entry: AuditEntry) -> str:
    """How entries were hashed before the chain was keyed (plain SHA-256): still checked for
    the prefix of a chain pinned by its legacy checkpoint."""
    return hashlib.sha256(_canonical(entry).encode()).hexdigest()


def audit_key(session: Session) -> bytes:
    return keys_of(session).keystore.system_key(AUDIT_KEY)


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
    """Queue an entry for the account's chain; it is appended when the unit of work commits
    (its `seq` and hashes are set then). `details` must hold no personal data."""
    actor = actor or actor_of(session)
    entry = AuditEntry(
        chain=account_id or 0,
        account_id=account_id,
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        subject=subject,
        details=details or {},
    )
    session.info.setdefault(_QUEUED_KEY, []).append(entry)
    return entry


def append_queued_entries(session: Session) -> None:
    """Append the entries this unit of work queued to their chains. Runs before every commit
    (a session hook); call it yourself only on a session without the hooks (a migration's).

    Everything else is flushed first, so its row locks are taken before any chain lock; the
    chains are then locked in ascending order. Entries queued by that flush (ORM hooks) join
    in the same pass."""
    for _round in range(10):  # a flush may queue entries (hooks), whose insert queues none
        session.flush()
        queued: list[AuditEntry] = session.info.pop(_QUEUED_KEY, [])
        if not queued:
            return
        _append(session, queued)
    raise RuntimeError("audit entries kept queuing more audit entries")


def _append(session: Session, queued: list[AuditEntry]) -> None:
    key = audit_key(session)  # may read the key store: before holding any chain lock
    heads: dict[int, tuple[int, str]] = session.info.setdefault(_NEW_HEADS_KEY, {})
    with session.no_autoflush:
        for chain in sorted({entry.chain for entry in queued} - set(heads)):
            heads[chain] = _lock_chain_head(session, chain)
    for entry in queued:
        seq, previous = heads[entry.chain]
        entry.seq = seq + 1
        entry.prev_hash = previous
        entry.created_at = utcnow()  # when it joined the chain: time order follows seq
        entry.hash = entry_hash(entry, key)
        heads[entry.chain] = (entry.seq, entry.hash)
        session.add(entry)


def _lock_chain_head(session: Session, chain: int) -> tuple[int, str]:
    """Serialise appends to `chain` until this transaction ends; return its current head."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_BASE + chain})
    elif dialect == "sqlite":
        # Take SQLite's write lock before reading the head (a write statement does, even one
        # that changes nothing): other writers wait, so the head is current.
        session.execute(text("UPDATE audit_entries SET seq = seq WHERE 1 = 0"))
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash)
        .where(AuditEntry.chain == chain)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    return (last.seq, last.hash) if last else (0, GENESIS_HASH)


# --- session hooks (attached to a Database's session factory) ---------------------------------


def attach_audit_hooks(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "before_flush", _audit_changes)
    event.listen(sessions, "before_commit", _before_commit)
    event.listen(sessions, "after_commit", _anchor_heads)
    event.listen(sessions, "after_rollback", _forget_queued)


def _audit_changes(session: Session, _context: Any, _instances: Any) -> None:
    from batondesk.store.accounts import Account, ApiKey, Membership

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


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the entries wait for the transaction's own commit
    _audit_contact_reads(session)
    append_queued_entries(session)


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


def _anchor_heads(session: Session) -> None:
    heads = session.info.pop(_NEW_HEADS_KEY, None)
    if not heads:
        return
    try:
        keys_of(session).keystore.audit.record_heads(heads)
    except Exception:  # the entries are committed; the anchor catches up on the next append
        log.warning("could not record the audit anchor in the key store")


def _forget_queued(session: Session) -> None:
    session.info.pop(_QUEUED_KEY, None)
    session.info.pop(_NEW_HEADS_KEY, None)
    if READS_KEY in session.info:
        session.info[READS_KEY] = {}
