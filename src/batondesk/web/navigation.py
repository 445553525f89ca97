"""What the console pages need to know about the server: admin sections, optional API
features, the intent labels an agent can choose from and the default response targets."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from batondesk.training.review_queue import account_intents

ADMIN_SECTIONS: list[tuple[str, str]] = [
    ("team", "Agents & teams"),
    ("inboxes", "Inboxes & widget"),
    ("escalation", "Escalation"),
    ("knowledge", "Knowledge base"),
    ("canned-responses", "Canned responses"),
    ("models", "Models"),
    ("reports", "Reports"),
    ("experiments", "Experiments"),
    ("integrations", "Integrations"),
]

# The console's top bar: (page key, path, label). Pages set `page` to their key.
TOP_NAVIGATION: list[tuple[str, str, str]] = [
    ("conversations", "/console", "Conversations"),
    ("reviews", "/console/reviews", "Answer reviews"),
    ("learning", "/console/review-queue", "Learning"),
]
# The learning loop's pages, shown as tabs on each: (tab key, path, label).
LEARNING_TABS: list[tuple[str, str, str]] = [
    ("queue", "/console/review-queue", "Review queue"),
    ("gaps", "/console/content-gaps", "Content gaps"),
    ("models", "/console/learning/models", "Models"),
]

# First-response targets in minutes by priority (low, normal, high, urgent), for the SLA
# countdown of a conversation that carries no due time of its own.
DEFAULT_FIRST_RESPONSE_MINUTES: list[int] = [240, 60, 15, 5]
PRIORITY_NAMES = ("low", "normal", "high", "urgent")

# Optional endpoints built by other parts of Baton; pages show a clear "not available" state
# when the running server lacks them.
OPTIONAL_ROUTES: dict[str, str] = {
    "packet": "/api/v1/conversations/{conversation_id}/packet",
    "kb": "/api/v1/knowledge/articles",
    "suggestions": "/api/v1/conversations/{conversation_id}/suggestions",
    "escalation": "/api/v1/admin/settings/escalation",
}


def api_features(app: FastAPI) -> dict[str, bool]:
    # The OpenAPI document lists every API route (FastAPI builds it once and caches it).
    paths = app.openapi().get("paths", {})
    return {name: path in paths for name, path in OPTIONAL_ROUTES.items()}


def known_intents(session: Session, account_id: int, classifier: Any) -> list[str]:
    """Labels for the "correct intent" picker: the account's model's classes, any intent its
    articles or teams name and the new intents reviewers named (an agent may also type a new
    one)."""
    return account_intents(session, account_id, classifier)


def first_response_minutes(account_settings: dict[str, Any]) -> list[int]:
    """The account's first-response targets by priority, when escalation settings exist."""
    try:
        from batondesk.handoff.settings import EscalationSettings
    except ImportError:
        return DEFAULT_FIRST_RESPONSE_MINUTES
    try:
        sla = EscalationSettings.for_account(account_settings).sla
        return [sla[name].first_response_minutes for name in PRIORITY_NAMES]
    except Exception:  # settings from another version: the defaults still give a countdown
        return DEFAULT_FIRST_RESPONSE_MINUTES
