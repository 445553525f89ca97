"""Privacy and security: the key hierarchy and sealed fields, erasure, export, retention,
consent, redaction, the audit log and password hashing (see docs/privacy.md)."""
