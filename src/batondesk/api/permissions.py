"""The permission table: which role may do what. Every console route names one permission."""

from __future__ import annotations

from batondesk.store.models import Role

PERMISSIONS: dict[str, frozenset[Role]] = {
    # Read conversations, messages, the queue and contact profiles.
    "conversations:read": frozenset({Role.admin, Role.agent, Role.analyst}),
    # Reply, note, assign, take over, hand back, resolve, reopen; set own availability.
    "conversations:write": frozenset({Role.admin, Role.agent}),
    # Members, API keys, account settings.
    "admin": frozenset({Role.admin}),
    # Privacy requests: export and erase a contact, retention, consents, audit log, key rotation.
    "privacy": frozenset({Role.admin}),
}


def role_allows(role: Role, permission: str) -> bool:
    return role in PERMISSIONS[permission]
