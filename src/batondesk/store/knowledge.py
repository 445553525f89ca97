"""Knowledge-base articles the bot answers from and cites."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.store.base import Base, TenantMixin, utcnow


class Article(Base, TenantMixin):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("account_id", "slug"),)

    slug: Mapped[str] = mapped_column(String(160))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    intents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    status: Mapped[str] = mapped_column(String(20), default="published")
    # Bumped on every change (history in article_versions); retrieval indexes key on it.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
