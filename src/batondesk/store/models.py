"""Every table, imported in one place so metadata (and Alembic) sees them all."""

from batondesk.store.accounts import (
    Account,
    ApiKey,
    Availability,
    Channel,
    Inbox,
    Membership,
    Role,
    Team,
    User,
    UserSession,
)
from batondesk.store.article_versions import ArticleVersion
from batondesk.store.base import Base
from batondesk.store.contacts import Contact
from batondesk.store.conversations import (
    Conversation,
    ConversationStatus,
    Message,
    Priority,
    SenderType,
)
from batondesk.store.events import EVENT_TYPES, Event
from batondesk.store.experiments import Experiment, ExperimentStatus
from batondesk.store.knowledge import Article
from batondesk.store.login_throttles import LoginThrottle
from batondesk.store.privacy import AuditEntry, Consent
from batondesk.store.report_rollups import ReportDayTally, ReportRollupState, ReportWeekTally
from batondesk.store.response_templates import ResponseTemplate
from batondesk.store.review_queue import LabelKind, ReviewFeedState, ReviewItem, ReviewStatus

__all__ = [
    "EVENT_TYPES",
    "Account",
    "ApiKey",
    "AuditEntry",
    "Article",
    "ArticleVersion",
    "Availability",
    "Base",
    "Channel",
    "Contact",
    "Consent",
    "Conversation",
    "ConversationStatus",
    "Event",
    "Experiment",
    "ExperimentStatus",
    "Inbox",
    "LabelKind",
    "LoginThrottle",
    "Membership",
    "Message",
    "Priority",
    "ReportDayTally",
    "ReportRollupState",
    "ReportWeekTally",
    "ResponseTemplate",
    "ReviewFeedState",
    "ReviewItem",
    "ReviewStatus",
    "Role",
    "SenderType",
    "Team",
    "User",
    "UserSession",
]
