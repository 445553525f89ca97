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
from batondesk.store.attachments import Attachment, AttachmentKind
from batondesk.store.base import Base
from batondesk.store.canned_responses import CannedResponse
from batondesk.store.contacts import Contact
from batondesk.store.conversation_tags import ConversationTag, Tag
from batondesk.store.conversations import (
    Conversation,
    ConversationStatus,
    Message,
    Priority,
    SenderType,
)
from batondesk.store.crm_connectors import CrmConnector
from batondesk.store.customer_data import AttributeDefinition, AttributeType, CustomerProfile
from batondesk.store.events import EVENT_TYPES, Event
from batondesk.store.experiments import Experiment, ExperimentStatus
from batondesk.store.knowledge import Article
from batondesk.store.login_throttles import LoginThrottle
from batondesk.store.model_candidates import CandidateStatus, ModelCandidate, ShadowPrediction
from batondesk.store.privacy import AuditEntry, Consent
from batondesk.store.report_rollups import ReportDayTally, ReportRollupState, ReportWeekTally
from batondesk.store.response_templates import ResponseTemplate
from batondesk.store.review_queue import LabelKind, ReviewFeedState, ReviewItem, ReviewStatus
from batondesk.store.search_index import SearchToken
from batondesk.store.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

__all__ = [
    "EVENT_TYPES",
    "Account",
    "ApiKey",
    "Article",
    "ArticleVersion",
    "Attachment",
    "AttachmentKind",
    "AttributeDefinition",
    "AttributeType",
    "AuditEntry",
    "Availability",
    "Base",
    "CandidateStatus",
    "CannedResponse",
    "Channel",
    "Consent",
    "Contact",
    "Conversation",
    "ConversationStatus",
    "ConversationTag",
    "CrmConnector",
    "CustomerProfile",
    "DeliveryStatus",
    "Event",
    "Experiment",
    "ExperimentStatus",
    "Inbox",
    "LabelKind",
    "LoginThrottle",
    "Membership",
    "Message",
    "ModelCandidate",
    "Priority",
    "ReportDayTally",
    "ReportRollupState",
    "ReportWeekTally",
    "ResponseTemplate",
    "ReviewFeedState",
    "ReviewItem",
    "ReviewStatus",
    "Role",
    "SearchToken",
    "SenderType",
    "ShadowPrediction",
    "Tag",
    "Team",
    "User",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
]
