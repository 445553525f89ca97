"""Files attached to messages: images and PDFs sent by customers or agents.

Stored in the database, sealed with the contact's data key like message bodies
(privacy/sealing.py): the file name, the bytes and the image's thumbnail are ciphertext at
rest, a copy moved to another row fails authentication, and erasing the contact (destroying
its key, deleting its rows) takes the files with it, backups included. Size, type and the
image's dimensions are kept in the clear: they are what lists and limits need, and say
nothing about what the file shows.
"""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from batondesk.privacy.sealing import PERSONAL_DATA, SealedBytes, sealed_field
from batondesk.store.base import Base, TenantMixin


class AttachmentKind(enum.StrEnum):
    image = "image"  # re-encoded without metadata, with a thumbnail; shown inline
    pdf = "pdf"  # kept as sent; only ever downloaded


class Attachment(Base, TenantMixin):
    __tablename__ = "attachments"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    # The contact whose data key seals the file, and whose erasure deletes it.
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AttachmentKind] = mapped_column(Enum(AttachmentKind, native_enum=False, length=10))
    # What the bytes are (sniffed, never what the sender declared), e.g. image/png.
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    filename_sealed: Mapped[bytes] = mapped_column(
        "filename", SealedBytes("attachments.filename"), info=PERSONAL_DATA
    )
    filename = sealed_field("filename_sealed", "attachments.filename")
    # Deferred: listing a conversation's attachments must not read megabytes of ciphertext.
    content_sealed: Mapped[bytes] = deferred(
        mapped_column("content", SealedBytes("attachments.content"), info=PERSONAL_DATA)
    )
    content = sealed_field("content_sealed", "attachments.content", as_bytes=True)
    thumbnail_sealed: Mapped[bytes | None] = deferred(
        mapped_column(
            "thumbnail", SealedBytes("attachments.thumbnail"), default=None, info=PERSONAL_DATA
        )
    )
    thumbnail = sealed_field("thumbnail_sealed", "attachments.thumbnail", as_bytes=True)
