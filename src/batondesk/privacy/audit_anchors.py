"""Where the audit chains are pinned, in the key store: the newest head of each chain (the
anchor, moved after every commit) and, now and then, heads kept for good as checkpoints
authenticated with the audit key. See privacy/audit.py.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from batondesk.store.base import utcnow
from batondesk.store.privacy import AuditAnchor, AuditCheckpoint

if TYPE_CHECKING:
    from batondesk.privacy.keystore import KeyStore

# The system key that chains the audit log.
AUDIT_KEY = "audit"
# A chain head is checkpointed once this many entries or this long have passed since the
# chain's previous checkpoint.
CHECKPOINT_EVERY_ENTRIES = 100
CHECKPOINT_EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class Checkpoint:
    chain: int
    seq: int
    hash: str
    kind: str  # periodic / legacy
    authentic: bool  # its MAC verifies under the audit key


class AuditAnchors:
    """The audit side of a key store (``keystore.audit``)."""

    def __init__(self, keystore: KeyStore) -> None:
        self.keystore = keystore
        self._last_checkpoints: dict[int, tuple[int, float]] = {}  # chain -> (seq, unix time)

    def record_heads(self, heads: dict[int, tuple[int, str]]) -> None:
        """Remember the newest committed (seq, hash) of each chain, and checkpoint a head for
        good when the chain has moved on enough since its last checkpoint."""
        for chain, (seq, digest) in heads.items():
            # One conditional statement, so concurrent workers never move an anchor backwards.
            with self.keystore.sessions() as session, session.begin():
                moved = session.execute(
                    update(AuditAnchor)
                    .where(AuditAnchor.chain == chain, AuditAnchor.seq < seq)
                    .values(seq=seq, hash=digest, updated_at=utcnow())
                ).rowcount
                if not moved and session.get(AuditAnchor, chain) is None:
                    session.add(AuditAnchor(chain=chain, seq=seq, hash=digest))
            if self._checkpoint_due(chain, seq):
                self.add_checkpoint(chain, seq, digest, kind="periodic")

    def _checkpoint_due(self, chain: int, seq: int) -> bool:
        last = self._last_checkpoints.get(chain)
        if last is None:
            with self.keystore.sessions() as session:
                row = session.execute(
                    select(AuditCheckpoint.seq, AuditCheckpoint.created_at)
                    .where(AuditCheckpoint.chain == chain, AuditCheckpoint.kind == "periodic")
                    .order_by(AuditCheckpoint.seq.desc())
                    .limit(1)
                ).first()
            last = (row.seq, row.created_at.timestamp()) if row else (0, 0.0)
            self._last_checkpoints[chain] = last
        last_seq, last_time = last
        return seq > last_seq and (
            seq - last_seq >= CHECKPOINT_EVERY_ENTRIES
            or time.time() - last_time >= CHECKPOINT_EVERY_SECONDS
        )

    def checkpoint_mac(self, kind: str, chain: int, seq: int, digest: str) -> str:
        message = f"baton audit checkpoint|{kind}|{chain}|{seq}|{digest}".encode()
        return hmac.new(self.keystore.system_key(AUDIT_KEY), message, hashlib.sha256).hexdigest()

    def add_checkpoint(self, chain: int, seq: int, digest: str, *, kind: str) -> None:
        """Record (chain, seq, hash) for good, authenticated by the audit key."""
        mac = self.checkpoint_mac(kind, chain, seq, digest)
        with self.keystore.sessions() as session:
            session.add(AuditCheckpoint(chain=chain, seq=seq, hash=digest, kind=kind, mac=mac))
            try:
                session.commit()
            except IntegrityError:  # another worker checkpointed the same head
                session.rollback()
        if kind == "periodic":
            self._last_checkpoints[chain] = (seq, time.time())

    def checkpoints(self) -> dict[int, list[Checkpoint]]:
        """Every checkpoint by chain, oldest first, each marked authentic or not."""
        found: dict[int, list[Checkpoint]] = {}
        with self.keystore.sessions() as session:
            rows = session.scalars(
                select(AuditCheckpoint).order_by(AuditCheckpoint.chain, AuditCheckpoint.seq)
            )
            for row in rows:
                expected = self.checkpoint_mac(row.kind, row.chain, row.seq, row.hash)
                found.setdefault(row.chain, []).append(
                    Checkpoint(
                        row.chain,
                        row.seq,
                        row.hash,
                        row.kind,
                        hmac.compare_digest(expected, row.mac),
                    )
                )
        return found

    def anchors(self) -> dict[int, tuple[int, str]]:
        with self.keystore.sessions() as session:
            return {a.chain: (a.seq, a.hash) for a in session.scalars(select(AuditAnchor))}
