"""Request and response bodies (XCreate / XPublic / XsPublic)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from batondesk.i18n import LanguageCode
from batondesk.store.models import Availability, ConversationStatus, Role, SenderType

# Row ids are INTEGER columns: 32 bits on PostgreSQL, the tighter of the two databases. An id
# outside that range names no row, and the database would fail on it rather than find nothing,
# so every id a request sends (path, query or body) is one of these: a 422 naming the
# parameter, before any query runs.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Ge(1), Le(MAX_ROW_ID)]
# Row counts and positions in a listing (offsets, "newer than" cursors), in the same range.
RowCount = Annotated[int, Ge(0), Le(MAX_ROW_ID)]

# Generous enough for any real message; the configured character limit is checked in actions,
# where it yields the `message_too_long` error code.
_BODY_FIELD = Field(min_length=1, max_length=100_000, description="Message text")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageCreate(Strict):
    body: str = _BODY_FIELD
    choice: str | None = Field(
        default=None,
        max_length=40,
        description="The `id` of one of the `choices` the bot offered in its last message "
        "(a quick-reply button); `body` then carries the button's label.",
    )


class CsatCreate(Strict):
    score: int = Field(ge=1, le=5, description="1 (very unhappy) to 5 (very happy)")
    comment: str | None = Field(default=None, max_length=2000)


class AnswerFeedbackCreate(Strict):
    helpful: StrictBool = Field(
        description='true: the answer helped ("Yes"); false: it did not ("No")'
    )


class AnswerFeedbackPublic(BaseModel):
    message_id: int
    helpful: bool


class WidgetStart(Strict):
    identity_token: str | None = Field(
        default=None,
        description="Optional token signed by the embedding site with the inbox identity secret, "
        "identifying a known customer (see docs/api.md).",
    )
    locale: str | None = Field(
        default=None,
        max_length=35,
        pattern=r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}$",
        description="The browser's language (`navigator.language`, e.g. es-ES): the chat and "
        "the bot speak it when it is one of theirs and nothing stronger says otherwise",
    )
    language: LanguageCode | None = Field(
        default=None,
        description="The language the customer picked in the chat's language menu before "
        "starting; kept as the contact's preference (see PUT .../language)",
    )
    name: str | None = Field(
        default=None,
        max_length=200,
        description="The pre-chat form's name (sealed like all personal data)",
    )
    email: str | None = Field(
        default=None,
        max_length=320,
        description="The pre-chat form's email address; an agent's reply the customer has not "
        "seen may be emailed there (an unverified address never opens another contact's "
        "conversations)",
    )
    consent: StrictBool = Field(
        default=False,
        description="The customer agreed to the chat's privacy notice; required when the "
        "account's widget settings say `consent_required`",
    )


class LanguagePublic(BaseModel):
    code: str = Field(description="ISO 639-1, e.g. es")
    name: str = Field(description="The language's name in itself, e.g. Español")


class LanguageChoice(Strict):
    language: LanguageCode = Field(description="One of the chat's languages")


class WidgetLanguagePublic(BaseModel):
    language: str
    source: str = Field(
        description="Why this language: choice (picked by the customer or in the account's "
        "records), identity (the identity token's locale), browser, detected (from the "
        "customer's messages) or default (English, nothing else known)"
    )


class WidgetTextsPublic(BaseModel):
    language: str
    texts: dict[str, str] = Field(
        description="The chat's own texts: English text -> translation (empty for English). "
        "`{name}` placeholders are filled by the chat."
    )


class WidgetConfigPublic(BaseModel):
    """What the chat shows before and around the conversation (the account's widget
    settings, resolved), for the chat page and any custom client."""

    brand: str = Field(description="The account's name")
    language: str = Field(description="The language of the texts below (en when asked for another)")
    languages: list[LanguagePublic] = Field(description="What the chat's language menu offers")
    brand_color: str = Field(description="Hex colour, e.g. #1d4ed8")
    greeting: str
    position: str = Field(description="right or left: the corner of the chat button")
    suggested_topics: list[str]
    privacy_policy_url: str | None
    consent_required: bool
    prechat_form: str = Field(description="off, optional or required")
    office_open: bool = Field(description="Whether the team is within its office hours now")
    closed_message: str | None = Field(description="Shown while the office is closed")


class TypingCreate(Strict):
    typing: StrictBool = Field(description="true: started or still typing; false: stopped")


class TypingPublic(BaseModel):
    sent: bool = Field(description="false when an identical notice was sent moments ago")


class SeenCreate(Strict):
    message_id: RowId = Field(description="The newest message the chat has shown")


class SeenPublic(BaseModel):
    message_id: int = Field(description="The newest message the customer has seen so far")


class LoginCreate(Strict):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=200)


class AssignCreate(Strict):
    user_id: RowId


class AvailabilityUpdate(Strict):
    availability: Availability


class ApiKeyCreate(Strict):
    name: str = Field(min_length=1, max_length=120)
    role: Role = Role.agent
    scopes: list[str] = Field(min_length=1)


class CustomerFeedbackPublic(BaseModel):
    helpful: bool = Field(description='true: the customer said "Yes", false: "No"')


class AttachmentPublic(BaseModel):
    """A file on a message. Fetch it from `url` (an image is shown inline, a PDF always
    downloads) and an image's preview from `thumbnail_url`, with the same credentials as the
    message."""

    id: int
    kind: str = Field(description="image or pdf")
    content_type: str = Field(description="What the bytes are, e.g. image/png")
    filename: str
    size_bytes: int
    width: int | None = Field(default=None, description="Images only, in pixels")
    height: int | None = None
    url: str
    thumbnail_url: str | None = Field(default=None, description="Images only: a small WebP")


_ATTACHMENTS_FIELD = Field(default_factory=list, description="Files sent with the message")


class MessagePublic(BaseModel):
    id: int
    conversation_id: int
    sender_type: SenderType
    sender_user_id: int | None
    body: str
    private: bool
    created_at: datetime
    annotations: dict[str, Any] = Field(
        default_factory=dict, description="What the AI understood or used: intent, sources"
    )
    customer_feedback: CustomerFeedbackPublic | None = Field(
        default=None,
        description='Under a bot answer, the latest answer the customer gave to "Did this '
        'answer your question?"; null when they gave none',
    )
    attachments: list[AttachmentPublic] = _ATTACHMENTS_FIELD


class ChoicePublic(BaseModel):
    """A quick reply the bot offers: send its `id` back as `choice` to pick it."""

    id: str
    label: str
    article: dict[str, Any] | None = Field(
        default=None, description="The article this choice answers from (null: none of these)"
    )


class WidgetMessagePublic(BaseModel):
    """What the customer sees: no private notes, no internal annotations beyond sources."""

    id: int
    sender_type: SenderType
    body: str
    created_at: datetime
    sources: list[dict[str, Any]] = Field(default_factory=list)
    kind: str | None = Field(
        default=None,
        description="For the bot's messages: answer (cites `sources`), clarify (may offer "
        "`choices`), decline (outside what the desk handles), handover, or notice",
    )
    choices: list[ChoicePublic] = Field(default_factory=list)
    sender_name: str | None = Field(
        default=None, description="For an agent's messages: the agent's display name"
    )
    attachments: list[AttachmentPublic] = _ATTACHMENTS_FIELD


class WidgetAgentPublic(BaseModel):
    """The person who has joined the conversation, as the customer sees them."""

    name: str
    initials: str


class TagPublic(BaseModel):
    id: int
    name: str


class ConversationPublic(BaseModel):
    id: int
    inbox_id: int
    contact_id: int
    status: ConversationStatus
    priority: int
    assignee_id: int | None
    team_id: int | None
    escalation_reason: str | None
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    csat_score: int | None
    snoozed_until: datetime | None = Field(
        default=None, description="Hidden from the working lists until then (UTC)"
    )
    intent: str | None = Field(
        default=None, description="The last intent the AI understood with confidence"
    )
    repeat_of_id: int | None = Field(
        default=None,
        description="A repeat contact: the customer's earlier conversation on the same intent "
        "within the account's repeat-contact window",
    )
    identity_verified: bool = Field(
        default=False,
        description="The customer was signed in on the website that embeds the chat: it "
        "started with an identity token signed with the inbox's identity secret, so the "
        "contact's external_id and email are the website's, not typed in the chat",
    )
    tags: list[TagPublic] = Field(default_factory=list)


class ConversationsPublic(BaseModel):
    data: list[ConversationPublic]
    count: int = Field(description="Conversations on this page")
    next_cursor: str | None = Field(
        default=None,
        description="Pass as `cursor` for the next page; null on the last page",
    )


class WidgetConversationPublic(BaseModel):
    conversation_id: int
    status: ConversationStatus
    visitor_token: str | None = None
    queue_position: int | None = None
    agent: WidgetAgentPublic | None = Field(
        default=None, description="The person who owns the conversation, once one has joined"
    )
    messages: list[WidgetMessagePublic] = Field(default_factory=list)
    language: str | None = Field(
        default=None, description="The language the chat and the bot speak in this conversation"
    )


class TurnPublic(BaseModel):
    message: WidgetMessagePublic
    reply: WidgetMessagePublic | None
    status: ConversationStatus
    queue_position: int | None = None
    agent: WidgetAgentPublic | None = None
    language: str | None = Field(
        default=None, description="The conversation's language after this message"
    )


class EventPublic(BaseModel):
    id: int
    type: str
    actor_type: str
    actor_id: int | None
    created_at: datetime
    payload: dict[str, Any]


class EventsPublic(BaseModel):
    data: list[EventPublic]


class ContactPublic(BaseModel):
    id: int
    external_id: str | None
    name: str | None
    email: str | None
    phone: str | None
    locale: str
    tier: str
    attributes: dict[str, Any] | None


class MePublic(BaseModel):
    user_id: int | None
    account_id: int
    role: Role
    name: str | None = None
    email: str | None = None
    availability: Availability | None = None


class ApiKeyPublic(BaseModel):
    id: int
    name: str
    prefix: str
    role: Role
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="Shown once; only a hash is stored.")


class OkPublic(BaseModel):
    ok: bool = True
