"""Rows -> response bodies."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy.orm import Session

from batondesk.actions.answer_feedback import customer_verdict
from batondesk.api.schemas import (
    AttachmentPublic,
    ChoicePublic,
    ContactPublic,
    ConversationPublic,
    CustomerFeedbackPublic,
    EventPublic,
    MessagePublic,
    TagPublic,
    WidgetAgentPublic,
    WidgetMessagePublic,
)
from batondesk.store.access import tags_by_conversation
from batondesk.store.models import (
    Attachment,
    AttachmentKind,
    Contact,
    Conversation,
    Event,
    Message,
    SenderType,
    Tag,
)

# Where a side fetches a file: the console by the attachment's id, the chat within its
# conversation (api/attachments.py).
AttachmentUrl = Callable[[Attachment], str]


def console_attachment_url(a: Attachment) -> str:
    return f"/api/v1/attachments/{a.id}"


def widget_attachment_url(a: Attachment) -> str:
    return f"/api/v1/widget/conversations/{a.conversation_id}/attachments/{a.id}"


def attachment_public(a: Attachment, url: AttachmentUrl) -> AttachmentPublic:
    base = url(a)
    return AttachmentPublic(
        id=a.id,
        kind=a.kind,
        content_type=a.content_type,
        filename=a.filename,
        size_bytes=a.size_bytes,
        width=a.width,
        height=a.height,
        url=base,
        thumbnail_url=f"{base}/thumbnail" if a.kind == AttachmentKind.image else None,
    )


def conversation_public(c: Conversation, tags: list[Tag] | None = None) -> ConversationPublic:
    """`tags`: the conversation's tags when the caller loaded them (`conversations_public`,
    `conversation_with_tags`)."""
    return ConversationPublic(
        id=c.id,
        inbox_id=c.inbox_id,
        contact_id=c.contact_id,
        status=c.status,
        priority=c.priority,
        assignee_id=c.assignee_id,
        team_id=c.team_id,
        escalation_reason=c.escalation_reason,
        created_at=c.created_at,
        updated_at=c.updated_at,
        last_message_at=c.last_message_at,
        escalated_at=c.escalated_at,
        resolved_at=c.resolved_at,
        csat_score=c.csat_score,
        snoozed_until=c.snoozed_until,
        intent=c.intent,
        repeat_of_id=c.repeat_of_id,
        identity_verified=c.identity_verified,
        tags=[TagPublic(id=t.id, name=t.name) for t in tags or []],
    )


def conversations_public(session: Session, rows: list[Conversation]) -> list[ConversationPublic]:
    """Rows of one account, each with its tags (one query for all)."""
    if not rows:
        return []
    tags = tags_by_conversation(session, rows[0].account_id, [c.id for c in rows])
    return [conversation_public(c, tags[c.id]) for c in rows]


def conversation_with_tags(session: Session, c: Conversation) -> ConversationPublic:
    return conversations_public(session, [c])[0]


def message_public(m: Message, attachments: Sequence[Attachment] = ()) -> MessagePublic:
    """`attachments`: the message's files, when the caller loaded them."""
    helpful = customer_verdict(m)
    return MessagePublic(
        id=m.id,
        conversation_id=m.conversation_id,
        sender_type=m.sender_type,
        sender_user_id=m.sender_user_id,
        body=m.body,
        private=m.private,
        created_at=m.created_at,
        annotations=m.annotations,
        customer_feedback=None if helpful is None else CustomerFeedbackPublic(helpful=helpful),
        attachments=[attachment_public(a, console_attachment_url) for a in attachments],
    )


# The bot's stored decision -> what kind of message the customer is looking at.
_MESSAGE_KINDS = {
    "answer": "answer",
    "clarify": "clarify",
    "decline": "decline",
    "escalate": "handover",
}


def initials(name: str) -> str:
    """ "Tom Whitaker" -> "TW", "Ana" -> "A": the avatar of a person in the chat."""
    words = [w for w in name.split() if w[:1].isalnum()]
    if not words:
        return "?"
    picked = words[:1] + words[1:][-1:]
    return "".join(w[0] for w in picked).upper()


def widget_agent_public(name: str | None) -> WidgetAgentPublic | None:
    return WidgetAgentPublic(name=name, initials=initials(name)) if name else None


def widget_message_public(
    m: Message,
    agent_names: Mapping[int, str] | None = None,
    attachments: Sequence[Attachment] = (),
) -> WidgetMessagePublic:
    """`agent_names`: staff display names by user id, for agents' messages; `attachments`:
    the message's files, when the caller loaded them."""
    kind = None
    if m.sender_type == SenderType.bot:
        kind = _MESSAGE_KINDS.get(str(m.annotations.get("decision")), "notice")
    return WidgetMessagePublic(
        id=m.id,
        sender_type=m.sender_type,
        body=m.body,
        created_at=m.created_at,
        sources=list(m.annotations.get("sources", [])),
        kind=kind,
        choices=[
            ChoicePublic(id=str(c["id"]), label=str(c["label"]), article=c.get("article"))
            for c in m.annotations.get("choices", [])
        ],
        sender_name=(agent_names or {}).get(m.sender_user_id or 0)
        if m.sender_type == SenderType.agent
        else None,
        attachments=[attachment_public(a, widget_attachment_url) for a in attachments],
    )


def event_public(e: Event) -> EventPublic:
    return EventPublic(
        id=e.id,
        type=e.type,
        actor_type=e.actor_type,
        actor_id=e.actor_id,
        created_at=e.created_at,
        payload=e.payload,
    )


def contact_public(c: Contact) -> ContactPublic:
    return ContactPublic(
        id=c.id,
        external_id=c.external_id,
        name=c.name,
        email=c.email,
        phone=c.phone,
        locale=c.locale,
        tier=c.tier,
        attributes=c.attributes,
    )
