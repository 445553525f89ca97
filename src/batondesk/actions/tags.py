"""Tags: the account's labels, and putting them on conversations and taking them off."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from batondesk.actions.events import record_event
from batondesk.errors import Conflict, InvalidInput
from batondesk.store.models import Conversation, ConversationTag, Tag

MAX_TAG_CHARS = 50
MAX_TAGS_PER_ACCOUNT = 500
MAX_TAGS_PER_CONVERSATION = 20


def check_tag_name(name: str) -> str:
    """The name as stored: trimmed, inner whitespace collapsed."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("tag name is empty", code="empty_tag")
    if len(cleaned) > MAX_TAG_CHARS:
        raise InvalidInput(
            f"tag name has {len(cleaned)} characters; the limit is {MAX_TAG_CHARS}",
            code="tag_too_long",
        )
    return cleaned


def do_create_tag(session: Session, account_id: int, name: str) -> Tag:
    name = check_tag_name(name)
    existing = session.scalars(
        select(Tag).where(Tag.account_id == account_id, func.lower(Tag.name) == name.lower())
    ).first()
    if existing is not None:
        raise Conflict(f"a tag named {existing.name!r} already exists", code="tag_exists")
    count = session.scalar(
        select(func.count()).select_from(Tag).where(Tag.account_id == account_id)
    )
    if (count or 0) >= MAX_TAGS_PER_ACCOUNT:
        raise Conflict(
            f"this account already has {MAX_TAGS_PER_ACCOUNT} tags; delete some first",
            code="too_many_tags",
        )
    tag = Tag(account_id=account_id, name=name)
    session.add(tag)
    session.flush()
    return tag


def do_delete_tag(session: Session, tag: Tag) -> None:
    """Delete the tag and take it off every conversation (no event per conversation: the tag
    itself is gone)."""
    session.execute(delete(ConversationTag).where(ConversationTag.tag_id == tag.id))
    session.delete(tag)
    session.flush()


def do_tag_conversation(
    session: Session, conversation: Conversation, tag: Tag, *, actor_id: int | None
) -> bool:
    """Put `tag` (of the conversation's account) on it; False when it already was."""
    if tag.account_id != conversation.account_id:
        raise InvalidInput("tag belongs to another account", code="invalid_tag")
    tagged = select(ConversationTag).where(ConversationTag.conversation_id == conversation.id)
    if session.scalars(tagged.where(ConversationTag.tag_id == tag.id)).first() is not None:
        return False
    count = session.scalar(select(func.count()).select_from(tagged.subquery()))
    if (count or 0) >= MAX_TAGS_PER_CONVERSATION:
        raise Conflict(
            f"a conversation can carry at most {MAX_TAGS_PER_CONVERSATION} tags",
            code="too_many_tags",
        )
    session.add(
        ConversationTag(
            account_id=conversation.account_id, conversation_id=conversation.id, tag_id=tag.id
        )
    )
    session.flush()
    record_event(
        session,
        conversation,
        "conversation.tagged",
        actor_type="agent",
        actor_id=actor_id,
        payload={"tag_id": tag.id},
    )
    return True


def do_untag_conversation(
    session: Session, conversation: Conversation, tag: Tag, *, actor_id: int | None
) -> bool:
    """Take `tag` off; False when it was not on."""
    removed = session.execute(
        delete(ConversationTag).where(
            ConversationTag.conversation_id == conversation.id, ConversationTag.tag_id == tag.id
        )
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        return False
    record_event(
        session,
        conversation,
        "conversation.untagged",
        actor_type="agent",
        actor_id=actor_id,
        payload={"tag_id": tag.id},
    )
    return True
