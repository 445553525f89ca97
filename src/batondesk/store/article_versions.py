"""Every saved state of a knowledge-base article: who changed what, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from batondesk.store.base import Base, TenantMixin


class ArticleVersion(Base, TenantMixin):
    """A snapshot of an article as it was after one change (version 1 = as created)."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(20))  # created / updated / imported
    author_id: Mapped[int | None] = mapped_column(Integer, default=None)  # None: an import
    slug: Mapped[str] = mapped_column(String(160))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    intents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
