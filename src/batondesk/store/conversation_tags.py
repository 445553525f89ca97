"""Tags (labels) an account defines and puts on conversations, e.g. "refund", "vip"."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.store.base import Base, TenantMixin


class Tag(Base, TenantMixin):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    # Stored as typed, compared case-insensitively when created (actions/tags.py).
    name: Mapped[str] = mapped_column(String(50))


class ConversationTag(Base, TenantMixin):
    __tablename__ = "conversation_tags"
    __table_args__ = (UniqueConstraint("conversation_id", "tag_id"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), index=True)
