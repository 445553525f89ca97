"""Per-intent responses an account writes itself, with variables filled at reply time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.store.base import Base, TenantMixin, utcnow


class ResponseTemplate(Base, TenantMixin):
    """The reply for one intent (and locale), e.g. "Your card ending {{contact.card_last4}}
    ...". `article_id` is the source the reply cites; without it the reply cites the article
    retrieval chose."""

    __tablename__ = "response_templates"
    __table_args__ = (UniqueConstraint("account_id", "intent", "locale"),)

    intent: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    body: Mapped[str] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), default=None
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
