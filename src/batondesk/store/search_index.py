"""The keyed search index: conversations found by the words of their messages and by their
customer's name, without those words ever being stored.

Each row is one distinct word of one message (or of a contact's name), kept only as an
HMAC-SHA256 under the account's search key (privacy/search_tokens.py, key store). A copy of
the database shows which rows share a word and how often a word occurs, never the word itself;
erasing a contact deletes its rows (they point at the contact, and the token column is marked
as personal data so erasure deletes them explicitly).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.privacy.sealing import PERSONAL_DATA
from batondesk.store.base import Base, TenantMixin

# What a token was taken from.
MESSAGE_FIELD = "message"
CONTACT_NAME_FIELD = "contact_name"


class SearchToken(Base, TenantMixin):
    __tablename__ = "search_tokens"
    __table_args__ = (Index("ix_search_tokens_lookup", "account_id", "token", "field"),)

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    # Null for a contact's own fields (its name), set for a message's words.
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), default=None, index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), default=None, index=True
    )
    field: Mapped[str] = mapped_column(String(20))
    # 128 bits of HMAC-SHA256, hex: equal words give equal tokens within one account only.
    token: Mapped[str] = mapped_column(String(32), info=PERSONAL_DATA)
