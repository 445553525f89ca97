"""The email follow-up: an agent replied after the customer had left the chat, so the reply
goes to the email address the customer gave (pre-chat form, or the website's identity token).

"Left" means the customer's chat has not shown them the reply (`customer_seen_message_id`,
reported by the widget) within the account's `follow_up_after_minutes`. Conversations whose
client never reports what it showed (most API integrations) are never emailed. Only replies
of the last day are considered, each at most once, and only when an SMTP server is
configured: otherwise nothing leaves the host. Logs name conversations, never an address or
a body.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from batondesk.actions.events import record_event
from batondesk.mail import SmtpMailer
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Account,
    Contact,
    Conversation,
    Message,
    SenderType,
    User,
)

log = logging.getLogger("batondesk.follow_ups")

# Replies older than this are not emailed: a customer told a day late is better served by the
# chat itself than by a surprise message about something long settled.
LOOK_BACK = timedelta(hours=24)


@dataclass
class FollowUpPass:
    """What one pass did (conversation ids)."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def run_follow_up_check(
    session: Session,
    mailer: SmtpMailer,
    account_id: int,
    *,
    after_minutes: int,
    now: datetime | None = None,
) -> FollowUpPass:
    """Email every unseen agent reply of the account older than `after_minutes`. Rows are
    locked and skipped when another worker holds them; a failed delivery leaves the reply
    unsent, to be tried again on the next pass."""
    done = FollowUpPass()
    if not mailer.configured:
        return done
    now = now or utcnow()
    waiting = session.scalars(
        select(Message.conversation_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.account_id == account_id,
            Message.sender_type == SenderType.agent,
            Message.private.is_(False),
            Message.created_at >= now - LOOK_BACK,
            Message.created_at <= now - timedelta(minutes=after_minutes),
            Conversation.customer_seen_message_id.is_not(None),
            Message.id > Conversation.customer_seen_message_id,
            Message.id > func.coalesce(Conversation.follow_up_message_id, 0),
        )
        .distinct()
    ).all()
    for conversation_id in sorted(waiting):
        conversation = session.scalars(
            select(Conversation)
            .where(Conversation.id == conversation_id, Conversation.account_id == account_id)
            .with_for_update(skip_locked=True)
        ).first()
        if conversation is None:
            continue  # another worker is on it
        try:
            if _follow_up(session, mailer, conversation):
                done.sent.append(conversation.id)
        except (OSError, smtplib.SMTPException) as error:
            log.warning(
                "follow-up email for conversation %s failed: %s",
                conversation.id,
                type(error).__name__,
            )
            done.failed.append(conversation.id)
    return done


def _follow_up(session: Session, mailer: SmtpMailer, conversation: Conversation) -> bool:
    """Send the unseen replies of one conversation; False when there is nobody to send to."""
    unseen_after = max(
        conversation.customer_seen_message_id or 0, conversation.follow_up_message_id or 0
    )
    replies = list(
        session.scalars(
            select(Message)
            .where(
                Message.account_id == conversation.account_id,
                Message.conversation_id == conversation.id,
                Message.sender_type == SenderType.agent,
                Message.private.is_(False),
                Message.id > unseen_after,
            )
            .order_by(Message.id)
        )
    )
    contact = session.get(Contact, conversation.contact_id)
    account = session.get(Account, conversation.account_id)
    if not replies or contact is None or account is None:
        return False
    newest = replies[-1].id
    if not contact.email:
        # Nobody to write to: remember it, so the next pass does not look again.
        conversation.follow_up_message_id = newest
        return False
    agents = {
        user.id: user.name
        for user in session.scalars(
            select(User).where(User.id.in_({m.sender_user_id for m in replies if m.sender_user_id}))
        )
    }
    first_agent = agents.get(replies[0].sender_user_id or 0, "Our team")
    text = "\n".join(
        [
            f"Hello {contact.name}," if contact.name else "Hello,",
            "",
            f"{first_agent} from {account.name} replied in the chat after you had left:",
            "",
            *[f"{m.body}\n" for m in replies],
            "To answer, open the chat on our website again: the conversation continues where "
            "you left it.",
            "",
            f"{account.name}",
        ]
    )
    message = mailer.compose(
        to=contact.email,
        subject=f"{account.name}: a reply to your message",
        text=text,
        sender_name=account.name,
    )
    mailer.send(message)
    conversation.follow_up_message_id = newest
    record_event(
        session,
        conversation,
        "conversation.follow_up_emailed",
        actor_type="system",
        payload={"message_id": newest, "replies": len(replies)},
    )
    log.info("follow-up email sent for conversation %s", conversation.id)
    return True
