"""Canned responses: an account's saved replies, offered to agents by their shortcut."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.store.base import Base, TenantMixin, utcnow


class CannedResponse(Base, TenantMixin):
    """Typing `/<shortcut>` in the reply box offers it. The body may use the response
    templates' variables (`{{contact.first_name|there}}`, knowledge/templates.py), filled from
    the conversation's customer when an agent inserts it. Account content, not personal data."""

    __tablename__ = "canned_responses"
    __table_args__ = (UniqueConstraint("account_id", "shortcut"),)

    shortcut: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
