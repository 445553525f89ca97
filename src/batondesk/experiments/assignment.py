"""Sticky assignment: a customer's arm is a pure function of (contact id, experiment key) and
the weights, so every worker, every process and every later conversation of the customer
agrees on it without storing anything first. The weights are locked while the experiment
runs, which is what keeps it sticky."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from batondesk.experiments.definition import Variant

# Buckets a customer can fall in; an arm owns a contiguous run of them in proportion to its
# weight. 10,000 buckets give weights a resolution of 0.01%.
BUCKETS = 10_000


def bucket_of(contact_id: int, experiment_key: str) -> int:
    """The customer's bucket, 0..BUCKETS-1: SHA-256 of "<experiment key>:<contact id>",
    stable across processes and Python versions (unlike `hash()`), and independent between
    experiments (the key is in the hash)."""
    digest = hashlib.sha256(f"{experiment_key}:{contact_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def arm_of_bucket(bucket: int, variants: Sequence[Variant]) -> str:
    """The variant whose run of buckets holds `bucket`, runs laid out in the variants' order."""
    total = sum(v.weight for v in variants)
    upper = 0.0
    for variant in variants:
        upper += variant.weight / total * BUCKETS
        if bucket < upper:
            return variant.key
    return variants[-1].key  # rounding at the very top


def assign(contact_id: int, experiment_key: str, variants: Sequence[Variant]) -> str:
    """The customer's arm."""
    return arm_of_bucket(bucket_of(contact_id, experiment_key), variants)
