"""Checking the audit log (`baton audit verify`), pinning chain heads on demand
(`baton audit checkpoint`), and the one-off upgrade of chains written with plain SHA-256.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from batondesk.privacy.audit import (
    GENESIS_HASH,
    Actor,
    entry_hash,
    legacy_entry_hash,
    record_audit,
)
from batondesk.privacy.audit_anchors import AUDIT_KEY, Checkpoint
from batondesk.privacy.keys import keys_of
from batondesk.store.privacy import AuditEntry

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
    """Walk every chain (or one): sequence without gaps, links intact, every hash recomputed
    with the audit key (plain SHA-256 up to a chain's legacy checkpoint), the checkpoints
    authentic and matching, and the newest entries still matching the anchors."""
    report = VerifyReport()
    keystore = keys_of(session).keystore
    key = keystore.system_key(AUDIT_KEY)
    anchors = keystore.audit.anchors()
    checkpoints = keystore.audit.checkpoints()
    chains = set(session.scalars(select(AuditEntry.chain).distinct())) | set(anchors)
    chains |= set(checkpoints)
    if chain is not None:
        chains &= {chain}
    for name in sorted(chains):
        report.chains += 1
        _verify_chain(session, name, key, checkpoints.get(name, []), anchors.get(name), report)
    return report


def _verify_chain(
    session: Session,
    name: int,
    key: bytes,
    checkpoints: list[Checkpoint],
    anchor: tuple[int, str] | None,
    report: VerifyReport,
) -> None:
    for forged in (c for c in checkpoints if not c.authentic):
        report.problems.append(
            f"chain {name}: the {forged.kind} checkpoint at entry {forged.seq} in the key store "
            "is not authentic (forged or altered)"
        )
    authentic = [c for c in checkpoints if c.authentic]
    legacy_seq = max((c.seq for c in authentic if c.kind == "legacy"), default=0)
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
        recomputed = legacy_entry_hash(entry) if entry.seq <= legacy_seq else entry_hash(entry, key)
        if not hmac.compare_digest(recomputed, entry.hash):
            report.problems.append(f"chain {name}: entry {entry.seq} was edited")
        by_seq[entry.seq] = entry.hash
        expected_seq, previous = entry.seq + 1, entry.hash
    pinned = [(c.seq, c.hash, f"the {c.kind} checkpoint") for c in authentic]
    if anchor is not None:
        pinned.append((anchor[0], anchor[1], "the anchor"))
    for seq, digest, what in pinned:
        if seq not in by_seq:
            report.problems.append(
                f"chain {name}: entry {seq} and later, recorded in the key store ({what}), "
                "are missing"
            )
        elif by_seq[seq] != digest:
            report.problems.append(
                f"chain {name}: entry {seq} differs from the hash recorded in the key store "
                f"({what})"
            )


# --- the upgrade from plain SHA-256 chains ----------------------------------------------------


def key_legacy_chains(session: Session) -> list[int]:
    """Pin the plain-SHA-256 prefix of every chain with an authenticated legacy checkpoint and
    append an `audit.chain_keyed` entry to it, so that old entries still verify and can no
    longer be rewritten. Safe to run again. Returns the chains keyed now."""
    keystore = keys_of(session).keystore
    pinned = {
        name: max(c.seq for c in found if c.kind == "legacy" and c.authentic)
        for name, found in keystore.audit.checkpoints().items()
        if any(c.kind == "legacy" and c.authentic for c in found)
    }
    keyed = []
    for name in sorted(set(session.scalars(select(AuditEntry.chain).distinct()))):
        if name in pinned:
            continue
        entries = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.chain == name).order_by(AuditEntry.seq)
            )
        )
        # The prefix that is a consistent plain chain: normally the whole chain.
        last, previous, intact = None, GENESIS_HASH, True
        for expected_seq, entry in enumerate(entries, start=1):
            if (
                entry.seq != expected_seq
                or entry.prev_hash != previous
                or legacy_entry_hash(entry) != entry.hash
            ):
                intact = False
                break
            last, previous = entry, entry.hash
        if last is None:
            continue  # nothing hashed the old way
        keystore.audit.add_checkpoint(name, last.seq, last.hash, kind="legacy")
        record_audit(
            session,
            "audit.chain_keyed",
            account_id=name or None,
            actor=Actor(None, "system", None),
            details={"legacy_entries": last.seq, "legacy_chain_intact": intact},
        )
        keyed.append(name)
    return keyed


def checkpoint_now(session: Session) -> int:
    """Checkpoint the newest entry of every chain (e.g. before taking a backup)."""
    keystore = keys_of(session).keystore
    newest = session.execute(
        select(AuditEntry.chain, func.max(AuditEntry.seq)).group_by(AuditEntry.chain)
    ).all()
    heads = [
        (name, seq, session.scalar(select(AuditEntry.hash).filter_by(chain=name, seq=seq)))
        for name, seq in newest
    ]
    count = 0
    for name, seq, digest in heads:
        keystore.audit.add_checkpoint(name, seq, digest, kind="periodic")
        count += 1
    return count
