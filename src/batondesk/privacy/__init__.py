"""Encryption at rest, blind indexes and (later) redaction, export and erasure."""
